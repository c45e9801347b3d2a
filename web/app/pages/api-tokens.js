// API tokens: list, create for an employee (secret shown once, with copy), revoke.
import { ref, reactive, onMounted } from 'vue';
import { api } from '../api.js';
import { t } from '../i18n.js';
import {
  fmtDateTime, toRfc3339, errorText, showError, showSuccess, confirmDanger, useFieldErrors, validateForm,
  required, maxLen,
} from '../util.js';
import PageHeader from '../components/page-header.js';

function statusOf(tok) {
  if (tok.revoked_at) return 'revoked';
  if (tok.expires_at && new Date(tok.expires_at).getTime() < Date.now()) return 'expired';
  return 'active';
}
const STATUS_TAG = { active: 'success', revoked: 'info', expired: 'warning' };

export default {
  name: 'ApiTokensPage',
  components: { PageHeader },
  setup() {
    const rows = ref([]);
    const total = ref(0);
    const paging = reactive({ page: 1, per_page: 50 });
    const loading = ref(false);
    const error = ref('');
    const dialog = ref(false);
    const saving = ref(false);
    const formRef = ref(null);
    const form = reactive({ employee_id: '', name: '', expires_at: null });
    const errs = useFieldErrors();
    const secret = ref('');
    const secretDialog = ref(false);
    const rules = {
      employee_id: [required('apiTokens.employeeId')],
      name: [required('apiTokens.name'), maxLen(64)],
      expires_at: [{
        trigger: 'change',
        validator: (_r, v, cb) => cb(v && v.getTime() <= Date.now() ? new Error(t('apiTokens.expiryInPast')) : undefined),
      }],
    };

    async function load() {
      loading.value = true;
      error.value = '';
      try {
        const res = await api.get('/api-tokens', { page: paging.page, per_page: paging.per_page });
        rows.value = res.items || [];
        total.value = res.total ?? rows.value.length;
      } catch (err) {
        error.value = errorText(err);
      } finally {
        loading.value = false;
      }
    }
    function open() {
      errs.clear();
      Object.assign(form, { employee_id: '', name: '', expires_at: null });
      dialog.value = true;
      setTimeout(() => formRef.value && formRef.value.clearValidate(), 0);
    }
    async function submit() {
      errs.clear();
      if (!(await validateForm(formRef.value))) return;
      saving.value = true;
      const body = { employee_id: form.employee_id.trim(), name: form.name.trim() };
      if (form.expires_at) body.expires_at = toRfc3339(form.expires_at);
      try {
        const res = await api.post('/api-tokens', body);
        dialog.value = false;
        secret.value = res.secret;
        secretDialog.value = true;
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
        showSuccess(t('apiTokens.copied'));
      } catch {
        const el = document.querySelector('[data-test="api-token-secret"]');
        const input = el && (el.tagName === 'INPUT' ? el : el.querySelector('input'));
        if (input) {
          input.select();
          showError({ message: t('apiTokens.copyManually') });
        }
      }
    }
    function closeSecret() {
      secret.value = '';
      secretDialog.value = false;
    }
    async function revoke(row) {
      if (!(await confirmDanger(t('apiTokens.confirmRevoke', { name: row.name, who: row.staff_name || row.employee_id })))) return;
      try {
        await api.del(`/api-tokens/${row.id}`);
        showSuccess(t('apiTokens.revoked'));
        load();
      } catch (err) {
        showError(err);
      }
    }
    const disabledDate = (d) => d.getTime() < Date.now() - 24 * 3600 * 1000;
    onMounted(load);
    return {
      t, rows, total, paging, loading, error, dialog, saving, formRef, form, rules, secret, secretDialog,
      load, open, submit, copy, closeSecret, revoke, statusOf, STATUS_TAG, fmtDateTime, disabledDate,
      fieldErrors: errs.fieldErrors,
    };
  },
  template: `
    <div class="sb-page" data-test="page-api-tokens">
      <page-header :title="t('menu.api-tokens')" :subtitle="t('apiTokens.subtitle')">
        <el-button :icon="$icons.Refresh" @click="load">{{ t('common.refresh') }}</el-button>
        <el-button type="primary" :icon="$icons.Plus" data-test="api-token-create" @click="open">
          {{ t('apiTokens.create') }}</el-button>
      </page-header>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <el-card shadow="never" class="sb-card">
        <el-table v-loading="loading" :data="rows" row-key="id" border stripe data-test="api-tokens-table"
                  :empty-text="t('apiTokens.empty')">
          <el-table-column prop="name" :label="t('apiTokens.name')" min-width="150" />
          <el-table-column :label="t('apiTokens.owner')" min-width="150">
            <template #default="{ row }">{{ row.staff_name }} ({{ row.employee_id }})</template>
          </el-table-column>
          <el-table-column :label="t('apiTokens.prefix')" width="140">
            <template #default="{ row }"><code>{{ row.prefix }}…</code></template>
          </el-table-column>
          <el-table-column :label="t('apiTokens.createdAt')" width="165">
            <template #default="{ row }">{{ fmtDateTime(row.created_at) }}</template>
          </el-table-column>
          <el-table-column :label="t('apiTokens.lastUsed')" width="165">
            <template #default="{ row }">{{ fmtDateTime(row.last_used_at) || t('apiTokens.never') }}</template>
          </el-table-column>
          <el-table-column :label="t('apiTokens.expiresAt')" width="165">
            <template #default="{ row }">{{ fmtDateTime(row.expires_at) || t('apiTokens.noExpiry') }}</template>
          </el-table-column>
          <el-table-column :label="t('common.status')" width="100">
            <template #default="{ row }">
              <el-tag size="small" :type="STATUS_TAG[statusOf(row)]">{{ t('apiTokens.status.' + statusOf(row)) }}</el-tag>
            </template>
          </el-table-column>
          <el-table-column :label="t('common.actions')" width="100" fixed="right">
            <template #default="{ row }">
              <el-button v-if="!row.revoked_at" link type="danger" :data-test="'api-token-revoke-' + row.id"
                         @click="revoke(row)">{{ t('apiTokens.revoke') }}</el-button>
            </template>
          </el-table-column>
        </el-table>
        <el-pagination v-model:current-page="paging.page" v-model:page-size="paging.per_page" class="sb-pager"
                       :total="total" :page-sizes="[50, 100, 200]" background layout="total, sizes, prev, pager, next"
                       @current-change="load" @size-change="load" />
      </el-card>
      <el-dialog v-model="dialog" :title="t('apiTokens.create')" width="520px" :close-on-click-modal="false" append-to-body>
        <el-form ref="formRef" :model="form" :rules="rules" label-width="auto" data-test="api-token-form"
                 @submit.prevent="submit">
          <el-form-item :label="t('apiTokens.employeeId')" prop="employee_id" :error="fieldErrors.employee_id">
            <el-input v-model="form.employee_id" maxlength="32" :placeholder="t('apiTokens.employeeIdHint')"
                      data-test="api-token-employee-id" />
          </el-form-item>
          <el-form-item :label="t('apiTokens.name')" prop="name" :error="fieldErrors.name">
            <el-input v-model="form.name" maxlength="64" :placeholder="t('apiTokens.nameHint')" data-test="api-token-name" />
          </el-form-item>
          <el-form-item :label="t('apiTokens.expiresAt')" prop="expires_at" :error="fieldErrors.expires_at">
            <el-date-picker v-model="form.expires_at" type="datetime" format="YYYY-MM-DD HH:mm"
                            :placeholder="t('apiTokens.noExpiry')" :disabled-date="disabledDate" />
          </el-form-item>
        </el-form>
        <template #footer>
          <el-button @click="dialog = false">{{ t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="saving" data-test="api-token-save" @click="submit">{{ t('common.create') }}</el-button>
        </template>
      </el-dialog>
      <el-dialog :model-value="secretDialog" :title="t('apiTokens.secretTitle')" width="600px" append-to-body
                 :close-on-click-modal="false" :close-on-press-escape="false" @close="closeSecret">
        <el-alert type="warning" show-icon :closable="false" :title="t('apiTokens.secretWarning')" class="sb-mb" />
        <el-input :model-value="secret" readonly data-test="api-token-secret" class="sb-mono">
          <template #append>
            <el-button :icon="$icons.CopyDocument" data-test="api-token-copy" @click="copy">{{ t('apiTokens.copy') }}</el-button>
          </template>
        </el-input>
        <template #footer>
          <el-button type="primary" data-test="api-token-secret-done" @click="closeSecret">{{ t('apiTokens.done') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
