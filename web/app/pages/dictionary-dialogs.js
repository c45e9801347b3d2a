// Dialogs of the dictionary page: a type (code, name, description) and an item.
import { ref, reactive, computed, watch } from 'vue';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { buildTree, subtreeIds, useFieldErrors, validateForm, required, maxLen, showSuccess } from '../util.js';

const codeRule = {
  trigger: 'blur',
  validator: (_r, v, cb) => cb(v && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(v) ? new Error(t('validation.code')) : undefined),
};

/** Shared dialog plumbing: open/close, field errors, save with a given request. */
function useDialog(props, emit, formRef, fill) {
  const saving = ref(false);
  const errs = useFieldErrors();
  watch(() => props.modelValue, (open) => {
    if (!open) return;
    errs.clear();
    fill();
    setTimeout(() => formRef.value && formRef.value.clearValidate(), 0);
  });
  const close = () => emit('update:modelValue', false);
  async function save(send) {
    errs.clear();
    if (!(await validateForm(formRef.value))) return;
    saving.value = true;
    try {
      const saved = await send();
      showSuccess(t('common.saved'));
      emit('saved', saved);
      close();
    } catch (err) {
      errs.handle(err);
    } finally {
      saving.value = false;
    }
  }
  return { saving, close, save, fieldErrors: errs.fieldErrors };
}

export const DictTypeDialog = {
  name: 'DictTypeDialog',
  props: { modelValue: Boolean, type: { type: Object, default: null } },
  emits: ['update:modelValue', 'saved'],
  setup(props, { emit }) {
    const formRef = ref(null);
    const form = reactive({ code: '', name: '', description: '' });
    const rules = { code: [required('dictionary.code'), maxLen(64), codeRule], name: [required('dictionary.typeName'), maxLen(64)] };
    const d = useDialog(props, emit, formRef, () => {
      form.code = props.type ? props.type.code : '';
      form.name = props.type ? props.type.name : '';
      form.description = props.type ? props.type.description || '' : '';
    });
    const submit = () => d.save(() => {
      const body = { code: form.code.trim(), name: form.name.trim(), description: form.description.trim() || null };
      return props.type ? api.put(`/dictionary/${props.type.id}`, body) : api.post('/dictionary', body);
    });
    return { t, formRef, form, rules, submit, ...d };
  },
  template: `
    <el-dialog :model-value="modelValue" :title="type ? t('dictionary.editType') : t('dictionary.createType')"
               width="500px" :close-on-click-modal="false" append-to-body @close="close">
      <el-form ref="formRef" :model="form" :rules="rules" label-width="auto" data-test="dict-type-form"
               @submit.prevent="submit">
        <el-form-item :label="t('dictionary.code')" prop="code" :error="fieldErrors.code">
          <el-input v-model="form.code" maxlength="64" data-test="dict-type-code" />
        </el-form-item>
        <el-form-item :label="t('dictionary.typeName')" prop="name" :error="fieldErrors.name">
          <el-input v-model="form.name" maxlength="64" data-test="dict-type-name" />
        </el-form-item>
        <el-form-item :label="t('dictionary.description')" :error="fieldErrors.description">
          <el-input v-model="form.description" type="textarea" :rows="2" maxlength="255" />
        </el-form-item>
      </el-form>
      <template #footer>
        <el-button @click="close">{{ t('common.cancel') }}</el-button>
        <el-button type="primary" :loading="saving" data-test="dict-type-save" @click="submit">{{ t('common.save') }}</el-button>
      </template>
    </el-dialog>`,
};

export const DictItemDialog = {
  name: 'DictItemDialog',
  props: {
    modelValue: Boolean,
    typeId: { type: Number, default: null },
    item: { type: Object, default: null }, // null: create
    items: { type: Array, default: () => [] }, // all items of the type (flat)
    parentId: { type: Number, default: null },
  },
  emits: ['update:modelValue', 'saved'],
  setup(props, { emit }) {
    const formRef = ref(null);
    const form = reactive({ code: '', label: '', parent_id: null, sort_order: 0, enabled: true });
    const rules = { code: [required('dictionary.code'), maxLen(64), codeRule], label: [required('dictionary.label'), maxLen(128)] };
    const parents = computed(() => {
      const banned = props.item ? subtreeIds(buildTree(props.items, { labelKey: 'label' }), props.item.id) : new Set();
      return props.items.filter((i) => !banned.has(i.id));
    });
    const d = useDialog(props, emit, formRef, () => {
      const i = props.item;
      form.code = i ? i.code : '';
      form.label = i ? i.label : '';
      form.parent_id = i ? i.parent_id ?? null : props.parentId;
      form.sort_order = i ? i.sort_order ?? 0 : 0;
      form.enabled = i ? i.enabled !== false : true;
    });
    const submit = () => d.save(() => {
      const body = {
        code: form.code.trim(), label: form.label.trim(), parent_id: form.parent_id ?? null,
        sort_order: form.sort_order ?? 0, enabled: form.enabled,
      };
      return props.item ? api.put(`/dictionary-items/${props.item.id}`, body) : api.post(`/dictionary/${props.typeId}/items`, body);
    });
    return { t, formRef, form, rules, parents, submit, ...d };
  },
  template: `
    <el-dialog :model-value="modelValue" :title="item ? t('dictionary.editItem') : t('dictionary.createItem')"
               width="520px" :close-on-click-modal="false" append-to-body @close="close">
      <el-form ref="formRef" :model="form" :rules="rules" label-width="auto" data-test="dict-item-form"
               @submit.prevent="submit">
        <el-form-item :label="t('dictionary.code')" prop="code" :error="fieldErrors.code">
          <el-input v-model="form.code" maxlength="64" data-test="dict-item-code" />
        </el-form-item>
        <el-form-item :label="t('dictionary.label')" prop="label" :error="fieldErrors.label">
          <el-input v-model="form.label" maxlength="128" data-test="dict-item-label" />
        </el-form-item>
        <el-form-item :label="t('dictionary.parent')" :error="fieldErrors.parent_id" data-test="dict-item-parent">
          <el-select v-model="form.parent_id" clearable filterable :placeholder="t('dictionary.noParent')" class="sb-full">
            <el-option v-for="p in parents" :key="p.id" :value="p.id" :label="p.label + ' (' + p.code + ')'" />
          </el-select>
        </el-form-item>
        <el-form-item :label="t('dictionary.sortOrder')" :error="fieldErrors.sort_order">
          <el-input-number v-model="form.sort_order" :min="0" :max="99999" controls-position="right" />
        </el-form-item>
        <el-form-item :label="t('dictionary.enabled')" :error="fieldErrors.enabled">
          <el-switch v-model="form.enabled" />
        </el-form-item>
      </el-form>
      <template #footer>
        <el-button @click="close">{{ t('common.cancel') }}</el-button>
        <el-button type="primary" :loading="saving" data-test="dict-item-save" @click="submit">{{ t('common.save') }}</el-button>
      </template>
    </el-dialog>`,
};
