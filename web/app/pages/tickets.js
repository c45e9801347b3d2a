// Tickets: the list with its views (all in my scope, assigned to me, my department's claimable queue, taken by
// me, overdue), combined filters, the SLA clock per row, export of the filtered list to Excel, and the
// new-ticket form. A row opens the ticket's page.
import { ref, reactive, computed, onMounted } from 'vue';
import { useRouter } from 'vue-router';
import { api, apiUrl } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import { fmtDateTime, toRfc3339, errorText, showSuccess } from '../util.js';
import PageHeader from '../components/page-header.js';
import DeptSelect from '../components/dept-select.js';
import TicketCreateDialog from './ticket-create-dialog.js';
import {
  options, loadOptions, codeLabel, stateTag, priorityTag, slaStatus, STATES, PRIORITIES,
} from './ticket-common.js';

const EMPTY = { q: '', serial: '', state: '', type_code: '', priority: '', department_id: null, repeat: false, range: null };

export default {
  name: 'TicketsPage',
  components: { PageHeader, DeptSelect, TicketCreateDialog },
  setup() {
    const router = useRouter();
    const view = ref('all');
    const rows = ref([]);
    const total = ref(0);
    const loading = ref(false);
    const error = ref('');
    const filters = reactive({ ...EMPTY });
    const paging = reactive({ page: 1, per_page: 20 });
    const creating = ref(false);
    const now = ref(Date.now());
    const mayCreate = computed(() => can('ticket.create'));

    function query() {
      const [from, to] = filters.range || [];
      return {
        view: view.value === 'all' ? undefined : view.value, q: filters.q.trim(), serial: filters.serial.trim(),
        state: filters.state, type_code: filters.type_code, priority: filters.priority,
        department_id: filters.department_id, repeat: filters.repeat ? true : undefined,
        created_from: toRfc3339(from), created_to: toRfc3339(to),
        sort: view.value === 'overdue' || view.value === 'mine' ? 'deadline' : 'newest',
      };
    }
    async function load() {
      loading.value = true;
      error.value = '';
      try {
        const res = await api.get('/tickets', { ...query(), page: paging.page, per_page: paging.per_page });
        rows.value = res.items || [];
        total.value = res.total ?? rows.value.length;
        now.value = Date.now();
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
      load();
    }
    function reset() {
      Object.assign(filters, EMPTY);
      search();
    }
    const exportUrl = computed(() => apiUrl('/tickets/export', query()));
    function open(row) {
      router.push(`/tickets/${row.id}`);
    }
    function created(ticket) {
      showSuccess(t('tickets.created_ok', { serial: ticket.serial }));
      router.push(`/tickets/${ticket.id}`);
    }
    onMounted(async () => {
      try {
        await loadOptions();
      } catch (err) {
        error.value = errorText(err);
      }
      load();
    });
    return {
      t, view, rows, total, loading, error, filters, paging, creating, now, mayCreate, options, STATES, PRIORITIES,
      load, search, reset, exportUrl, open, created, codeLabel, stateTag, priorityTag, slaStatus, fmtDateTime,
    };
  },
  template: `
    <div class="sb-page" data-test="page-tickets">
      <page-header :title="t('menu.tickets')" :subtitle="t('tickets.subtitle')">
        <el-button v-if="mayCreate" type="primary" :icon="$icons.Plus" data-test="ticket-new" @click="creating = true">
          {{ t('tickets.newTicket') }}</el-button>
        <el-button :icon="$icons.Collection" data-test="ticket-board-link" @click="$router.push('/tickets/board')">
          {{ t('tickets.board') }}</el-button>
        <a :href="exportUrl" download class="sb-ml"><el-button :icon="$icons.Download" data-test="ticket-export">
          {{ t('tickets.export') }}</el-button></a>
        <el-button :icon="$icons.Refresh" class="sb-ml" @click="load">{{ t('common.refresh') }}</el-button>
      </page-header>
      <el-tabs v-model="view" data-test="ticket-views" @tab-change="search">
        <el-tab-pane v-for="v in ['all', 'mine', 'queue', 'created', 'overdue']" :key="v" :name="v"
                     :label="t('tickets.views.' + v)" />
      </el-tabs>
      <el-card shadow="never" class="sb-card sb-mb">
        <el-form :model="filters" inline class="sb-filters" data-test="ticket-filters" @submit.prevent="search">
          <el-form-item :label="t('common.search')">
            <el-input v-model="filters.q" clearable :placeholder="t('tickets.search')" class="sb-filter"
                      data-test="ticket-q" />
          </el-form-item>
          <el-form-item :label="t('tickets.serial')">
            <el-input v-model="filters.serial" clearable maxlength="15" class="sb-filter" data-test="ticket-serial" />
          </el-form-item>
          <el-form-item :label="t('common.status')">
            <el-select v-model="filters.state" clearable :placeholder="t('common.all')" class="sb-filter"
                       data-test="ticket-state-filter">
              <el-option v-for="s in STATES" :key="s" :value="s" :label="t('tickets.state.' + s)" />
            </el-select>
          </el-form-item>
          <el-form-item :label="t('tickets.type')">
            <el-select v-model="filters.type_code" clearable :placeholder="t('common.all')" class="sb-filter">
              <el-option v-for="c in options.types" :key="c.code" :value="c.code" :label="c.label" />
            </el-select>
          </el-form-item>
          <el-form-item :label="t('tickets.priorityLabel')">
            <el-select v-model="filters.priority" clearable :placeholder="t('common.all')" class="sb-filter">
              <el-option v-for="p in PRIORITIES" :key="p" :value="p" :label="t('tickets.priority.' + p)" />
            </el-select>
          </el-form-item>
          <el-form-item :label="t('tickets.department')">
            <dept-select v-model="filters.department_id" :departments="options.departments" />
          </el-form-item>
          <el-form-item :label="t('tickets.period')">
            <el-date-picker v-model="filters.range" type="datetimerange" :start-placeholder="t('tickets.from')"
                            :end-placeholder="t('tickets.to')" format="YYYY-MM-DD HH:mm" />
          </el-form-item>
          <el-form-item>
            <el-checkbox v-model="filters.repeat">{{ t('tickets.onlyRepeats') }}</el-checkbox>
          </el-form-item>
          <el-form-item>
            <el-button type="primary" native-type="submit" :icon="$icons.Search" data-test="ticket-search">
              {{ t('common.search') }}</el-button>
            <el-button :icon="$icons.RefreshLeft" @click="reset">{{ t('common.reset') }}</el-button>
          </el-form-item>
        </el-form>
      </el-card>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb"
                data-test="tickets-error" />
      <el-card shadow="never" class="sb-card">
        <el-table v-loading="loading" :data="rows" row-key="id" border stripe data-test="tickets-table"
                  :empty-text="t('tickets.empty')" @row-click="open">
          <el-table-column :label="t('tickets.serial')" width="160">
            <template #default="{ row }">
              <el-link type="primary" :data-test="'ticket-row-' + row.serial">{{ row.serial }}</el-link>
              <el-tag v-if="row.repeat_of_id" size="small" type="warning" class="sb-ml">{{ t('tickets.repeat') }}</el-tag>
            </template>
          </el-table-column>
          <el-table-column :label="t('common.status')" width="120">
            <template #default="{ row }">
              <el-tag size="small" :type="stateTag(row.state)" :data-test="'ticket-state-' + row.serial">
                {{ row.state === 'new' && row.department_id && !row.assignee_id ? t('tickets.queued') : t('tickets.state.' + row.state) }}
              </el-tag>
            </template>
          </el-table-column>
          <el-table-column :label="t('tickets.priorityLabel')" width="90">
            <template #default="{ row }">
              <el-tag size="small" effect="plain" :type="priorityTag(row.priority)">{{ t('tickets.priority.' + row.priority) }}</el-tag>
            </template>
          </el-table-column>
          <el-table-column :label="t('tickets.subject')" min-width="200" prop="subject" show-overflow-tooltip />
          <el-table-column :label="t('tickets.type')" min-width="140">
            <template #default="{ row }">{{ codeLabel(row.type_code) }}<span v-if="row.subtype_code" class="sb-muted"> / {{ codeLabel(row.subtype_code) }}</span></template>
          </el-table-column>
          <el-table-column :label="t('tickets.customer')" min-width="110">
            <template #default="{ row }">{{ row.customer_name || '—' }}</template>
          </el-table-column>
          <el-table-column :label="t('tickets.department')" min-width="120">
            <template #default="{ row }">{{ row.department_name || '—' }}</template>
          </el-table-column>
          <el-table-column :label="t('tickets.assignee')" min-width="100">
            <template #default="{ row }">{{ row.assignee_name || '—' }}</template>
          </el-table-column>
          <el-table-column :label="t('tickets.created')" width="160">
            <template #default="{ row }">{{ fmtDateTime(row.created_at) }}</template>
          </el-table-column>
          <el-table-column :label="t('tickets.sla')" width="150">
            <template #default="{ row }">
              <el-tag size="small" :type="slaStatus(row, now).type" effect="light">{{ slaStatus(row, now).text }}</el-tag>
            </template>
          </el-table-column>
        </el-table>
        <el-pagination v-model:current-page="paging.page" v-model:page-size="paging.per_page" class="sb-pager"
                       :total="total" :page-sizes="[20, 50, 100]" layout="total, sizes, prev, pager, next"
                       @current-change="load" @size-change="search" />
      </el-card>
      <ticket-create-dialog v-model="creating" @created="created" />
    </div>`,
};
