// Knowledge search for agents: words in Chinese or English, ranked results with the matched words highlighted
// (the server escapes everything but the <b> it adds), an optional category filter; an empty search with a
// category lists that category in reading order.
import { ref, onMounted } from 'vue';
import { useRouter, useRoute } from 'vue-router';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { errorText } from '../util.js';
import PageHeader from '../components/page-header.js';
import { CategorySelect, loadKbCategories, categoryName } from './knowledge-common.js';

export default {
  name: 'KnowledgePage',
  components: { PageHeader, CategorySelect },
  setup() {
    const router = useRouter();
    const route = useRoute();
    const q = ref(route.query.q || '');
    const categoryId = ref(route.query.category_id ? Number(route.query.category_id) : null);
    const result = ref(null);
    const page = ref(1);
    const loading = ref(false);
    const error = ref('');
    async function search(p = 1) {
      error.value = '';
      if (!q.value.trim() && !categoryId.value) {
        result.value = null;
        return;
      }
      loading.value = true;
      page.value = p;
      try {
        result.value = await api.get('/knowledge/search', { q: q.value.trim(), category_id: categoryId.value, page: p,
          per_page: 20 });
        router.replace({ query: { q: q.value.trim() || undefined, category_id: categoryId.value || undefined } });
      } catch (err) {
        error.value = errorText(err);
      } finally {
        loading.value = false;
      }
    }
    const open = (hit) => router.push(`/knowledge/articles/${hit.article_id}`);
    onMounted(async () => {
      try {
        await loadKbCategories();
      } catch (err) {
        error.value = errorText(err);
      }
      search();
    });
    return { t, q, categoryId, result, page, loading, error, search, open, categoryName };
  },
  template: `
    <div class="sb-page" data-test="page-knowledge">
      <page-header :title="t('knowledge.title')" :subtitle="t('knowledge.subtitle')" />
      <div class="sb-toolbar sb-mb">
        <el-input v-model="q" :placeholder="t('knowledge.searchHint')" clearable style="max-width: 420px"
                  data-test="kb-search-input" @keyup.enter="search(1)" />
        <category-select v-model="categoryId" clearable :placeholder="t('knowledge.allCategories')" class="sb-ml" />
        <el-button type="primary" :icon="$icons.Search" class="sb-ml" data-test="kb-search-button"
                   @click="search(1)">{{ t('knowledge.search') }}</el-button>
      </div>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <div v-loading="loading">
        <template v-if="result">
          <div class="sb-muted sb-mb" data-test="kb-total">{{ t('knowledge.found', { n: result.total }) }}</div>
          <el-empty v-if="result.hits.length === 0" :description="t('knowledge.nothing')" />
          <el-card v-for="hit in result.hits" :key="hit.article_id" shadow="hover" class="sb-card sb-mb kb-hit"
                   data-test="kb-hit" @click="open(hit)" style="cursor: pointer">
            <div class="kb-hit-title">
              <el-tag v-if="hit.kind === 'faq'" size="small" type="warning">FAQ</el-tag>
              <span v-html="hit.title_html" style="font-weight: 600; font-size: 16px"></span>
              <span class="sb-muted sb-ml">{{ categoryName(hit.category_id) }}</span>
            </div>
            <div class="kb-hit-snippet sb-muted" v-html="hit.snippet_html" data-test="kb-snippet"></div>
          </el-card>
          <el-pagination v-if="result.total > 20" layout="prev, pager, next" :total="result.total" :page-size="20"
                         :current-page="page" @current-change="search" />
        </template>
      </div>
    </div>`,
};
