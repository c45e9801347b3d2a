// Agents: the ACD live. A supervisor (agent.supervise) sees every queue (waiting calls, longest wait, agents signed
// in and ready) and every agent (state, reason, extension, queues and skills, time in state), refreshed every
// 3 seconds while the page is visible, and may sign an agent in or out or make them ready / not ready. An agent
// (agent.work) gets a "my state" bar with the same actions for themselves. Refusals show the ACD's own reason.
import { ref, reactive, computed, onMounted, onBeforeUnmount } from 'vue';
import { api } from '../api.js';
import { t, tOr } from '../i18n.js';
import { can, session } from '../session.js';
import { errorText, showError, showSuccess, confirmDanger, useFieldErrors } from '../util.js';
import PageHeader from '../components/page-header.js';
import NoPermission from '../components/no-permission.js';

const REFRESH_MS = 3000;
/** After /agents/me answered 404 (not an agent, or no ACD), ask again only this often. */
const ME_RECHECK_MS = 30000;
const STATES = ['logged_out', 'ready', 'not_ready', 'reserved', 'on_call', 'wrap_up'];
const STATE_TAG = {
  logged_out: { type: 'info', effect: 'plain' },
  ready: { type: 'success', effect: 'light' },
  not_ready: { type: 'warning', effect: 'light' },
  reserved: { type: 'primary', effect: 'dark' },
  on_call: { type: 'danger', effect: 'light' },
  wrap_up: { type: 'primary', effect: 'plain' },
};
const EXTENSION_RE = /^[0-9]{1,16}$/;
/** Command -> its name in data-test attributes. */
const KEBAB = { signIn: 'sign-in', ready: 'ready', notReady: 'not-ready', signOut: 'sign-out' };

/** Milliseconds -> "mm:ss" (or "h:mm:ss"). */
function clock(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${m}:${sec}` : `${m}:${sec}`;
}

/** The commands that make sense in an agent's state (ringing or talking agents take none). */
function actionsFor(state) {
  switch (state) {
    case 'logged_out':
      return ['signIn'];
    case 'ready':
      return ['notReady', 'signOut'];
    case 'not_ready':
    case 'wrap_up':
      return ['ready', 'notReady', 'signOut'];
    default:
      return [];
  }
}

export default {
  name: 'AgentsPage',
  components: { PageHeader, NoPermission },
  setup() {
    const supervise = computed(() => can('agent.supervise'));
    const work = computed(() => can('agent.work'));
    const allowed = computed(() => supervise.value || work.value);

    const acd = reactive({ agents: [], queues: [], at: 0 });
    const notRunning = ref(false);
    const error = ref('');
    const loaded = ref(false);
    const loading = ref(false);
    const me = ref(null);
    const meAt = ref(0);
    const meMissing = ref('');
    const meError = ref('');
    const now = ref(Date.now());
    const busy = ref(false);
    const reasons = ref([]);
    const reasonsError = ref('');
    const filters = reactive({ queue: '', state: '' });
    const dialog = reactive({ kind: '', open: false, target: null, extension: '', reason: '', error: '' });
    const { fieldErrors, clear: clearFieldErrors } = useFieldErrors();

    let timer = null;
    let ticker = null;
    let alive = true;
    let inFlight = false;
    let again = false;
    let meNextCheck = 0;

    const reasonNames = computed(() => new Map(reasons.value.map((r) => [r.code, r.name])));
    const reasonName = (code) => (code ? reasonNames.value.get(code) || code : '');
    const stateName = (state) => tOr(`agents.stateValue.${state}`, state);
    const stateTag = (state) => STATE_TAG[state] || { type: 'info', effect: 'plain' };
    const timeInState = (agent, at) => clock(agent.in_state_ms + (now.value - at));
    const longestWait = (q) => (q.waiting > 0 ? clock(q.longest_wait_ms + (now.value - acd.at)) : '—');
    const queueNames = computed(() => acd.queues.map((q) => q.name));
    const filtered = computed(() => acd.agents.filter((a) =>
      (!filters.queue || a.queues.some((q) => q.queue === filters.queue)) &&
      (!filters.state || a.state === filters.state)));

    async function loadAcd() {
      try {
        const res = await api.get('/acd/state');
        acd.agents = (res && res.agents) || [];
        acd.queues = (res && res.queues) || [];
        acd.at = Date.now();
        notRunning.value = false;
        error.value = '';
      } catch (err) {
        if (err.status === 404) {
          notRunning.value = true;
          acd.agents = [];
          acd.queues = [];
          error.value = '';
        } else {
          error.value = errorText(err);
        }
      }
    }

    async function loadMe(force) {
      if (!force && !me.value && meMissing.value && Date.now() < meNextCheck) return;
      try {
        me.value = await api.get('/agents/me');
        meAt.value = Date.now();
        meMissing.value = '';
        meError.value = '';
      } catch (err) {
        me.value = null;
        if (err.status === 404) {
          meMissing.value = errorText(err);
          meError.value = '';
          meNextCheck = Date.now() + ME_RECHECK_MS;
        } else {
          meError.value = errorText(err);
        }
      }
    }

    async function loadReasons() {
      try {
        const res = await api.get('/agents/not-ready-reasons');
        reasons.value = (res && res.items) || [];
        reasonsError.value = '';
      } catch (err) {
        reasons.value = [];
        reasonsError.value = errorText(err);
      }
    }

    /** One refresh; the next one is due REFRESH_MS later while the page is open and visible. */
    async function load(forceMe = false) {
      if (!allowed.value) return;
      if (inFlight) {
        again = true;
        return;
      }
      clearTimeout(timer);
      timer = null;
      inFlight = true;
      loading.value = true;
      try {
        await Promise.all([supervise.value ? loadAcd() : null, work.value ? loadMe(forceMe === true) : null]);
      } finally {
        inFlight = false;
        loading.value = false;
        loaded.value = true;
        now.value = Date.now();
        if (alive && again) {
          again = false;
          load();
        } else if (alive && !document.hidden) {
          timer = setTimeout(load, REFRESH_MS);
        }
      }
    }

    function onVisibility() {
      if (!alive) return;
      if (document.hidden) {
        clearTimeout(timer);
        timer = null;
      } else {
        load();
      }
    }

    /** Carries out a state change for `target` (an agent row, or null for oneself). */
    async function run(target, command, extra = {}) {
      busy.value = true;
      try {
        if (target) {
          const body = { state: { signIn: 'signed_in', ready: 'ready', notReady: 'not_ready', signOut: 'signed_out' }[command], ...extra };
          await api.post(`/agents/${encodeURIComponent(target.employee_id)}/state`, body);
        } else {
          const path = { signIn: 'sign-in', ready: 'ready', notReady: 'not-ready', signOut: 'sign-out' }[command];
          me.value = await api.post(`/agents/me/${path}`, extra);
          meAt.value = Date.now();
        }
        showSuccess(t('agents.done'));
        return null;
      } catch (err) {
        return err;
      } finally {
        busy.value = false;
        load(true);
      }
    }

    async function act(target, command) {
      if (command === 'signIn' || command === 'notReady') {
        openDialog(command, target);
        return;
      }
      if (command === 'signOut' && target &&
          !(await confirmDanger(t('agents.confirmSignOut', { name: `${target.name} (${target.employee_id})` })))) {
        return;
      }
      const err = await run(target, command);
      if (err) showError(err);
    }

    function openDialog(kind, target) {
      clearFieldErrors();
      Object.assign(dialog, {
        kind, target, open: true, error: '', reason: '',
        extension: !target && session.user && session.user.extension ? session.user.extension : '',
      });
      if (kind === 'notReady' && !reasons.value.length) loadReasons();
    }
    const dialogTitle = computed(() => {
      if (!dialog.kind) return '';
      if (!dialog.target) return t(`agents.my${dialog.kind === 'signIn' ? 'SignIn' : 'NotReady'}Title`);
      const name = `${dialog.target.name} (${dialog.target.employee_id})`;
      return t(`agents.${dialog.kind}Title`, { name });
    });

    async function submitDialog() {
      clearFieldErrors();
      dialog.error = '';
      let extra;
      if (dialog.kind === 'signIn') {
        const extension = dialog.extension.trim();
        if (extension && !EXTENSION_RE.test(extension)) {
          fieldErrors.extension = t('agents.badExtension');
          return;
        }
        extra = extension ? { extension } : {};
      } else {
        if (!dialog.reason) {
          fieldErrors.reason = t('agents.pickReason');
          return;
        }
        extra = { reason: dialog.reason };
      }
      const err = await run(dialog.target, dialog.kind, extra);
      if (!err) {
        dialog.open = false;
        return;
      }
      // 422 names the field; 409 carries the ACD's reason
      if (err.field) fieldErrors[String(err.field).split(/[[.]/)[0]] = err.message;
      else dialog.error = errorText(err);
    }

    onMounted(() => {
      if (!allowed.value) return;
      document.addEventListener('visibilitychange', onVisibility);
      ticker = setInterval(() => {
        now.value = Date.now();
      }, 1000);
      loadReasons();
      load(true);
    });
    onBeforeUnmount(() => {
      alive = false;
      clearTimeout(timer);
      timer = null;
      clearInterval(ticker);
      ticker = null;
      document.removeEventListener('visibilitychange', onVisibility);
    });

    return {
      t, supervise, work, allowed, acd, notRunning, error, loaded, loading, me, meAt, meMissing, meError, busy,
      reasons, reasonsError, filters, dialog, dialogTitle, fieldErrors, queueNames, filtered, STATES, KEBAB,
      reasonName, stateName, stateTag, timeInState, longestWait, actionsFor, load, act, submitDialog,
    };
  },
  template: `
    <no-permission v-if="!allowed" />
    <div v-else class="sb-page" data-test="page-agents">
      <page-header :title="t('menu.agents')" :subtitle="t('agents.subtitle')">
        <el-button :icon="$icons.Refresh" :loading="loading && !loaded" data-test="agents-refresh" @click="load(true)">
          {{ t('common.refresh') }}</el-button>
      </page-header>

      <el-card v-if="work && me" shadow="never" class="sb-card sb-mb" data-test="my-agent-state">
        <div class="sb-toolbar" style="margin-bottom: 0">
          <span class="sb-strong">{{ t('agents.myState') }}</span>
          <el-tag :type="stateTag(me.state).type" :effect="stateTag(me.state).effect" data-test="my-state"
                  :data-state="me.state">{{ stateName(me.state) }}</el-tag>
          <span v-if="me.reason" data-test="my-reason">{{ reasonName(me.reason) }}</span>
          <span v-if="me.extension" class="sb-muted">{{ t('agents.extension') }}
            <span class="sb-mono-text" data-test="my-extension">{{ me.extension }}</span></span>
          <span class="sb-mono-text" data-test="my-time">{{ timeInState(me, meAt) }}</span>
          <span style="flex: 1" />
          <el-button v-if="actionsFor(me.state).includes('signIn')" type="primary" :disabled="busy"
                     data-test="my-sign-in" @click="act(null, 'signIn')">{{ t('agents.action.signIn') }}</el-button>
          <el-button v-if="actionsFor(me.state).includes('ready')" type="success" :disabled="busy"
                     data-test="my-ready" @click="act(null, 'ready')">{{ t('agents.action.ready') }}</el-button>
          <el-button v-if="actionsFor(me.state).includes('notReady')" type="warning" :disabled="busy"
                     data-test="my-not-ready" @click="act(null, 'notReady')">{{ t('agents.action.notReady') }}</el-button>
          <el-button v-if="actionsFor(me.state).includes('signOut')" :disabled="busy"
                     data-test="my-sign-out" @click="act(null, 'signOut')">{{ t('agents.action.signOut') }}</el-button>
        </div>
      </el-card>
      <el-alert v-if="work && meError" :title="meError" type="error" show-icon :closable="false" class="sb-mb"
                data-test="my-agent-error" />
      <el-card v-if="work && !supervise && loaded && !me && meMissing" shadow="never" class="sb-card">
        <el-empty :description="meMissing" data-test="my-agent-missing" />
      </el-card>

      <template v-if="supervise">
        <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb"
                  data-test="agents-error" />
        <el-card v-if="notRunning" shadow="never" class="sb-card">
          <el-empty :description="t('agents.notRunning')" data-test="agents-not-running" />
        </el-card>
        <template v-else>
          <el-row :gutter="16" data-test="acd-queues">
            <el-col v-for="q in acd.queues" :key="q.name" :xs="24" :sm="12" :md="8" :lg="6">
              <el-card shadow="never" class="sb-card" :data-test="'acd-queue-' + q.name">
                <div class="sb-strong sb-mono-text sb-mb">{{ q.name }}</div>
                <div style="display: grid; grid-template-columns: 1fr 1fr; gap: 8px 16px">
                  <div>
                    <div class="sb-muted sb-small">{{ t('agents.waiting') }}</div>
                    <div class="sb-strong" style="font-size: 20px" :data-test="'acd-queue-waiting-' + q.name">{{ q.waiting }}</div>
                  </div>
                  <div>
                    <div class="sb-muted sb-small">{{ t('agents.longestWait') }}</div>
                    <div class="sb-strong sb-mono-text" style="font-size: 20px" :data-test="'acd-queue-longest-' + q.name">
                      {{ longestWait(q) }}</div>
                  </div>
                  <div>
                    <div class="sb-muted sb-small">{{ t('agents.signedIn') }}</div>
                    <div class="sb-strong" style="font-size: 20px" :data-test="'acd-queue-signed-in-' + q.name">
                      {{ q.agents_logged_in }}</div>
                  </div>
                  <div>
                    <div class="sb-muted sb-small">{{ t('agents.ready') }}</div>
                    <div class="sb-strong" style="font-size: 20px" :data-test="'acd-queue-ready-' + q.name">{{ q.agents_ready }}</div>
                  </div>
                </div>
              </el-card>
            </el-col>
          </el-row>
          <el-card v-if="loaded && !acd.queues.length" shadow="never" class="sb-card sb-mb">
            <el-empty :description="t('agents.noQueues')" :image-size="60" data-test="acd-no-queues" />
          </el-card>

          <el-card shadow="never" class="sb-card">
            <el-form inline class="sb-filters" @submit.prevent>
              <el-form-item :label="t('agents.queue')">
                <el-select v-model="filters.queue" clearable class="sb-filter" :placeholder="t('agents.allQueues')"
                           data-test="agents-filter-queue">
                  <el-option v-for="name in queueNames" :key="name" :value="name" :label="name" />
                </el-select>
              </el-form-item>
              <el-form-item :label="t('agents.state')">
                <el-select v-model="filters.state" clearable class="sb-filter" :placeholder="t('agents.allStates')"
                           data-test="agents-filter-state">
                  <el-option v-for="s in STATES" :key="s" :value="s" :label="stateName(s)" />
                </el-select>
              </el-form-item>
            </el-form>
            <el-table v-loading="!loaded" :data="filtered" row-key="employee_id" border stripe data-test="agents-table"
                      :empty-text="filters.queue || filters.state ? t('common.noMatch') : t('agents.empty')">
              <el-table-column :label="t('agents.agent')" min-width="150">
                <template #default="{ row }">
                  <span class="sb-strong" :data-test="'agent-row-' + row.employee_id">{{ row.name }}</span>
                  <div class="sb-muted sb-small sb-mono-text">{{ row.employee_id }}</div>
                </template>
              </el-table-column>
              <el-table-column :label="t('agents.state')" width="110">
                <template #default="{ row }">
                  <el-tag size="small" :type="stateTag(row.state).type" :effect="stateTag(row.state).effect"
                          :data-test="'agent-state-' + row.employee_id" :data-state="row.state">{{ stateName(row.state) }}</el-tag>
                </template>
              </el-table-column>
              <el-table-column :label="t('agents.reason')" min-width="110">
                <template #default="{ row }">
                  <span :data-test="'agent-reason-' + row.employee_id">{{ reasonName(row.reason) }}</span>
                </template>
              </el-table-column>
              <el-table-column :label="t('agents.extension')" width="100">
                <template #default="{ row }">
                  <span class="sb-mono-text" :data-test="'agent-extension-' + row.employee_id">{{ row.extension || '' }}</span>
                </template>
              </el-table-column>
              <el-table-column :label="t('agents.queues')" min-width="170">
                <template #default="{ row }">
                  <div class="sb-tags" :data-test="'agent-queues-' + row.employee_id">
                    <el-tag v-for="q in row.queues" :key="q.queue" size="small" type="info" effect="plain">
                      {{ t('agents.queueSkill', { queue: q.queue, skill: q.skill }) }}</el-tag>
                  </div>
                </template>
              </el-table-column>
              <el-table-column :label="t('agents.timeInState')" width="110">
                <template #default="{ row }">
                  <span class="sb-mono-text" :data-test="'agent-time-' + row.employee_id">{{ timeInState(row, acd.at) }}</span>
                </template>
              </el-table-column>
              <el-table-column :label="t('common.actions')" width="220" fixed="right">
                <template #default="{ row }">
                  <el-button v-for="a in actionsFor(row.state)" :key="a" link :type="a === 'signOut' ? 'danger' : 'primary'"
                             :disabled="busy" :data-test="'agent-' + KEBAB[a] + '-' + row.employee_id" @click="act(row, a)">
                    {{ t('agents.action.' + a) }}</el-button>
                  <span v-if="!actionsFor(row.state).length" class="sb-muted">—</span>
                </template>
              </el-table-column>
            </el-table>
            <div class="sb-muted sb-small sb-mt">{{ t('agents.autoRefresh') }}</div>
          </el-card>
        </template>
      </template>

      <el-dialog v-model="dialog.open" :title="dialogTitle" width="440px" append-to-body :close-on-click-modal="false">
        <el-form label-width="100px" :data-test="'agent-' + (KEBAB[dialog.kind] || '') + '-form'" @submit.prevent="submitDialog">
          <el-form-item v-if="dialog.kind === 'signIn'" :label="t('agents.extension')" :error="fieldErrors.extension">
            <el-input v-model="dialog.extension" maxlength="16" clearable data-test="agent-sign-in-extension" />
            <div class="sb-form-hint sb-full">{{ dialog.target ? t('agents.extensionHint') : t('agents.myExtensionHint') }}</div>
          </el-form-item>
          <el-form-item v-else :label="t('agents.reason')" required :error="fieldErrors.reason">
            <el-select v-model="dialog.reason" class="sb-full" :placeholder="t('agents.pickReason')"
                       :no-data-text="reasonsError || t('agents.noReasons')" data-test="agent-not-ready-reason">
              <el-option v-for="r in reasons" :key="r.code" :value="r.code" :label="r.name" />
            </el-select>
          </el-form-item>
          <el-alert v-if="dialog.error" :title="dialog.error" type="error" show-icon :closable="false"
                    data-test="agent-dialog-error" />
        </el-form>
        <template #footer>
          <el-button data-test="agent-dialog-cancel" @click="dialog.open = false">{{ t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="busy" data-test="agent-dialog-submit" @click="submitDialog">
            {{ t('common.confirm') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
