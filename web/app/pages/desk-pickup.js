// Call pickup on the agent desktop (MISSION G7): the calls ringing now in the pickup group of the agent's phone
// (every extension it shares an extension group with), each with a "Pick up" button that has the switch ring this
// agent's phone instead (auto-answer where the phone supports it). Phones pick up by themselves with *8 or
// **<extension>. Ringing is short-lived and other people's calls are not on this agent's event stream, so the list is
// read every few seconds while the page is open.
import { ref, onMounted, onBeforeUnmount } from 'vue';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { errorText, showError, showSuccess } from '../util.js';
import { clock } from '../cti.js';

const REFRESH_MS = 3000;

export default {
  name: 'DeskPickup',
  setup() {
    const calls = ref([]);
    const extension = ref('');
    const busy = ref(0);
    const now = ref(Date.now());
    let timer = null;

    async function load() {
      try {
        const res = await api.get('/calls/pickable');
        calls.value = res.items || [];
        extension.value = res.extension || '';
      } catch {
        // An agent without a phone has nothing to pick up; the softphone bar says why.
        calls.value = [];
      }
      now.value = Date.now();
    }
    async function pickUp(c) {
      busy.value = c.id;
      try {
        await api.post(`/calls/${c.id}/pickup`, {});
        showSuccess(t('pickup.done', { extension: extension.value }));
      } catch (err) {
        showError(errorText(err));
      } finally {
        busy.value = 0;
        load();
      }
    }
    const ringingFor = (c) => clock(now.value - Date.parse(c.started_at));

    onMounted(() => {
      load();
      timer = setInterval(load, REFRESH_MS);
    });
    onBeforeUnmount(() => clearInterval(timer));
    return { t, calls, busy, pickUp, ringingFor };
  },
  template: `
    <el-card v-if="calls.length" shadow="never" class="sb-card sb-mb" data-test="desk-pickup">
      <template #header>{{ t('pickup.title') }}</template>
      <div v-for="c in calls" :key="c.id" class="sb-toolbar" style="margin-bottom: 6px; gap: 12px"
           data-test="desk-pickup-call" :data-call="c.id">
        <span class="sb-mono-text sb-strong">{{ c.caller }}</span>
        <span class="sb-muted">{{ t('pickup.ringingAt', { extensions: c.ringing.join(', ') }) }}</span>
        <span v-if="c.queue" class="sb-muted">{{ t('desk.queue') }} {{ c.queue }}</span>
        <span class="sb-mono-text sb-muted">{{ ringingFor(c) }}</span>
        <span style="flex: 1" />
        <el-button type="primary" size="small" :loading="busy === c.id" :disabled="!!busy"
                   data-test="desk-pickup-button" @click="pickUp(c)">{{ t('pickup.pickUp') }}</el-button>
      </div>
      <div class="sb-muted">{{ t('pickup.hint') }}</div>
    </el-card>`,
};
