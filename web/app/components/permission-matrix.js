// Permission matrix: rows = resources, columns = actions, one checkbox per permission code.
import { computed } from 'vue';
import { t, tOr } from '../i18n.js';

export default {
  name: 'PermissionMatrix',
  props: {
    catalogue: { type: Array, default: () => [] }, // [{code, resource, action}]
    modelValue: { type: Array, default: () => [] }, // granted codes
    disabled: { type: Boolean, default: false },
  },
  emits: ['update:modelValue'],
  setup(props, { emit }) {
    const resources = computed(() => [...new Set(props.catalogue.map((p) => p.resource))]);
    const actions = computed(() => [...new Set(props.catalogue.map((p) => p.action))]);
    const byCell = computed(() => {
      const m = new Map();
      for (const p of props.catalogue) m.set(`${p.resource}|${p.action}`, p.code);
      return m;
    });
    const granted = computed(() => new Set(props.modelValue));
    const cell = (resource, action) => byCell.value.get(`${resource}|${action}`);
    const codesOfRow = (resource) => props.catalogue.filter((p) => p.resource === resource).map((p) => p.code);
    const codesOfCol = (action) => props.catalogue.filter((p) => p.action === action).map((p) => p.code);
    const count = (codes) => codes.filter((c) => granted.value.has(c)).length;
    const state = (codes) => {
      const n = count(codes);
      return { all: n > 0 && n === codes.length, some: n > 0 && n < codes.length };
    };

    function set(codes, on) {
      const next = new Set(props.modelValue);
      for (const c of codes) {
        if (on) next.add(c);
        else next.delete(c);
      }
      // keep catalogue order so the saved list is stable
      emit('update:modelValue', props.catalogue.map((p) => p.code).filter((c) => next.has(c)));
    }
    const allCodes = computed(() => props.catalogue.map((p) => p.code));
    const resourceLabel = (r) => tOr(`permissions.resource.${r}`, r);
    const actionLabel = (a) => tOr(`permissions.action.${a}`, a);
    return {
      t, resources, actions, granted, cell, codesOfRow, codesOfCol, state, set, allCodes,
      resourceLabel, actionLabel,
    };
  },
  template: `
    <div class="sb-matrix-wrap" data-test="permission-matrix">
      <table class="sb-matrix">
        <thead>
          <tr>
            <th class="sb-matrix-res">
              <el-checkbox :model-value="state(allCodes).all" :indeterminate="state(allCodes).some"
                           :disabled="disabled" data-test="perm-all" @change="set(allCodes, $event)">
                {{ t('roles.resource') }}</el-checkbox>
            </th>
            <th v-for="a in actions" :key="a">
              <el-checkbox :model-value="state(codesOfCol(a)).all" :indeterminate="state(codesOfCol(a)).some"
                           :disabled="disabled" :data-test="'perm-col-' + a" @change="set(codesOfCol(a), $event)">
                {{ actionLabel(a) }}</el-checkbox>
            </th>
          </tr>
        </thead>
        <tbody>
          <tr v-for="r in resources" :key="r">
            <td class="sb-matrix-res">
              <el-checkbox :model-value="state(codesOfRow(r)).all" :indeterminate="state(codesOfRow(r)).some"
                           :disabled="disabled" :data-test="'perm-row-' + r" @change="set(codesOfRow(r), $event)">
                {{ resourceLabel(r) }}</el-checkbox>
            </td>
            <td v-for="a in actions" :key="a" class="sb-matrix-cell">
              <el-checkbox v-if="cell(r, a)" :model-value="granted.has(cell(r, a))" :disabled="disabled"
                           :data-test="'perm-' + cell(r, a)" :title="cell(r, a)"
                           @change="set([cell(r, a)], $event)" />
              <span v-else class="sb-matrix-none">—</span>
            </td>
          </tr>
        </tbody>
      </table>
    </div>`,
};
