// Ticket statistics: the most frequent types and sub-types over a period (a bar chart) and each department's
// backlog by state with its overdue count.
import { ref, onMounted, onUnmounted, nextTick } from 'vue';
import * as echarts from 'echarts';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { errorText, toRfc3339 } from '../util.js';
import PageHeader from '../components/page-header.js';
import { STATES } from './ticket-common.js';

export default {
  name: 'TicketStatsPage',
  components: { PageHeader },
  setup() {
    const range = ref([new Date(Date.now() - 30 * 86400000), new Date()]);
    const ranking = ref([]);
    const backlog = ref([]);
    const error = ref('');
    const chartEl = ref(null);
    let chart = null;
    function draw() {
      if (!chartEl.value) return;
      chart = chart || echarts.init(chartEl.value);
      const rows = [...ranking.value].reverse();
      const name = (r) => (r.subtype_code ? `${r.type_label} / ${r.subtype_label}` : r.type_label);
      chart.setOption({
        grid: { left: 200, right: 30, top: 10, bottom: 30 },
        tooltip: {},
        xAxis: { type: 'value', minInterval: 1 },
        yAxis: { type: 'category', data: rows.map(name) },
        series: [{ type: 'bar', name: t('ticketStats.count'), data: rows.map((r) => r.count) }],
      }, true);
    }
    async function load() {
      error.value = '';
      try {
        const [from, to] = range.value || [];
        ranking.value = await api.get('/tickets/stats/types', { from: toRfc3339(from), to: toRfc3339(to) });
        backlog.value = await api.get('/tickets/stats/backlog');
        await nextTick();
        draw();
      } catch (err) {
        error.value = errorText(err);
      }
    }
    const onResize = () => chart && chart.resize();
    onMounted(() => {
      window.addEventListener('resize', onResize);
      load();
    });
    onUnmounted(() => {
      window.removeEventListener('resize', onResize);
      if (chart) chart.dispose();
    });
    return { t, range, ranking, backlog, error, chartEl, load, STATES };
  },
  template: `
    <div class="sb-page" data-test="page-ticket-stats">
      <page-header :title="t('ticketStats.title')" :subtitle="t('ticketStats.subtitle')">
        <el-date-picker v-model="range" type="datetimerange" format="YYYY-MM-DD HH:mm" />
        <el-button :icon="$icons.Refresh" class="sb-ml" @click="load">{{ t('common.refresh') }}</el-button>
      </page-header>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <el-card shadow="never" class="sb-card sb-mb" :header="t('ticketStats.ranking')">
        <div ref="chartEl" style="height: 320px" data-test="stats-chart"></div>
      </el-card>
      <el-card shadow="never" class="sb-card" :header="t('ticketStats.backlog')">
        <el-table :data="backlog" border stripe data-test="stats-backlog">
          <el-table-column :label="t('tickets.department')" min-width="160">
            <template #default="{ row }">{{ row.department_name || t('ticketStats.noDepartment') }}</template>
          </el-table-column>
          <el-table-column v-for="s in STATES.filter((x) => x !== 'closed')" :key="s" :label="t('tickets.state.' + s)" width="110">
            <template #default="{ row }">{{ row.by_state[s] || 0 }}</template>
          </el-table-column>
          <el-table-column :label="t('ticketStats.open')" prop="open" width="90" />
          <el-table-column :label="t('ticketStats.overdue')" width="90">
            <template #default="{ row }"><el-tag size="small" :type="row.overdue ? 'danger' : 'info'">{{ row.overdue }}</el-tag></template>
          </el-table-column>
        </el-table>
      </el-card>
    </div>`,
};
