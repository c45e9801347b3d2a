// Survey results: how callers rated the service by key press after the agent hung up. A summary per agent for a
// period (answers, average, how many pressed each key) and the individual answers, filtered by agent and queue.
import { ref, reactive, onMounted } from 'vue';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { fmtDateTime, toRfc3339, errorText } from '../util.js';
import PageHeader from '../components/page-header.js';

const DAY_MS = 24 * 3600 * 1000;

function lastDays(n) {
  const end = new Date();
  return [new Date(end.getTime() - n * DAY_MS), end];
}

export default {
  name: 'SurveysPage',
  components: { PageHeader },
  setup() {
    const range = ref(lastDays(30));
    const summary = ref([]);
    const summaryLoading = ref(false);
    const summaryError = ref('');
    const rows = ref([]);
    const total = ref(0);
    const loading = ref(false);
    const error = ref('');
    const filters = reactive({ agent: '', queue: '' });
    const paging = reactive({ page: 1, per_page: 50 });

    function period() {
      const [from, to] = range.value || [];
      return { from: toRfc3339(from), to: toRfc3339(to) };
    }
    async function loadSummary() {
      summaryLoading.value = true;
      summaryError.value = '';
      try {
        summary.value = (await api.get('/surveys/summary', period())) || [];
      } catch (err) {
        summaryError.value = errorText(err);
        summary.value = [];
      } finally {
        summaryLoading.value = false;
      }
    }
    async function load() {
      loading.value = true;
      error.value = '';
      try {
        const res = await api.get('/surveys', {
          ...period(), agent: filters.agent.trim(), queue: filters.queue.trim(), page: paging.page,
          per_page: paging.per_page,
        });
        rows.value = res.items || [];
        total.value = res.total ?? rows.value.length;
      } catch (err) {
        error.value = errorText(err);
        rows.value = [];
        total.value = 0;
      } finally {
        loading.value = false;
      }
    }
    function search() {
      paging.page = 1;
      loadSummary();
      load();
    }
    function showAgent(agent) {
      filters.agent = agent || '';
      paging.page = 1;
      load();
    }
    const distribution = (row) => Object.entries(row.distribution || {}).sort(([a], [b]) => a.localeCompare(b));
    const average = (row) => (row.average == null ? '—' : Number(row.average).toFixed(2));
    onMounted(search);
    return {
      t, range, summary, summaryLoading, summaryError, rows, total, loading, error, filters, paging, search, load,
      showAgent, distribution, average, fmtDateTime,
    };
  },
  template: `
    <div class="sb-page" data-test="page-surveys">
      <page-header :title="t('menu.surveys')" :subtitle="t('surveys.subtitle')">
        <el-date-picker v-model="range" type="datetimerange" :start-placeholder="t('cdrs.from')"
                        :end-placeholder="t('cdrs.to')" format="YYYY-MM-DD HH:mm" data-test="surveys-range" />
        <el-button type="primary" :icon="$icons.Search" data-test="surveys-search" @click="search">{{ t('common.search') }}</el-button>
      </page-header>
      <el-card shadow="never" class="sb-card sb-mb">
        <template #header><span>{{ t('surveys.summary') }}</span></template>
        <el-alert v-if="summaryError" :title="summaryError" type="error" show-icon :closable="false" class="sb-mb" />
        <el-table v-loading="summaryLoading" :data="summary" border stripe data-test="surveys-summary"
                  :empty-text="t('surveys.empty')">
          <el-table-column :label="t('surveys.agent')" min-width="140">
            <template #default="{ row }">
              <el-link type="primary" :data-test="'survey-agent-' + (row.agent || 'none')" @click="showAgent(row.agent)">
                {{ row.agent || t('surveys.noAgent') }}</el-link>
              <span v-if="row.agent_name" class="sb-muted"> · {{ row.agent_name }}</span>
            </template>
          </el-table-column>
          <el-table-column prop="question" :label="t('surveys.question')" width="140" />
          <el-table-column prop="count" :label="t('surveys.count')" width="100" />
          <el-table-column :label="t('surveys.average')" width="100">
            <template #default="{ row }"><span class="sb-strong">{{ average(row) }}</span></template>
          </el-table-column>
          <el-table-column :label="t('surveys.distribution')" min-width="260">
            <template #default="{ row }">
              <div class="sb-tags">
                <el-tag v-for="[digit, n] in distribution(row)" :key="digit" size="small" effect="plain">
                  {{ t('surveys.keyCount', { key: digit, n }) }}</el-tag>
              </div>
            </template>
          </el-table-column>
        </el-table>
      </el-card>
      <el-card shadow="never" class="sb-card">
        <template #header>
          <div class="sb-card-header">
            <span>{{ t('surveys.answers') }}</span>
            <el-form inline class="sb-filters" @submit.prevent="paging.page = 1; load()">
              <el-form-item :label="t('surveys.agent')">
                <el-input v-model="filters.agent" clearable maxlength="32" class="sb-filter" data-test="surveys-agent" />
              </el-form-item>
              <el-form-item :label="t('surveys.queue')">
                <el-input v-model="filters.queue" clearable maxlength="64" class="sb-filter" data-test="surveys-queue" />
              </el-form-item>
              <el-form-item>
                <el-button native-type="submit" :icon="$icons.Search">{{ t('common.search') }}</el-button>
              </el-form-item>
            </el-form>
          </div>
        </template>
        <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
        <el-table v-loading="loading" :data="rows" row-key="id" border stripe data-test="surveys-table"
                  :empty-text="t('surveys.empty')">
          <el-table-column :label="t('surveys.at')" width="170">
            <template #default="{ row }">{{ fmtDateTime(row.created_at) }}</template>
          </el-table-column>
          <el-table-column prop="question" :label="t('surveys.question')" min-width="130" />
          <el-table-column :label="t('surveys.key')" width="80">
            <template #default="{ row }"><span class="sb-strong">{{ row.digit }}</span></template>
          </el-table-column>
          <el-table-column :label="t('surveys.agent')" width="120">
            <template #default="{ row }">{{ row.agent || '—' }}</template>
          </el-table-column>
          <el-table-column :label="t('surveys.queue')" width="120">
            <template #default="{ row }">{{ row.queue || '—' }}</template>
          </el-table-column>
          <el-table-column :label="t('cdrs.callId')" min-width="200" show-overflow-tooltip>
            <template #default="{ row }"><span class="sb-mono-text sb-small">{{ row.call_id }}</span></template>
          </el-table-column>
        </el-table>
        <el-pagination v-model:current-page="paging.page" v-model:page-size="paging.per_page" class="sb-pager"
                       :total="total" :page-sizes="[50, 100, 200]" background layout="total, sizes, prev, pager, next"
                       @current-change="load" @size-change="load" />
      </el-card>
    </div>`,
};
