// An agent's callback work: their tasks (given to them, or to their department and nobody yet), due first; dial
// (click-to-call, for the agent desktop to place), record a call's result in a dialog (the server's pacing says
// when the next call is due or closes the task), and the task's calls with the customer's earlier callbacks.
import { ref, reactive, onMounted } from 'vue';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { fmtDateTime, toRfc3339, errorText, showSuccess } from '../util.js';
import PageHeader from '../components/page-header.js';
import { CALL_STATUSES, TASK_STATES, taskTag } from './outreach-common.js';

export default {
  name: 'CallbacksPage',
  components: { PageHeader },
  setup() {
    const view = ref('pending');
    const rows = ref([]);
    const total = ref(0);
    const loading = ref(false);
    const error = ref('');
    const paging = reactive({ page: 1, per_page: 20 });
    const now = ref(Date.now());
    const attempt = reactive({ open: false, task: null, call_status: 'connected', success: false, issues: '',
      notes: '', next_attempt_at: null, saving: false, error: '' });
    const history = reactive({ open: false, data: null, loading: false });

    async function load() {
      loading.value = true;
      error.value = '';
      try {
        const query = view.value === 'due' ? { due: true } : { state: view.value };
        const res = await api.get('/callback-tasks', { ...query, page: paging.page, per_page: paging.per_page });
        rows.value = res.items || [];
        total.value = res.total ?? rows.value.length;
        now.value = Date.now();
      } catch (err) {
        error.value = errorText(err);
        rows.value = [];
      } finally {
        loading.value = false;
      }
    }
    function switchView() {
      paging.page = 1;
      load();
    }
    const overdue = (row) => row.state === 'pending' && new Date(row.due_at).getTime() <= now.value;
    async function dial(row) {
      try {
        const res = await api.post(`/callback-tasks/${row.id}/dial`, {});
        showSuccess(t('callbacks.dialSent', { number: res.number }));
      } catch (err) {
        error.value = errorText(err);
      }
    }
    function record(row) {
      Object.assign(attempt, { open: true, task: row, call_status: 'connected', success: false, issues: '',
        notes: '', next_attempt_at: null, saving: false, error: '' });
    }
    async function saveAttempt() {
      attempt.saving = true;
      attempt.error = '';
      const body = { call_status: attempt.call_status, success: attempt.call_status === 'connected' && attempt.success,
        issues: attempt.issues.trim(), notes: attempt.notes.trim() };
      if (attempt.next_attempt_at) body.next_attempt_at = toRfc3339(attempt.next_attempt_at);
      try {
        const task = await api.post(`/callback-tasks/${attempt.task.id}/attempts`, body);
        showSuccess(t('callbacks.recorded', { state: t('callbacks.state.' + task.state) }));
        attempt.open = false;
        load();
      } catch (err) {
        attempt.error = errorText(err);
      } finally {
        attempt.saving = false;
      }
    }
    async function showHistory(row) {
      Object.assign(history, { open: true, data: null, loading: true });
      try {
        history.data = await api.get(`/callback-tasks/${row.id}`);
      } catch (err) {
        error.value = errorText(err);
        history.open = false;
      } finally {
        history.loading = false;
      }
    }
    onMounted(load);
    return {
      t, view, rows, total, loading, error, paging, attempt, history, CALL_STATUSES, TASK_STATES, taskTag, overdue,
      load, switchView, dial, record, saveAttempt, showHistory, fmtDateTime,
    };
  },
  template: `
    <div class="sb-page" data-test="page-callbacks">
      <page-header :title="t('menu.callbacks')" :subtitle="t('callbacks.subtitle')">
        <el-button :icon="$icons.Refresh" @click="load">{{ t('common.refresh') }}</el-button>
      </page-header>
      <el-tabs v-model="view" data-test="callback-views" @tab-change="switchView">
        <el-tab-pane name="pending" :label="t('callbacks.views.pending')" />
        <el-tab-pane name="due" :label="t('callbacks.views.due')" />
        <el-tab-pane name="done,failed,cancelled" :label="t('callbacks.views.closed')" />
      </el-tabs>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" data-test="callbacks-error" />
      <el-card shadow="never" class="sb-card">
        <el-table v-loading="loading" :data="rows" row-key="id" border stripe data-test="callbacks-table"
                  :empty-text="t('callbacks.empty')">
          <el-table-column :label="t('callbacks.due')" width="170">
            <template #default="{ row }">
              <span :style="overdue(row) ? 'color: var(--el-color-danger)' : ''">{{ fmtDateTime(row.due_at) }}</span>
            </template>
          </el-table-column>
          <el-table-column :label="t('callbacks.name')" min-width="130">
            <template #default="{ row }">
              <span :data-test="'callback-row-' + (row.customer_name || row.name)">{{ row.customer_name || row.name || '—' }}</span>
            </template>
          </el-table-column>
          <el-table-column :label="t('callbacks.phone')" width="150">
            <template #default="{ row }"><span class="sb-mono-text">{{ row.phone }}</span></template>
          </el-table-column>
          <el-table-column :label="t('callbacks.list')" min-width="140" prop="list_name" show-overflow-tooltip />
          <el-table-column :label="t('callbacks.notes')" min-width="160" prop="notes" show-overflow-tooltip />
          <el-table-column :label="t('common.status')" width="110">
            <template #default="{ row }">
              <el-tag size="small" :type="taskTag(row.state)" :data-test="'callback-state-' + row.id">{{ t('callbacks.state.' + row.state) }}</el-tag>
            </template>
          </el-table-column>
          <el-table-column :label="t('callbacks.attempts')" width="110">
            <template #default="{ row }">{{ row.attempts }} / {{ row.max_attempts }}
              <span v-if="row.last_status" class="sb-muted"> · {{ t('callbacks.status.' + row.last_status) }}</span></template>
          </el-table-column>
          <el-table-column :label="t('common.actions')" width="250" fixed="right">
            <template #default="{ row }">
              <el-button v-if="row.state === 'pending'" size="small" :icon="$icons.Phone" :data-test="'callback-dial-' + row.id"
                         @click="dial(row)">{{ t('callbacks.dial') }}</el-button>
              <el-button v-if="row.state === 'pending'" size="small" type="primary" :data-test="'callback-record-' + row.id"
                         @click="record(row)">{{ t('callbacks.record') }}</el-button>
              <el-button size="small" :data-test="'callback-history-' + row.id" @click="showHistory(row)">{{ t('callbacks.history') }}</el-button>
            </template>
          </el-table-column>
        </el-table>
        <el-pagination v-model:current-page="paging.page" v-model:page-size="paging.per_page" class="sb-pager"
                       :total="total" :page-sizes="[20, 50, 100]" layout="total, sizes, prev, pager, next"
                       @current-change="load" @size-change="switchView" />
      </el-card>

      <el-dialog v-model="attempt.open" :title="t('callbacks.recordTitle', { name: attempt.task ? (attempt.task.customer_name || attempt.task.name || attempt.task.phone) : '' })"
                 width="520px" data-test="attempt-dialog">
        <el-form label-width="130px" @submit.prevent="saveAttempt">
          <el-form-item :label="t('callbacks.callStatus')">
            <el-select v-model="attempt.call_status" data-test="attempt-status" style="width: 100%">
              <el-option v-for="s in CALL_STATUSES" :key="s" :value="s" :label="t('callbacks.status.' + s)" />
            </el-select>
          </el-form-item>
          <el-form-item :label="t('callbacks.success')">
            <el-switch v-model="attempt.success" :disabled="attempt.call_status !== 'connected'" data-test="attempt-success" />
          </el-form-item>
          <el-form-item :label="t('callbacks.issues')">
            <el-input v-model="attempt.issues" type="textarea" :rows="2" maxlength="1000" data-test="attempt-issues" />
          </el-form-item>
          <el-form-item :label="t('callbacks.notes')">
            <el-input v-model="attempt.notes" type="textarea" :rows="2" maxlength="1000" data-test="attempt-notes" />
          </el-form-item>
          <el-form-item :label="t('callbacks.nextAttempt')">
            <span data-test="attempt-next"><el-date-picker v-model="attempt.next_attempt_at" type="datetime" format="YYYY-MM-DD HH:mm"
                            :placeholder="t('callbacks.nextAttemptHint')" /></span>
          </el-form-item>
          <el-alert v-if="attempt.error" :title="attempt.error" type="error" show-icon :closable="false" data-test="attempt-error" />
        </el-form>
        <template #footer>
          <el-button @click="attempt.open = false">{{ t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="attempt.saving" data-test="attempt-save" @click="saveAttempt">{{ t('common.save') }}</el-button>
        </template>
      </el-dialog>

      <el-drawer v-model="history.open" :title="t('callbacks.historyTitle')" size="520px" data-test="callback-history">
        <div v-loading="history.loading">
          <template v-if="history.data">
            <h4>{{ t('callbacks.thisTask') }}</h4>
            <el-timeline data-test="callback-attempts">
              <el-timeline-item v-for="a in history.data.attempts" :key="a.id" :timestamp="fmtDateTime(a.at)">
                <b>{{ t('callbacks.status.' + a.call_status) }}</b>
                <el-tag v-if="a.success" size="small" type="success" class="sb-ml">{{ t('callbacks.success') }}</el-tag>
                <span class="sb-muted"> · {{ a.staff_name }}</span>
                <div v-if="a.issues">{{ t('callbacks.issues') }}: {{ a.issues }}</div>
                <div v-if="a.notes" class="sb-muted">{{ a.notes }}</div>
              </el-timeline-item>
            </el-timeline>
            <el-empty v-if="!history.data.attempts.length" :description="t('callbacks.noAttempts')" :image-size="60" />
            <h4>{{ t('callbacks.customerHistory') }}</h4>
            <el-table :data="history.data.customer_history" size="small" border data-test="callback-customer-history"
                      :empty-text="t('callbacks.noAttempts')">
              <el-table-column :label="t('callbacks.at')" width="150"><template #default="{ row }">{{ fmtDateTime(row.at) }}</template></el-table-column>
              <el-table-column :label="t('callbacks.list')" prop="list_name" min-width="110" />
              <el-table-column :label="t('callbacks.callStatus')" width="110"><template #default="{ row }">{{ t('callbacks.status.' + row.call_status) }}</template></el-table-column>
              <el-table-column :label="t('callbacks.issues')" prop="issues" min-width="120" show-overflow-tooltip />
            </el-table>
          </template>
        </div>
      </el-drawer>
    </div>`,
};
