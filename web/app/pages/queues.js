// ACD queues: the list (strategy, timeouts, overflow, members), create / edit (queue-dialog.js), the members and
// their skills (queue-members.js), delete, and the ACD's decision log for a queue (why a call went where it went).
import { ref, reactive, computed, onMounted } from 'vue';
import { api, getAll } from '../api.js';
import { t, tOr } from '../i18n.js';
import { can } from '../session.js';
import { fmtDateTime, errorText, showError, showSuccess, confirmDanger } from '../util.js';
import PageHeader from '../components/page-header.js';
import QueueDialog from './queue-dialog.js';
import QueueMembers from './queue-members.js';

export default {
  name: 'QueuesPage',
  components: { PageHeader, QueueDialog, QueueMembers },
  setup() {
    const rows = ref([]);
    const loading = ref(false);
    const error = ref('');
    const search = ref('');
    const dialog = ref(false);
    const editing = ref(null);
    const membersOpen = ref(false);
    const membersOf = ref(null);
    const flows = ref([]);
    const musicClasses = ref([]);
    const manage = computed(() => can('queue.manage'));
    const names = computed(() => rows.value.map((r) => r.name));
    const filtered = computed(() => {
      const q = search.value.trim().toLowerCase();
      if (!q) return rows.value;
      return rows.value.filter((r) => `${r.name} ${r.display_name || ''}`.toLowerCase().includes(q));
    });
    const events = reactive({
      open: false, queue: null, rows: [], total: 0, page: 1, per_page: 50, agent: '', call: '', loading: false, error: '',
    });

    async function load() {
      loading.value = true;
      error.value = '';
      try {
        rows.value = await getAll('/queues');
      } catch (err) {
        error.value = errorText(err);
      } finally {
        loading.value = false;
      }
    }
    async function loadTargets() {
      if (!manage.value) return;
      if (can('ivr.read')) {
        try {
          flows.value = (await getAll('/ivr/flows')).map((f) => f.name);
        } catch {
          flows.value = [];
        }
      }
      if (can('prompt.manage')) {
        try {
          musicClasses.value = ((await api.get('/music-classes')) || []).map((c) => c.name);
        } catch {
          musicClasses.value = [];
        }
      }
    }
    function open(row) {
      editing.value = row || null;
      dialog.value = true;
    }
    function openMembers(row) {
      membersOf.value = row;
      membersOpen.value = true;
    }
    async function remove(row) {
      if (!(await confirmDanger(t('queues.confirmDelete', { name: row.name })))) return;
      try {
        await api.del(`/queues/${row.id}`);
        showSuccess(t('common.deleted'));
        load();
      } catch (err) {
        showError(err);
      }
    }
    async function loadEvents() {
      events.loading = true;
      events.error = '';
      try {
        const res = await api.get('/acd/events', {
          queue: events.queue.name, agent: events.agent.trim(), call: events.call.trim(), page: events.page,
          per_page: events.per_page,
        });
        events.rows = res.items || [];
        events.total = res.total ?? events.rows.length;
      } catch (err) {
        events.error = errorText(err);
        events.rows = [];
      } finally {
        events.loading = false;
      }
    }
    function openEvents(row) {
      Object.assign(events, { open: true, queue: row, rows: [], total: 0, page: 1, agent: '', call: '' });
      loadEvents();
    }
    const overflowText = (row) => (row.overflow_action === 'none'
      ? t('queues.action.none')
      : `${t('queues.action.' + row.overflow_action)}${row.overflow_target ? ' → ' + row.overflow_target : ''}`);
    onMounted(() => {
      load();
      loadTargets();
    });
    return {
      t, tOr, rows, filtered, loading, error, search, dialog, editing, membersOpen, membersOf, flows, musicClasses,
      manage, names, events, load, open, openMembers, remove, openEvents, loadEvents, overflowText, fmtDateTime,
      stringify: (v) => (typeof v === 'string' ? v : JSON.stringify(v)),
    };
  },
  template: `
    <div class="sb-page" data-test="page-queues">
      <page-header :title="t('menu.queues')" :subtitle="t('queues.subtitle')">
        <el-input v-model="search" clearable :placeholder="t('queues.search')" :prefix-icon="$icons.Search"
                  class="sb-search" data-test="queues-search" />
        <el-button :icon="$icons.Refresh" @click="load">{{ t('common.refresh') }}</el-button>
        <el-button v-if="manage" type="primary" :icon="$icons.Plus" data-test="queue-create" @click="open(null)">
          {{ t('queues.create') }}</el-button>
      </page-header>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <el-card shadow="never" class="sb-card">
        <el-table v-loading="loading" :data="filtered" row-key="id" border stripe data-test="queues-table"
                  :empty-text="search ? t('common.noMatch') : t('queues.empty')">
          <el-table-column :label="t('queues.name')" min-width="150">
            <template #default="{ row }">
              <span class="sb-strong sb-mono-text" :data-test="'queue-row-' + row.name">{{ row.name }}</span>
              <div v-if="row.display_name" class="sb-muted sb-small">{{ row.display_name }}</div>
            </template>
          </el-table-column>
          <el-table-column :label="t('queues.strategy')" width="130">
            <template #default="{ row }">{{ tOr('queues.strategyValue.' + row.strategy, row.strategy) }}</template>
          </el-table-column>
          <el-table-column :label="t('queues.timeouts')" width="150">
            <template #default="{ row }">{{ t('queues.timeoutsValue', { ring: row.ring_timeout_s, wrap: row.wrap_up_s }) }}</template>
          </el-table-column>
          <el-table-column :label="t('queues.overflow')" min-width="150">
            <template #default="{ row }">{{ overflowText(row) }}</template>
          </el-table-column>
          <el-table-column :label="t('queues.members')" width="90">
            <template #default="{ row }"><span :data-test="'queue-member-count-' + row.name">{{ row.member_count ?? '—' }}</span></template>
          </el-table-column>
          <el-table-column :label="t('common.status')" width="90">
            <template #default="{ row }">
              <el-tag v-if="row.enabled" size="small" type="success">{{ t('queues.enabled') }}</el-tag>
              <el-tag v-else size="small" type="info">{{ t('queues.disabled') }}</el-tag>
            </template>
          </el-table-column>
          <el-table-column :label="t('common.actions')" width="260" fixed="right">
            <template #default="{ row }">
              <el-button link type="primary" :data-test="'queue-members-' + row.name" @click="openMembers(row)">
                {{ t('queues.members') }}</el-button>
              <el-button link type="primary" :data-test="'queue-events-' + row.name" @click="openEvents(row)">
                {{ t('queues.events') }}</el-button>
              <template v-if="manage">
                <el-button link type="primary" :data-test="'queue-edit-' + row.name" @click="open(row)">{{ t('common.edit') }}</el-button>
                <el-button link type="danger" :data-test="'queue-delete-' + row.name" @click="remove(row)">{{ t('common.delete') }}</el-button>
              </template>
            </template>
          </el-table-column>
        </el-table>
      </el-card>
      <queue-dialog v-model="dialog" :queue="editing" :queues="names" :flows="flows" :music-classes="musicClasses"
                    @saved="load" />
      <queue-members v-model="membersOpen" :queue="membersOf" @saved="load" />

      <el-dialog v-model="events.open" :title="events.queue ? t('queues.eventsOf', { name: events.queue.name }) : ''"
                 width="900px" append-to-body>
        <el-form inline class="sb-filters" @submit.prevent="events.page = 1; loadEvents()">
          <el-form-item :label="t('queues.agent')">
            <el-input v-model="events.agent" clearable maxlength="32" class="sb-filter" data-test="acd-events-agent" />
          </el-form-item>
          <el-form-item :label="t('queues.call')">
            <el-input v-model="events.call" clearable maxlength="20" class="sb-filter" data-test="acd-events-call" />
          </el-form-item>
          <el-form-item>
            <el-button type="primary" native-type="submit" :icon="$icons.Search">{{ t('common.search') }}</el-button>
          </el-form-item>
        </el-form>
        <el-alert v-if="events.error" :title="events.error" type="error" show-icon :closable="false" class="sb-mb" />
        <el-table v-loading="events.loading" :data="events.rows" border size="small" data-test="acd-events"
                  :empty-text="t('queues.noEvents')">
          <el-table-column :label="t('queues.at')" width="170">
            <template #default="{ row }">{{ fmtDateTime(new Date(row.at_ms)) }}</template>
          </el-table-column>
          <el-table-column prop="kind" :label="t('queues.eventKind')" width="150" />
          <el-table-column :label="t('queues.agent')" width="100">
            <template #default="{ row }">{{ row.agent || '—' }}</template>
          </el-table-column>
          <el-table-column :label="t('queues.call')" width="90">
            <template #default="{ row }">{{ row.call_ref ?? '—' }}</template>
          </el-table-column>
          <el-table-column :label="t('queues.detail')" min-width="240">
            <template #default="{ row }"><span class="sb-mono-text sb-small">{{ stringify(row.body) }}</span></template>
          </el-table-column>
        </el-table>
        <el-pagination v-model:current-page="events.page" v-model:page-size="events.per_page" class="sb-pager"
                       :total="events.total" :page-sizes="[50, 100, 200]" background layout="total, sizes, prev, pager, next"
                       @current-change="loadEvents" @size-change="loadEvents" />
      </el-dialog>
    </div>`,
};
