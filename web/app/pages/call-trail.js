// A call's IVR trail (the nodes the caller went through, the keys pressed, the results), loaded from
// /calls/{call_id}/trail when shown; calls that never entered a flow have none (404).
import { ref, onMounted } from 'vue';
import { api } from '../api.js';
import { t, tOr } from '../i18n.js';
import { fmtDateTime, errorText } from '../util.js';

export default {
  name: 'CallTrail',
  props: { callId: { type: String, required: true } },
  setup(props) {
    const trail = ref(null);
    const missing = ref(false);
    const error = ref('');
    const loading = ref(true);
    onMounted(async () => {
      try {
        trail.value = await api.get(`/calls/${encodeURIComponent(props.callId)}/trail`);
      } catch (err) {
        if (err.status === 404) missing.value = true;
        else error.value = errorText(err);
      } finally {
        loading.value = false;
      }
    });
    const at = (step) => (step.at_ms != null ? fmtDateTime(new Date(step.at_ms)) : fmtDateTime(step.at));
    return { t, tOr, trail, missing, error, loading, at };
  },
  template: `
    <div class="sb-mt" data-test="call-trail">
      <div class="sb-strong">{{ t('trail.title') }}
        <span v-if="trail" class="sb-muted">· {{ trail.flow_name }} v{{ trail.flow_version }}</span></div>
      <div v-if="loading" class="sb-muted">…</div>
      <div v-else-if="missing" class="sb-muted" data-test="call-trail-none">{{ t('trail.none') }}</div>
      <div v-else-if="error" class="sb-muted">{{ error }}</div>
      <el-timeline v-else-if="trail" class="sb-mt" style="padding-left: 4px">
        <el-timeline-item v-for="(step, i) in trail.steps" :key="i" :timestamp="at(step)" placement="top" size="small">
          <span class="sb-mono-text sb-strong">{{ step.node }}</span>
          <el-tag v-if="step.node_type" size="small" effect="plain" class="sb-ml">
            {{ tOr('flows.type.' + step.node_type, step.node_type) }}</el-tag>
          <span v-if="step.detail" class="sb-ml">{{ step.detail }}</span>
        </el-timeline-item>
      </el-timeline>
    </div>`,
};
