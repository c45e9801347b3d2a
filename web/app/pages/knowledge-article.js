// One published article as agents read it (its body is HTML the server cleaned), with its category and reads;
// opened from the study page it offers "mark as read".
import { ref, computed, onMounted } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { errorText, fmtDateTime, showSuccess } from '../util.js';
import PageHeader from '../components/page-header.js';
import { loadKbCategories, categoryName } from './knowledge-common.js';

export default {
  name: 'KnowledgeArticlePage',
  components: { PageHeader },
  setup() {
    const route = useRoute();
    const router = useRouter();
    const article = ref(null);
    const error = ref('');
    const fromStudy = computed(() => route.query.study === '1');
    async function load() {
      error.value = '';
      try {
        article.value = await api.get(`/knowledge/articles/${route.params.id}`);
      } catch (err) {
        error.value = errorText(err);
      }
    }
    async function markRead() {
      try {
        await api.post(`/knowledge/study/${route.params.id}/read`, {});
        showSuccess(t('knowledge.markedRead'));
        router.back();
      } catch (err) {
        error.value = errorText(err);
      }
    }
    onMounted(async () => {
      try {
        await loadKbCategories();
      } catch (err) {
        error.value = errorText(err);
      }
      load();
    });
    return { t, article, error, fromStudy, markRead, categoryName, fmtDateTime, back: () => router.back() };
  },
  template: `
    <div class="sb-page" data-test="page-knowledge-article">
      <page-header :title="article ? article.title : t('menu.knowledge-article')"
                   :subtitle="article ? categoryName(article.category_id) : ''">
        <el-button v-if="fromStudy" type="primary" data-test="kb-mark-read" @click="markRead">
          {{ t('knowledge.markRead') }}</el-button>
        <el-button @click="back">{{ t('knowledge.back') }}</el-button>
      </page-header>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <el-card v-if="article" shadow="never" class="sb-card">
        <div class="sb-muted sb-mb">
          <el-tag v-if="article.kind === 'faq'" size="small" type="warning">FAQ</el-tag>
          {{ t('knowledge.byline', { author: article.author_name || '-', at: fmtDateTime(article.published_at),
             views: article.view_count, version: article.version }) }}
        </div>
        <div class="kb-body" v-html="article.body" data-test="kb-article-body"></div>
      </el-card>
    </div>`,
};
