// Create / edit a role: code, name, description, data scope and the permission matrix.
import { ref, reactive, computed, watch } from 'vue';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { useFieldErrors, validateForm, required, maxLen, showSuccess } from '../util.js';
import PermissionMatrix from '../components/permission-matrix.js';

export const DATA_SCOPES = ['own', 'department', 'department_and_below', 'all'];

const codeRule = {
  trigger: 'blur',
  validator: (_r, v, cb) =>
    cb(v && !/^[A-Za-z][A-Za-z0-9_.-]*$/.test(v) ? new Error(t('validation.code')) : undefined),
};

export default {
  name: 'RoleDialog',
  components: { PermissionMatrix },
  props: {
    modelValue: { type: Boolean, default: false },
    role: { type: Object, default: null }, // null: create
    catalogue: { type: Array, default: () => [] },
    readonly: { type: Boolean, default: false },
  },
  emits: ['update:modelValue', 'saved'],
  setup(props, { emit }) {
    const formRef = ref(null);
    const form = reactive({ code: '', name: '', description: '', data_scope: 'own', permissions: [] });
    const saving = ref(false);
    const errs = useFieldErrors();
    const isEdit = computed(() => !!props.role);
    const rules = {
      code: [required('roles.code'), maxLen(32), codeRule],
      name: [required('roles.name'), maxLen(64)],
      description: [maxLen(255)],
    };
    const title = computed(() => {
      if (props.readonly) return t('roles.view');
      return isEdit.value ? t('roles.edit') : t('roles.create');
    });

    watch(
      () => props.modelValue,
      (open) => {
        if (!open) return;
        errs.clear();
        const r = props.role;
        form.code = r ? r.code : '';
        form.name = r ? r.name : '';
        form.description = r ? r.description || '' : '';
        form.data_scope = r ? r.data_scope || 'own' : 'own';
        form.permissions = r ? [...(r.permissions || [])] : [];
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
        code: form.code.trim(),
        name: form.name.trim(),
        description: form.description.trim() || null,
        data_scope: form.data_scope,
        permissions: form.permissions,
      };
      try {
        const saved = isEdit.value ? await api.put(`/roles/${props.role.id}`, body) : await api.post('/roles', body);
        showSuccess(t('common.saved'));
        emit('saved', saved);
        close();
      } catch (err) {
        errs.handle(err);
      } finally {
        saving.value = false;
      }
    }
    return { t, formRef, form, rules, saving, isEdit, title, close, submit, DATA_SCOPES, fieldErrors: errs.fieldErrors };
  },
  template: `
    <el-dialog :model-value="modelValue" :title="title" width="860px" :close-on-click-modal="false" append-to-body
               top="6vh" @close="close">
      <el-form ref="formRef" :model="form" :rules="rules" label-width="auto" :disabled="readonly"
               data-test="role-form" @submit.prevent="submit">
        <el-row :gutter="12">
          <el-col :span="12">
            <el-form-item :label="t('roles.code')" prop="code" :error="fieldErrors.code">
              <el-input v-model="form.code" maxlength="32" data-test="role-code" />
            </el-form-item>
          </el-col>
          <el-col :span="12">
            <el-form-item :label="t('roles.name')" prop="name" :error="fieldErrors.name">
              <el-input v-model="form.name" maxlength="64" data-test="role-name" />
            </el-form-item>
          </el-col>
        </el-row>
        <el-form-item :label="t('roles.description')" prop="description" :error="fieldErrors.description">
          <el-input v-model="form.description" type="textarea" :rows="2" maxlength="255" data-test="role-description" />
        </el-form-item>
        <el-form-item :label="t('roles.dataScope')" :error="fieldErrors.data_scope" data-test="role-data-scope">
          <el-select v-model="form.data_scope" class="sb-scope-select">
            <el-option v-for="s in DATA_SCOPES" :key="s" :value="s" :label="t('roles.scope.' + s)"
                       :data-test="'role-scope-' + s">
              <span>{{ t('roles.scope.' + s) }}</span>
              <span class="sb-option-hint">{{ t('roles.scopeHint.' + s) }}</span>
            </el-option>
          </el-select>
        </el-form-item>
        <el-form-item :label="t('roles.permissions')" :error="fieldErrors.permissions">
          <permission-matrix v-model="form.permissions" :catalogue="catalogue" :disabled="readonly" />
        </el-form-item>
      </el-form>
      <template #footer>
        <el-button data-test="role-cancel" @click="close">{{ readonly ? t('common.close') : t('common.cancel') }}</el-button>
        <el-button v-if="!readonly" type="primary" :loading="saving" data-test="role-save" @click="submit">
          {{ t('common.save') }}</el-button>
      </template>
    </el-dialog>`,
};
