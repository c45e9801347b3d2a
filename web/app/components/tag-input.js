// Editable list of short values shown as tags (e.g. extensions). Enter, comma, space or
// leaving the box adds what was typed; pasting "8001, 8002 8003" adds three.
import { ref, computed } from 'vue';

export default {
  name: 'TagInput',
  props: {
    modelValue: { type: Array, default: () => [] },
    placeholder: { type: String, default: '' },
    maxlength: { type: Number, default: 16 },
    disabled: { type: Boolean, default: false },
  },
  emits: ['update:modelValue', 'change'],
  setup(props, { emit }) {
    const text = ref('');
    const tags = computed(() => props.modelValue || []);
    function set(next) {
      emit('update:modelValue', next);
      emit('change', next);
    }
    function commit() {
      const parts = text.value.split(/[\s,，;；]+/).map((s) => s.trim()).filter(Boolean);
      text.value = '';
      if (!parts.length) return;
      set([...new Set([...tags.value, ...parts])]);
    }
    function onKey(e) {
      if (e.key === 'Enter' || e.key === ',' || e.key === ' ') {
        e.preventDefault();
        commit();
      } else if (e.key === 'Backspace' && !text.value && tags.value.length) {
        set(tags.value.slice(0, -1));
      }
    }
    function remove(tag) {
      set(tags.value.filter((t) => t !== tag));
    }
    return { text, tags, commit, onKey, remove };
  },
  template: `
    <div class="sb-tag-input" :class="{ disabled }">
      <el-tag v-for="tag in tags" :key="tag" :closable="!disabled" disable-transitions @close="remove(tag)">{{ tag }}</el-tag>
      <el-input v-model="text" size="small" class="sb-tag-input-box" :maxlength="maxlength * 8" :disabled="disabled"
                :placeholder="placeholder" @keydown="onKey" @blur="commit" />
    </div>`,
};
