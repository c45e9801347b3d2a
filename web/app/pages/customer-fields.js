// Fields admins add to the customer profile: text, number, date, or a choice from a dictionary list. The key and
// type are fixed once created, since customers hold values of them.
import { ref, reactive, onMounted } from 'vue';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { errorText, showError, showSuccess, confirmDanger, useFieldErrors } from '../util.js';
import PageHeader from '../components/page-header.js';

const KINDS = ['text', 'number', 'date', 'choice'];
const EMPTY = { key: '', label: '', kind: 'text', dictionary_type: '', required: false, sort_order: 0 };

export default {
  name: 'CustomerFieldsPage',
  components: { PageHeader },
  setup() {
    const rows = ref([]);
    const lists = ref([]);
    const loading = ref(false);
    const error = ref('');
    const dialog = ref(false);
    const editing = ref(null);
    const form = reactive({ ...EMPTY });
    const errs = useFieldErrors();

    async function load() {
      loading.value = true;
      error.value = '';
      try {
        rows.value = await api.get('/customer-fields');
      } catch (err) {
        error.value = errorText(err);
      } finally {
        loading.value = false;
      }
    }
    async function open(row) {
      errs.clear();
      editing.value = row || null;
      Object.assign(form, EMPTY, row ? { ...row } : {});
      dialog.value = true;
      if (!lists.value.length) {
        try {
          lists.value = (await api.get('/dictionary')).map((d) => ({ code: d.code, name: d.name }));
        } catch {
          lists.value = [];
        }
      }
    }
    async function submit() {
      errs.clear();
      const body = {
        key: form.key.trim(), label: form.label.trim(), kind: form.kind,
        dictionary_type: form.kind === 'choice' ? form.dictionary_type : null, required: form.required,
        sort_order: form.sort_order,
      };
      try {
        if (editing.value) await api.put(`/customer-fields/${editing.value.id}`, body);
        else await api.post('/customer-fields', body);
        showSuccess(t('common.saved'));
        dialog.value = false;
        load();
      } catch (err) {
        errs.handle(err);
      }
    }
    async function remove(row) {
      if (!(await confirmDanger(t('customerFields.confirmDelete', { label: row.label })))) return;
      try {
        await api.del(`/customer-fields/${row.id}`);
        load();
      } catch (err) {
        showError(err);
      }
    }
    onMounted(load);
    return { t, rows, lists, loading, error, dialog, editing, form, KINDS, open, submit, remove, fieldErrors: errs.fieldErrors };
  },
  template: `
    <div class="sb-page" data-test="page-customer-fields">
      <page-header :title="t('menu.customer-fields')" :subtitle="t('customerFields.subtitle')">
        <el-button type="primary" :icon="$icons.Plus" data-test="customer-fields-create" @click="open(null)">{{ t('customerFields.create') }}</el-button>
      </page-header>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <el-card shadow="never" class="sb-card">
        <el-table v-loading="loading" :data="rows" row-key="id" border stripe :empty-text="t('customerFields.empty')">
          <el-table-column prop="label" :label="t('customerFields.label')" min-width="150" />
          <el-table-column :label="t('customerFields.key')" min-width="140"><template #default="{ row }"><span class="sb-mono-text">{{ row.key }}</span></template></el-table-column>
          <el-table-column :label="t('customerFields.kind')" width="140"><template #default="{ row }">{{ t('customerFields.kindValue.' + row.kind) }}<span v-if="row.dictionary_type" class="sb-muted"> · {{ row.dictionary_type }}</span></template></el-table-column>
          <el-table-column :label="t('customerFields.required')" width="90"><template #default="{ row }">{{ row.required ? '✓' : '' }}</template></el-table-column>
          <el-table-column prop="sort_order" :label="t('customerFields.sortOrder')" width="90" />
          <el-table-column :label="t('common.actions')" width="130">
            <template #default="{ row }">
              <el-button link type="primary" @click="open(row)">{{ t('common.edit') }}</el-button>
              <el-button link type="danger" @click="remove(row)">{{ t('common.delete') }}</el-button>
            </template>
          </el-table-column>
        </el-table>
      </el-card>
      <el-dialog v-model="dialog" :title="editing ? t('customerFields.edit') : t('customerFields.create')" width="520px" append-to-body>
        <el-form label-width="auto" data-test="customer-field-form" @submit.prevent="submit">
          <el-form-item :label="t('customerFields.label')" :error="fieldErrors.label"><el-input v-model="form.label" maxlength="50" data-test="customer-field-label" /></el-form-item>
          <el-form-item :label="t('customerFields.key')" :error="fieldErrors.key">
            <el-input v-model="form.key" maxlength="40" :disabled="!!editing" placeholder="member_no" data-test="customer-field-key" />
          </el-form-item>
          <el-form-item :label="t('customerFields.kind')" :error="fieldErrors.kind">
            <el-radio-group v-model="form.kind" :disabled="!!editing">
              <el-radio-button v-for="k in KINDS" :key="k" :value="k">{{ t('customerFields.kindValue.' + k) }}</el-radio-button>
            </el-radio-group>
          </el-form-item>
          <el-form-item v-if="form.kind === 'choice'" :label="t('customerFields.list')" :error="fieldErrors.dictionary_type">
            <el-select v-model="form.dictionary_type" filterable class="sb-full">
              <el-option v-for="l in lists" :key="l.code" :value="l.code" :label="l.name + ' (' + l.code + ')'" />
            </el-select>
          </el-form-item>
          <el-form-item :label="t('customerFields.required')"><el-switch v-model="form.required" /></el-form-item>
          <el-form-item :label="t('customerFields.sortOrder')"><el-input-number v-model="form.sort_order" /></el-form-item>
        </el-form>
        <template #footer>
          <el-button @click="dialog = false">{{ t('common.cancel') }}</el-button>
          <el-button type="primary" data-test="customer-field-save" @click="submit">{{ t('common.save') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
