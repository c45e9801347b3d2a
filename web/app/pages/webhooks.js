// Webhooks: CTI events POSTed, signed, to integrators' URLs. List, create/edit (URL, name, event
// types, enabled), the signing secret shown once (create, rotate) with a copy button, a test ping,
// and each webhook's delivery log with retry.
import { ref, reactive, onMounted } from 'vue';
import { api } from '../api.js';
import { t } from '../i18n.js';
import {
  fmtDateTime, errorText, showError, showSuccess, confirmDanger, useFieldErrors, validateForm, required, maxLen,
} from '../util.js';
import PageHeader from '../components/page-header.js';

// sb_core::cti::CtiEvent::KINDS
const EVENT_TYPES = [
  'call.created', 'call.offered', 'call.ringing', 'call.answered', 'call.held', 'call.retrieved',
  'call.transferred', 'call.joined', 'call.left', 'call.ended', 'agent.state', 'queue.changed',
];
const STATE_TAG = { pending: 'warning', delivered: 'success', failed: 'danger' };

export default {
  name: 'WebhooksPage',
  components: { PageHeader },
  setup() {
    const rows = ref([]);
    const loading = ref(false);
    const error = ref('');
    const dialog = ref(false);
    const editing = ref(null);
    const saving = ref(false);
    const formRef = ref(null);
    const form = reactive({ name: '', url: '', event_types: [], enabled: true });
    const errs = useFieldErrors();
    const secret = ref('');
    const secretDialog = ref(false);
    const rules = {
      name: [required('webhooks.name'), maxLen(64)],
      url: [required('webhooks.url'), maxLen(2048)],
    };
    const log = reactive({ open: false, hook: null, rows: [], total: 0, page: 1, per_page: 20, state: '', loading: false });

    async function load() {
      loading.value = true;
      error.value = '';
      try {
        rows.value = await api.get('/webhooks');
      } catch (err) {
        error.value = errorText(err);
      } finally {
        loading.value = false;
      }
    }
    function open(row) {
      errs.clear();
      editing.value = row || null;
      Object.assign(form, row
        ? { name: row.name, url: row.url, event_types: [...row.event_types], enabled: row.enabled }
        : { name: '', url: '', event_types: [], enabled: true });
      dialog.value = true;
      setTimeout(() => formRef.value && formRef.value.clearValidate(), 0);
    }
    async function submit() {
      errs.clear();
      if (!(await validateForm(formRef.value))) return;
      saving.value = true;
      const body = { name: form.name.trim(), url: form.url.trim(), event_types: form.event_types, enabled: form.enabled };
      try {
        if (editing.value) {
          await api.put(`/webhooks/${editing.value.id}`, body);
          showSuccess(t('common.saved'));
        } else {
          const res = await api.post('/webhooks', body);
          secret.value = res.secret;
          secretDialog.value = true;
        }
        dialog.value = false;
        load();
      } catch (err) {
        errs.handle(err);
      } finally {
        saving.value = false;
      }
    }
    async function copy() {
      try {
        await navigator.clipboard.writeText(secret.value);
        showSuccess(t('webhooks.copied'));
      } catch {
        const el = document.querySelector('[data-test="webhook-secret"]');
        const input = el && (el.tagName === 'INPUT' ? el : el.querySelector('input'));
        if (input) {
          input.select();
          showError({ message: t('webhooks.copyManually') });
        }
      }
    }
    function closeSecret() {
      secret.value = '';
      secretDialog.value = false;
    }
    async function rotate(row) {
      if (!(await confirmDanger(t('webhooks.confirmRotate', { name: row.name })))) return;
      try {
        const res = await api.post(`/webhooks/${row.id}/rotate-secret`);
        secret.value = res.secret;
        secretDialog.value = true;
        load();
      } catch (err) {
        showError(err);
      }
    }
    async function remove(row) {
      if (!(await confirmDanger(t('webhooks.confirmDelete', { name: row.name })))) return;
      try {
        await api.del(`/webhooks/${row.id}`);
        showSuccess(t('webhooks.deleted'));
        if (log.hook && log.hook.id === row.id) log.open = false;
        load();
      } catch (err) {
        showError(err);
      }
    }
    async function test(row) {
      try {
        const res = await api.post(`/webhooks/${row.id}/test`);
        if (res.delivered) showSuccess(t('webhooks.testDelivered', { status: res.status }));
        else showError({ message: t('webhooks.testFailed', { error: res.error }) });
        if (log.open && log.hook && log.hook.id === row.id) loadLog();
      } catch (err) {
        showError(err);
      }
    }
    async function loadLog() {
      if (!log.hook) return;
      log.loading = true;
      try {
        const query = { page: log.page, per_page: log.per_page };
        if (log.state) query.state = log.state;
        const res = await api.get(`/webhooks/${log.hook.id}/deliveries`, query);
        log.rows = res.items || [];
        log.total = res.total ?? log.rows.length;
      } catch (err) {
        showError(err);
      } finally {
        log.loading = false;
      }
    }
    function openLog(row) {
      Object.assign(log, { open: true, hook: row, rows: [], total: 0, page: 1, state: '' });
      loadLog();
    }
    async function retry(delivery) {
      try {
        await api.post(`/webhook-deliveries/${delivery.id}/retry`);
        showSuccess(t('webhooks.retried'));
        loadLog();
      } catch (err) {
        showError(err);
      }
    }
    onMounted(load);
    return {
      t, rows, loading, error, dialog, editing, saving, formRef, form, rules, secret, secretDialog, log,
      load, open, submit, copy, closeSecret, rotate, remove, test, openLog, loadLog, retry,
      fmtDateTime, EVENT_TYPES, STATE_TAG, fieldErrors: errs.fieldErrors,
    };
  },
  template: `
    <div class="sb-page" data-test="page-webhooks">
      <page-header :title="t('menu.webhooks')" :subtitle="t('webhooks.subtitle')">
        <el-button :icon="$icons.Refresh" @click="load">{{ t('common.refresh') }}</el-button>
        <el-button type="primary" :icon="$icons.Plus" data-test="webhook-create" @click="open()">
          {{ t('webhooks.create') }}</el-button>
      </page-header>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <el-card shadow="never" class="sb-card">
        <el-table v-loading="loading" :data="rows" row-key="id" border stripe data-test="webhooks-table"
                  :empty-text="t('webhooks.empty')">
          <el-table-column prop="name" :label="t('webhooks.name')" min-width="130" />
          <el-table-column :label="t('webhooks.url')" min-width="220">
            <template #default="{ row }"><code>{{ row.url }}</code></template>
          </el-table-column>
          <el-table-column :label="t('webhooks.eventTypes')" min-width="200">
            <template #default="{ row }">
              <span v-if="!row.event_types.length">{{ t('webhooks.allEvents') }}</span>
              <el-tag v-for="e in row.event_types" :key="e" size="small" class="sb-mr">{{ e }}</el-tag>
            </template>
          </el-table-column>
          <el-table-column :label="t('webhooks.secret')" width="140">
            <template #default="{ row }"><code>{{ row.secret_hint }}</code></template>
          </el-table-column>
          <el-table-column :label="t('webhooks.enabled')" width="80">
            <template #default="{ row }">
              <el-tag size="small" :type="row.enabled ? 'success' : 'info'">{{ row.enabled ? t('webhooks.on') : t('webhooks.off') }}</el-tag>
            </template>
          </el-table-column>
          <el-table-column :label="t('common.actions')" width="330" fixed="right">
            <template #default="{ row }">
              <el-button link type="primary" :data-test="'webhook-edit-' + row.id" @click="open(row)">{{ t('common.edit') }}</el-button>
              <el-button link type="primary" :data-test="'webhook-test-' + row.id" @click="test(row)">{{ t('webhooks.test') }}</el-button>
              <el-button link type="primary" :data-test="'webhook-log-' + row.id" @click="openLog(row)">{{ t('webhooks.deliveries') }}</el-button>
              <el-button link type="warning" :data-test="'webhook-rotate-' + row.id" @click="rotate(row)">{{ t('webhooks.rotate') }}</el-button>
              <el-button link type="danger" :data-test="'webhook-delete-' + row.id" @click="remove(row)">{{ t('common.delete') }}</el-button>
            </template>
          </el-table-column>
        </el-table>
      </el-card>

      <el-card v-if="log.open" shadow="never" class="sb-card sb-mt" data-test="webhook-deliveries">
        <template #header>
          <div class="sb-row">
            <strong>{{ t('webhooks.deliveries') }} · {{ log.hook.name }}</strong>
            <span class="sb-header-spacer"></span>
            <el-select v-model="log.state" :placeholder="t('webhooks.anyState')" clearable style="width: 140px"
                       data-test="webhook-log-state" @change="log.page = 1; loadLog()">
              <el-option v-for="s in ['pending', 'delivered', 'failed']" :key="s" :value="s" :label="t('webhooks.state.' + s)" />
            </el-select>
            <el-button :icon="$icons.Refresh" data-test="webhook-log-refresh" @click="loadLog">{{ t('common.refresh') }}</el-button>
          </div>
        </template>
        <el-table v-loading="log.loading" :data="log.rows" row-key="id" border stripe size="small"
                  data-test="webhook-deliveries-table" :empty-text="t('webhooks.noDeliveries')">
          <el-table-column prop="id" label="ID" width="80" />
          <el-table-column :label="t('webhooks.createdAt')" width="165">
            <template #default="{ row }">{{ fmtDateTime(row.created_at) }}</template>
          </el-table-column>
          <el-table-column prop="event_type" :label="t('webhooks.event')" width="140" />
          <el-table-column prop="event_seq" :label="t('webhooks.seq')" width="80" />
          <el-table-column :label="t('common.status')" width="100">
            <template #default="{ row }">
              <el-tag size="small" :type="STATE_TAG[row.state]" :data-test="'webhook-delivery-state-' + row.id">{{ t('webhooks.state.' + row.state) }}</el-tag>
            </template>
          </el-table-column>
          <el-table-column prop="attempts" :label="t('webhooks.attempts')" width="90" />
          <el-table-column :label="t('webhooks.lastStatus')" width="110">
            <template #default="{ row }">{{ row.last_status ?? '—' }}</template>
          </el-table-column>
          <el-table-column :label="t('webhooks.nextAttempt')" width="165">
            <template #default="{ row }">{{ row.state === 'pending' ? fmtDateTime(row.next_attempt_at) : '' }}</template>
          </el-table-column>
          <el-table-column prop="last_error" :label="t('webhooks.lastError')" min-width="180" show-overflow-tooltip />
          <el-table-column :label="t('common.actions')" width="90" fixed="right">
            <template #default="{ row }">
              <el-button link type="primary" :data-test="'webhook-retry-' + row.id" @click="retry(row)">{{ t('webhooks.retry') }}</el-button>
            </template>
          </el-table-column>
        </el-table>
        <el-pagination v-model:current-page="log.page" v-model:page-size="log.per_page" class="sb-pager"
                       :total="log.total" :page-sizes="[20, 50, 100]" background layout="total, sizes, prev, pager, next"
                       @current-change="loadLog" @size-change="loadLog" />
      </el-card>

      <el-dialog v-model="dialog" :title="editing ? t('webhooks.edit') : t('webhooks.create')" width="600px"
                 :close-on-click-modal="false" append-to-body>
        <el-form ref="formRef" :model="form" :rules="rules" label-width="auto" data-test="webhook-form" @submit.prevent="submit">
          <el-form-item :label="t('webhooks.name')" prop="name" :error="fieldErrors.name">
            <el-input v-model="form.name" maxlength="64" :placeholder="t('webhooks.nameHint')" data-test="webhook-name" />
          </el-form-item>
          <el-form-item :label="t('webhooks.url')" prop="url" :error="fieldErrors.url">
            <el-input v-model="form.url" maxlength="2048" :placeholder="t('webhooks.urlHint')" data-test="webhook-url" />
          </el-form-item>
          <el-form-item :label="t('webhooks.eventTypes')" prop="event_types" :error="fieldErrors.event_types">
            <el-select v-model="form.event_types" multiple clearable filterable style="width: 100%"
                       :placeholder="t('webhooks.eventTypesHint')" data-test="webhook-event-types">
              <el-option v-for="e in EVENT_TYPES" :key="e" :value="e" :label="e" />
            </el-select>
          </el-form-item>
          <el-form-item :label="t('webhooks.enabled')" prop="enabled">
            <el-switch v-model="form.enabled" data-test="webhook-enabled" />
          </el-form-item>
        </el-form>
        <template #footer>
          <el-button @click="dialog = false">{{ t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="saving" data-test="webhook-save" @click="submit">
            {{ editing ? t('common.save') : t('common.create') }}</el-button>
        </template>
      </el-dialog>

      <el-dialog :model-value="secretDialog" :title="t('webhooks.secretTitle')" width="640px" append-to-body
                 :close-on-click-modal="false" :close-on-press-escape="false" @close="closeSecret">
        <el-alert type="warning" show-icon :closable="false" :title="t('webhooks.secretWarning')" class="sb-mb" />
        <el-input :model-value="secret" readonly data-test="webhook-secret" class="sb-mono">
          <template #append>
            <el-button :icon="$icons.CopyDocument" data-test="webhook-copy" @click="copy">{{ t('webhooks.copy') }}</el-button>
          </template>
        </el-input>
        <template #footer>
          <el-button type="primary" data-test="webhook-secret-done" @click="closeSecret">{{ t('webhooks.done') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
