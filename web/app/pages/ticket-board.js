// Ticket board: the open tickets in scope as cards in one column per state, oldest first, each opening its page.
import { ref, computed, onMounted } from 'vue';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { errorText, fmtDateTime } from '../util.js';
import PageHeader from '../components/page-header.js';
import { loadOptions, codeLabel, priorityTag, slaStatus } from './ticket-common.js';

const COLUMNS = ['new', 'assigned', 'in_progress', 'pending_customer', 'resolved', 'follow_up'];

export default {
  name: 'TicketBoardPage',
  components: { PageHeader },
  setup() {
    const tickets = ref([]);
    const loading = ref(false);
    const error = ref('');
    const now = ref(Date.now());
    const columns = computed(() =>
      COLUMNS.map((state) => ({ state, items: tickets.value.filter((x) => x.state === state) })));
    async function load() {
      loading.value = true;
      error.value = '';
      try {
        const res = await api.get('/tickets', { state: COLUMNS.join(','), sort: 'oldest', per_page: 500 });
        tickets.value = res.items || [];
        now.value = Date.now();
      } catch (err) {
        error.value = errorText(err);
      } finally {
        loading.value = false;
      }
    }
    onMounted(async () => {
      try {
        await loadOptions();
      } catch (err) {
        error.value = errorText(err);
      }
      load();
    });
    return { t, columns, loading, error, now, load, codeLabel, priorityTag, slaStatus, fmtDateTime };
  },
  template: `
    <div class="sb-page" data-test="page-ticket-board">
      <page-header :title="t('menu.ticket-board')" :subtitle="t('tickets.subtitle')">
        <el-button :icon="$icons.Tickets" @click="$router.push('/tickets')">{{ t('tickets.list') }}</el-button>
        <el-button :icon="$icons.Refresh" @click="load">{{ t('common.refresh') }}</el-button>
      </page-header>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <div v-loading="loading" style="display: flex; gap: 12px; overflow-x: auto; align-items: flex-start">
        <el-card v-for="c in columns" :key="c.state" shadow="never" class="sb-card"
                 style="min-width: 230px; flex: 1" :data-test="'board-' + c.state">
          <template #header>{{ t('tickets.state.' + c.state) }} <el-tag size="small" round>{{ c.items.length }}</el-tag></template>
          <el-card v-for="x in c.items" :key="x.id" shadow="hover" class="sb-mb" style="cursor: pointer"
                   :data-test="'board-card-' + x.serial" @click="$router.push('/tickets/' + x.id)">
            <div class="sb-small sb-muted">{{ x.serial }}
              <el-tag size="small" :type="priorityTag(x.priority)" class="sb-ml">{{ t('tickets.priority.' + x.priority) }}</el-tag></div>
            <div><b>{{ x.subject }}</b></div>
            <div class="sb-small">{{ codeLabel(x.type_code) }} · {{ x.assignee_name || x.department_name || '—' }}</div>
            <el-tag size="small" :type="slaStatus(x, now).type" effect="plain">{{ slaStatus(x, now).text }}</el-tag>
          </el-card>
        </el-card>
      </div>
    </div>`,
};
