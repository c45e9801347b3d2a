// Create / edit a staff member: identity, department, roles, contact, initial password, follow-me to the mobile (G8).
import { ref, reactive, computed, watch } from 'vue';
import { api } from '../api.js';
import { t } from '../i18n.js';
import {
  useFieldErrors, validateForm, required, maxLen, emailRule, mobileRule, digitsRule, showSuccess,
  passwordLengthRule,
} from '../util.js';
import DeptSelect from '../components/dept-select.js';

const pinRule = {
  trigger: 'blur',
  validator: (_rule, value, cb) => {
    cb(value && !/^[0-9]{4,8}$/.test(value) ? new Error(t('staff.agentPinRule')) : undefined);
  },
};

const EMPTY = {
  employee_id: '', name: '', department_id: null, work_group: '', mobile: '', email: '',
  extension: '', enabled: true, role_ids: [], password: '', agent_pin: '', follow_me_mode: 'off', follow_me_delay_s: 15,
};

export default {
  name: 'StaffDialog',
  components: { DeptSelect },
  props: {
    modelValue: { type: Boolean, default: false },
    staff: { type: Object, default: null }, // null: create
    departments: { type: Array, default: () => [] },
    roles: { type: Array, default: () => [] },
    defaultDepartmentId: { type: Number, default: null },
  },
  emits: ['update:modelValue', 'saved'],
  setup(props, { emit }) {
    const formRef = ref(null);
    const form = reactive({ ...EMPTY });
    const saving = ref(false);
    const errs = useFieldErrors();
    const isEdit = computed(() => !!props.staff);
    const roleOptions = computed(() => {
      const byId = new Map(props.roles.map((r) => [r.id, r]));
      for (const r of (props.staff && props.staff.roles) || []) if (!byId.has(r.id)) byId.set(r.id, r);
      return [...byId.values()];
    });
    const rules = computed(() => ({
      employee_id: [required('staff.employeeId'), maxLen(32)],
      name: [required('staff.name'), maxLen(64)],
      mobile: [mobileRule],
      email: [emailRule],
      extension: [digitsRule],
      password: isEdit.value ? [] : [passwordLengthRule],
      agent_pin: [pinRule],
    }));
    const pinIsSet = computed(() => !!(props.staff && props.staff.has_agent_pin));

    watch(
      () => props.modelValue,
      (open) => {
        if (!open) return;
        errs.clear();
        const s = props.staff;
        Object.assign(form, EMPTY, { role_ids: [], department_id: props.defaultDepartmentId });
        if (s) {
          Object.assign(form, {
            employee_id: s.employee_id || '', name: s.name || '', department_id: s.department_id ?? null,
            work_group: s.work_group || '', mobile: s.mobile || '', email: s.email || '',
            extension: s.extension || '', enabled: s.enabled !== false,
            role_ids: (s.roles || []).map((r) => r.id),
            follow_me_mode: s.follow_me_mode || 'off', follow_me_delay_s: s.follow_me_delay_s ?? 15,
          });
        }
        setTimeout(() => formRef.value && formRef.value.clearValidate(), 0);
      },
    );

    function close() {
      emit('update:modelValue', false);
    }
    const opt = (v) => (v && v.trim() ? v.trim() : null);
    async function submit() {
      errs.clear();
      if (!(await validateForm(formRef.value))) return;
      saving.value = true;
      const body = {
        employee_id: form.employee_id.trim(),
        name: form.name.trim(),
        department_id: form.department_id,
        work_group: opt(form.work_group),
        mobile: opt(form.mobile),
        email: opt(form.email),
        extension: opt(form.extension),
        enabled: form.enabled,
        role_ids: form.role_ids,
        follow_me_mode: form.follow_me_mode,
        follow_me_delay_s: form.follow_me_delay_s,
      };
      if (!isEdit.value && form.password) body.password = form.password;
      try {
        const saved = isEdit.value
          ? await api.put(`/staff/${props.staff.id}`, body)
          : await api.post('/staff', body);
        if (form.agent_pin) {
          await api.put(`/staff/${saved.id}/agent-pin`, { pin: form.agent_pin });
          saved.has_agent_pin = true;
        }
        showSuccess(t('common.saved'));
        emit('saved', saved);
        close();
      } catch (err) {
        errs.handle(err);
      } finally {
        saving.value = false;
      }
    }
    return { t, formRef, form, rules, saving, isEdit, pinIsSet, roleOptions, close, submit, fieldErrors: errs.fieldErrors };
  },
  template: `
    <el-dialog :model-value="modelValue" :title="isEdit ? t('staff.edit') : t('staff.create')" width="640px"
               :close-on-click-modal="false" append-to-body @close="close">
      <el-form ref="formRef" :model="form" :rules="rules" label-width="auto" data-test="staff-form"
               @submit.prevent="submit">
        <el-row :gutter="12">
          <el-col :span="12">
            <el-form-item :label="t('staff.employeeId')" prop="employee_id" :error="fieldErrors.employee_id">
              <el-input v-model="form.employee_id" maxlength="32" data-test="staff-employee-id" />
            </el-form-item>
          </el-col>
          <el-col :span="12">
            <el-form-item :label="t('staff.name')" prop="name" :error="fieldErrors.name">
              <el-input v-model="form.name" maxlength="64" data-test="staff-name" />
            </el-form-item>
          </el-col>
        </el-row>
        <el-form-item :label="t('staff.department')" :error="fieldErrors.department_id" data-test="staff-department">
          <dept-select v-model="form.department_id" :departments="departments" />
        </el-form-item>
        <el-form-item :label="t('staff.roles')" :error="fieldErrors.role_ids" data-test="staff-roles">
          <el-select v-model="form.role_ids" multiple filterable :placeholder="t('staff.chooseRoles')"
                     :no-data-text="t('staff.noRolesAvailable')" class="sb-full">
            <el-option v-for="r in roleOptions" :key="r.id" :label="r.name" :value="r.id"
                       :data-test="'staff-role-option-' + r.code" />
          </el-select>
        </el-form-item>
        <el-row :gutter="12">
          <el-col :span="12">
            <el-form-item :label="t('staff.workGroup')" :error="fieldErrors.work_group">
              <el-input v-model="form.work_group" maxlength="64" data-test="staff-work-group" />
            </el-form-item>
          </el-col>
          <el-col :span="12">
            <el-form-item :label="t('staff.extension')" prop="extension" :error="fieldErrors.extension">
              <el-input v-model="form.extension" maxlength="16" data-test="staff-extension" />
            </el-form-item>
          </el-col>
          <el-col :span="12">
            <el-form-item :label="t('staff.mobile')" prop="mobile" :error="fieldErrors.mobile">
              <el-input v-model="form.mobile" maxlength="20" data-test="staff-mobile" />
            </el-form-item>
          </el-col>
          <el-col :span="12">
            <el-form-item :label="t('staff.email')" prop="email" :error="fieldErrors.email">
              <el-input v-model="form.email" maxlength="128" data-test="staff-email" />
            </el-form-item>
          </el-col>
        </el-row>
        <el-form-item v-if="!isEdit" :label="t('staff.initialPassword')" prop="password" :error="fieldErrors.password">
          <el-input v-model="form.password" type="password" show-password autocomplete="new-password"
                    :placeholder="t('staff.initialPasswordHint')" data-test="staff-password" />
        </el-form-item>
        <el-form-item :label="t('staff.agentPin')" prop="agent_pin" :error="fieldErrors.pin">
          <el-input v-model="form.agent_pin" type="password" show-password autocomplete="new-password"
                    maxlength="8" inputmode="numeric" data-test="staff-agent-pin"
                    :placeholder="pinIsSet ? t('staff.agentPinIsSet') : t('staff.agentPinHint')" />
        </el-form-item>
        <el-form-item :label="t('followMe.title')" :error="fieldErrors.follow_me_mode || fieldErrors.follow_me_delay_s">
          <el-select v-model="form.follow_me_mode" style="width: 200px" data-test="staff-follow-me-mode">
            <el-option v-for="m in ['off', 'no_answer', 'always']" :key="m" :value="m" :label="t('followMe.modes.' + m)" />
          </el-select>
          <template v-if="form.follow_me_mode === 'no_answer'">
            <el-input-number v-model="form.follow_me_delay_s" :min="0" :max="120" :step="5" style="margin-left: 8px"
                             data-test="staff-follow-me-delay" />
            <span class="sb-muted" style="margin-left: 8px">{{ t('followMe.seconds') }}</span>
          </template>
        </el-form-item>
        <el-form-item :label="t('staff.enabled')" :error="fieldErrors.enabled">
          <el-switch v-model="form.enabled" data-test="staff-enabled" />
        </el-form-item>
      </el-form>
      <template #footer>
        <el-button data-test="staff-cancel" @click="close">{{ t('common.cancel') }}</el-button>
        <el-button type="primary" :loading="saving" data-test="staff-save" @click="submit">{{ t('common.save') }}</el-button>
      </template>
    </el-dialog>`,
};
