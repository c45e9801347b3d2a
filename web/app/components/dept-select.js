// Department picker: a tree select over the department tree.
import { computed } from 'vue';
import { t } from '../i18n.js';
import { buildTree, pruneEmptyChildren } from '../util.js';

export default {
  name: 'DeptSelect',
  props: {
    modelValue: { type: [Number, null], default: null },
    departments: { type: Array, default: () => [] },
    exclude: { type: Object, default: null }, // Set of ids that may not be chosen
    placeholder: { type: String, default: '' },
    clearable: { type: Boolean, default: true },
  },
  emits: ['update:modelValue', 'change'],
  setup(props, { emit }) {
    const tree = computed(() => {
      const mark = (nodes) =>
        nodes.map((n) => ({
          ...n,
          label: n.number ? `${n.name} (${n.number})` : n.name,
          disabled: !!(props.exclude && props.exclude.has(n.id)),
          children: n.children ? mark(n.children) : undefined,
        }));
      return mark(pruneEmptyChildren(buildTree(props.departments)));
    });
    const value = computed({
      get: () => props.modelValue,
      set: (v) => {
        const id = v === '' || v === undefined ? null : v;
        emit('update:modelValue', id);
        emit('change', id);
      },
    });
    return { t, tree, value };
  },
  template: `
    <el-tree-select v-model="value" :data="tree" node-key="id" check-strictly filterable default-expand-all
                    :render-after-expand="false" :clearable="clearable" class="sb-dept-select"
                    :props="{ label: 'label', children: 'children', disabled: 'disabled' }"
                    :placeholder="placeholder || t('staff.chooseDepartment')"
                    :no-data-text="t('common.noData')" />`,
};
