// Knowledge statistics for editors: articles by state, the most read, submissions and publications per author,
// and what people searched for without finding anything (what the knowledge base is missing).
import { ref, onMounted } from 'vue';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { errorText, fmtDateTime } from '../util.js';
import PageHeader from '../components/page-header.js';

export default {
  name: 'KnowledgeStatsPage',
  components: { PageHeader },
  setup() {
    const days = ref(30);
    const stats = ref(null);
    const error = ref('');
    async function load() {
      error.value = '';
      try {
        stats.value = await api.get('/knowledge/stats', { days: days.value });
      } catch (err) {
        error.value = errorText(err);
      }
    }
    onMounted(load);
    return { t, days, stats, error, load, fmtDateTime };
  },
  template: `
    <div class="sb-page" data-test="page-knowledge-stats">
      <page-header :title="t('knowledge.statsTitle')" :subtitle="t('knowledge.statsSubtitle')">
        <span class="sb-muted">{{ t('knowledge.days') }}</span>
        <el-input-number v-model="days" :min="1" :max="365" class="sb-ml" @change="load" />
      </page-header>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <template v-if="stats">
        <div class="sb-mb">
          <el-tag v-for="s in stats.by_state" :key="s.state" class="sb-mr" size="large">
            {{ t('knowledge.state.' + s.state) }}: {{ s.count }}</el-tag>
          <el-tag type="info" size="large">{{ t('knowledge.searches') }}: {{ stats.searches }}</el-tag>
        </div>
        <el-row :gutter="16">
          <el-col :span="12">
            <el-card shadow="never" class="sb-card sb-mb" :header="t('knowledge.missed')">
              <el-table :data="stats.missed_searches" border data-test="kb-missed" :empty-text="t('common.noData')">
                <el-table-column :label="t('knowledge.query')" prop="query" />
                <el-table-column :label="t('knowledge.times')" prop="times" width="80" />
                <el-table-column :label="t('knowledge.lastAt')" width="170">
                  <template #default="{ row }">{{ fmtDateTime(row.last_at) }}</template>
                </el-table-column>
              </el-table>
            </el-card>
          </el-col>
          <el-col :span="12">
            <el-card shadow="never" class="sb-card sb-mb" :header="t('knowledge.mostViewed')">
              <el-table :data="stats.most_viewed" border :empty-text="t('common.noData')">
                <el-table-column :label="t('knowledge.fieldTitle')" prop="title" />
                <el-table-column :label="t('knowledge.views')" prop="view_count" width="80" />
              </el-table>
            </el-card>
            <el-card shadow="never" class="sb-card" :header="t('knowledge.authors')">
              <el-table :data="stats.authors" border :empty-text="t('common.noData')">
                <el-table-column :label="t('knowledge.author')" prop="author_name" />
                <el-table-column :label="t('knowledge.submittedCount')" prop="submitted" width="100" />
                <el-table-column :label="t('knowledge.publishedCount')" prop="published" width="100" />
              </el-table>
            </el-card>
          </el-col>
        </el-row>
      </template>
    </div>`,
};
