// Shared by the knowledge pages: the category tree (loaded once per page), state tags and a category picker.
import { reactive } from 'vue';
import { api } from '../api.js';
import { buildTree, pruneEmptyChildren } from '../util.js';

export const KB_STATES = ['draft', 'in_review', 'published', 'unpublished'];

export const kbCategories = reactive({ list: [], tree: [] });

export async function loadKbCategories() {
  kbCategories.list = await api.get('/knowledge/categories');
  kbCategories.tree = pruneEmptyChildren(buildTree(kbCategories.list, { sortKey: 'position' }));
}

export function categoryName(id) {
  const c = kbCategories.list.find((x) => x.id === id);
  return c ? c.name : '';
}

export const stateTag = (state) =>
  ({ draft: 'info', in_review: 'warning', published: 'success', unpublished: 'danger' })[state] || 'info';

// A tree select over the categories; v-model is the category id.
export const CategorySelect = {
  name: 'KbCategorySelect',
  props: { modelValue: { type: Number, default: null }, clearable: { type: Boolean, default: false },
    placeholder: { type: String, default: '' } },
  emits: ['update:modelValue'],
  setup() {
    return { kbCategories };
  },
  template: `
    <el-tree-select :model-value="modelValue" @update:model-value="$emit('update:modelValue', $event)"
      :data="kbCategories.tree" :props="{ label: 'name', children: 'children' }" node-key="id" value-key="id"
      check-strictly default-expand-all :clearable="clearable" :placeholder="placeholder"
      data-test="kb-category-select" style="width: 260px" />`,
};
