// Create / edit a SIP extension: number, name, call class, phones at once, password (write-only).
import { ref, reactive, computed, watch } from 'vue';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { useFieldErrors, validateForm, required, maxLen, showSuccess } from '../util.js';
import { WARNINGS_CHANGED } from '../components/demo-password-warning.js';

export const CALL_CLASSES = ['internal', 'local', 'national', 'international'];
const EMPTY = { extension: '', display_name: '', password: '', call_class: 'national', max_contacts: 3, enabled: true,
  record_calls: false };
export const SIP_PASSWORD_RE = /^(?=.*[A-Za-z])(?=.*[0-9])[\x21-\x7e]{8,64}$/;

export const sipPasswordRule = (optional) => ({
  trigger: 'blur',
  validator: (_r, v, cb) => {
    if (!v && optional) return cb();
    cb(SIP_PASSWORD_RE.test(v || '') ? undefined : new Error(t('extensions.passwordHint')));
  },
});

export default {
  name: 'ExtensionDialog',
  props: {
    modelValue: { type: Boolean, default: false },
    extension: { type: Object, default: null }, // null: create
  },
  emits: ['update:modelValue', 'saved'],
  setup(props, { emit }) {
    const formRef = ref(null);
    const form = reactive({ ...EMPTY });
    const saving = ref(false);
    const errs = useFieldErrors();
    const isEdit = computed(() => !!props.extension);
    const rules = computed(() => ({
      extension: [required('extensions.extension'), {
        trigger: 'blur',
        validator: (_r, v, cb) => cb(/^[0-9]{2,10}$/.test(v || '') ? undefined : new Error(t('extensionGroups.badExtension', { ext: v }))),
      }],
      display_name: [maxLen(64)],
      password: [sipPasswordRule(isEdit.value)],
    }));

    watch(
      () => props.modelValue,
      (open) => {
        if (!open) return;
        errs.clear();
        Object.assign(form, EMPTY);
        const e = props.extension;
        if (e) {
          Object.assign(form, {
            extension: e.extension, display_name: e.display_name || '', call_class: e.call_class,
            max_contacts: e.max_contacts, enabled: e.enabled !== false, record_calls: e.record_calls === true,
          });
        }
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
      const body = {
        extension: form.extension.trim(), display_name: form.display_name.trim() || null,
        call_class: form.call_class, max_contacts: form.max_contacts, enabled: form.enabled,
        record_calls: form.record_calls,
      };
      if (form.password) body.password = form.password;
      try {
        const saved = isEdit.value
          ? await api.put(`/extensions/${props.extension.id}`, body)
          : await api.post('/extensions', body);
        showSuccess(t('common.saved'));
        if (body.password) window.dispatchEvent(new Event(WARNINGS_CHANGED));
        emit('saved', saved);
        close();
      } catch (err) {
        errs.handle(err);
      } finally {
        saving.value = false;
      }
    }
    return { t, formRef, form, rules, saving, isEdit, close, submit, CALL_CLASSES, fieldErrors: errs.fieldErrors };
  },
  template: `
    <el-dialog :model-value="modelValue" :title="isEdit ? t('extensions.edit') : t('extensions.create')" width="560px"
               :close-on-click-modal="false" append-to-body @close="close">
      <el-form ref="formRef" :model="form" :rules="rules" label-width="auto" data-test="extension-form"
               @submit.prevent="submit">
        <el-form-item :label="t('extensions.extension')" prop="extension" :error="fieldErrors.extension">
          <el-input v-model="form.extension" maxlength="10" data-test="extension-number" />
        </el-form-item>
        <el-form-item :label="t('extensions.displayName')" prop="display_name" :error="fieldErrors.display_name">
          <el-input v-model="form.display_name" maxlength="64" data-test="extension-display-name" />
        </el-form-item>
        <el-form-item :label="t('extensions.password')" prop="password" :error="fieldErrors.password">
          <el-input v-model="form.password" type="password" show-password autocomplete="new-password" maxlength="64"
                    :placeholder="isEdit ? t('extensions.passwordKeep') : t('extensions.passwordHint')"
                    data-test="extension-password" />
        </el-form-item>
        <el-form-item :label="t('extensions.callClass')" :error="fieldErrors.call_class" data-test="extension-call-class">
          <el-select v-model="form.call_class" class="sb-full">
            <el-option v-for="c in CALL_CLASSES" :key="c" :value="c" :label="t('callClass.' + c)" />
          </el-select>
        </el-form-item>
        <el-form-item :label="t('extensions.maxContacts')" :error="fieldErrors.max_contacts">
          <el-input-number v-model="form.max_contacts" :min="1" :max="10" data-test="extension-max-contacts" />
        </el-form-item>
        <el-form-item :label="t('extensions.enabled')" :error="fieldErrors.enabled">
          <el-switch v-model="form.enabled" data-test="extension-enabled" />
        </el-form-item>
        <el-form-item :label="t('extensions.recordCalls')" :error="fieldErrors.record_calls">
          <el-switch v-model="form.record_calls" data-test="extension-record-calls" />
          <div class="sb-form-hint sb-ml">{{ t('extensions.recordCallsHint') }}</div>
        </el-form-item>
      </el-form>
      <template #footer>
        <el-button data-test="extension-cancel" @click="close">{{ t('common.cancel') }}</el-button>
        <el-button type="primary" :loading="saving" data-test="extension-save" @click="submit">{{ t('common.save') }}</el-button>
      </template>
    </el-dialog>`,
};
