// Create / edit a customer: profile, several numbers, e-mails and addresses, classification and the fields admins
// added. The server normalises numbers, checks the ID card and names the field at fault (phones[1].number...).
import { ref, reactive, computed, watch } from 'vue';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { useFieldErrors, validateForm, required, maxLen, showSuccess } from '../util.js';

export const LIFECYCLES = ['potential', 'normal', 'declining', 'lost'];
export const PHONE_LABELS = ['mobile', 'home', 'work', 'other'];
export const ADDRESS_LABELS = ['home', 'work', 'other'];

const blank = () => ({
  name: '', gender: 'unknown', birth_date: '', id_card: '', occupation: '', education: '', marital_status: '',
  province: '', city: '', lifecycle: 'normal', level: 'normal', source: '', notes: '',
  phones: [{ number: '', label: 'mobile' }], emails: [], addresses: [], custom_fields: {},
});

/** The form's values from a stored customer. */
function fromCustomer(c) {
  return {
    name: c.name, gender: c.gender, birth_date: c.birth_date || '', id_card: c.id_card || '', occupation: c.occupation,
    education: c.education, marital_status: c.marital_status, province: c.province, city: c.city,
    lifecycle: c.lifecycle, level: c.level, source: c.source, notes: c.notes,
    phones: c.phones.map((p) => ({ number: p.number, label: p.label })),
    emails: c.emails.map((e) => ({ email: e.email, label: e.label })),
    addresses: c.addresses.map((a) => ({ ...a })),
    custom_fields: { ...c.custom_fields },
  };
}

export default {
  name: 'CustomerDialog',
  props: {
    modelValue: { type: Boolean, default: false },
    customer: { type: Object, default: null }, // null: create
    vocabulary: { type: Object, required: true },
    // A number to start with (screen pop's "new customer" for an unknown caller).
    number: { type: String, default: '' },
  },
  emits: ['update:modelValue', 'saved'],
  setup(props, { emit }) {
    const formRef = ref(null);
    const form = reactive(blank());
    const saving = ref(false);
    const errs = useFieldErrors();
    const rules = { name: [required('customers.name'), maxLen(100)] };
    const fields = computed(() => props.vocabulary.fields || []);

    watch(() => props.modelValue, (open) => {
      if (!open) return;
      errs.clear();
      Object.assign(form, blank(), props.customer ? fromCustomer(props.customer) : {});
      if (!props.customer && props.number) form.phones = [{ number: props.number, label: 'mobile' }];
      setTimeout(() => formRef.value && formRef.value.clearValidate(), 0);
    });

    function body() {
      const custom = {};
      for (const f of fields.value) {
        const v = form.custom_fields[f.key];
        if (v !== undefined && v !== null && v !== '') custom[f.key] = v;
      }
      return {
        name: form.name.trim(), gender: form.gender, birth_date: form.birth_date || null,
        id_card: form.id_card.trim() || null, occupation: form.occupation, education: form.education,
        marital_status: form.marital_status, province: form.province.trim(), city: form.city.trim(),
        lifecycle: form.lifecycle, level: form.level, source: form.source, notes: form.notes,
        phones: form.phones.filter((p) => p.number.trim()),
        emails: form.emails.filter((e) => e.email.trim()),
        addresses: form.addresses.filter((a) => a.detail.trim() || a.city.trim() || a.province.trim()),
        custom_fields: custom,
        ...(props.customer ? { owner_id: props.customer.owner_id, department_id: props.customer.department_id } : {}),
      };
    }
    async function submit() {
      errs.clear();
      if (!(await validateForm(formRef.value))) return;
      saving.value = true;
      try {
        const saved = props.customer
          ? await api.put(`/customers/${props.customer.id}`, body())
          : await api.post('/customers', body());
        showSuccess(t('common.saved'));
        emit('update:modelValue', false);
        emit('saved', saved);
      } catch (err) {
        errs.handle(err);
      } finally {
        saving.value = false;
      }
    }
    const addPhone = () => form.phones.push({ number: '', label: 'mobile' });
    const addEmail = () => form.emails.push({ email: '', label: 'personal' });
    const addAddress = () => form.addresses.push({ label: 'home', province: '', city: '', detail: '', postcode: '' });
    return {
      t, form, formRef, rules, saving, submit, fields, addPhone, addEmail, addAddress, LIFECYCLES, PHONE_LABELS,
      ADDRESS_LABELS, fieldErrors: errs.fieldErrors,
    };
  },
  template: `
    <el-dialog :model-value="modelValue" :title="customer ? t('customers.edit') : t('customers.create')" width="760px"
               :close-on-click-modal="false" append-to-body @update:model-value="$emit('update:modelValue', $event)">
      <el-form ref="formRef" :model="form" :rules="rules" label-width="auto" data-test="customer-form" @submit.prevent="submit">
        <el-row :gutter="16">
          <el-col :span="12">
            <el-form-item :label="t('customers.name')" prop="name" :error="fieldErrors.name">
              <el-input v-model="form.name" maxlength="100" data-test="customer-name" />
            </el-form-item>
          </el-col>
          <el-col :span="12">
            <el-form-item :label="t('customers.gender')" :error="fieldErrors.gender">
              <el-radio-group v-model="form.gender" data-test="customer-gender">
                <el-radio-button v-for="g in ['male', 'female', 'unknown']" :key="g" :value="g">{{ t('customers.genderValue.' + g) }}</el-radio-button>
              </el-radio-group>
            </el-form-item>
          </el-col>
          <el-col :span="12">
            <el-form-item :label="t('customers.idCard')" :error="fieldErrors.id_card">
              <el-input v-model="form.id_card" maxlength="20" data-test="customer-id-card" />
            </el-form-item>
          </el-col>
          <el-col :span="12">
            <el-form-item :label="t('customers.birthDate')" :error="fieldErrors.birth_date">
              <el-date-picker v-model="form.birth_date" type="date" value-format="YYYY-MM-DD" clearable
                              :placeholder="t('customers.fromIdCard')" data-test="customer-birth-date" />
            </el-form-item>
          </el-col>
          <el-col :span="12">
            <el-form-item :label="t('customers.level')" :error="fieldErrors.level">
              <el-select v-model="form.level" class="sb-full" data-test="customer-level">
                <el-option v-for="l in vocabulary.levels" :key="l.code" :value="l.code" :label="l.label" />
              </el-select>
            </el-form-item>
          </el-col>
          <el-col :span="12">
            <el-form-item :label="t('customers.lifecycle')" :error="fieldErrors.lifecycle">
              <el-select v-model="form.lifecycle" class="sb-full" data-test="customer-lifecycle">
                <el-option v-for="l in LIFECYCLES" :key="l" :value="l" :label="t('customers.lifecycleValue.' + l)" />
              </el-select>
            </el-form-item>
          </el-col>
        </el-row>
        <el-form-item :label="t('customers.phones')" :error="fieldErrors.phones">
          <div class="sb-full">
            <div v-for="(p, i) in form.phones" :key="'p' + i" class="sb-row sb-mb-xs">
              <el-input v-model="p.number" maxlength="40" :placeholder="t('customers.phoneHint')" :data-test="'customer-phone-' + i" />
              <el-select v-model="p.label" style="width: 120px">
                <el-option v-for="l in PHONE_LABELS" :key="l" :value="l" :label="t('customers.phoneLabel.' + l)" />
              </el-select>
              <el-button link type="danger" :icon="$icons.Delete" @click="form.phones.splice(i, 1)" />
            </div>
            <el-button link type="primary" :icon="$icons.Plus" data-test="customer-add-phone" @click="addPhone">{{ t('customers.addPhone') }}</el-button>
          </div>
        </el-form-item>
        <el-form-item :label="t('customers.emails')" :error="fieldErrors.emails">
          <div class="sb-full">
            <div v-for="(e, i) in form.emails" :key="'e' + i" class="sb-row sb-mb-xs">
              <el-input v-model="e.email" maxlength="254" :data-test="'customer-email-' + i" />
              <el-button link type="danger" :icon="$icons.Delete" @click="form.emails.splice(i, 1)" />
            </div>
            <el-button link type="primary" :icon="$icons.Plus" @click="addEmail">{{ t('customers.addEmail') }}</el-button>
          </div>
        </el-form-item>
        <el-form-item :label="t('customers.addresses')" :error="fieldErrors.addresses">
          <div class="sb-full">
            <div v-for="(a, i) in form.addresses" :key="'a' + i" class="sb-row sb-mb-xs">
              <el-select v-model="a.label" style="width: 100px">
                <el-option v-for="l in ADDRESS_LABELS" :key="l" :value="l" :label="t('customers.addressLabel.' + l)" />
              </el-select>
              <el-input v-model="a.province" :placeholder="t('customers.province')" style="width: 110px" />
              <el-input v-model="a.city" :placeholder="t('customers.city')" style="width: 110px" />
              <el-input v-model="a.detail" :placeholder="t('customers.addressDetail')" />
              <el-button link type="danger" :icon="$icons.Delete" @click="form.addresses.splice(i, 1)" />
            </div>
            <el-button link type="primary" :icon="$icons.Plus" @click="addAddress">{{ t('customers.addAddress') }}</el-button>
          </div>
        </el-form-item>
        <el-row :gutter="16">
          <el-col :span="12">
            <el-form-item :label="t('customers.province')" :error="fieldErrors.province">
              <el-input v-model="form.province" maxlength="40" :placeholder="t('customers.fromNumber')" />
            </el-form-item>
          </el-col>
          <el-col :span="12">
            <el-form-item :label="t('customers.city')" :error="fieldErrors.city">
              <el-input v-model="form.city" maxlength="40" :placeholder="t('customers.fromNumber')" />
            </el-form-item>
          </el-col>
          <el-col :span="12">
            <el-form-item :label="t('customers.occupation')" :error="fieldErrors.occupation">
              <el-input v-model="form.occupation" maxlength="200" />
            </el-form-item>
          </el-col>
          <el-col :span="12">
            <el-form-item :label="t('customers.education')" :error="fieldErrors.education">
              <el-select v-model="form.education" clearable class="sb-full">
                <el-option v-for="l in vocabulary.educations" :key="l.code" :value="l.code" :label="l.label" />
              </el-select>
            </el-form-item>
          </el-col>
          <el-col :span="12">
            <el-form-item :label="t('customers.maritalStatus')" :error="fieldErrors.marital_status">
              <el-select v-model="form.marital_status" clearable class="sb-full">
                <el-option v-for="l in vocabulary.marital_statuses" :key="l.code" :value="l.code" :label="l.label" />
              </el-select>
            </el-form-item>
          </el-col>
          <el-col :span="12">
            <el-form-item :label="t('customers.source')" :error="fieldErrors.source">
              <el-input v-model="form.source" maxlength="200" />
            </el-form-item>
          </el-col>
          <el-col v-for="f in fields" :key="f.key" :span="12">
            <el-form-item :label="f.label" :required="f.required" :error="fieldErrors.custom_fields">
              <el-input-number v-if="f.kind === 'number'" v-model="form.custom_fields[f.key]" class="sb-full" :data-test="'customer-custom-' + f.key" />
              <el-date-picker v-else-if="f.kind === 'date'" v-model="form.custom_fields[f.key]" type="date" value-format="YYYY-MM-DD" :data-test="'customer-custom-' + f.key" />
              <el-select v-else-if="f.kind === 'choice'" v-model="form.custom_fields[f.key]" clearable class="sb-full" :data-test="'customer-custom-' + f.key">
                <el-option v-for="c in (vocabulary.field_choices[f.dictionary_type] || [])" :key="c.code" :value="c.code" :label="c.label" />
              </el-select>
              <el-input v-else v-model="form.custom_fields[f.key]" maxlength="1000" :data-test="'customer-custom-' + f.key" />
            </el-form-item>
          </el-col>
        </el-row>
        <el-form-item :label="t('customers.notes')" :error="fieldErrors.notes">
          <el-input v-model="form.notes" type="textarea" :rows="2" maxlength="4000" />
        </el-form-item>
      </el-form>
      <template #footer>
        <el-button @click="$emit('update:modelValue', false)">{{ t('common.cancel') }}</el-button>
        <el-button type="primary" :loading="saving" data-test="customer-save" @click="submit">{{ t('common.save') }}</el-button>
      </template>
    </el-dialog>`,
};

/** Labels of the dictionary codes a customer holds. */
export function labelOf(list, code) {
  const found = (list || []).find((i) => i.code === code);
  return found ? found.label : code;
}
