// Articles being written and reviewed. As "my articles" (knowledge.write) it lists the caller's own articles in
// every state with a button for a new one; as the review queue (knowledge.review) it lists what waits for review
// first, and every article by state. A row opens the editor, which offers the steps the state allows.
import { ref, computed, onMounted } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { errorText, fmtDateTime } from '../util.js';
import PageHeader from '../components/page-header.js';
import { KB_STATES, loadKbCategories, categoryName, stateTag } from './knowledge-common.js';

export default {
  name: 'KnowledgeDraftsPage',
  components: { PageHeader },
  setup() {
    const route = useRoute();
    const router = useRouter();
    const reviewing = computed(() => route.name === 'knowledge-review');
    const state = ref(reviewing.value ? 'in_review' : '');
    const title = ref('');
    const rows = ref([]);
    const total = ref(0);
    const page = ref(1);
    const error = ref('');
    const loading = ref(false);
    async function load(p = 1) {
      loading.value = true;
      error.value = '';
      page.value = p;
      try {
        const res = await api.get('/knowledge/drafts', { state: state.value, title: title.value.trim(),
          mine: reviewing.value ? undefined : true, page: p, per_page: 50 });
        rows.value = res.items;
        total.value = res.total;
      } catch (err) {
        error.value = errorText(err);
      } finally {
        loading.value = false;
      }
    }
    const open = (row) => router.push(`/knowledge/drafts/${row.id}`);
    onMounted(async () => {
      try {
        await loadKbCategories();
      } catch (err) {
        error.value = errorText(err);
      }
      load();
    });
    return { t, reviewing, state, title, rows, total, page, error, loading, load, open, KB_STATES, categoryName,
      stateTag, fmtDateTime, newArticle: () => router.push('/knowledge/drafts/new') };
  },
  template: `
    <div class="sb-page" :data-test="reviewing ? 'page-knowledge-review' : 'page-knowledge-drafts'">
      <page-header :title="reviewing ? t('knowledge.reviewTitle') : t('knowledge.draftsTitle')"
                   :subtitle="reviewing ? t('knowledge.reviewSubtitle') : t('knowledge.draftsSubtitle')">
        <el-button v-if="!reviewing" type="primary" :icon="$icons.Plus" data-test="kb-new"
                   @click="newArticle">{{ t('knowledge.newArticle') }}</el-button>
      </page-header>
      <div class="sb-toolbar sb-mb">
        <el-select v-model="state" clearable :placeholder="t('knowledge.anyState')" style="width: 160px"
                   @change="load(1)">
          <el-option v-for="s in KB_STATES" :key="s" :value="s" :label="t('knowledge.state.' + s)" />
        </el-select>
        <el-input v-model="title" clearable :placeholder="t('knowledge.fieldTitle')" style="max-width: 260px"
                  class="sb-ml" @keyup.enter="load(1)" />
        <el-button :icon="$icons.Refresh" class="sb-ml" @click="load(1)">{{ t('common.refresh') }}</el-button>
      </div>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <el-table :data="rows" v-loading="loading" border stripe data-test="kb-drafts" @row-click="open"
                style="cursor: pointer" :empty-text="t('common.noData')">
        <el-table-column :label="t('knowledge.fieldTitle')" prop="title" min-width="220" />
        <el-table-column :label="t('knowledge.category')" min-width="140">
          <template #default="{ row }">{{ categoryName(row.category_id) }}</template>
        </el-table-column>
        <el-table-column :label="t('knowledge.kind')" width="90">
          <template #default="{ row }">{{ t('knowledge.kinds.' + row.kind) }}</template>
        </el-table-column>
        <el-table-column :label="t('common.status')" width="110">
          <template #default="{ row }"><el-tag size="small" :type="stateTag(row.state)">
            {{ t('knowledge.state.' + row.state) }}</el-tag></template>
        </el-table-column>
        <el-table-column :label="t('knowledge.author')" prop="author_name" width="120" />
        <el-table-column :label="t('knowledge.version')" prop="version" width="80" />
        <el-table-column :label="t('knowledge.views')" prop="view_count" width="80" />
        <el-table-column :label="t('knowledge.updated')" width="170">
          <template #default="{ row }">{{ fmtDateTime(row.updated_at) }}</template>
        </el-table-column>
      </el-table>
      <el-pagination v-if="total > 50" layout="prev, pager, next" :total="total" :page-size="50" :current-page="page"
                     class="sb-mt" @current-change="load" />
    </div>`,
};
