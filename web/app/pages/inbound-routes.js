// Inbound routes: DID (+ trunk or any trunk) -> extension; create / edit / delete.
import { ref, reactive, computed, onMounted } from 'vue';
import { api, getAll } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import {
  errorText, showError, showSuccess, confirmDanger, useFieldErrors, validateForm, required, maxLen,
} from '../util.js';
import PageHeader from '../components/page-header.js';

// trunk_id 0 stands for "any trunk" in the form (an option value of null reads as empty).
const EMPTY = { did: '', trunk_id: 0, target: '', description: '', enabled: true };

export default {
  name: 'InboundRoutesPage',
  components: { PageHeader },
  setup() {
    const rows = ref([]);
    const trunks = ref([]);
    const extensions = ref([]);
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
    const rules = {
      did: [required('inboundRoutes.did'), {
        trigger: 'blur',
        validator: (_r, v, cb) => cb(/^\+?[0-9*#]{1,32}$/.test(v || '') ? undefined : new Error(t('validation.digits'))),
      }],
      target: [required('inboundRoutes.target')],
      description: [maxLen(200)],
    };
    const filtered = computed(() => {
      const q = search.value.trim().toLowerCase();
      if (!q) return rows.value;
      return rows.value.filter((r) => `${r.did} ${r.target} ${r.description} ${r.trunk_name || ''}`.toLowerCase().includes(q));
    });

    async function load() {
      loading.value = true;
      error.value = '';
      try {
        rows.value = await getAll('/inbound-routes');
      } catch (err) {
        error.value = errorText(err);
      } finally {
        loading.value = false;
      }
    }
    async function loadRefs() {
      try {
        trunks.value = await getAll('/trunks');
        if (can('extension.read')) extensions.value = await getAll('/extensions');
      } catch (err) {
        showError(err);
      }
    }
    function open(row) {
      editing.value = row || null;
      errs.clear();
      Object.assign(form, EMPTY);
      if (row) {
        Object.assign(form, {
          did: row.did, trunk_id: row.trunk_id ?? 0, target: row.target, description: row.description || '',
          enabled: row.enabled !== false,
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
        did: form.did.trim(), trunk_id: form.trunk_id || null, target_kind: 'extension', target: String(form.target).trim(),
        description: form.description.trim() || null, enabled: form.enabled,
      };
      try {
        if (editing.value) await api.put(`/inbound-routes/${editing.value.id}`, body);
        else await api.post('/inbound-routes', body);
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
      if (!(await confirmDanger(t('inboundRoutes.confirmDelete', { did: row.did })))) return;
      try {
        await api.del(`/inbound-routes/${row.id}`);
        showSuccess(t('common.deleted'));
        load();
      } catch (err) {
        showError(err);
      }
    }
    onMounted(() => {
      load();
      loadRefs();
    });
    return {
      t, rows, filtered, trunks, extensions, loading, error, search, dialog, editing, saving, formRef, form, rules,
      manage, load, open, submit, remove, fieldErrors: errs.fieldErrors,
    };
  },
  template: `
    <div class="sb-page" data-test="page-inbound-routes">
      <page-header :title="t('menu.inbound-routes')" :subtitle="t('inboundRoutes.subtitle')">
        <el-input v-model="search" clearable :placeholder="t('inboundRoutes.search')" :prefix-icon="$icons.Search"
                  class="sb-search" data-test="inbound-routes-search" />
        <el-button :icon="$icons.Refresh" @click="load">{{ t('common.refresh') }}</el-button>
        <el-button v-if="manage" type="primary" :icon="$icons.Plus" data-test="inbound-route-create" @click="open(null)">
          {{ t('inboundRoutes.create') }}</el-button>
      </page-header>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <el-card shadow="never" class="sb-card">
        <el-table v-loading="loading" :data="filtered" row-key="id" border stripe data-test="inbound-routes-table"
                  :empty-text="search ? t('common.noMatch') : t('inboundRoutes.empty')">
          <el-table-column :label="t('inboundRoutes.did')" min-width="150">
            <template #default="{ row }"><span class="sb-mono-text" :data-test="'inbound-route-row-' + row.did">{{ row.did }}</span></template>
          </el-table-column>
          <el-table-column :label="t('inboundRoutes.trunk')" min-width="140">
            <template #default="{ row }">{{ row.trunk_name || t('inboundRoutes.anyTrunk') }}</template>
          </el-table-column>
          <el-table-column prop="target" :label="t('inboundRoutes.target')" width="140" />
          <el-table-column prop="description" :label="t('inboundRoutes.description')" min-width="200" show-overflow-tooltip />
          <el-table-column :label="t('common.status')" width="90">
            <template #default="{ row }">
              <el-tag v-if="row.enabled" type="success" size="small">{{ t('inboundRoutes.enabled') }}</el-tag>
              <el-tag v-else type="info" size="small">{{ t('trunks.disabled') }}</el-tag>
            </template>
          </el-table-column>
          <el-table-column v-if="manage" :label="t('common.actions')" width="140" fixed="right">
            <template #default="{ row }">
              <el-button link type="primary" :data-test="'inbound-route-edit-' + row.id" @click="open(row)">{{ t('common.edit') }}</el-button>
              <el-button link type="danger" :data-test="'inbound-route-delete-' + row.id" @click="remove(row)">{{ t('common.delete') }}</el-button>
            </template>
          </el-table-column>
        </el-table>
      </el-card>
      <el-dialog v-model="dialog" :title="editing ? t('inboundRoutes.edit') : t('inboundRoutes.create')" width="560px"
                 :close-on-click-modal="false" append-to-body>
        <el-form ref="formRef" :model="form" :rules="rules" label-width="auto" data-test="inbound-route-form"
                 @submit.prevent="submit">
          <el-form-item :label="t('inboundRoutes.did')" prop="did" :error="fieldErrors.did">
            <el-input v-model="form.did" maxlength="32" data-test="inbound-route-did" />
          </el-form-item>
          <el-form-item :label="t('inboundRoutes.trunk')" :error="fieldErrors.trunk_id" data-test="inbound-route-trunk">
            <el-select v-model="form.trunk_id" class="sb-full">
              <el-option :value="0" :label="t('inboundRoutes.anyTrunk')" />
              <el-option v-for="tr in trunks" :key="tr.id" :value="tr.id" :label="tr.name" />
            </el-select>
          </el-form-item>
          <el-form-item :label="t('inboundRoutes.target')" prop="target" :error="fieldErrors.target"
                        data-test="inbound-route-target">
            <el-select v-if="extensions.length" v-model="form.target" filterable allow-create class="sb-full">
              <el-option v-for="e in extensions" :key="e.id" :value="e.extension"
                         :label="e.display_name ? e.extension + ' · ' + e.display_name : e.extension" />
            </el-select>
            <el-input v-else v-model="form.target" maxlength="10" />
          </el-form-item>
          <el-form-item :label="t('inboundRoutes.description')" prop="description" :error="fieldErrors.description">
            <el-input v-model="form.description" maxlength="200" data-test="inbound-route-description" />
          </el-form-item>
          <el-form-item :label="t('inboundRoutes.enabled')">
            <el-switch v-model="form.enabled" data-test="inbound-route-enabled" />
          </el-form-item>
        </el-form>
        <template #footer>
          <el-button @click="dialog = false">{{ t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="saving" data-test="inbound-route-save" @click="submit">{{ t('common.save') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
