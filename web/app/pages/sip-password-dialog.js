// Set a new SIP password on an extension (typed twice, or generated). The server keeps only
// digest hashes, so the password is shown here once for configuring the phone.
import { ref, reactive, computed, watch } from 'vue';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { useFieldErrors, validateForm, showSuccess } from '../util.js';
import { sipPasswordRule } from './extension-dialog.js';
import { WARNINGS_CHANGED } from '../components/demo-password-warning.js';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** 16 characters from the browser's CSPRNG (unbiased), with at least one letter and one digit. */
function generatePassword() {
  const limit = 256 - (256 % ALPHABET.length);
  for (;;) {
    let pw = '';
    while (pw.length < 16) {
      for (const b of crypto.getRandomValues(new Uint8Array(32))) {
        if (b < limit && pw.length < 16) pw += ALPHABET[b % ALPHABET.length];
      }
    }
    if (/[A-Za-z]/.test(pw) && /[0-9]/.test(pw)) return pw;
  }
}

export default {
  name: 'SipPasswordDialog',
  props: {
    modelValue: { type: Boolean, default: false },
    extension: { type: Object, default: null },
  },
  emits: ['update:modelValue', 'saved'],
  setup(props, { emit }) {
    const formRef = ref(null);
    const form = reactive({ password: '', confirm: '' });
    const saving = ref(false);
    const shown = ref(false);
    const errs = useFieldErrors();
    const rules = computed(() => ({
      password: [sipPasswordRule(false)],
      confirm: [{
        trigger: 'blur',
        validator: (_r, v, cb) => cb(v === form.password ? undefined : new Error(t('validation.passwordMismatch'))),
      }],
    }));
    watch(
      () => props.modelValue,
      (open) => {
        if (!open) return;
        errs.clear();
        Object.assign(form, { password: '', confirm: '' });
        shown.value = false;
        setTimeout(() => formRef.value && formRef.value.clearValidate(), 0);
      },
    );
    function generate() {
      form.password = generatePassword();
      form.confirm = form.password;
      shown.value = true;
    }
    function close() {
      emit('update:modelValue', false);
    }
    async function submit() {
      errs.clear();
      if (!(await validateForm(formRef.value))) return;
      saving.value = true;
      try {
        const saved = await api.post(`/extensions/${props.extension.id}/password`, { password: form.password });
        showSuccess(t('extensions.passwordSet'));
        window.dispatchEvent(new Event(WARNINGS_CHANGED));
        emit('saved', saved);
        close();
      } catch (err) {
        errs.handle(err);
      } finally {
        saving.value = false;
      }
    }
    return { t, formRef, form, rules, saving, shown, generate, close, submit, fieldErrors: errs.fieldErrors };
  },
  template: `
    <el-dialog :model-value="modelValue" :title="t('extensions.resetPassword')" width="520px"
               :close-on-click-modal="false" append-to-body @close="close">
      <p v-if="extension" class="sb-muted">{{ t('extensions.resetPasswordFor', { ext: extension.extension }) }}</p>
      <el-form ref="formRef" :model="form" :rules="rules" label-width="auto" data-test="sip-password-form"
               @submit.prevent="submit">
        <el-form-item :label="t('extensions.password')" prop="password" :error="fieldErrors.password">
          <el-input v-model="form.password" :type="shown ? 'text' : 'password'" :show-password="!shown" maxlength="64"
                    autocomplete="new-password" class="sb-mono" data-test="sip-password-input">
            <template #append>
              <el-button :icon="$icons.MagicStick" data-test="sip-password-generate" @click="generate">
                {{ t('extensions.generate') }}</el-button>
            </template>
          </el-input>
        </el-form-item>
        <el-form-item :label="t('extensions.confirmPassword')" prop="confirm">
          <el-input v-model="form.confirm" :type="shown ? 'text' : 'password'" maxlength="64" autocomplete="new-password"
                    class="sb-mono" data-test="sip-password-confirm" />
        </el-form-item>
      </el-form>
      <div class="sb-form-hint">{{ t('extensions.passwordHint') }}</div>
      <div class="sb-form-hint">{{ t('extensions.passwordChangeNote') }}</div>
      <template #footer>
        <el-button @click="close">{{ t('common.cancel') }}</el-button>
        <el-button type="primary" :loading="saving" data-test="sip-password-save" @click="submit">{{ t('common.save') }}</el-button>
      </template>
    </el-dialog>`,
};
