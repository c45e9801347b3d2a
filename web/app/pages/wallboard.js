// Supervisor wallboard (MISSION S1-S7): queues (waiting, longest wait, service level, answered, abandoned), agents
// by state with time in state, and the calls in progress, all live from the CTI event stream (REST only at start and
// after a resync). The supervisor listens, whispers or barges in from their own extension, intercepts or hangs a
// call up, and forces an agent's state; each of those is audited by the server. "Wall screen" enlarges everything
// and goes full screen.
import { ref, reactive, computed, onMounted, onBeforeUnmount } from 'vue';
import { api } from '../api.js';
import { t, tOr } from '../i18n.js';
import { can, session } from '../session.js';
import { errorText, showError, showSuccess, confirmDanger } from '../util.js';
import { useCtiEvents, clock } from '../cti.js';
import PageHeader from '../components/page-header.js';
import NoPermission from '../components/no-permission.js';

const STATE_ORDER = ['on_call', 'reserved', 'wrap_up', 'ready', 'not_ready', 'logged_out'];
const STATE_TAG = {
  logged_out: 'info', ready: 'success', not_ready: 'warning', reserved: 'primary', on_call: 'danger', wrap_up: 'primary',
};

export default {
  name: 'WallboardPage',
  components: { PageHeader, NoPermission },
  setup() {
    const allowed = computed(() => can('agent.supervise'));
    const agents = ref([]); // AgentStateView + since (local ms)
    const queues = ref([]); // QueueSubject + at (local ms)
    const calls = ref([]); // CallSubject + started/answered (local ms)
    const error = ref('');
    const now = ref(Date.now());
    const wall = ref(false);
    const busy = ref(false);
    const monitorExtension = ref((session.user && session.user.extension) || '');
    const force = reactive({ open: false, agent: null, state: 'ready', reason: '', error: '' });
    const reasons = ref([]);
    const trunks = ref([]);
    let ticker = null;
    let trunkTimer = null;
    const TRUNK_REFRESH_MS = 5000;

    const stateName = (s) => tOr(`agents.stateValue.${s}`, s);
    const byState = computed(() => {
      const counts = Object.fromEntries(STATE_ORDER.map((s) => [s, 0]));
      for (const a of agents.value) counts[a.state] = (counts[a.state] || 0) + 1;
      return counts;
    });
    const shownAgents = computed(() => agents.value
      .filter((a) => a.state !== 'logged_out')
      .slice()
      .sort((a, b) => STATE_ORDER.indexOf(a.state) - STATE_ORDER.indexOf(b.state) || a.since - b.since));
    const inState = (a) => clock(now.value - a.since);
    const longestWait = (q) => (q.waiting > 0 ? clock(q.longest_wait_ms + (now.value - q.at)) : '—');
    const serviceLevel = (q) => (q.service_level_percent == null ? '—' : `${Math.round(q.service_level_percent)}%`);
    const callTime = (c) => clock(now.value - (c.answeredAt || c.startedAt));

    /** Trunk channels change with every outside call but carry no event of their own: read them every few seconds. */
    async function loadTrunks() {
      try {
        const res = await api.get('/trunk-usage');
        trunks.value = ((res && res.items) || []).filter((tr) => tr.enabled);
      } catch {
        trunks.value = [];
      }
    }

    async function load() {
      try {
        const [acd, live] = await Promise.all([
          api.get('/acd/state'),
          can('call.read') ? api.get('/calls') : { items: [] },
        ]);
        const at = Date.now();
        agents.value = ((acd && acd.agents) || []).map((a) => ({ ...a, since: at - a.in_state_ms }));
        queues.value = ((acd && acd.queues) || []).map((q) => ({
          ...q, at, service_level_percent: null, answered: null, abandoned: null, offered: null,
        }));
        calls.value = ((live && live.items) || []).map((c) => ({
          id: c.id, call_id: c.call_id, direction: c.direction, caller: c.caller, callee: c.callee, queue: c.queue,
          agent: c.agent, extension: c.agent_extension, held: c.held,
          startedAt: Date.parse(c.started_at), answeredAt: c.answered_at ? Date.parse(c.answered_at) : 0,
        }));
        error.value = '';
      } catch (err) {
        error.value = err.status === 404 ? t('agents.notRunning') : errorText(err);
      }
    }

    function upsertCall(event, change) {
      // Absent fields are unknown now (e.g. the agent after a transfer), not unchanged.
      const subject = { queue: null, agent: null, extension: null, ...event };
      const i = calls.value.findIndex((c) => c.id === subject.id);
      if (i < 0) {
        calls.value.push({ ...subject, startedAt: Date.now(), answeredAt: 0, held: false, ...change });
      } else {
        calls.value[i] = { ...calls.value[i], ...subject, ...change };
      }
    }

    function onEvent(event) {
      switch (event.type) {
        case 'agent.state': {
          const a = agents.value.find((x) => x.employee_id === event.agent.employee_id);
          const seat = event.agent.extension || null;
          // A new seat may be local or remote: only the REST view tells.
          if (a && a.extension === seat) Object.assign(a, { state: event.agent.state, reason: event.agent.reason || null, since: Date.now() });
          else load();
          break;
        }
        case 'queue.changed': {
          const q = queues.value.find((x) => x.name === event.queue.name);
          const fresh = { ...event.queue, at: Date.now() };
          if (q) Object.assign(q, fresh);
          else queues.value.push(fresh);
          break;
        }
        case 'call.created':
        case 'call.offered':
        case 'call.ringing':
        case 'call.transferred':
        case 'call.joined':
        case 'call.left':
          upsertCall(event.call, {});
          break;
        case 'call.answered':
          upsertCall(event.call, { answeredAt: Date.now() });
          break;
        case 'call.held':
          upsertCall(event.call, { held: true });
          break;
        case 'call.retrieved':
          upsertCall(event.call, { held: false });
          break;
        case 'call.ended':
          calls.value = calls.value.filter((c) => c.id !== event.call.id);
          break;
        default:
      }
    }
    const stream = useCtiEvents({ onEvent, onResync: load });

    async function monitor(c, mode) {
      const extension = monitorExtension.value.trim();
      if (!/^[0-9]{1,16}$/.test(extension)) {
        showError(new Error(t('wallboard.needExtension')));
        return;
      }
      busy.value = true;
      try {
        await api.post(`/calls/${c.id}/monitor`, { extension, mode });
        showSuccess(t(`wallboard.monitoring.${mode}`, { extension }));
      } catch (err) {
        showError(err);
      } finally {
        busy.value = false;
      }
    }
    async function intercept(c) {
      const extension = monitorExtension.value.trim();
      if (!/^[0-9]{1,16}$/.test(extension)) {
        showError(new Error(t('wallboard.needExtension')));
        return;
      }
      if (!(await confirmDanger(t('wallboard.confirmIntercept', { number: c.caller })))) return;
      busy.value = true;
      try {
        await api.post(`/calls/${c.id}/intercept`, { extension });
        showSuccess(t('wallboard.intercepted'));
      } catch (err) {
        showError(err);
      } finally {
        busy.value = false;
      }
    }
    async function forceHangUp(c) {
      if (!(await confirmDanger(t('wallboard.confirmHangUp', { number: c.caller })))) return;
      busy.value = true;
      try {
        await api.post(`/calls/${c.id}/force-hangup`, { reason: 'supervisor' });
      } catch (err) {
        showError(err);
      } finally {
        busy.value = false;
      }
    }
    async function openForce(agent) {
      Object.assign(force, { open: true, agent, state: 'ready', reason: '', error: '' });
      if (!reasons.value.length) {
        try {
          const res = await api.get('/agents/not-ready-reasons');
          reasons.value = (res && res.items) || [];
        } catch {
          reasons.value = [];
        }
      }
    }
    async function submitForce() {
      force.error = '';
      const body = { state: force.state };
      if (force.state === 'not_ready') {
        if (!force.reason) {
          force.error = t('agents.pickReason');
          return;
        }
        body.reason = force.reason;
      }
      busy.value = true;
      try {
        await api.post(`/agents/${encodeURIComponent(force.agent.employee_id)}/state`, body);
        force.open = false;
      } catch (err) {
        force.error = errorText(err);
      } finally {
        busy.value = false;
      }
    }
    function toggleWall() {
      wall.value = !wall.value;
      if (wall.value && document.documentElement.requestFullscreen) {
        document.documentElement.requestFullscreen().catch(() => {});
      } else if (!wall.value && document.fullscreenElement) {
        document.exitFullscreen().catch(() => {});
      }
    }

    onMounted(() => {
      if (!allowed.value) return;
      ticker = setInterval(() => { now.value = Date.now(); }, 1000);
      load();
      loadTrunks();
      trunkTimer = setInterval(loadTrunks, TRUNK_REFRESH_MS);
    });
    onBeforeUnmount(() => {
      clearInterval(ticker);
      clearInterval(trunkTimer);
    });

    return {
      t, can, allowed, agents, queues, calls, trunks, error, wall, busy, monitorExtension, force, reasons, stream, STATE_ORDER,
      STATE_TAG, byState, shownAgents, stateName, inState, longestWait, serviceLevel, callTime, monitor, intercept,
      forceHangUp, openForce, submitForce, toggleWall, load,
    };
  },
  template: `
    <no-permission v-if="!allowed" />
    <div v-else class="sb-page" :class="{ 'sb-wall': wall }" data-test="page-wallboard">
      <page-header :title="t('menu.wallboard')" :subtitle="t('wallboard.subtitle')">
        <el-tag :type="stream.status.value === 'open' ? 'success' : 'warning'" effect="plain" data-test="wallboard-stream"
                :data-status="stream.status.value">{{ t('desk.stream.' + stream.status.value) }}</el-tag>
        <el-input v-model="monitorExtension" style="width: 170px" maxlength="16" :placeholder="t('wallboard.myExtension')"
                  data-test="wallboard-extension" />
        <el-button data-test="wallboard-wall" @click="toggleWall">{{ t(wall ? 'wallboard.normal' : 'wallboard.wall') }}</el-button>
      </page-header>
      <el-alert v-if="error" :title="error" type="error" :closable="false" show-icon class="sb-mb" data-test="wallboard-error" />

      <el-row :gutter="16" class="sb-mb" data-test="wallboard-states">
        <el-col v-for="s in STATE_ORDER.slice(0, 5)" :key="s" :xs="12" :sm="8" :md="4">
          <el-card shadow="never" class="sb-card sb-wall-figure">
            <div class="sb-muted">{{ stateName(s) }}</div>
            <div class="sb-strong sb-wall-number" :data-test="'wallboard-count-' + s">{{ byState[s] }}</div>
          </el-card>
        </el-col>
        <el-col :xs="12" :sm="8" :md="4">
          <el-card shadow="never" class="sb-card sb-wall-figure">
            <div class="sb-muted">{{ t('wallboard.calls') }}</div>
            <div class="sb-strong sb-wall-number" data-test="wallboard-count-calls">{{ calls.length }}</div>
          </el-card>
        </el-col>
      </el-row>

      <el-row v-if="trunks.length" :gutter="16" class="sb-mb" data-test="wallboard-trunks">
        <el-col v-for="tr in trunks" :key="tr.id" :xs="12" :sm="8" :md="4">
          <el-card shadow="never" class="sb-card sb-wall-figure">
            <div class="sb-muted">{{ t('wallboard.trunk', { name: tr.name }) }}</div>
            <div class="sb-strong sb-wall-number" :data-test="'wallboard-trunk-' + tr.id">
              {{ tr.in_use }}<span v-if="tr.max_channels" class="sb-muted" style="font-size: 60%"> / {{ tr.max_channels }}</span></div>
          </el-card>
        </el-col>
      </el-row>

      <el-card shadow="never" class="sb-card sb-mb">
        <template #header>{{ t('wallboard.queues') }}</template>
        <el-table :data="queues" row-key="name" data-test="wallboard-queues" :empty-text="t('agents.noQueues')">
          <el-table-column prop="name" :label="t('agents.queue')" min-width="120">
            <template #default="{ row }"><span class="sb-strong" :data-test="'wq-' + row.name">{{ row.name }}</span></template>
          </el-table-column>
          <el-table-column :label="t('agents.waiting')" width="100">
            <template #default="{ row }"><span class="sb-wall-cell" :data-test="'wq-waiting-' + row.name">{{ row.waiting }}</span></template>
          </el-table-column>
          <el-table-column :label="t('agents.longestWait')" width="120">
            <template #default="{ row }"><span class="sb-mono-text sb-wall-cell">{{ longestWait(row) }}</span></template>
          </el-table-column>
          <el-table-column :label="t('wallboard.serviceLevel')" width="120">
            <template #default="{ row }"><span class="sb-wall-cell" :data-test="'wq-sl-' + row.name">{{ serviceLevel(row) }}</span></template>
          </el-table-column>
          <el-table-column :label="t('wallboard.answered')" width="100">
            <template #default="{ row }"><span :data-test="'wq-answered-' + row.name">{{ row.answered == null ? '—' : row.answered }}</span></template>
          </el-table-column>
          <el-table-column :label="t('wallboard.abandoned')" width="100">
            <template #default="{ row }"><span :data-test="'wq-abandoned-' + row.name">{{ row.abandoned == null ? '—' : row.abandoned }}</span></template>
          </el-table-column>
          <el-table-column :label="t('agents.signedIn')" width="100" prop="agents_logged_in" />
          <el-table-column :label="t('agents.ready')" width="90" prop="agents_ready" />
        </el-table>
      </el-card>

      <el-row :gutter="16">
        <el-col :xs="24" :lg="12">
          <el-card shadow="never" class="sb-card sb-mb">
            <template #header>{{ t('wallboard.agents') }}</template>
            <el-table :data="shownAgents" row-key="employee_id" data-test="wallboard-agents" :empty-text="t('wallboard.noAgents')">
              <el-table-column :label="t('agents.agent')" min-width="130">
                <template #default="{ row }">
                  <span class="sb-strong" :data-test="'wa-' + row.employee_id">{{ row.name }}</span>
                  <span class="sb-muted sb-small"> {{ row.employee_id }}</span>
                </template>
              </el-table-column>
              <el-table-column :label="t('agents.state')" width="110">
                <template #default="{ row }">
                  <el-tag size="small" :type="STATE_TAG[row.state]" :data-test="'wa-state-' + row.employee_id" :data-state="row.state">
                    {{ stateName(row.state) }}</el-tag>
                  <div v-if="row.reason" class="sb-muted sb-small">{{ row.reason }}</div>
                </template>
              </el-table-column>
              <el-table-column :label="t('agents.extension')" width="110">
                <template #default="{ row }">
                  <span>{{ row.extension }}</span>
                  <el-tag v-if="row.remote" size="small" type="info" effect="plain" class="sb-ml"
                          :data-test="'wa-remote-' + row.employee_id">{{ t('wallboard.remote') }}</el-tag>
                </template>
              </el-table-column>
              <el-table-column :label="t('agents.timeInState')" width="100">
                <template #default="{ row }"><span class="sb-mono-text sb-wall-cell" :data-test="'wa-time-' + row.employee_id">{{ inState(row) }}</span></template>
              </el-table-column>
              <el-table-column :label="t('common.actions')" width="90">
                <template #default="{ row }">
                  <el-button link type="primary" :disabled="busy" :data-test="'wa-force-' + row.employee_id" @click="openForce(row)">
                    {{ t('wallboard.force') }}</el-button>
                </template>
              </el-table-column>
            </el-table>
          </el-card>
        </el-col>
        <el-col :xs="24" :lg="12">
          <el-card shadow="never" class="sb-card sb-mb">
            <template #header>{{ t('wallboard.currentCalls') }}</template>
            <el-table :data="calls" row-key="id" data-test="wallboard-calls" :empty-text="t('wallboard.noCalls')">
              <el-table-column :label="t('wallboard.caller')" min-width="120">
                <template #default="{ row }">
                  <span class="sb-mono-text" :data-test="'wc-' + row.id">{{ row.caller }}</span>
                  <div class="sb-muted sb-small">→ {{ row.callee }}</div>
                </template>
              </el-table-column>
              <el-table-column :label="t('agents.queue')" width="90" prop="queue" />
              <el-table-column :label="t('agents.agent')" width="90">
                <template #default="{ row }"><span :data-test="'wc-agent-' + row.id">{{ row.agent || row.extension || '' }}</span></template>
              </el-table-column>
              <el-table-column :label="t('wallboard.duration')" width="90">
                <template #default="{ row }">
                  <span class="sb-mono-text">{{ callTime(row) }}</span>
                  <el-tag v-if="row.held" size="small" type="warning">{{ t('desk.phase.held') }}</el-tag>
                </template>
              </el-table-column>
              <el-table-column :label="t('common.actions')" min-width="210">
                <template #default="{ row }">
                  <el-button link type="primary" :disabled="busy || !row.answeredAt" :data-test="'wc-listen-' + row.id" @click="monitor(row, 'listen')">
                    {{ t('wallboard.listen') }}</el-button>
                  <el-button link type="primary" :disabled="busy || !row.answeredAt" :data-test="'wc-whisper-' + row.id" @click="monitor(row, 'whisper')">
                    {{ t('wallboard.whisper') }}</el-button>
                  <el-button link type="primary" :disabled="busy || !row.answeredAt" :data-test="'wc-barge-' + row.id" @click="monitor(row, 'barge')">
                    {{ t('wallboard.barge') }}</el-button>
                  <el-button link type="warning" :disabled="busy || !row.answeredAt" :data-test="'wc-intercept-' + row.id" @click="intercept(row)">
                    {{ t('wallboard.intercept') }}</el-button>
                  <el-button link type="danger" :disabled="busy" :data-test="'wc-hangup-' + row.id" @click="forceHangUp(row)">
                    {{ t('wallboard.hangUp') }}</el-button>
                </template>
              </el-table-column>
            </el-table>
          </el-card>
        </el-col>
      </el-row>

      <el-dialog v-model="force.open" :title="force.agent ? t('wallboard.forceTitle', { name: force.agent.name }) : ''" width="420px" append-to-body>
        <el-radio-group v-model="force.state" data-test="wallboard-force-state">
          <el-radio-button value="ready">{{ stateName('ready') }}</el-radio-button>
          <el-radio-button value="not_ready">{{ stateName('not_ready') }}</el-radio-button>
          <el-radio-button value="signed_out" data-test="wallboard-force-sign-out">{{ t('agents.action.signOut') }}</el-radio-button>
        </el-radio-group>
        <el-select v-if="force.state === 'not_ready'" v-model="force.reason" class="sb-full sb-mt" :placeholder="t('agents.pickReason')">
          <el-option v-for="r in reasons" :key="r.code" :value="r.code" :label="r.name" />
        </el-select>
        <div v-if="force.error" class="sb-error-text sb-mt" data-test="wallboard-force-error">{{ force.error }}</div>
        <template #footer>
          <el-button @click="force.open = false">{{ t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="busy" data-test="wallboard-force-submit" @click="submitForce">{{ t('common.confirm') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
