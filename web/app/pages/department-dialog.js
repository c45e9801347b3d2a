// Create / edit a department: number, name, parent, sort order.
import { ref, reactive, computed, watch } from 'vue';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { buildTree, subtreeIds, useFieldErrors, validateForm, required, maxLen, showSuccess } from '../util.js';
import DeptSelect from '../components/dept-select.js';

export default {
  name: 'DepartmentDialog',
  components: { DeptSelect },
  props: {
    modelValue: { type: Boolean, default: false },
    department: { type: Object, default: null }, // null: create
    parentId: { type: Number, default: null }, // preset parent when creating a child
    departments: { type: Array, default: () => [] },
  },
  emits: ['update:modelValue', 'saved'],
  setup(props, { emit }) {
    const formRef = ref(null);
    const form = reactive({ number: '', name: '', parent_id: null, sort_order: 0 });
    const saving = ref(false);
    const errs = useFieldErrors();
    const isEdit = computed(() => !!props.department);
    const rules = {
      number: [required('departments.number'), maxLen(32)],
      name: [required('departments.name'), maxLen(64)],
    };
    // a department cannot move below itself
    const exclude = computed(() =>
      isEdit.value ? subtreeIds(buildTree(props.departments), props.department.id) : null,
    );

    watch(
      () => props.modelValue,
      (open) => {
        if (!open) return;
        errs.clear();
        const d = props.department;
        form.number = d ? d.number || '' : '';
        form.name = d ? d.name : '';
        form.parent_id = d ? d.parent_id ?? null : props.parentId;
        form.sort_order = d ? d.sort_order ?? 0 : 0;
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
        number: form.number.trim(),
        name: form.name.trim(),
        parent_id: form.parent_id,
        sort_order: form.sort_order ?? 0,
      };
      try {
        const saved = isEdit.value
          ? await api.put(`/departments/${props.department.id}`, body)
          : await api.post('/departments', body);
        showSuccess(t('common.saved'));
        emit('saved', saved);
        close();
      } catch (err) {
        errs.handle(err);
      } finally {
        saving.value = false;
      }
    }
    return { t, formRef, form, rules, saving, isEdit, exclude, close, submit, fieldErrors: errs.fieldErrors };
  },
  template: `
    <el-dialog :model-value="modelValue" :title="isEdit ? t('departments.edit') : t('departments.create')"
               width="520px" :close-on-click-modal="false" append-to-body @close="close">
      <el-form ref="formRef" :model="form" :rules="rules" label-width="auto" data-test="department-form"
               @submit.prevent="submit">
        <el-form-item :label="t('departments.number')" prop="number" :error="fieldErrors.number">
          <el-input v-model="form.number" maxlength="32" data-test="department-number" />
        </el-form-item>
        <el-form-item :label="t('departments.name')" prop="name" :error="fieldErrors.name">
          <el-input v-model="form.name" maxlength="64" data-test="department-name" />
        </el-form-item>
        <el-form-item :label="t('departments.parent')" :error="fieldErrors.parent_id" data-test="department-parent">
          <dept-select v-model="form.parent_id" :departments="departments" :exclude="exclude"
                       :placeholder="t('departments.topLevel')" />
        </el-form-item>
        <el-form-item :label="t('departments.sortOrder')" :error="fieldErrors.sort_order">
          <el-input-number v-model="form.sort_order" :min="0" :max="99999" controls-position="right"
                           data-test="department-sort" />
        </el-form-item>
      </el-form>
      <template #footer>
        <el-button data-test="department-cancel" @click="close">{{ t('common.cancel') }}</el-button>
        <el-button type="primary" :loading="saving" data-test="department-save" @click="submit">
          {{ t('common.save') }}
        </el-button>
      </template>
    </el-dialog>`,
};
