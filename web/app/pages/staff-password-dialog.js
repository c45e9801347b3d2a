// Reset a staff member's password (POST /staff/{id}/password).
import { ref, reactive, watch } from 'vue';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { useFieldErrors, validateForm, required, passwordLengthRule, showSuccess } from '../util.js';

export default {
  name: 'StaffPasswordDialog',
  props: {
    modelValue: { type: Boolean, default: false },
    staff: { type: Object, default: null },
  },
  emits: ['update:modelValue', 'saved'],
  setup(props, { emit }) {
    const formRef = ref(null);
    const form = reactive({ password: '', confirm: '' });
    const saving = ref(false);
    const errs = useFieldErrors();
    const rules = {
      password: [required('profile.newPassword'), passwordLengthRule],
      confirm: [
        required('profile.confirmPassword'),
        {
          trigger: 'blur',
          validator: (_r, v, cb) => cb(v !== form.password ? new Error(t('validation.passwordMismatch')) : undefined),
        },
      ],
    };
    watch(
      () => props.modelValue,
      (open) => {
        if (!open) return;
        errs.clear();
        form.password = '';
        form.confirm = '';
        setTimeout(() => formRef.value && formRef.value.clearValidate(), 0);
      },
    );
    function close() {
      emit('update:modelValue', false);
    }
    async function submit() {
      errs.clear();
      if (!(await validateForm(formRef.value))) return;
      saving.value = true;
      try {
        await api.post(`/staff/${props.staff.id}/password`, { password: form.password });
        showSuccess(t('staff.passwordReset'));
        emit('saved');
        close();
      } catch (err) {
        errs.handle(err);
      } finally {
        saving.value = false;
      }
    }
    return { t, formRef, form, rules, saving, close, submit, fieldErrors: errs.fieldErrors };
  },
  template: `
    <el-dialog :model-value="modelValue" :title="t('staff.resetPassword')" width="460px"
               :close-on-click-modal="false" append-to-body @close="close">
      <p v-if="staff" class="sb-muted sb-mb">{{ t('staff.resetPasswordFor', { name: staff.name, id: staff.employee_id }) }}</p>
      <el-form ref="formRef" :model="form" :rules="rules" label-width="auto" data-test="staff-password-form"
               @submit.prevent="submit">
        <el-form-item :label="t('profile.newPassword')" prop="password" :error="fieldErrors.password">
          <el-input v-model="form.password" type="password" show-password autocomplete="new-password"
                    data-test="staff-reset-password" />
        </el-form-item>
        <el-form-item :label="t('profile.confirmPassword')" prop="confirm">
          <el-input v-model="form.confirm" type="password" show-password autocomplete="new-password"
                    data-test="staff-reset-confirm" />
        </el-form-item>
      </el-form>
      <template #footer>
        <el-button @click="close">{{ t('common.cancel') }}</el-button>
        <el-button type="primary" :loading="saving" data-test="staff-reset-save" @click="submit">
          {{ t('common.save') }}</el-button>
      </template>
    </el-dialog>`,
};
