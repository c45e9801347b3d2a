// SLA policies (ticket.manage to change): response and resolution targets per type and priority in working
// minutes of a business calendar, the reminder lead time, and the repeat-ticket window.
import { ref, reactive, computed, onMounted } from 'vue';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import { errorText, showSuccess, confirmDanger } from '../util.js';
import PageHeader from '../components/page-header.js';
import { options, loadOptions, codeLabel, PRIORITIES } from './ticket-common.js';

const EMPTY = () => ({ id: null, name: '', type_code: '', priority: '', calendar_name: 'standard',
  response_minutes: 60, resolve_minutes: 480, reminder_minutes: 30, enabled: true });

export default {
  name: 'TicketSlaPage',
  components: { PageHeader },
  setup() {
    const rows = ref([]);
    const calendars = ref([]);
    const loading = ref(false);
    const error = ref('');
    const repeatDays = ref(7);
    const manage = computed(() => can('ticket.manage'));
    const dialog = reactive({ open: false, form: EMPTY(), saving: false, error: '' });
    const fields = ref([]);
    const fieldForm = reactive({ field_key: '', label: '', kind: 'text', dictionary_type: '', required: false, error: '' });
    async function load() {
      loading.value = true;
      error.value = '';
      try {
        rows.value = await api.get('/ticket-sla-policies');
        repeatDays.value = (await api.get('/tickets/settings')).repeat_window_days;
        fields.value = await api.get('/ticket-fields');
        if (can('ivr.read')) {
          const list = await api.get('/calendars');
          calendars.value = Array.isArray(list) ? list : list.items || [];
        }
      } catch (err) {
        error.value = errorText(err);
      } finally {
        loading.value = false;
      }
    }
    function edit(row) {
      Object.assign(dialog, { open: true, form: row ? { ...row } : EMPTY(), saving: false, error: '' });
    }
    async function save() {
      dialog.saving = true;
      dialog.error = '';
      const f = dialog.form;
      const body = { name: f.name, calendar_name: f.calendar_name, response_minutes: Number(f.response_minutes),
        resolve_minutes: Number(f.resolve_minutes), reminder_minutes: Number(f.reminder_minutes), enabled: f.enabled };
      if (f.type_code) body.type_code = f.type_code;
      if (f.priority) body.priority = f.priority;
      try {
        if (f.id) await api.put(`/ticket-sla-policies/${f.id}`, body);
        else await api.post('/ticket-sla-policies', body);
        dialog.open = false;
        showSuccess(t('common.saved'));
        load();
      } catch (err) {
        dialog.error = err && err.field ? `${err.field}: ${errorText(err)}` : errorText(err);
      } finally {
        dialog.saving = false;
      }
    }
    async function remove(row) {
      if (!(await confirmDanger(t('ticketSla.deleteConfirm', { name: row.name })))) return;
      try {
        await api.del(`/ticket-sla-policies/${row.id}`);
        load();
      } catch (err) {
        error.value = errorText(err);
      }
    }
    async function addField() {
      fieldForm.error = '';
      const body = { field_key: fieldForm.field_key.trim(), label: fieldForm.label.trim(), kind: fieldForm.kind,
        required: fieldForm.required };
      if (fieldForm.kind === 'choice') body.dictionary_type = fieldForm.dictionary_type.trim();
      try {
        await api.post('/ticket-fields', body);
        Object.assign(fieldForm, { field_key: '', label: '', kind: 'text', dictionary_type: '', required: false });
        load();
      } catch (err) {
        fieldForm.error = err && err.field ? `${err.field}: ${errorText(err)}` : errorText(err);
      }
    }
    async function removeField(f) {
      if (!(await confirmDanger(t('ticketSla.fieldDeleteConfirm', { name: f.label })))) return;
      try {
        await api.del(`/ticket-fields/${f.id}`);
        load();
      } catch (err) {
        error.value = errorText(err);
      }
    }
    async function saveRepeat() {
      try {
        await api.put('/tickets/settings', { repeat_window_days: Number(repeatDays.value) });
        showSuccess(t('common.saved'));
      } catch (err) {
        error.value = errorText(err);
      }
    }
    onMounted(async () => {
      try {
        await loadOptions();
      } catch (err) {
        error.value = errorText(err);
      }
      load();
    });
    return { t, rows, calendars, loading, error, repeatDays, manage, dialog, options, PRIORITIES, load, edit, save,
      remove, saveRepeat, codeLabel, fields, fieldForm, addField, removeField };
  },
  template: `
    <div class="sb-page" data-test="page-ticket-sla">
      <page-header :title="t('ticketSla.title')" :subtitle="t('ticketSla.subtitle')">
        <el-button v-if="manage" type="primary" :icon="$icons.Plus" data-test="sla-add" @click="edit(null)">
          {{ t('ticketSla.add') }}</el-button>
        <el-button :icon="$icons.Refresh" @click="load">{{ t('common.refresh') }}</el-button>
      </page-header>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <el-card shadow="never" class="sb-card sb-mb">
        <el-form inline @submit.prevent="saveRepeat">
          <el-form-item :label="t('ticketSla.repeatWindow')">
            <el-input-number v-model="repeatDays" :min="0" :max="365" :disabled="!manage" data-test="repeat-days" />
          </el-form-item>
          <el-form-item v-if="manage"><el-button native-type="submit">{{ t('common.save') }}</el-button></el-form-item>
          <div class="sb-muted sb-small">{{ t('ticketSla.repeatHint') }}</div>
        </el-form>
      </el-card>
      <el-card shadow="never" class="sb-card">
        <el-table v-loading="loading" :data="rows" border stripe data-test="sla-table">
          <el-table-column :label="t('ticketSla.name')" prop="name" min-width="140" />
          <el-table-column :label="t('tickets.type')" min-width="120">
            <template #default="{ row }">{{ row.type_code ? codeLabel(row.type_code) : t('ticketSla.anyType') }}</template>
          </el-table-column>
          <el-table-column :label="t('tickets.priorityLabel')" width="120">
            <template #default="{ row }">{{ row.priority ? t('tickets.priority.' + row.priority) : t('ticketSla.anyPriority') }}</template>
          </el-table-column>
          <el-table-column :label="t('ticketSla.calendar')" prop="calendar_name" width="140" />
          <el-table-column :label="t('ticketSla.response')" prop="response_minutes" width="140" />
          <el-table-column :label="t('ticketSla.resolve')" prop="resolve_minutes" width="140" />
          <el-table-column :label="t('ticketSla.reminder')" prop="reminder_minutes" width="140" />
          <el-table-column :label="t('ticketSla.enabled')" width="80">
            <template #default="{ row }"><el-tag size="small" :type="row.enabled ? 'success' : 'info'">{{ row.enabled ? '✓' : '—' }}</el-tag></template>
          </el-table-column>
          <el-table-column v-if="manage" :label="t('common.actions')" width="150">
            <template #default="{ row }">
              <el-button link type="primary" @click="edit(row)">{{ t('common.edit') }}</el-button>
              <el-button link type="danger" @click="remove(row)">{{ t('common.delete') }}</el-button>
            </template>
          </el-table-column>
        </el-table>
      </el-card>
      <el-card shadow="never" class="sb-card sb-mt" :header="t('ticketSla.fields')" data-test="ticket-fields">
        <el-table :data="fields" border stripe size="small">
          <el-table-column :label="t('ticketSla.fieldKey')" prop="field_key" width="160" />
          <el-table-column :label="t('ticketSla.fieldLabel')" prop="label" min-width="140" />
          <el-table-column :label="t('ticketSla.fieldKind')" width="120">
            <template #default="{ row }">{{ t('ticketSla.kinds.' + row.kind) }}<span v-if="row.dictionary_type" class="sb-muted"> ({{ row.dictionary_type }})</span></template>
          </el-table-column>
          <el-table-column :label="t('ticketSla.fieldRequired')" width="90">
            <template #default="{ row }">{{ row.required ? '✓' : '' }}</template>
          </el-table-column>
          <el-table-column v-if="manage" :label="t('common.actions')" width="100">
            <template #default="{ row }"><el-button link type="danger" @click="removeField(row)">{{ t('common.delete') }}</el-button></template>
          </el-table-column>
        </el-table>
        <el-form v-if="manage" inline class="sb-mt" @submit.prevent="addField">
          <el-form-item :label="t('ticketSla.fieldKey')"><el-input v-model="fieldForm.field_key" maxlength="40" class="sb-filter" /></el-form-item>
          <el-form-item :label="t('ticketSla.fieldLabel')"><el-input v-model="fieldForm.label" maxlength="64" class="sb-filter" /></el-form-item>
          <el-form-item :label="t('ticketSla.fieldKind')">
            <el-select v-model="fieldForm.kind" class="sb-filter">
              <el-option v-for="k in ['text', 'number', 'date', 'choice']" :key="k" :value="k" :label="t('ticketSla.kinds.' + k)" />
            </el-select>
          </el-form-item>
          <el-form-item v-if="fieldForm.kind === 'choice'" :label="t('ticketSla.fieldList')">
            <el-input v-model="fieldForm.dictionary_type" maxlength="64" class="sb-filter" />
          </el-form-item>
          <el-form-item><el-checkbox v-model="fieldForm.required">{{ t('ticketSla.fieldRequired') }}</el-checkbox></el-form-item>
          <el-form-item><el-button native-type="submit" :icon="$icons.Plus">{{ t('common.add') }}</el-button></el-form-item>
        </el-form>
        <el-alert v-if="fieldForm.error" :title="fieldForm.error" type="error" show-icon :closable="false" />
      </el-card>
      <el-dialog v-model="dialog.open" :title="dialog.form.id ? t('ticketSla.edit') : t('ticketSla.add')" width="560px">
        <el-alert v-if="dialog.error" :title="dialog.error" type="error" show-icon :closable="false" class="sb-mb" />
        <el-form label-width="160px" @submit.prevent="save">
          <el-form-item :label="t('ticketSla.name')" required><el-input v-model="dialog.form.name" maxlength="100" /></el-form-item>
          <el-form-item :label="t('tickets.type')">
            <el-select v-model="dialog.form.type_code" clearable :placeholder="t('ticketSla.anyType')">
              <el-option v-for="c in options.types" :key="c.code" :value="c.code" :label="c.label" />
            </el-select>
          </el-form-item>
          <el-form-item :label="t('tickets.priorityLabel')">
            <el-select v-model="dialog.form.priority" clearable :placeholder="t('ticketSla.anyPriority')">
              <el-option v-for="p in PRIORITIES" :key="p" :value="p" :label="t('tickets.priority.' + p)" />
            </el-select>
          </el-form-item>
          <el-form-item :label="t('ticketSla.calendar')" required>
            <el-select v-if="calendars.length" v-model="dialog.form.calendar_name">
              <el-option v-for="c in calendars" :key="c.name" :value="c.name" :label="c.name" />
            </el-select>
            <el-input v-else v-model="dialog.form.calendar_name" maxlength="64" />
          </el-form-item>
          <el-form-item :label="t('ticketSla.response')"><el-input-number v-model="dialog.form.response_minutes" :min="1" /></el-form-item>
          <el-form-item :label="t('ticketSla.resolve')"><el-input-number v-model="dialog.form.resolve_minutes" :min="1" /></el-form-item>
          <el-form-item :label="t('ticketSla.reminder')"><el-input-number v-model="dialog.form.reminder_minutes" :min="0" /></el-form-item>
          <el-form-item :label="t('ticketSla.enabled')"><el-switch v-model="dialog.form.enabled" /></el-form-item>
        </el-form>
        <template #footer>
          <el-button @click="dialog.open = false">{{ t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="dialog.saving" @click="save">{{ t('common.save') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
