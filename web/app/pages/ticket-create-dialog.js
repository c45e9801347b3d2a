// New ticket: kind, channel, type and sub-type, priority and urgency, subject and description, the customer
// (searched by name or phone), and where it goes (a department's queue, or a person for dispatchers).
import { ref, reactive, computed, watch } from 'vue';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import { errorText } from '../util.js';
import DeptSelect from '../components/dept-select.js';
import { options, loadOptions, subtypesOf, PRIORITIES } from './ticket-common.js';

const EMPTY = () => ({
  kind: 'request', channel: 'phone', type_code: '', subtype_code: '', priority: 'normal', urgency: 'normal',
  subject: '', content: '', customer_id: null, department_id: null, assignee_id: null, note: '',
});

export default {
  name: 'TicketCreateDialog',
  components: { DeptSelect },
  props: {
    modelValue: { type: Boolean, default: false },
    // Opened from a customer's page: the ticket is theirs unless the user picks another.
    customer: { type: Object, default: null },
    // Opened during a call (the agent desktop): the ticket is linked to it.
    callId: { type: String, default: '' },
  },
  emits: ['update:modelValue', 'created'],
  setup(props, { emit }) {
    const form = reactive(EMPTY());
    const saving = ref(false);
    const error = ref('');
    const customers = ref([]);
    const staff = ref([]);
    const fields = ref([]);
    const custom = reactive({});
    const searching = ref(false);
    const dispatcher = computed(() => can('ticket.dispatch'));
    const subtypes = computed(() => subtypesOf(form.type_code));
    watch(() => form.type_code, () => { form.subtype_code = ''; });
    watch(() => props.modelValue, (open) => {
      if (open) {
        Object.assign(form, EMPTY());
        if (props.customer) {
          customers.value = [props.customer];
          form.customer_id = props.customer.id;
        }
        error.value = '';
        for (const k of Object.keys(custom)) delete custom[k];
        api.get('/ticket-fields').then((list) => { fields.value = list; }).catch((err) => { error.value = errorText(err); });
        // Opened from outside the ticket pages (a customer's 360 view), nothing has loaded the choices yet.
        if (!options.loaded) loadOptions().catch((err) => { error.value = errorText(err); });
      }
    });
    async function findCustomers(q) {
      searching.value = true;
      try {
        customers.value = await api.get('/tickets/customer-options', { q });
      } catch (err) {
        error.value = errorText(err);
      } finally {
        searching.value = false;
      }
    }
    async function findStaff(q) {
      if (!can('staff.read')) return;
      try {
        const res = await api.get('/staff', { q, per_page: 20 });
        staff.value = res.items || [];
      } catch (err) {
        error.value = errorText(err);
      }
    }
    async function submit() {
      saving.value = true;
      error.value = '';
      try {
        const body = { ...form };
        if (props.callId) body.call_id = props.callId;
        for (const k of ['subtype_code', 'content', 'note']) if (!body[k]) delete body[k];
        for (const k of ['customer_id', 'department_id', 'assignee_id']) if (body[k] == null) delete body[k];
        const values = {};
        for (const f of fields.value) {
          const v = custom[f.field_key];
          if (v === undefined || v === null || v === '') continue;
          values[f.field_key] = f.kind === 'number' ? Number(v) : v;
        }
        if (Object.keys(values).length) body.custom_fields = values;
        const created = await api.post('/tickets', body);
        emit('update:modelValue', false);
        emit('created', created);
      } catch (err) {
        error.value = err && err.field ? `${err.field}: ${errorText(err)}` : errorText(err);
      } finally {
        saving.value = false;
      }
    }
    return {
      t, form, saving, error, customers, staff, fields, custom, searching, dispatcher, subtypes, options, PRIORITIES,
      findCustomers, findStaff, submit,
    };
  },
  template: `
    <el-dialog :model-value="modelValue" :title="t('tickets.newTicket')" width="720px" data-test="ticket-create"
               @update:model-value="$emit('update:modelValue', $event)">
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb"
                data-test="ticket-create-error" />
      <el-form :model="form" label-width="110px" @submit.prevent="submit">
        <el-form-item :label="t('tickets.kindLabel')">
          <el-radio-group v-model="form.kind" data-test="ticket-kind">
            <el-radio-button value="request">{{ t('tickets.kind.request') }}</el-radio-button>
            <el-radio-button value="proactive">{{ t('tickets.kind.proactive') }}</el-radio-button>
          </el-radio-group>
        </el-form-item>
        <el-form-item :label="t('tickets.channel')" required>
          <el-select v-model="form.channel" data-test="ticket-channel">
            <el-option v-for="c in options.channels" :key="c.code" :value="c.code" :label="c.label" />
          </el-select>
        </el-form-item>
        <el-form-item :label="t('tickets.type')" required>
          <el-select v-model="form.type_code" class="sb-filter" data-test="ticket-type">
            <el-option v-for="c in options.types" :key="c.code" :value="c.code" :label="c.label"
                       :data-test="'ticket-type-' + c.code" />
          </el-select>
          <el-select v-model="form.subtype_code" clearable class="sb-filter sb-ml" :placeholder="t('tickets.subtype')"
                     :disabled="!subtypes.length" data-test="ticket-subtype">
            <el-option v-for="c in subtypes" :key="c.code" :value="c.code" :label="c.label" />
          </el-select>
        </el-form-item>
        <el-form-item :label="t('tickets.priorityLabel')">
          <el-select v-model="form.priority" class="sb-filter" data-test="ticket-priority">
            <el-option v-for="p in PRIORITIES" :key="p" :value="p" :label="t('tickets.priority.' + p)" />
          </el-select>
          <span class="sb-ml sb-muted">{{ t('tickets.urgency') }}</span>
          <el-select v-model="form.urgency" class="sb-filter sb-ml">
            <el-option v-for="p in PRIORITIES" :key="p" :value="p" :label="t('tickets.priority.' + p)" />
          </el-select>
        </el-form-item>
        <el-form-item :label="t('tickets.subject')" required>
          <el-input v-model="form.subject" maxlength="200" show-word-limit data-test="ticket-subject" />
        </el-form-item>
        <el-form-item :label="t('tickets.content')">
          <el-input v-model="form.content" type="textarea" :rows="4" maxlength="10000" data-test="ticket-content" />
        </el-form-item>
        <el-form-item :label="t('tickets.customer')">
          <el-select v-model="form.customer_id" filterable remote clearable :remote-method="findCustomers"
                     :loading="searching" :placeholder="t('tickets.customerHint')" data-test="ticket-customer">
            <el-option v-for="c in customers" :key="c.id" :value="c.id" :label="c.name + (c.phone ? ' · ' + c.phone : '')"
                       :data-test="'ticket-customer-' + c.id" />
          </el-select>
        </el-form-item>
        <el-form-item :label="t('tickets.department')">
          <dept-select v-model="form.department_id" :departments="options.departments" data-test="ticket-department" />
        </el-form-item>
        <el-form-item v-if="dispatcher" :label="t('tickets.assignee')">
          <el-select v-model="form.assignee_id" filterable remote clearable :remote-method="findStaff"
                     data-test="ticket-assignee">
            <el-option v-for="s in staff" :key="s.id" :value="s.id" :label="s.name + ' (' + s.employee_id + ')'" />
          </el-select>
        </el-form-item>
        <el-form-item v-for="f in fields" :key="f.id" :label="f.label" :required="f.required">
          <el-input-number v-if="f.kind === 'number'" v-model="custom[f.field_key]" :data-test="'ticket-field-' + f.field_key" />
          <el-date-picker v-else-if="f.kind === 'date'" v-model="custom[f.field_key]" type="date" value-format="YYYY-MM-DD"
                          :data-test="'ticket-field-' + f.field_key" />
          <el-select v-else-if="f.kind === 'choice'" v-model="custom[f.field_key]" clearable class="sb-full"
                     :data-test="'ticket-field-' + f.field_key">
            <el-option v-for="c in options.field_choices[f.dictionary_type] || []" :key="c.code" :value="c.code" :label="c.label" />
          </el-select>
          <el-input v-else v-model="custom[f.field_key]" maxlength="500" :data-test="'ticket-field-' + f.field_key" />
        </el-form-item>
        <el-form-item :label="t('tickets.note')">
          <el-input v-model="form.note" maxlength="2000" />
        </el-form-item>
      </el-form>
      <template #footer>
        <el-button @click="$emit('update:modelValue', false)">{{ t('common.cancel') }}</el-button>
        <el-button type="primary" :loading="saving" data-test="ticket-create-submit" @click="submit">
          {{ t('common.create') }}</el-button>
      </template>
    </el-dialog>`,
};
