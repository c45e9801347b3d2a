// Voice flows (IVR): the list with each flow's access number and current version; create (starts from a greeting
// and a goodbye, then opens the editor), edit the name / number / description, delete.
import { ref, reactive, computed, onMounted } from 'vue';
import { useRouter } from 'vue-router';
import { api, getAll } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import {
  fmtDateTime, errorText, showError, showSuccess, confirmDanger, useFieldErrors, validateForm, required, maxLen,
} from '../util.js';
import PageHeader from '../components/page-header.js';
import { starterDocument } from './flow-model.js';

const EMPTY = { name: '', number: '', description: '', enabled: true };
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export default {
  name: 'IvrFlowsPage',
  components: { PageHeader },
  setup() {
    const router = useRouter();
    const rows = ref([]);
    const loading = ref(false);
    const error = ref('');
    const search = ref('');
    const dialog = ref(false);
    const editing = ref(null);
    const saving = ref(false);
    const formRef = ref(null);
    const form = reactive({ ...EMPTY });
    const errs = useFieldErrors();
    const manage = computed(() => can('ivr.manage'));
    const rules = {
      name: [required('flows.name'), {
        trigger: 'blur',
        validator: (_r, v, cb) => cb(!v || NAME_RE.test(v.trim()) ? undefined : new Error(t('flows.badName'))),
      }],
      number: [{
        trigger: 'blur',
        validator: (_r, v, cb) => cb(!v || /^[0-9]{2,16}$/.test(v.trim()) ? undefined : new Error(t('flows.badNumber'))),
      }],
      description: [maxLen(200)],
    };
    const filtered = computed(() => {
      const q = search.value.trim().toLowerCase();
      if (!q) return rows.value;
      return rows.value.filter((r) => `${r.name} ${r.number || ''} ${r.description || ''}`.toLowerCase().includes(q));
    });

    async function load() {
      loading.value = true;
      error.value = '';
      try {
        rows.value = await getAll('/ivr/flows');
      } catch (err) {
        error.value = errorText(err);
      } finally {
        loading.value = false;
      }
    }
    function open(row) {
      errs.clear();
      editing.value = row || null;
      Object.assign(form, EMPTY, row ? {
        name: row.name, number: row.number || '', description: row.description || '', enabled: row.enabled !== false,
      } : {});
      dialog.value = true;
      setTimeout(() => formRef.value && formRef.value.clearValidate(), 0);
    }
    async function submit() {
      errs.clear();
      if (!(await validateForm(formRef.value))) return;
      saving.value = true;
      const body = {
        name: form.name.trim(), number: form.number.trim() || null, description: form.description.trim(),
        enabled: form.enabled,
      };
      try {
        if (editing.value) {
          await api.put(`/ivr/flows/${editing.value.id}`, body);
          showSuccess(t('common.saved'));
          dialog.value = false;
          load();
        } else {
          const created = await api.post('/ivr/flows', { ...body, document: starterDocument() });
          showSuccess(t('common.saved'));
          dialog.value = false;
          router.push(`/ivr-flows/${created.id}`);
        }
      } catch (err) {
        errs.handle(err);
      } finally {
        saving.value = false;
      }
    }
    async function remove(row) {
      if (!(await confirmDanger(t('flows.confirmDelete', { name: row.name })))) return;
      try {
        await api.del(`/ivr/flows/${row.id}`);
        showSuccess(t('common.deleted'));
        load();
      } catch (err) {
        showError(err);
      }
    }
    const edit = (row) => router.push(`/ivr-flows/${row.id}`);
    onMounted(load);
    return {
      t, rows, filtered, loading, error, search, dialog, editing, saving, formRef, form, rules, manage,
      load, open, submit, remove, edit, fmtDateTime, fieldErrors: errs.fieldErrors,
    };
  },
  template: `
    <div class="sb-page" data-test="page-ivr-flows">
      <page-header :title="t('menu.ivr-flows')" :subtitle="t('flows.subtitle')">
        <el-input v-model="search" clearable :placeholder="t('flows.search')" :prefix-icon="$icons.Search"
                  class="sb-search" data-test="flows-search" />
        <el-button :icon="$icons.Refresh" @click="load">{{ t('common.refresh') }}</el-button>
        <el-button v-if="manage" type="primary" :icon="$icons.Plus" data-test="flow-create" @click="open(null)">
          {{ t('flows.create') }}</el-button>
      </page-header>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <el-card shadow="never" class="sb-card">
        <el-table v-loading="loading" :data="filtered" row-key="id" border stripe data-test="flows-table"
                  :empty-text="search ? t('common.noMatch') : t('flows.empty')">
          <el-table-column :label="t('flows.name')" min-width="160">
            <template #default="{ row }">
              <el-link type="primary" :data-test="'flow-row-' + row.name" @click="edit(row)">{{ row.name }}</el-link>
            </template>
          </el-table-column>
          <el-table-column :label="t('flows.number')" width="120">
            <template #default="{ row }"><span class="sb-mono-text">{{ row.number || '—' }}</span></template>
          </el-table-column>
          <el-table-column prop="description" :label="t('flows.description')" min-width="200" show-overflow-tooltip />
          <el-table-column :label="t('flows.currentVersion')" width="110">
            <template #default="{ row }"><span :data-test="'flow-version-of-' + row.name">v{{ row.current_version }}</span></template>
          </el-table-column>
          <el-table-column :label="t('common.status')" width="90">
            <template #default="{ row }">
              <el-tag v-if="row.enabled" size="small" type="success">{{ t('flows.enabled') }}</el-tag>
              <el-tag v-else size="small" type="info">{{ t('flows.disabled') }}</el-tag>
            </template>
          </el-table-column>
          <el-table-column :label="t('flows.updated')" width="220">
            <template #default="{ row }">{{ fmtDateTime(row.updated_at) }}<span v-if="row.updated_by" class="sb-muted"> · {{ row.updated_by }}</span></template>
          </el-table-column>
          <el-table-column :label="t('common.actions')" width="200" fixed="right">
            <template #default="{ row }">
              <el-button link type="primary" :data-test="'flow-open-' + row.name" @click="edit(row)">
                {{ manage ? t('flows.editNodes') : t('common.view') }}</el-button>
              <template v-if="manage">
                <el-button link type="primary" :data-test="'flow-settings-' + row.name" @click="open(row)">{{ t('common.edit') }}</el-button>
                <el-button link type="danger" :data-test="'flow-delete-' + row.name" @click="remove(row)">{{ t('common.delete') }}</el-button>
              </template>
            </template>
          </el-table-column>
        </el-table>
      </el-card>
      <el-dialog v-model="dialog" :title="editing ? t('flows.edit') : t('flows.create')" width="560px"
                 :close-on-click-modal="false" append-to-body>
        <el-form ref="formRef" :model="form" :rules="rules" label-width="auto" data-test="flow-form" @submit.prevent="submit">
          <el-form-item :label="t('flows.name')" prop="name" :error="fieldErrors.name">
            <el-input v-model="form.name" maxlength="64" placeholder="hotline" data-test="flow-name" />
            <div class="sb-form-hint">{{ t('flows.nameHint') }}</div>
          </el-form-item>
          <el-form-item :label="t('flows.number')" prop="number" :error="fieldErrors.number">
            <el-input v-model="form.number" maxlength="16" placeholder="4000" data-test="flow-number" />
            <div class="sb-form-hint">{{ t('flows.numberHint') }}</div>
          </el-form-item>
          <el-form-item :label="t('flows.description')" prop="description" :error="fieldErrors.description">
            <el-input v-model="form.description" maxlength="200" data-test="flow-description" />
          </el-form-item>
          <el-form-item :label="t('flows.enabled')" :error="fieldErrors.enabled">
            <el-switch v-model="form.enabled" data-test="flow-enabled" />
          </el-form-item>
          <div v-if="!editing" class="sb-form-hint">{{ t('flows.createHint') }}</div>
        </el-form>
        <template #footer>
          <el-button @click="dialog = false">{{ t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="saving" data-test="flow-save" @click="submit">{{ t('common.save') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
