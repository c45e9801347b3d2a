// Study for new staff: choose a category and read its published articles in order; each one read is ticked and
// the progress bar shows how far this person is.
import { ref, computed, onMounted } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { errorText, fmtDateTime } from '../util.js';
import PageHeader from '../components/page-header.js';
import { CategorySelect, loadKbCategories, kbCategories } from './knowledge-common.js';

export default {
  name: 'KnowledgeStudyPage',
  components: { PageHeader, CategorySelect },
  setup() {
    const route = useRoute();
    const router = useRouter();
    const categoryId = ref(route.query.category_id ? Number(route.query.category_id) : null);
    const progress = ref(null);
    const error = ref('');
    const percent = computed(() =>
      progress.value && progress.value.total ? Math.round((100 * progress.value.read) / progress.value.total) : 0);
    async function load() {
      error.value = '';
      if (!categoryId.value) return;
      router.replace({ query: { category_id: categoryId.value } });
      try {
        progress.value = await api.get('/knowledge/study', { category_id: categoryId.value });
      } catch (err) {
        error.value = errorText(err);
      }
    }
    const open = (item) => router.push({ path: `/knowledge/articles/${item.article_id}`, query: { study: '1' } });
    onMounted(async () => {
      try {
        await loadKbCategories();
        if (!categoryId.value && kbCategories.tree.length) categoryId.value = kbCategories.tree[0].id;
      } catch (err) {
        error.value = errorText(err);
      }
      load();
    });
    return { t, categoryId, progress, percent, error, load, open, fmtDateTime };
  },
  template: `
    <div class="sb-page" data-test="page-knowledge-study">
      <page-header :title="t('knowledge.studyTitle')" :subtitle="t('knowledge.studySubtitle')">
        <category-select v-model="categoryId" @update:model-value="load" />
      </page-header>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <template v-if="progress">
        <div class="sb-mb" data-test="kb-progress">
          {{ t('knowledge.progress', { read: progress.read, total: progress.total }) }}
          <el-progress :percentage="percent" :stroke-width="14" />
        </div>
        <el-table :data="progress.items" border @row-click="open" style="cursor: pointer" data-test="kb-study"
                  :empty-text="t('common.noData')">
          <el-table-column type="index" width="60" />
          <el-table-column :label="t('knowledge.fieldTitle')" prop="title" />
          <el-table-column :label="t('knowledge.readAt')" width="200">
            <template #default="{ row }">
              <el-tag v-if="row.read_at" type="success" size="small">✓ {{ fmtDateTime(row.read_at) }}</el-tag>
              <span v-else class="sb-muted">{{ t('knowledge.unread') }}</span>
            </template>
          </el-table-column>
        </el-table>
      </template>
    </div>`,
};
