// Outbound routes: dial pattern -> trunk, with strip / prepend, the call class a caller needs and the
// caller ID to present; listed in the order the switch tries them.
import { ref, reactive, computed, onMounted } from 'vue';
import { api, getAll } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import {
  errorText, showError, showSuccess, confirmDanger, useFieldErrors, validateForm, required, maxLen,
} from '../util.js';
import PageHeader from '../components/page-header.js';

const CLASSES = ['local', 'national', 'international'];
const MODES = ['keep', 'trunk', 'fixed'];
const EMPTY = {
  name: '', priority: 100, pattern: '', strip: 0, prepend: '', trunk_id: null, call_class: 'national',
  caller_id_mode: 'keep', caller_id: '', enabled: true,
};
const NUMBER_RE = /^\+?[0-9*#]{0,32}$/;

export default {
  name: 'OutboundRoutesPage',
  components: { PageHeader },
  setup() {
    const rows = ref([]);
    const trunks = ref([]);
    const loading = ref(false);
    const error = ref('');
    const search = ref('');
    const dialog = ref(false);
    const editing = ref(null);
    const saving = ref(false);
    const formRef = ref(null);
    const form = reactive({ ...EMPTY });
    const errs = useFieldErrors();
    const manage = computed(() => can('trunk.manage'));
    const digits = {
      trigger: 'blur',
      validator: (_r, v, cb) => cb(NUMBER_RE.test(v || '') ? undefined : new Error(t('validation.digits'))),
    };
    const rules = computed(() => ({
      name: [required('outboundRoutes.name'), maxLen(64)],
      pattern: [required('outboundRoutes.pattern'), maxLen(64)],
      trunk_id: [required('outboundRoutes.trunk')],
      prepend: [digits],
      caller_id: form.caller_id_mode === 'fixed' ? [required('outboundRoutes.callerId'), digits] : [digits],
    }));
    const filtered = computed(() => {
      const q = search.value.trim().toLowerCase();
      if (!q) return rows.value;
      return rows.value.filter((r) => `${r.name} ${r.pattern} ${r.trunk_name}`.toLowerCase().includes(q));
    });

    async function load() {
      loading.value = true;
      error.value = '';
      try {
        rows.value = await getAll('/outbound-routes');
      } catch (err) {
        error.value = errorText(err);
      } finally {
        loading.value = false;
      }
    }
    async function loadTrunks() {
      try {
        trunks.value = await getAll('/trunks');
      } catch (err) {
        showError(err);
      }
    }
    function open(row) {
      editing.value = row || null;
      errs.clear();
      Object.assign(form, EMPTY, { trunk_id: trunks.value.length === 1 ? trunks.value[0].id : null });
      if (row) {
        Object.assign(form, {
          name: row.name, priority: row.priority, pattern: row.pattern, strip: row.strip, prepend: row.prepend || '',
          trunk_id: row.trunk_id, call_class: row.call_class, caller_id_mode: row.caller_id_mode,
          caller_id: row.caller_id || '', enabled: row.enabled !== false,
        });
      }
      dialog.value = true;
      setTimeout(() => formRef.value && formRef.value.clearValidate(), 0);
    }
    async function submit() {
      errs.clear();
      if (!(await validateForm(formRef.value))) return;
      saving.value = true;
      const body = {
        name: form.name.trim(), priority: form.priority, pattern: form.pattern.trim(), strip: form.strip,
        prepend: form.prepend.trim(), trunk_id: form.trunk_id, call_class: form.call_class,
        caller_id_mode: form.caller_id_mode, caller_id: form.caller_id.trim(), enabled: form.enabled,
      };
      try {
        if (editing.value) await api.put(`/outbound-routes/${editing.value.id}`, body);
        else await api.post('/outbound-routes', body);
        showSuccess(t('common.saved'));
        dialog.value = false;
        load();
      } catch (err) {
        errs.handle(err);
      } finally {
        saving.value = false;
      }
    }
    async function remove(row) {
      if (!(await confirmDanger(t('outboundRoutes.confirmDelete', { name: row.name })))) return;
      try {
        await api.del(`/outbound-routes/${row.id}`);
        showSuccess(t('common.deleted'));
        load();
      } catch (err) {
        showError(err);
      }
    }
    const modeText = (row) =>
      row.caller_id_mode === 'fixed' ? row.caller_id : t(`outboundRoutes.mode.${row.caller_id_mode}`);
    onMounted(() => {
      load();
      loadTrunks();
    });
    return {
      t, rows, filtered, trunks, loading, error, search, dialog, editing, saving, formRef, form, rules, manage,
      CLASSES, MODES, load, open, submit, remove, modeText, fieldErrors: errs.fieldErrors,
    };
  },
  template: `
    <div class="sb-page" data-test="page-outbound-routes">
      <page-header :title="t('menu.outbound-routes')" :subtitle="t('outboundRoutes.subtitle')">
        <el-input v-model="search" clearable :placeholder="t('outboundRoutes.search')" :prefix-icon="$icons.Search"
                  class="sb-search" data-test="outbound-routes-search" />
        <el-button :icon="$icons.Refresh" @click="load">{{ t('common.refresh') }}</el-button>
        <el-button v-if="manage" type="primary" :icon="$icons.Plus" data-test="outbound-route-create" @click="open(null)">
          {{ t('outboundRoutes.create') }}</el-button>
      </page-header>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <el-card shadow="never" class="sb-card">
        <el-table v-loading="loading" :data="filtered" row-key="id" border stripe data-test="outbound-routes-table"
                  :empty-text="search ? t('common.noMatch') : t('outboundRoutes.empty')">
          <el-table-column prop="priority" :label="t('outboundRoutes.priority')" width="90" />
          <el-table-column :label="t('outboundRoutes.name')" min-width="140">
            <template #default="{ row }"><span :data-test="'outbound-route-row-' + row.name">{{ row.name }}</span></template>
          </el-table-column>
          <el-table-column :label="t('outboundRoutes.pattern')" min-width="150">
            <template #default="{ row }"><code>{{ row.pattern }}</code></template>
          </el-table-column>
          <el-table-column :label="t('outboundRoutes.strip') + ' / ' + t('outboundRoutes.prepend')" width="150">
            <template #default="{ row }">{{ row.strip }} / {{ row.prepend || '—' }}</template>
          </el-table-column>
          <el-table-column prop="trunk_name" :label="t('outboundRoutes.trunk')" min-width="130" />
          <el-table-column :label="t('outboundRoutes.callClass')" width="130">
            <template #default="{ row }">{{ t('callClass.' + row.call_class) }}</template>
          </el-table-column>
          <el-table-column :label="t('outboundRoutes.callerIdMode')" min-width="140">
            <template #default="{ row }">{{ modeText(row) }}</template>
          </el-table-column>
          <el-table-column :label="t('common.status')" width="90">
            <template #default="{ row }">
              <el-tag v-if="row.enabled" type="success" size="small">{{ t('outboundRoutes.enabled') }}</el-tag>
              <el-tag v-else type="info" size="small">{{ t('trunks.disabled') }}</el-tag>
            </template>
          </el-table-column>
          <el-table-column v-if="manage" :label="t('common.actions')" width="140" fixed="right">
            <template #default="{ row }">
              <el-button link type="primary" :data-test="'outbound-route-edit-' + row.name" @click="open(row)">{{ t('common.edit') }}</el-button>
              <el-button link type="danger" :data-test="'outbound-route-delete-' + row.name" @click="remove(row)">{{ t('common.delete') }}</el-button>
            </template>
          </el-table-column>
        </el-table>
      </el-card>
      <el-dialog v-model="dialog" :title="editing ? t('outboundRoutes.edit') : t('outboundRoutes.create')" width="640px"
                 :close-on-click-modal="false" append-to-body>
        <el-form ref="formRef" :model="form" :rules="rules" label-width="auto" data-test="outbound-route-form"
                 @submit.prevent="submit">
          <el-row :gutter="12">
            <el-col :span="16">
              <el-form-item :label="t('outboundRoutes.name')" prop="name" :error="fieldErrors.name">
                <el-input v-model="form.name" maxlength="64" data-test="outbound-route-name" />
              </el-form-item>
            </el-col>
            <el-col :span="8">
              <el-form-item :label="t('outboundRoutes.priority')" :error="fieldErrors.priority">
                <el-input-number v-model="form.priority" :min="0" :max="10000" :controls="false" class="sb-full" />
              </el-form-item>
            </el-col>
          </el-row>
          <el-form-item :label="t('outboundRoutes.pattern')" prop="pattern" :error="fieldErrors.pattern">
            <el-input v-model="form.pattern" maxlength="64" class="sb-mono" data-test="outbound-route-pattern" />
            <div class="sb-form-hint">{{ t('outboundRoutes.patternHint') }}</div>
          </el-form-item>
          <el-row :gutter="12">
            <el-col :span="12">
              <el-form-item :label="t('outboundRoutes.strip')" :error="fieldErrors.strip">
                <el-input-number v-model="form.strip" :min="0" :max="32" class="sb-full" data-test="outbound-route-strip" />
              </el-form-item>
            </el-col>
            <el-col :span="12">
              <el-form-item :label="t('outboundRoutes.prepend')" prop="prepend" :error="fieldErrors.prepend">
                <el-input v-model="form.prepend" maxlength="32" data-test="outbound-route-prepend" />
              </el-form-item>
            </el-col>
          </el-row>
          <el-form-item :label="t('outboundRoutes.trunk')" prop="trunk_id" :error="fieldErrors.trunk_id"
                        data-test="outbound-route-trunk">
            <el-select v-model="form.trunk_id" class="sb-full">
              <el-option v-for="tr in trunks" :key="tr.id" :value="tr.id" :label="tr.name" />
            </el-select>
          </el-form-item>
          <el-form-item :label="t('outboundRoutes.callClass')" :error="fieldErrors.call_class"
                        data-test="outbound-route-call-class">
            <el-radio-group v-model="form.call_class">
              <el-radio-button v-for="c in CLASSES" :key="c" :value="c">{{ t('callClass.' + c) }}</el-radio-button>
            </el-radio-group>
          </el-form-item>
          <el-form-item :label="t('outboundRoutes.callerIdMode')" :error="fieldErrors.caller_id_mode"
                        data-test="outbound-route-caller-id-mode">
            <el-radio-group v-model="form.caller_id_mode">
              <el-radio-button v-for="m in MODES" :key="m" :value="m">{{ t('outboundRoutes.mode.' + m) }}</el-radio-button>
            </el-radio-group>
          </el-form-item>
          <el-form-item v-if="form.caller_id_mode === 'fixed'" :label="t('outboundRoutes.callerId')" prop="caller_id"
                        :error="fieldErrors.caller_id">
            <el-input v-model="form.caller_id" maxlength="32" data-test="outbound-route-caller-id" />
          </el-form-item>
          <el-form-item :label="t('outboundRoutes.enabled')">
            <el-switch v-model="form.enabled" data-test="outbound-route-enabled" />
          </el-form-item>
        </el-form>
        <template #footer>
          <el-button @click="dialog = false">{{ t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="saving" data-test="outbound-route-save" @click="submit">{{ t('common.save') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
