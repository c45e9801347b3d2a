// Extension groups: name, description, extensions (as tags); create / edit / delete.
import { ref, reactive, computed, onMounted } from 'vue';
import { api, getAll } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import {
  errorText, showError, showSuccess, confirmDanger, useFieldErrors, validateForm, required, maxLen,
} from '../util.js';
import PageHeader from '../components/page-header.js';
import TagInput from '../components/tag-input.js';

const EXT_RE = /^[0-9]{2,10}$/;

export default {
  name: 'ExtensionGroupsPage',
  components: { PageHeader, TagInput },
  setup() {
    const rows = ref([]);
    const loading = ref(false);
    const error = ref('');
    const search = ref('');
    const dialog = ref(false);
    const editing = ref(null);
    const saving = ref(false);
    const formRef = ref(null);
    const form = reactive({ name: '', description: '', extensions: [] });
    const errs = useFieldErrors();
    const perms = computed(() => ({
      create: can('extension_group.create'),
      update: can('extension_group.update'),
      delete: can('extension_group.delete'),
    }));
    const rules = {
      name: [required('extensionGroups.name'), maxLen(64)],
      description: [maxLen(255)],
      extensions: [{
        trigger: 'change',
        validator: (_r, v, cb) => {
          const bad = (v || []).filter((x) => !EXT_RE.test(x));
          cb(bad.length ? new Error(t('extensionGroups.badExtension', { ext: bad.join(', ') })) : undefined);
        },
      }],
    };
    const filtered = computed(() => {
      const q = search.value.trim().toLowerCase();
      if (!q) return rows.value;
      return rows.value.filter((g) =>
        `${g.name} ${g.description || ''} ${(g.extensions || []).join(' ')}`.toLowerCase().includes(q));
    });

    async function load() {
      loading.value = true;
      error.value = '';
      try {
        rows.value = await getAll('/extension-groups');
      } catch (err) {
        error.value = errorText(err);
      } finally {
        loading.value = false;
      }
    }
    function open(row) {
      editing.value = row || null;
      errs.clear();
      form.name = row ? row.name : '';
      form.description = row ? row.description || '' : '';
      form.extensions = row ? [...(row.extensions || [])] : [];
      dialog.value = true;
      setTimeout(() => formRef.value && formRef.value.clearValidate(), 0);
    }
    function normalise() {
      form.extensions = [...new Set(form.extensions.map((x) => String(x).trim()).filter(Boolean))];
    }
    async function submit() {
      errs.clear();
      normalise();
      if (!(await validateForm(formRef.value))) return;
      saving.value = true;
      const body = { name: form.name.trim(), description: form.description.trim() || null, extensions: form.extensions };
      try {
        if (editing.value) await api.put(`/extension-groups/${editing.value.id}`, body);
        else await api.post('/extension-groups', body);
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
      if (!(await confirmDanger(t('extensionGroups.confirmDelete', { name: row.name })))) return;
      try {
        await api.del(`/extension-groups/${row.id}`);
        showSuccess(t('common.deleted'));
        load();
      } catch (err) {
        showError(err);
      }
    }
    onMounted(load);
    return {
      t, rows, filtered, loading, error, search, dialog, editing, saving, formRef, form, rules, perms,
      load, open, submit, remove, normalise, fieldErrors: errs.fieldErrors,
    };
  },
  template: `
    <div class="sb-page" data-test="page-extension-groups">
      <page-header :title="t('menu.extension-groups')" :subtitle="t('extensionGroups.subtitle')">
        <el-input v-model="search" clearable :placeholder="t('extensionGroups.search')" :prefix-icon="$icons.Search"
                  class="sb-search" data-test="extension-groups-search" />
        <el-button :icon="$icons.Refresh" @click="load">{{ t('common.refresh') }}</el-button>
        <el-button v-if="perms.create" type="primary" :icon="$icons.Plus" data-test="extension-group-create"
                   @click="open(null)">{{ t('extensionGroups.create') }}</el-button>
      </page-header>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <el-card shadow="never" class="sb-card">
        <el-table v-loading="loading" :data="filtered" row-key="id" border stripe data-test="extension-groups-table"
                  :empty-text="search ? t('common.noMatch') : t('extensionGroups.empty')">
          <el-table-column prop="name" :label="t('extensionGroups.name')" min-width="160" />
          <el-table-column prop="description" :label="t('extensionGroups.description')" min-width="200"
                           show-overflow-tooltip />
          <el-table-column :label="t('extensionGroups.extensions')" min-width="260">
            <template #default="{ row }">
              <div class="sb-tags">
                <el-tag v-for="x in row.extensions || []" :key="x" size="small">{{ x }}</el-tag>
                <span v-if="!(row.extensions || []).length" class="sb-muted">{{ t('common.none') }}</span>
              </div>
            </template>
          </el-table-column>
          <el-table-column v-if="perms.update || perms.delete" :label="t('common.actions')" width="150" fixed="right">
            <template #default="{ row }">
              <el-button v-if="perms.update" link type="primary" @click="open(row)">{{ t('common.edit') }}</el-button>
              <el-button v-if="perms.delete" link type="danger" @click="remove(row)">{{ t('common.delete') }}</el-button>
            </template>
          </el-table-column>
        </el-table>
      </el-card>
      <el-dialog v-model="dialog" :title="editing ? t('extensionGroups.edit') : t('extensionGroups.create')"
                 width="560px" :close-on-click-modal="false" append-to-body>
        <el-form ref="formRef" :model="form" :rules="rules" label-width="auto" data-test="extension-group-form"
                 @submit.prevent="submit">
          <el-form-item :label="t('extensionGroups.name')" prop="name" :error="fieldErrors.name">
            <el-input v-model="form.name" maxlength="64" data-test="extension-group-name" />
          </el-form-item>
          <el-form-item :label="t('extensionGroups.description')" prop="description" :error="fieldErrors.description">
            <el-input v-model="form.description" type="textarea" :rows="2" maxlength="255" />
          </el-form-item>
          <el-form-item :label="t('extensionGroups.extensions')" prop="extensions" :error="fieldErrors.extensions"
                        data-test="extension-group-extensions">
            <tag-input v-model="form.extensions" :placeholder="t('extensionGroups.extensionsHint')" />
          </el-form-item>
        </el-form>
        <template #footer>
          <el-button @click="dialog = false">{{ t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="saving" data-test="extension-group-save" @click="submit">
            {{ t('common.save') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
