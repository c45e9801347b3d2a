// SIP bans: addresses the switch ignores; list (in force, or with history), lift, ban by hand.
import { ref, reactive, onMounted, watch } from 'vue';
import { api } from '../api.js';
import { t } from '../i18n.js';
import {
  fmtDateTime, errorText, showError, showSuccess, confirmDanger, useFieldErrors, validateForm, required, maxLen,
} from '../util.js';
import PageHeader from '../components/page-header.js';

const PRESETS = [['hour', 60], ['day', 1440], ['week', 10080], ['month', 43200]];
const STATUS_TAG = { active: 'danger', lifted: 'info', expired: 'info' };
const IP_RE = /^(\d{1,3}(\.\d{1,3}){3}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)$/;

function statusOf(ban) {
  if (ban.lifted_at) return 'lifted';
  return new Date(ban.expires_at).getTime() > Date.now() ? 'active' : 'expired';
}

export default {
  name: 'SipBansPage',
  components: { PageHeader },
  setup() {
    const rows = ref([]);
    const total = ref(0);
    const loading = ref(false);
    const error = ref('');
    const paging = reactive({ page: 1, per_page: 50, include_expired: false });
    const dialog = ref(false);
    const saving = ref(false);
    const formRef = ref(null);
    const form = reactive({ address: '', duration_minutes: 1440, reason: '' });
    const errs = useFieldErrors();
    const rules = {
      address: [required('sipBans.address'), {
        trigger: 'blur',
        validator: (_r, v, cb) => cb(IP_RE.test((v || '').trim()) ? undefined : new Error(t('sipBans.badAddress'))),
      }],
      reason: [maxLen(200)],
    };

    async function load() {
      loading.value = true;
      error.value = '';
      try {
        const res = await api.get('/sip-bans', {
          include_expired: paging.include_expired, page: paging.page, per_page: paging.per_page,
        });
        rows.value = res.items || [];
        total.value = res.total ?? rows.value.length;
      } catch (err) {
        error.value = errorText(err);
      } finally {
        loading.value = false;
      }
    }
    watch(() => paging.include_expired, () => {
      paging.page = 1;
      load();
    });
    function open() {
      errs.clear();
      Object.assign(form, { address: '', duration_minutes: 1440, reason: '' });
      dialog.value = true;
      setTimeout(() => formRef.value && formRef.value.clearValidate(), 0);
    }
    async function submit() {
      errs.clear();
      if (!(await validateForm(formRef.value))) return;
      saving.value = true;
      try {
        await api.post('/sip-bans', {
          address: form.address.trim(), duration_minutes: form.duration_minutes, reason: form.reason.trim() || null,
        });
        showSuccess(t('sipBans.banned'));
        dialog.value = false;
        load();
      } catch (err) {
        errs.handle(err);
      } finally {
        saving.value = false;
      }
    }
    async function lift(row) {
      if (!(await confirmDanger(t('sipBans.confirmLift', { address: row.address })))) return;
      try {
        await api.post(`/sip-bans/${row.id}/lift`);
        showSuccess(t('sipBans.lifted'));
        load();
      } catch (err) {
        showError(err);
      }
    }
    onMounted(load);
    return {
      t, rows, total, loading, error, paging, dialog, saving, formRef, form, rules, PRESETS, STATUS_TAG,
      load, open, submit, lift, statusOf, fmtDateTime, fieldErrors: errs.fieldErrors,
    };
  },
  template: `
    <div class="sb-page" data-test="page-sip-bans">
      <page-header :title="t('menu.sip-bans')" :subtitle="t('sipBans.subtitle')">
        <el-checkbox v-model="paging.include_expired" data-test="sip-bans-include-expired">
          {{ t('sipBans.includeExpired') }}</el-checkbox>
        <el-button :icon="$icons.Refresh" @click="load">{{ t('common.refresh') }}</el-button>
        <el-button type="danger" :icon="$icons.CircleClose" data-test="sip-ban-create" @click="open">
          {{ t('sipBans.create') }}</el-button>
      </page-header>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <el-card shadow="never" class="sb-card">
        <el-table v-loading="loading" :data="rows" row-key="id" border stripe data-test="sip-bans-table"
                  :empty-text="t('sipBans.empty')">
          <el-table-column :label="t('sipBans.address')" min-width="160">
            <template #default="{ row }"><span class="sb-mono-text" :data-test="'sip-ban-row-' + row.address">{{ row.address }}</span></template>
          </el-table-column>
          <el-table-column prop="reason" :label="t('sipBans.reason')" min-width="200" show-overflow-tooltip />
          <el-table-column :label="t('sipBans.createdAt')" width="170">
            <template #default="{ row }">{{ fmtDateTime(row.created_at) }}</template>
          </el-table-column>
          <el-table-column :label="t('sipBans.expiresAt')" width="170">
            <template #default="{ row }">{{ fmtDateTime(row.expires_at) }}</template>
          </el-table-column>
          <el-table-column :label="t('common.status')" width="100">
            <template #default="{ row }">
              <el-tag size="small" :type="STATUS_TAG[statusOf(row)]" :data-test="'sip-ban-status-' + row.address">
                {{ t('sipBans.status.' + statusOf(row)) }}</el-tag>
            </template>
          </el-table-column>
          <el-table-column :label="t('sipBans.liftedBy')" min-width="150">
            <template #default="{ row }">
              <template v-if="row.lifted_at">{{ row.lifted_by }} · {{ fmtDateTime(row.lifted_at) }}</template>
            </template>
          </el-table-column>
          <el-table-column :label="t('common.actions')" width="90" fixed="right">
            <template #default="{ row }">
              <el-button v-if="statusOf(row) === 'active'" link type="primary" :data-test="'sip-ban-lift-' + row.address"
                         @click="lift(row)">{{ t('sipBans.lift') }}</el-button>
            </template>
          </el-table-column>
        </el-table>
        <el-pagination v-model:current-page="paging.page" v-model:page-size="paging.per_page" class="sb-pager"
                       :total="total" :page-sizes="[50, 100, 200]" background layout="total, sizes, prev, pager, next"
                       @current-change="load" @size-change="load" />
      </el-card>
      <el-dialog v-model="dialog" :title="t('sipBans.create')" width="520px" :close-on-click-modal="false" append-to-body>
        <el-form ref="formRef" :model="form" :rules="rules" label-width="auto" data-test="sip-ban-form"
                 @submit.prevent="submit">
          <el-form-item :label="t('sipBans.address')" prop="address" :error="fieldErrors.address">
            <el-input v-model="form.address" maxlength="45" placeholder="203.0.113.7" data-test="sip-ban-address" />
          </el-form-item>
          <el-form-item :label="t('sipBans.duration')" :error="fieldErrors.duration_minutes">
            <div class="sb-full">
              <el-input-number v-model="form.duration_minutes" :min="1" :max="525600" class="sb-num"
                               data-test="sip-ban-duration" />
              <span class="sb-ml sb-muted">{{ t('sipBans.minutes') }}</span>
              <div class="sb-tags sb-mt">
                <el-button v-for="[key, minutes] in PRESETS" :key="key" size="small"
                           @click="form.duration_minutes = minutes">{{ t('sipBans.preset.' + key) }}</el-button>
              </div>
            </div>
          </el-form-item>
          <el-form-item :label="t('sipBans.reason')" prop="reason" :error="fieldErrors.reason">
            <el-input v-model="form.reason" maxlength="200" data-test="sip-ban-reason" />
          </el-form-item>
        </el-form>
        <template #footer>
          <el-button @click="dialog = false">{{ t('common.cancel') }}</el-button>
          <el-button type="danger" :loading="saving" data-test="sip-ban-save" @click="submit">{{ t('sipBans.create') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
