// Create / edit an ACD queue: routing (strategy, aging), timeouts, overflow and no-agent handling, announcements
// and music, sticky agent and skill widening. The server checks every field and names the one at fault.
import { ref, reactive, computed, watch } from 'vue';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { useFieldErrors, validateForm, required, maxLen, showSuccess } from '../util.js';

export const STRATEGIES = ['longest_idle', 'round_robin', 'fewest_calls', 'highest_skill', 'ring_all', 'random'];
export const OVERFLOW_ACTIONS = ['none', 'queue', 'voicemail', 'flow', 'number'];
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

const EMPTY = {
  name: '', display_name: '', strategy: 'longest_idle', ring_timeout_s: 20, wrap_up_s: 0, max_wait_s: null,
  max_length: null, no_answer_limit: 3, aging_per_second: 0, overflow_action: 'none', overflow_target: '',
  no_agent_action: 'none', no_agent_target: '', music_class: '', announce_position: false, announce_interval_s: 60,
  announce_agent_number: false, sticky_agent_wait_s: null, widen_after_s: null, widen_to_skill: null,
  widen_to_queue: '', enabled: true,
};

export default {
  name: 'QueueDialog',
  props: {
    modelValue: { type: Boolean, default: false },
    queue: { type: Object, default: null }, // null: create
    queues: { type: Array, default: () => [] }, // names, for overflow and widening targets
    flows: { type: Array, default: () => [] },
    musicClasses: { type: Array, default: () => [] },
  },
  emits: ['update:modelValue', 'saved'],
  setup(props, { emit }) {
    const formRef = ref(null);
    const form = reactive({ ...EMPTY });
    const saving = ref(false);
    const section = ref(['routing', 'timeouts', 'overflow']);
    const errs = useFieldErrors();
    const isEdit = computed(() => !!props.queue);
    const otherQueues = computed(() => props.queues.filter((q) => q !== form.name));
    const rules = {
      name: [required('queues.name'), {
        trigger: 'blur',
        validator: (_r, v, cb) => cb(!v || NAME_RE.test(v.trim()) ? undefined : new Error(t('queues.badName'))),
      }],
      display_name: [maxLen(64)],
    };

    watch(
      () => props.modelValue,
      (open) => {
        if (!open) return;
        errs.clear();
        Object.assign(form, EMPTY);
        if (props.queue) {
          for (const key of Object.keys(EMPTY)) {
            if (props.queue[key] !== undefined) form[key] = props.queue[key] ?? EMPTY[key];
          }
        }
        section.value = ['routing', 'timeouts', 'overflow'];
        setTimeout(() => formRef.value && formRef.value.clearValidate(), 0);
      },
    );
    // a server error on a field in a collapsed group opens the group
    const GROUP_OF = {
      strategy: 'routing', aging_per_second: 'routing', no_answer_limit: 'routing', ring_timeout_s: 'timeouts',
      wrap_up_s: 'timeouts', max_wait_s: 'timeouts', max_length: 'timeouts', overflow_action: 'overflow',
      overflow_target: 'overflow', no_agent_action: 'overflow', no_agent_target: 'overflow', music_class: 'announcements',
      announce_position: 'announcements', announce_interval_s: 'announcements', announce_agent_number: 'announcements',
      sticky_agent_wait_s: 'sticky', widen_after_s: 'sticky', widen_to_skill: 'sticky', widen_to_queue: 'sticky',
    };

    function close() {
      emit('update:modelValue', false);
    }
    async function submit() {
      errs.clear();
      if (!(await validateForm(formRef.value))) return;
      saving.value = true;
      const body = { ...form, name: form.name.trim(), display_name: form.display_name.trim() };
      for (const key of ['overflow_target', 'no_agent_target']) body[key] = (body[key] || '').trim();
      if (!body.widen_to_queue) body.widen_to_queue = null;
      try {
        const saved = isEdit.value
          ? await api.put(`/queues/${props.queue.id}`, body)
          : await api.post('/queues', body);
        showSuccess(t('common.saved'));
        emit('saved', saved);
        close();
      } catch (err) {
        errs.handle(err);
        const group = err && err.field && GROUP_OF[err.field];
        if (group && !section.value.includes(group)) section.value = [...section.value, group];
      } finally {
        saving.value = false;
      }
    }
    return {
      t, formRef, form, rules, saving, section, isEdit, otherQueues, close, submit, STRATEGIES, OVERFLOW_ACTIONS,
      fieldErrors: errs.fieldErrors,
    };
  },
  template: `
    <el-dialog :model-value="modelValue" :title="isEdit ? t('queues.edit') : t('queues.create')" width="760px"
               :close-on-click-modal="false" append-to-body @close="close">
      <el-form ref="formRef" :model="form" :rules="rules" label-width="190px" data-test="queue-form" @submit.prevent="submit">
        <el-row :gutter="12">
          <el-col :span="12">
            <el-form-item :label="t('queues.name')" prop="name" :error="fieldErrors.name">
              <el-input v-model="form.name" maxlength="64" placeholder="sales" data-test="queue-name" />
            </el-form-item>
          </el-col>
          <el-col :span="12">
            <el-form-item :label="t('queues.displayName')" prop="display_name" :error="fieldErrors.display_name">
              <el-input v-model="form.display_name" maxlength="64" data-test="queue-display-name" />
            </el-form-item>
          </el-col>
        </el-row>
        <el-form-item :label="t('queues.enabled')" :error="fieldErrors.enabled">
          <el-switch v-model="form.enabled" data-test="queue-enabled" />
        </el-form-item>
        <el-collapse v-model="section">
          <el-collapse-item :title="t('queues.group.routing')" name="routing">
            <el-form-item :label="t('queues.strategy')" :error="fieldErrors.strategy" data-test="queue-strategy">
              <el-select v-model="form.strategy" style="width: 260px">
                <el-option v-for="s in STRATEGIES" :key="s" :value="s" :label="t('queues.strategyValue.' + s)" />
              </el-select>
              <div class="sb-form-hint">{{ t('queues.strategyHint.' + form.strategy) }}</div>
            </el-form-item>
            <el-form-item :label="t('queues.agingPerSecond')" :error="fieldErrors.aging_per_second">
              <el-input-number v-model="form.aging_per_second" :min="0" :max="100" data-test="queue-aging" />
              <div class="sb-form-hint">{{ t('queues.agingHint') }}</div>
            </el-form-item>
            <el-form-item :label="t('queues.noAnswerLimit')" :error="fieldErrors.no_answer_limit">
              <el-input-number v-model="form.no_answer_limit" :min="0" :max="100" data-test="queue-no-answer-limit" />
              <div class="sb-form-hint">{{ t('queues.noAnswerHint') }}</div>
            </el-form-item>
          </el-collapse-item>
          <el-collapse-item :title="t('queues.group.timeouts')" name="timeouts">
            <el-form-item :label="t('queues.ringTimeout')" :error="fieldErrors.ring_timeout_s">
              <el-input-number v-model="form.ring_timeout_s" :min="5" :max="300" data-test="queue-ring-timeout" />
              <span class="sb-ml sb-muted">{{ t('queues.seconds') }} (5-300)</span>
            </el-form-item>
            <el-form-item :label="t('queues.wrapUp')" :error="fieldErrors.wrap_up_s">
              <el-input-number v-model="form.wrap_up_s" :min="0" :max="3600" data-test="queue-wrap-up" />
              <span class="sb-ml sb-muted">{{ t('queues.seconds') }} (0-3600)</span>
            </el-form-item>
            <el-form-item :label="t('queues.maxWait')" :error="fieldErrors.max_wait_s">
              <el-input-number v-model="form.max_wait_s" :min="1" :max="86400" :value-on-clear="null"
                               :placeholder="t('queues.noLimit')" data-test="queue-max-wait" />
              <span class="sb-ml sb-muted">{{ t('queues.seconds') }}</span>
            </el-form-item>
            <el-form-item :label="t('queues.maxLength')" :error="fieldErrors.max_length">
              <el-input-number v-model="form.max_length" :min="1" :max="10000" :value-on-clear="null"
                               :placeholder="t('queues.noLimit')" data-test="queue-max-length" />
            </el-form-item>
          </el-collapse-item>
          <el-collapse-item :title="t('queues.group.overflow')" name="overflow">
            <template v-for="kind in ['overflow', 'no_agent']" :key="kind">
              <el-form-item :label="t('queues.' + kind + 'Action')" :error="fieldErrors[kind + '_action']"
                            :data-test="'queue-' + kind + '-action'">
                <el-select v-model="form[kind + '_action']" style="width: 200px" @change="form[kind + '_target'] = ''">
                  <el-option v-for="a in OVERFLOW_ACTIONS" :key="a" :value="a" :label="t('queues.action.' + a)" />
                </el-select>
              </el-form-item>
              <el-form-item v-if="form[kind + '_action'] !== 'none'" :label="t('queues.target')"
                            :error="fieldErrors[kind + '_target']" :data-test="'queue-' + kind + '-target'">
                <el-select v-if="form[kind + '_action'] === 'queue' || form[kind + '_action'] === 'voicemail'"
                           v-model="form[kind + '_target']" filterable allow-create clearable style="width: 260px"
                           :placeholder="form[kind + '_action'] === 'voicemail' ? t('queues.ownMailbox') : t('queues.pickQueue')">
                  <el-option v-for="q in (form[kind + '_action'] === 'queue' ? otherQueues : queues)" :key="q" :value="q" :label="q" />
                </el-select>
                <el-select v-else-if="form[kind + '_action'] === 'flow'" v-model="form[kind + '_target']" filterable
                           allow-create style="width: 260px" :placeholder="t('queues.pickFlow')">
                  <el-option v-for="f in flows" :key="f" :value="f" :label="f" />
                </el-select>
                <el-input v-else v-model="form[kind + '_target']" maxlength="32" style="width: 260px"
                          :placeholder="t('queues.numberHint')" />
              </el-form-item>
            </template>
            <div class="sb-form-hint">{{ t('queues.overflowHint') }}</div>
          </el-collapse-item>
          <el-collapse-item :title="t('queues.group.announcements')" name="announcements">
            <el-form-item :label="t('queues.musicClass')" :error="fieldErrors.music_class">
              <el-select v-model="form.music_class" clearable filterable allow-create style="width: 260px"
                         :placeholder="t('queues.defaultMusic')" data-test="queue-music">
                <el-option v-for="m in musicClasses" :key="m" :value="m" :label="m" />
              </el-select>
            </el-form-item>
            <el-form-item :label="t('queues.announcePosition')" :error="fieldErrors.announce_position">
              <el-switch v-model="form.announce_position" data-test="queue-announce-position" />
            </el-form-item>
            <el-form-item v-if="form.announce_position" :label="t('queues.announceInterval')"
                          :error="fieldErrors.announce_interval_s">
              <el-input-number v-model="form.announce_interval_s" :min="10" :max="3600" />
              <span class="sb-ml sb-muted">{{ t('queues.seconds') }}</span>
            </el-form-item>
            <el-form-item :label="t('queues.announceAgentNumber')" :error="fieldErrors.announce_agent_number">
              <el-switch v-model="form.announce_agent_number" />
              <div class="sb-form-hint sb-ml">{{ t('queues.announceAgentHint') }}</div>
            </el-form-item>
          </el-collapse-item>
          <el-collapse-item :title="t('queues.group.sticky')" name="sticky">
            <el-form-item :label="t('queues.stickyWait')" :error="fieldErrors.sticky_agent_wait_s">
              <el-input-number v-model="form.sticky_agent_wait_s" :min="1" :max="600" :value-on-clear="null"
                               :placeholder="t('queues.off')" />
              <span class="sb-ml sb-muted">{{ t('queues.seconds') }}</span>
              <div class="sb-form-hint">{{ t('queues.stickyHint') }}</div>
            </el-form-item>
            <el-form-item :label="t('queues.widenAfter')" :error="fieldErrors.widen_after_s">
              <el-input-number v-model="form.widen_after_s" :min="1" :max="86400" :value-on-clear="null"
                               :placeholder="t('queues.off')" />
              <span class="sb-ml sb-muted">{{ t('queues.seconds') }}</span>
            </el-form-item>
            <el-form-item :label="t('queues.widenToSkill')" :error="fieldErrors.widen_to_skill">
              <el-input-number v-model="form.widen_to_skill" :min="1" :max="10" :value-on-clear="null"
                               :placeholder="t('queues.off')" />
            </el-form-item>
            <el-form-item :label="t('queues.widenToQueue')" :error="fieldErrors.widen_to_queue">
              <el-select v-model="form.widen_to_queue" clearable filterable style="width: 260px" :placeholder="t('queues.off')">
                <el-option v-for="q in otherQueues" :key="q" :value="q" :label="q" />
              </el-select>
              <div class="sb-form-hint">{{ t('queues.widenHint') }}</div>
            </el-form-item>
          </el-collapse-item>
        </el-collapse>
      </el-form>
      <template #footer>
        <el-button @click="close">{{ t('common.cancel') }}</el-button>
        <el-button type="primary" :loading="saving" data-test="queue-save" @click="submit">{{ t('common.save') }}</el-button>
      </template>
    </el-dialog>`,
};
