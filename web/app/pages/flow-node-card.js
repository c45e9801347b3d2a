// One node of a voice flow as a card of form fields: its prompts, choices, rules and branches (selects listing the
// flow's node ids). The node object is edited in place (it belongs to the editor's reactive document).
import { computed } from 'vue';
import { ElMessageBox } from 'element-plus';
import { t } from '../i18n.js';
import FlowPrompts from './flow-prompts.js';
import {
  NODE_TYPES, TYPE_NAMES, TEST_KINDS, TARGET_KINDS, MAILBOX_KINDS, DIGIT_KEYS, NODE_ID_RE,
  testToForm, testFromForm, oneKeyToForm,
} from './flow-model.js';

const CALENDAR_TESTS = new Set(['work_time', 'off_time', 'holiday']);

export default {
  name: 'FlowNodeCard',
  components: { FlowPrompts },
  props: {
    id: { type: String, required: true },
    node: { type: Object, required: true },
    nodeIds: { type: Array, default: () => [] },
    isStart: { type: Boolean, default: false },
    error: { type: String, default: '' }, // the server's message when it names this node
    refs: { type: Object, default: () => ({ prompts: [], queues: [], calendars: [], flows: [] }) },
    readonly: { type: Boolean, default: false },
  },
  emits: ['rename', 'remove', 'make-start', 'change-type'],
  setup(props, { emit }) {
    const fields = computed(() => NODE_TYPES[props.node.type] || []);
    const known = computed(() => !!NODE_TYPES[props.node.type]);
    const tid = (suffix) => `flow-node-${props.id}-${suffix}`;

    // choices: {digit: node}
    const choiceRows = computed(() => Object.entries(props.node.choices || {}));
    function setChoice(oldDigit, digit, target) {
      const entries = Object.entries(props.node.choices || {}).map(([d, n]) => (d === oldDigit ? [digit, target] : [d, n]));
      props.node.choices = Object.fromEntries(entries);
    }
    function addChoice() {
      const used = new Set(Object.keys(props.node.choices || {}));
      const digit = DIGIT_KEYS.find((d) => !used.has(d));
      if (!digit) return;
      props.node.choices = { ...(props.node.choices || {}), [digit]: '' };
    }
    function removeChoice(digit) {
      const copy = { ...(props.node.choices || {}) };
      delete copy[digit];
      props.node.choices = copy;
    }

    // rules: [{when, next}]
    const ruleRows = computed(() => (props.node.rules || []).map((r) => ({ ...testToForm(r && r.when), next: r && r.next })));
    function setRule(i, patch) {
      const rules = [...(props.node.rules || [])];
      const form = { ...ruleRows.value[i], ...patch };
      if (patch.kind && patch.kind !== ruleRows.value[i].kind) {
        form.a = '';
        form.b = '';
      }
      rules[i] = { ...(rules[i] || {}), when: testFromForm(form), next: form.next || '' };
      props.node.rules = rules;
    }
    function addRule() {
      props.node.rules = [...(props.node.rules || []), { when: { work_time: props.refs.calendars[0] || '' }, next: '' }];
    }
    function removeRule(i) {
      const rules = [...(props.node.rules || [])];
      rules.splice(i, 1);
      props.node.rules = rules;
    }

    // maps: {name: template}
    const mapRows = (key) => Object.entries(props.node[key] || {});
    function setMapEntry(key, i, name, value) {
      const entries = mapRows(key);
      entries[i] = [name, value];
      props.node[key] = Object.fromEntries(entries);
    }
    function addMapEntry(key) {
      const entries = mapRows(key);
      let name = 'name';
      for (let n = 2; entries.some(([k]) => k === name); n += 1) name = `name${n}`;
      props.node[key] = Object.fromEntries([...entries, [name, '']]);
    }
    function removeMapEntry(key, i) {
      const entries = mapRows(key);
      entries.splice(i, 1);
      props.node[key] = Object.fromEntries(entries);
    }

    // one-key objects: {"extension": "1003"}, {"queue": "sales"}
    const oneKey = (key, kinds) => oneKeyToForm(props.node[key], kinds);
    function setOneKey(key, kinds, patch) {
      const current = oneKey(key, kinds);
      const next = { ...current, ...patch };
      if (patch.kind && patch.kind !== current.kind) next.value = '';
      props.node[key] = { [next.kind]: next.value };
    }

    async function rename() {
      try {
        const { value } = await ElMessageBox.prompt(t('flows.renamePrompt'), t('flows.rename'), {
          inputValue: props.id,
          inputPattern: NODE_ID_RE,
          inputErrorMessage: t('flows.badNodeId'),
          confirmButtonText: t('common.confirm'),
          cancelButtonText: t('common.cancel'),
          customClass: 'sb-rename-node',
        });
        const id = (value || '').trim();
        if (id && id !== props.id) emit('rename', id);
      } catch {
        // cancelled
      }
    }
    function changeType(type) {
      if (type !== props.node.type) emit('change-type', type);
    }
    return {
      t, fields, known, tid, choiceRows, setChoice, addChoice, removeChoice, ruleRows, setRule, addRule, removeRule,
      mapRows, setMapEntry, addMapEntry, removeMapEntry, oneKey, setOneKey, rename, changeType, TYPE_NAMES,
      TEST_KINDS, TARGET_KINDS, MAILBOX_KINDS, DIGIT_KEYS, CALENDAR_TESTS,
    };
  },
  template: `
    <el-card shadow="never" class="sb-card sb-mb" :data-test="'flow-node-' + id"
             :data-error="error ? 'true' : 'false'"
             :style="error ? 'border: 2px solid var(--el-color-danger)' : ''">
      <template #header>
        <div class="sb-card-header">
          <div class="sb-tags" style="align-items: center">
            <span class="sb-strong sb-mono-text" :data-test="tid('id')">{{ id }}</span>
            <el-tag v-if="isStart" size="small" type="success">{{ t('flows.start') }}</el-tag>
            <el-select :model-value="node.type" size="small" style="width: 150px" :disabled="readonly"
                       :data-test="tid('type')" @update:model-value="changeType">
              <el-option v-for="ty in TYPE_NAMES" :key="ty" :value="ty" :label="t('flows.type.' + ty)" />
            </el-select>
          </div>
          <div v-if="!readonly" class="sb-page-actions">
            <el-button v-if="!isStart" size="small" text :data-test="tid('make-start')" @click="$emit('make-start')">
              {{ t('flows.makeStart') }}</el-button>
            <el-button size="small" text :icon="$icons.Edit" :data-test="tid('rename')" @click="rename">
              {{ t('flows.rename') }}</el-button>
            <el-button size="small" text type="danger" :icon="$icons.Delete" :data-test="tid('remove')"
                       @click="$emit('remove')">{{ t('common.delete') }}</el-button>
          </div>
        </div>
      </template>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb"
                :data-test="tid('error')" />
      <el-alert v-if="!known" :title="t('flows.unknownType', { type: node.type })" type="warning" show-icon
                :closable="false" />
      <el-form label-width="150px" size="small" :disabled="readonly" @submit.prevent>
        <el-form-item v-for="f in fields" :key="f.key" :label="t('flows.field.' + f.key)" :data-test="tid(f.key)">
          <flow-prompts v-if="f.kind === 'prompts'" v-model="node[f.key]" :prompts="refs.prompts" :test-id="tid(f.key) + '-list'" />

          <el-select v-else-if="f.kind === 'node'" v-model="node[f.key]" filterable :clearable="!!f.optional"
                     :placeholder="f.optional ? t('flows.noBranch') : t('flows.pickNode')" style="width: 240px">
            <el-option v-for="n in nodeIds" :key="n" :value="n" :label="n" />
          </el-select>

          <div v-else-if="f.kind === 'choices'" class="sb-full">
            <div v-for="[digit, target] in choiceRows" :key="digit" class="sb-toolbar" style="margin-bottom: 6px"
                 :data-test="tid('choice-' + digit)">
              <el-select :model-value="digit" style="width: 80px" @update:model-value="setChoice(digit, $event, target)">
                <el-option v-for="d in DIGIT_KEYS" :key="d" :value="d" :label="d"
                           :disabled="d !== digit && choiceRows.some(([x]) => x === d)" />
              </el-select>
              <span class="sb-muted">→</span>
              <el-select :model-value="target" filterable style="width: 240px" :placeholder="t('flows.pickNode')"
                         :data-test="tid('choice-' + digit + '-target')"
                         @update:model-value="setChoice(digit, digit, $event)">
                <el-option v-for="n in nodeIds" :key="n" :value="n" :label="n" />
              </el-select>
              <el-button type="danger" plain :icon="$icons.Delete" @click="removeChoice(digit)" />
            </div>
            <el-button :icon="$icons.Plus" :data-test="tid('choice-add')" @click="addChoice">{{ t('flows.addChoice') }}</el-button>
          </div>

          <div v-else-if="f.kind === 'rules'" class="sb-full">
            <div v-for="(rule, i) in ruleRows" :key="i" class="sb-toolbar" style="margin-bottom: 6px"
                 :data-test="tid('rule-' + i)">
              <el-select :model-value="rule.kind" style="width: 150px" @update:model-value="setRule(i, { kind: $event })">
                <el-option v-for="k in TEST_KINDS" :key="k" :value="k" :label="t('flows.test.' + k)" />
              </el-select>
              <el-select v-if="CALENDAR_TESTS.has(rule.kind)" :model-value="rule.a" filterable allow-create
                         style="width: 170px" :placeholder="t('flows.pickCalendar')"
                         @update:model-value="setRule(i, { a: $event })">
                <el-option v-for="c in refs.calendars" :key="c" :value="c" :label="c" />
              </el-select>
              <el-input v-else :model-value="rule.a" style="width: 150px"
                        :placeholder="rule.kind.startsWith('variable') ? t('flows.variableName') : t('flows.patternHint')"
                        @update:model-value="setRule(i, { a: $event })" />
              <el-input v-if="rule.kind.startsWith('variable')" :model-value="rule.b" style="width: 130px"
                        :placeholder="rule.kind === 'variable_matches' ? t('flows.patternHint') : t('flows.value')"
                        @update:model-value="setRule(i, { b: $event })" />
              <span class="sb-muted">→</span>
              <el-select :model-value="rule.next" filterable style="width: 180px" :placeholder="t('flows.pickNode')"
                         @update:model-value="setRule(i, { next: $event })">
                <el-option v-for="n in nodeIds" :key="n" :value="n" :label="n" />
              </el-select>
              <el-button type="danger" plain :icon="$icons.Delete" @click="removeRule(i)" />
            </div>
            <el-button :icon="$icons.Plus" :data-test="tid('rule-add')" @click="addRule">{{ t('flows.addRule') }}</el-button>
          </div>

          <el-input-number v-else-if="f.kind === 'int'" v-model="node[f.key]" :min="f.min" :max="f.max"
                           :value-on-clear="null" :placeholder="f.placeholder != null ? String(f.placeholder) : ''"
                           controls-position="right" style="width: 160px" />
          <el-switch v-else-if="f.kind === 'bool'" v-model="node[f.key]" />
          <el-select v-else-if="f.kind === 'method'" v-model="node[f.key]" clearable placeholder="GET" style="width: 120px">
            <el-option value="GET" label="GET" /><el-option value="POST" label="POST" />
          </el-select>
          <el-select v-else-if="f.kind === 'queue'" v-model="node[f.key]" filterable allow-create style="width: 240px"
                     :placeholder="t('flows.pickQueue')">
            <el-option v-for="q in refs.queues" :key="q" :value="q" :label="q" />
          </el-select>
          <el-select v-else-if="f.kind === 'flow'" v-model="node[f.key]" filterable allow-create style="width: 240px"
                     :placeholder="t('flows.pickFlow')">
            <el-option v-for="fl in refs.flows" :key="fl" :value="fl" :label="fl" />
          </el-select>
          <el-select v-else-if="f.kind === 'digits'" v-model="node[f.key]" multiple style="width: 320px">
            <el-option v-for="d in DIGIT_KEYS" :key="d" :value="d" :label="d" />
          </el-select>

          <div v-else-if="f.kind === 'map'" class="sb-full">
            <div v-for="([name, value], i) in mapRows(f.key)" :key="i" class="sb-toolbar" style="margin-bottom: 6px">
              <el-input :model-value="name" style="width: 150px" @update:model-value="setMapEntry(f.key, i, $event, value)" />
              <span class="sb-muted">=</span>
              <el-input :model-value="String(value)" style="width: 220px" :placeholder="t('flows.templateHint')"
                        @update:model-value="setMapEntry(f.key, i, name, $event)" />
              <el-button type="danger" plain :icon="$icons.Delete" @click="removeMapEntry(f.key, i)" />
            </div>
            <el-button :icon="$icons.Plus" @click="addMapEntry(f.key)">{{ t('common.add') }}</el-button>
          </div>

          <div v-else-if="f.kind === 'target' || f.kind === 'mailbox'" class="sb-toolbar" style="margin-bottom: 0">
            <el-select :model-value="oneKey(f.key, f.kind === 'target' ? TARGET_KINDS : MAILBOX_KINDS).kind"
                       style="width: 130px"
                       @update:model-value="setOneKey(f.key, f.kind === 'target' ? TARGET_KINDS : MAILBOX_KINDS, { kind: $event })">
              <el-option v-for="k in (f.kind === 'target' ? TARGET_KINDS : MAILBOX_KINDS)" :key="k" :value="k"
                         :label="t('flows.targetKind.' + k)" />
            </el-select>
            <el-select v-if="f.kind === 'mailbox' && oneKey(f.key, MAILBOX_KINDS).kind === 'queue'"
                       :model-value="oneKey(f.key, MAILBOX_KINDS).value" filterable allow-create style="width: 200px"
                       @update:model-value="setOneKey(f.key, MAILBOX_KINDS, { value: $event })">
              <el-option v-for="q in refs.queues" :key="q" :value="q" :label="q" />
            </el-select>
            <el-input v-else :model-value="oneKey(f.key, f.kind === 'target' ? TARGET_KINDS : MAILBOX_KINDS).value"
                      style="width: 200px"
                      @update:model-value="setOneKey(f.key, f.kind === 'target' ? TARGET_KINDS : MAILBOX_KINDS, { value: $event })" />
          </div>

          <el-input v-else v-model="node[f.key]" :placeholder="f.placeholder != null ? String(f.placeholder) : ''"
                    style="max-width: 420px" />
        </el-form-item>
      </el-form>
    </el-card>`,
};
