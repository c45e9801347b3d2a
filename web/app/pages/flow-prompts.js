// Editor of a list of prompt items in a voice flow: each row is a kind (stored prompt, built-in, text to speech,
// say digits, say number, silence) and its value; rows can be added, removed and moved.
import { computed } from 'vue';
import { t } from '../i18n.js';
import { PROMPT_KINDS, promptToForm, promptFromForm } from './flow-model.js';

/** Built-in prompts every switch has (the voice library may know more: free text is accepted too). */
const BUILTINS = ['welcome', 'goodbye', 'invalid-input', 'no-input', 'office-closed', 'please-hold', 'beep',
  'all-agents-busy', 'leave-message', 'thank-you', 'survey-question'];

export default {
  name: 'FlowPrompts',
  props: {
    modelValue: { type: Array, default: () => [] },
    prompts: { type: Array, default: () => [] }, // names of the stored voice prompts
    testId: { type: String, default: '' },
  },
  emits: ['update:modelValue'],
  setup(props, { emit }) {
    const rows = computed(() => (props.modelValue || []).map(promptToForm));
    function set(list) {
      emit('update:modelValue', list);
    }
    function update(i, patch) {
      const list = [...(props.modelValue || [])];
      const current = rows.value[i];
      const next = { ...current, ...patch };
      if (patch.kind && patch.kind !== current.kind) next.value = patch.kind === 'silence_ms' ? 500 : '';
      list[i] = promptFromForm(next);
      set(list);
    }
    function add() {
      set([...(props.modelValue || []), { builtin: 'welcome' }]);
    }
    function remove(i) {
      const list = [...(props.modelValue || [])];
      list.splice(i, 1);
      set(list);
    }
    function move(i, delta) {
      const list = [...(props.modelValue || [])];
      const j = i + delta;
      if (j < 0 || j >= list.length) return;
      [list[i], list[j]] = [list[j], list[i]];
      set(list);
    }
    return { t, rows, update, add, remove, move, PROMPT_KINDS, BUILTINS };
  },
  template: `
    <div class="sb-full" :data-test="testId">
      <div v-for="(row, i) in rows" :key="i" class="sb-toolbar" style="margin-bottom: 6px">
        <el-select :model-value="row.kind" size="small" style="width: 130px" :data-test="testId + '-kind-' + i"
                   @update:model-value="update(i, { kind: $event })">
          <el-option v-for="k in PROMPT_KINDS" :key="k" :value="k" :label="t('flows.promptKind.' + k)" />
        </el-select>
        <el-select v-if="row.kind === 'prompt'" :model-value="row.value" size="small" filterable allow-create
                   style="flex: 1; min-width: 160px" :placeholder="t('flows.pickPrompt')"
                   :data-test="testId + '-value-' + i" @update:model-value="update(i, { value: $event })">
          <el-option v-for="p in prompts" :key="p" :value="p" :label="p" />
        </el-select>
        <el-select v-else-if="row.kind === 'builtin'" :model-value="row.value" size="small" filterable allow-create
                   style="flex: 1; min-width: 160px" :data-test="testId + '-value-' + i"
                   @update:model-value="update(i, { value: $event })">
          <el-option v-for="b in BUILTINS" :key="b" :value="b" :label="b" />
        </el-select>
        <el-input-number v-else-if="row.kind === 'silence_ms'" :model-value="Number(row.value) || 0" size="small"
                         :min="0" :max="10000" :step="100" :data-test="testId + '-value-' + i"
                         @update:model-value="update(i, { value: $event })" />
        <el-input v-else :model-value="String(row.value)" size="small" style="flex: 1; min-width: 160px"
                  :type="row.kind === 'tts' ? 'textarea' : 'text'" :autosize="{ minRows: 1, maxRows: 4 }"
                  :placeholder="row.kind === 'tts' ? t('flows.ttsHint') : t('flows.templateHint')"
                  :data-test="testId + '-value-' + i" @update:model-value="update(i, { value: $event })" />
        <el-select v-if="row.kind === 'tts'" :model-value="row.language" size="small" clearable style="width: 100px"
                   :placeholder="t('flows.flowLanguage')" @update:model-value="update(i, { language: $event || '' })">
          <el-option value="zh" label="中文" /><el-option value="en" label="English" />
        </el-select>
        <el-button-group size="small">
          <el-button :disabled="i === 0" @click="move(i, -1)">↑</el-button>
          <el-button :disabled="i === rows.length - 1" @click="move(i, 1)">↓</el-button>
          <el-button type="danger" plain :icon="$icons.Delete" :data-test="testId + '-remove-' + i" @click="remove(i)" />
        </el-button-group>
      </div>
      <el-button size="small" :icon="$icons.Plus" :data-test="testId + '-add'" @click="add">{{ t('flows.addPrompt') }}</el-button>
    </div>`,
};
