// Agent desktop (MISSION G1-G9, C4): the softphone bar (state, reason, time in state, sign in at any extension,
// ready / not ready / sign out), the call in hand (caller, region, queue, wait, IVR trail, talk time) with hold /
// retrieve, transfer, consult, conference, hang-up and dial out, the screen pop of the caller (one customer: profile,
// open tickets, timeline; none: a new-customer form with the number; several: a list to pick from), a ticket opened
// from the call and linked to it, a note on the customer's timeline, knowledge search beside the call, and the agent's
// follow-me to their mobile (G8, follow-me-card.js).
// Everything arrives live from the CTI event stream (only this agent's events); REST reloads after a resync.
import { ref, reactive, computed, onMounted, onBeforeUnmount } from 'vue';
import { api } from '../api.js';
import { t, tOr } from '../i18n.js';
import { can, session } from '../session.js';
import { errorText, showError, showSuccess, fmtDateTime } from '../util.js';
import { useCtiEvents, clock } from '../cti.js';
import PageHeader from '../components/page-header.js';
import NoPermission from '../components/no-permission.js';
import CustomerDialog from './customer-dialog.js';
import TicketCreateDialog from './ticket-create-dialog.js';
import CallTrail from './call-trail.js';
import DeskPickup from './desk-pickup.js';
import TimelineRecording from '../components/timeline-recording.js';
import FollowMeCard from './follow-me-card.js';

const STATE_TAG = {
  logged_out: 'info', ready: 'success', not_ready: 'warning', reserved: 'primary', on_call: 'danger', wrap_up: 'primary',
};
const TARGET_KINDS = ['agent', 'extension', 'queue', 'flow', 'number'];

export default {
  name: 'AgentDesktopPage',
  components: { PageHeader, NoPermission, CustomerDialog, TicketCreateDialog, CallTrail, DeskPickup, TimelineRecording, FollowMeCard },
  setup() {
    const allowed = computed(() => can('agent.work'));
    const me = ref(null);
    const meAt = ref(0);
    const meError = ref('');
    const wrapUntil = ref(0); // local ms when after-call work ends
    const now = ref(Date.now());
    const busy = ref(false);
    const reasons = ref([]);
    const call = ref(null); // the live call in hand: CallSubject + local facts
    const pop = reactive({ loading: false, lookup: null, customer: null, tickets: [], timeline: [], error: '' });
    const vocabulary = ref({ levels: [], fields: [] });
    const agentsOnline = ref([]);
    const dial = reactive({ number: '', error: '' });
    const signIn = reactive({ open: false, extension: '', autoAnswer: false, error: '' });
    const notReady = reactive({ open: false, reason: '', error: '' });
    const transfer = reactive({ open: false, mode: 'blind', kind: 'agent', value: '', error: '' });
    const newCustomer = ref(false);
    const newTicket = ref(false);
    const note = ref('');
    const kb = reactive({ q: '', items: [], loading: false, error: '' });
    let ticker = null;

    const stateName = (s) => tOr(`agents.stateValue.${s}`, s);
    const wrapUpLeft = computed(() => (me.value && me.value.state === 'wrap_up' && wrapUntil.value
      ? clock(wrapUntil.value - now.value) : ''));
    const timeInState = computed(() => (me.value ? clock(me.value.in_state_ms + (now.value - meAt.value)) : ''));
    const talkTime = computed(() => (call.value && call.value.answeredAt ? clock(now.value - call.value.answeredAt) : ''));
    const canAct = (s) => ({
      signIn: s === 'logged_out',
      ready: s === 'not_ready' || s === 'wrap_up',
      notReady: s === 'ready' || s === 'wrap_up' || s === 'not_ready',
      signOut: s === 'ready' || s === 'not_ready' || s === 'wrap_up',
    });

    async function loadMe() {
      try {
        me.value = await api.get('/agents/me');
        meAt.value = Date.now();
        wrapUntil.value = me.value.wrap_up_left_ms != null ? Date.now() + me.value.wrap_up_left_ms : 0;
        meError.value = '';
      } catch (err) {
        me.value = null;
        meError.value = errorText(err);
      }
    }
    async function loadAgents() {
      if (!can('agent.supervise') && !can('agent.work')) return;
      try {
        const res = await api.get('/agents/online');
        agentsOnline.value = (res && res.items) || [];
      } catch {
        agentsOnline.value = [];
      }
    }
    /** The call already in hand when the page opens (or after a resync). */
    async function loadCall() {
      if (!can('call.read') || !me.value || !me.value.extension) return;
      try {
        const res = await api.get('/calls');
        const mine = ((res && res.items) || []).find((c) => c.agent === session.user.employee_id ||
          c.agent_extension === me.value.extension);
        if (mine && (!call.value || call.value.id !== mine.id)) {
          takeCall({ id: mine.id, call_id: mine.call_id, caller: mine.caller, callee: mine.callee, direction: mine.direction,
            queue: mine.queue, agent: mine.agent, extension: mine.agent_extension }, 0);
          if (mine.answered_at) call.value.answeredAt = Date.parse(mine.answered_at);
          call.value.held = mine.held;
        }
      } catch {
        // call.read is optional for an agent: the stream still pops the next call
      }
    }

    function otherParty(subject) {
      const ext = me.value && me.value.extension;
      if (subject.direction === 'outbound' || subject.caller === ext) return subject.callee;
      return subject.caller;
    }

    function takeCall(subject, waitedMs) {
      call.value = { ...subject, number: otherParty(subject), waitedMs, answeredAt: 0, held: false, ringing: true };
      screenPop(call.value.number);
    }

    async function screenPop(number) {
      Object.assign(pop, { loading: true, lookup: null, customer: null, tickets: [], timeline: [], error: '' });
      if (!can('customer.read')) {
        pop.loading = false;
        return;
      }
      try {
        pop.lookup = await api.get('/customers/lookup', { number });
        if (pop.lookup.outcome === 'one') await openCustomer(pop.lookup.customers[0]);
      } catch (err) {
        pop.error = errorText(err);
      } finally {
        pop.loading = false;
      }
    }
    async function openCustomer(customer) {
      pop.customer = customer;
      try {
        const [tickets, timeline] = await Promise.all([
          can('ticket.read') ? api.get('/tickets', { customer_id: customer.id, per_page: 10 }) : { items: [] },
          api.get(`/customers/${customer.id}/timeline`, { limit: 20 }),
        ]);
        pop.tickets = ((tickets && tickets.items) || []).filter((x) => x.status !== 'closed');
        pop.timeline = timeline || [];
      } catch (err) {
        pop.error = errorText(err);
      }
    }
    async function customerCreated(customer) {
      if (customer && customer.id) await openCustomer(customer);
    }

    function onEvent(event) {
      if (event.type === 'agent.state') {
        if (!me.value || event.agent.employee_id !== session.user.employee_id) return;
        me.value = { ...me.value, state: event.agent.state, reason: event.agent.reason || null,
          extension: event.agent.extension || null, in_state_ms: 0 };
        meAt.value = Date.now();
        wrapUntil.value = event.agent.wrap_up_until_ms || 0;
        return;
      }
      if (!event.call) return;
      const subject = event.call;
      const current = call.value;
      switch (event.type) {
        case 'call.offered':
          takeCall(subject, event.waited_ms || 0);
          break;
        case 'call.ringing':
        case 'call.created':
          if (!current || current.id !== subject.id) takeCall(subject, 0);
          break;
        case 'call.answered':
          if (!current || current.id !== subject.id) takeCall(subject, 0);
          Object.assign(call.value, subject, { ringing: false, answeredAt: Date.now() });
          break;
        case 'call.held':
          if (current && current.id === subject.id) current.held = true;
          break;
        case 'call.retrieved':
          if (current && current.id === subject.id) current.held = false;
          break;
        case 'call.transferred':
          // Told as the call stood: it leaves this agent for the target.
          if (current && current.id === subject.id) {
            current.ended = true;
            current.transferredTo = event.target;
          }
          break;
        case 'call.left':
          if (current && current.id === subject.id && event.extension === (me.value && me.value.extension)) {
            current.ended = true;
          }
          break;
        case 'call.ended':
          if (current && current.id === subject.id) {
            current.ended = true;
            current.ringing = false;
          }
          break;
        default:
      }
    }
    const stream = useCtiEvents({
      onEvent,
      onResync: () => {
        loadMe();
        loadCall();
      },
    });

    async function command(path, body, done) {
      busy.value = true;
      try {
        const result = await api.post(path, body);
        if (done) showSuccess(done);
        return result;
      } catch (err) {
        showError(err);
        return null;
      } finally {
        busy.value = false;
      }
    }
    async function meCommand(path, body) {
      busy.value = true;
      try {
        me.value = await api.post(`/agents/me/${path}`, body || {});
        meAt.value = Date.now();
        wrapUntil.value = me.value.wrap_up_left_ms != null ? Date.now() + me.value.wrap_up_left_ms : 0;
        return null;
      } catch (err) {
        return err;
      } finally {
        busy.value = false;
      }
    }
    function openSignIn() {
      Object.assign(signIn, { open: true, error: '', extension: session.user && session.user.extension ? session.user.extension : '' });
    }
    async function submitSignIn() {
      const ext = signIn.extension.trim();
      const body = { auto_answer: signIn.autoAnswer };
      if (ext) body.extension = ext;
      const err = await meCommand('sign-in', body);
      if (err) signIn.error = errorText(err);
      else signIn.open = false;
    }
    async function openNotReady() {
      Object.assign(notReady, { open: true, reason: '', error: '' });
      if (!reasons.value.length) {
        try {
          const res = await api.get('/agents/not-ready-reasons');
          reasons.value = (res && res.items) || [];
        } catch (err) {
          notReady.error = errorText(err);
        }
      }
    }
    async function submitNotReady() {
      if (!notReady.reason) {
        notReady.error = t('agents.pickReason');
        return;
      }
      const err = await meCommand('not-ready', { reason: notReady.reason });
      if (err) notReady.error = errorText(err);
      else notReady.open = false;
    }
    async function ready() {
      const err = await meCommand('ready');
      if (err) showError(err);
    }
    async function signOut() {
      const err = await meCommand('sign-out');
      if (err) showError(err);
    }

    const callPath = (suffix) => `/calls/${call.value.id}/${suffix}`;
    async function hold() {
      await command(callPath('hold'), { party: call.value.direction === 'outbound' ? 'callee' : 'caller' });
    }
    async function retrieve() {
      await command(callPath('resume'));
    }
    async function hangUp() {
      await command(callPath('hangup'));
    }
    function openTransfer(mode) {
      Object.assign(transfer, { open: true, mode, kind: 'agent', value: '', error: '' });
      loadAgents();
    }
    async function submitTransfer() {
      transfer.error = '';
      if (!transfer.value.trim()) {
        transfer.error = t('desk.pickTarget');
        return;
      }
      const target = { kind: transfer.kind, value: transfer.value.trim() };
      const path = transfer.mode === 'blind' ? 'transfer' : 'consult';
      busy.value = true;
      try {
        await api.post(callPath(path), { target });
        transfer.open = false;
        if (transfer.mode === 'consult') call.value.consulting = target;
        showSuccess(t(transfer.mode === 'blind' ? 'desk.transferred' : 'desk.consulting'));
      } catch (err) {
        transfer.error = errorText(err);
      } finally {
        busy.value = false;
      }
    }
    async function consultStep(step) {
      const done = await command(callPath(`consult/${step}`), {}, t(`desk.consult.${step}Done`));
      if (done !== null || step !== 'conference') call.value.consulting = step === 'conference' ? call.value.consulting : null;
    }
    async function dialOut() {
      dial.error = '';
      const number = dial.number.trim();
      if (!/^[0-9*#+]{2,32}$/.test(number)) {
        dial.error = t('desk.badNumber');
        return;
      }
      busy.value = true;
      try {
        await api.post('/calls', { to: number });
        showSuccess(t('desk.dialling', { number }));
      } catch (err) {
        dial.error = errorText(err);
      } finally {
        busy.value = false;
      }
    }
    async function saveNote() {
      if (!note.value.trim() || !pop.customer) return;
      const text = call.value ? `${note.value.trim()} (${t('desk.callRef', { call: call.value.call_id })})` : note.value.trim();
      const ok = await command(`/customers/${pop.customer.id}/notes`, { text }, t('desk.noteSaved'));
      if (ok !== undefined) {
        note.value = '';
        openCustomer(pop.customer);
      }
    }
    function ticketCreated() {
      newTicket.value = false;
      if (pop.customer) openCustomer(pop.customer);
    }
    function closeCall() {
      call.value = null;
      Object.assign(pop, { lookup: null, customer: null, tickets: [], timeline: [], error: '' });
    }
    async function searchKnowledge() {
      if (!kb.q.trim()) return;
      kb.loading = true;
      kb.error = '';
      try {
        const res = await api.get('/knowledge/search', { q: kb.q.trim(), per_page: 5 });
        kb.items = (res && res.hits) || [];
      } catch (err) {
        kb.error = errorText(err);
      } finally {
        kb.loading = false;
      }
    }
    const regionText = computed(() => {
      const r = pop.lookup && pop.lookup.region;
      if (!r) return '';
      return session.locale === 'en' ? `${r.province_en} ${r.city_en}` : `${r.province} ${r.city}`;
    });

    onMounted(async () => {
      if (!allowed.value) return;
      ticker = setInterval(() => { now.value = Date.now(); }, 1000);
      await loadMe();
      loadCall();
      if (can('customer.read')) {
        api.get('/customer-vocabulary').then((v) => { vocabulary.value = v; }).catch(() => {});
      }
    });
    onBeforeUnmount(() => clearInterval(ticker));

    return {
      t, can, allowed, me, meError, busy, reasons, call, pop, vocabulary, agentsOnline, dial, signIn, notReady, transfer,
      newCustomer, newTicket, note, kb, stream, TARGET_KINDS, STATE_TAG, stateName, timeInState, wrapUpLeft, talkTime, canAct,
      regionText, fmtDateTime, clock, openSignIn, submitSignIn, openNotReady, submitNotReady, ready, signOut, hold,
      retrieve, hangUp, openTransfer, submitTransfer, consultStep, dialOut, saveNote, ticketCreated, closeCall,
      customerCreated, openCustomer, searchKnowledge,
    };
  },
  template: `
    <no-permission v-if="!allowed" />
    <div v-else class="sb-page" data-test="page-agent-desktop">
      <page-header :title="t('menu.agent-desktop')" :subtitle="t('desk.subtitle')">
        <el-tag :type="stream.status.value === 'open' ? 'success' : 'warning'" effect="plain" data-test="desk-stream"
                :data-status="stream.status.value">{{ t('desk.stream.' + stream.status.value) }}</el-tag>
      </page-header>

      <el-card shadow="never" class="sb-card sb-mb" data-test="softphone">
        <div class="sb-toolbar" style="margin-bottom: 0; flex-wrap: wrap; gap: 8px">
          <template v-if="me">
            <el-tag :type="STATE_TAG[me.state]" effect="dark" size="large" data-test="desk-state" :data-state="me.state">
              {{ stateName(me.state) }}</el-tag>
            <span v-if="me.reason" data-test="desk-reason">{{ me.reason }}</span>
            <span v-if="me.extension" class="sb-muted">{{ t('agents.extension') }}
              <span class="sb-mono-text" data-test="desk-extension">{{ me.extension }}</span></span>
            <el-tag v-if="me.auto_answer" type="info" effect="plain" data-test="desk-auto-answer">{{ t('pickup.autoAnswer') }}</el-tag>
            <span class="sb-mono-text" data-test="desk-time">{{ timeInState }}</span>
            <el-tag v-if="wrapUpLeft" type="primary" effect="plain" data-test="desk-wrap-up-left">
              {{ t('desk.wrapUpLeft', { time: wrapUpLeft }) }}</el-tag>
            <el-button v-if="canAct(me.state).signIn" type="primary" :disabled="busy" data-test="desk-sign-in" @click="openSignIn">
              {{ t('agents.action.signIn') }}</el-button>
            <el-button v-if="canAct(me.state).ready" type="success" :disabled="busy" data-test="desk-ready" @click="ready">
              {{ t('agents.action.ready') }}</el-button>
            <el-button v-if="canAct(me.state).notReady" type="warning" :disabled="busy" data-test="desk-not-ready" @click="openNotReady">
              {{ t('agents.action.notReady') }}</el-button>
            <el-button v-if="canAct(me.state).signOut" :disabled="busy" data-test="desk-sign-out" @click="signOut">
              {{ t('agents.action.signOut') }}</el-button>
          </template>
          <el-alert v-else-if="meError" :title="meError" type="warning" :closable="false" show-icon data-test="desk-not-agent" />
          <span style="flex: 1" />
          <el-input v-model="dial.number" style="width: 200px" maxlength="32" clearable :placeholder="t('desk.dialPlaceholder')"
                    data-test="desk-dial-number" @keyup.enter="dialOut" />
          <el-button type="primary" :icon="$icons.Phone" :disabled="busy" data-test="desk-dial" @click="dialOut">
            {{ t('desk.dial') }}</el-button>
        </div>
        <div v-if="dial.error" class="sb-error-text sb-mt" data-test="desk-dial-error">{{ dial.error }}</div>
      </el-card>

      <desk-pickup />

      <el-row :gutter="16">
        <el-col :xs="24" :lg="16">
          <el-card shadow="never" class="sb-card sb-mb" data-test="desk-call">
            <template #header>{{ t('desk.call') }}</template>
            <el-empty v-if="!call" :description="t('desk.noCall')" :image-size="60" data-test="desk-no-call" />
            <template v-else>
              <div class="sb-toolbar" style="flex-wrap: wrap; gap: 12px">
                <span class="sb-strong" style="font-size: 22px" data-test="desk-call-number">{{ call.number }}</span>
                <el-tag v-if="call.ended" type="info" data-test="desk-call-phase" data-phase="ended">{{ t('desk.phase.ended') }}</el-tag>
                <el-tag v-else-if="call.held" type="warning" data-test="desk-call-phase" data-phase="held">{{ t('desk.phase.held') }}</el-tag>
                <el-tag v-else-if="call.ringing" type="primary" data-test="desk-call-phase" data-phase="ringing">{{ t('desk.phase.ringing') }}</el-tag>
                <el-tag v-else type="danger" data-test="desk-call-phase" data-phase="talking">{{ t('desk.phase.talking') }}</el-tag>
                <span v-if="regionText" data-test="desk-call-region">{{ regionText }}</span>
                <span v-if="call.queue" class="sb-muted">{{ t('desk.queue') }} <span data-test="desk-call-queue">{{ call.queue }}</span></span>
                <span v-if="call.waitedMs" class="sb-muted">{{ t('desk.waited') }} <span class="sb-mono-text">{{ clock(call.waitedMs) }}</span></span>
                <span v-if="talkTime" class="sb-mono-text" data-test="desk-talk-time">{{ talkTime }}</span>
              </div>
              <div v-if="!call.ended" class="sb-row sb-mt" style="flex-wrap: wrap; gap: 8px">
                <el-button v-if="!call.held" :disabled="busy || call.ringing" data-test="desk-hold" @click="hold">{{ t('desk.hold') }}</el-button>
                <el-button v-else type="warning" :disabled="busy" data-test="desk-retrieve" @click="retrieve">{{ t('desk.retrieve') }}</el-button>
                <el-button :disabled="busy || call.ringing" data-test="desk-transfer" @click="openTransfer('blind')">{{ t('desk.transfer') }}</el-button>
                <el-button :disabled="busy || call.ringing || !!call.consulting" data-test="desk-consult" @click="openTransfer('consult')">{{ t('desk.consultStart') }}</el-button>
                <template v-if="call.consulting">
                  <el-button type="primary" :disabled="busy" data-test="desk-consult-complete" @click="consultStep('complete')">{{ t('desk.consult.complete') }}</el-button>
                  <el-button :disabled="busy" data-test="desk-consult-conference" @click="consultStep('conference')">{{ t('desk.consult.conference') }}</el-button>
                  <el-button :disabled="busy" data-test="desk-consult-cancel" @click="consultStep('cancel')">{{ t('desk.consult.cancel') }}</el-button>
                </template>
                <el-button type="danger" :disabled="busy" data-test="desk-hang-up" @click="hangUp">{{ t('desk.hangUp') }}</el-button>
              </div>
              <div v-else class="sb-row sb-mt">
                <el-button data-test="desk-close-call" @click="closeCall">{{ t('desk.closeCall') }}</el-button>
              </div>
              <div v-if="call.call_id && can('cdr.read')" class="sb-mt"><call-trail :call-id="call.call_id" /></div>
            </template>
          </el-card>

          <el-card v-if="call" shadow="never" class="sb-card sb-mb" data-test="screen-pop">
            <template #header>{{ t('desk.customer') }}</template>
            <div v-loading="pop.loading">
              <el-alert v-if="pop.error" :title="pop.error" type="error" :closable="false" show-icon />
              <template v-if="pop.customer">
                <div class="sb-toolbar" style="flex-wrap: wrap; gap: 12px">
                  <router-link :to="'/customers/' + pop.customer.id" class="sb-strong" style="font-size: 18px"
                               data-test="pop-customer-name">{{ pop.customer.name }}</router-link>
                  <el-tag v-if="pop.customer.level" size="small">{{ pop.customer.level }}</el-tag>
                  <span class="sb-muted">{{ pop.customer.city || pop.customer.province }}</span>
                  <span style="flex: 1" />
                  <el-button v-if="can('ticket.create')" type="primary" data-test="pop-new-ticket" @click="newTicket = true">
                    {{ t('desk.newTicket') }}</el-button>
                </div>
                <div class="sb-strong sb-mt">{{ t('desk.openTickets') }}</div>
                <el-empty v-if="!pop.tickets.length" :description="t('desk.noOpenTickets')" :image-size="40" />
                <div v-for="tk in pop.tickets" :key="tk.id" class="sb-mt" :data-test="'pop-ticket-' + tk.serial">
                  <router-link :to="'/tickets/' + tk.id" class="sb-mono-text">{{ tk.serial }}</router-link> {{ tk.subject }}
                  <el-tag size="small" type="info">{{ tk.status }}</el-tag>
                </div>
                <div class="sb-row sb-mt">
                  <el-input v-model="note" maxlength="1000" :placeholder="t('desk.notePlaceholder')" data-test="pop-note" @keyup.enter="saveNote" />
                  <el-button :disabled="!note.trim()" data-test="pop-save-note" @click="saveNote">{{ t('desk.saveNote') }}</el-button>
                </div>
                <div class="sb-strong sb-mt">{{ t('customers.timeline') }}</div>
                <el-timeline class="sb-mt" data-test="pop-timeline">
                  <el-timeline-item v-for="(e, i) in pop.timeline" :key="i" :timestamp="fmtDateTime(e.occurred_at)" placement="top">
                    <strong>{{ t('customers.kind.' + e.kind) }}</strong>
                    <span v-if="e.summary"> · {{ e.summary }}</span>
                    <span v-if="e.call"> · {{ e.call.number }}</span>
                    <timeline-recording v-if="e.call && e.call.recording_id" :recording-id="e.call.recording_id" />
                  </el-timeline-item>
                </el-timeline>
              </template>
              <template v-else-if="pop.lookup && pop.lookup.outcome === 'several'">
                <div class="sb-mb">{{ t('desk.severalCustomers') }}</div>
                <el-table :data="pop.lookup.customers" data-test="pop-several" @row-click="openCustomer">
                  <el-table-column prop="name" :label="t('customers.name')" />
                  <el-table-column prop="city" :label="t('customers.city')" />
                  <el-table-column prop="level" :label="t('customers.level')" />
                </el-table>
              </template>
              <template v-else-if="pop.lookup && pop.lookup.outcome === 'none'">
                <el-empty :description="t('desk.unknownCaller')" :image-size="50" data-test="pop-none" />
                <el-button v-if="can('customer.create')" type="primary" data-test="pop-new-customer" @click="newCustomer = true">
                  {{ t('desk.newCustomer') }}</el-button>
              </template>
            </div>
          </el-card>
        </el-col>

        <el-col :xs="24" :lg="8">
          <follow-me-card />
          <el-card shadow="never" class="sb-card sb-mb" data-test="desk-knowledge">
            <template #header>{{ t('desk.knowledge') }}</template>
            <div class="sb-row">
              <el-input v-model="kb.q" clearable :placeholder="t('desk.knowledgePlaceholder')" data-test="desk-kb-q" @keyup.enter="searchKnowledge" />
              <el-button :loading="kb.loading" data-test="desk-kb-search" @click="searchKnowledge">{{ t('common.search') }}</el-button>
            </div>
            <div v-if="kb.error" class="sb-error-text">{{ kb.error }}</div>
            <div v-for="a in kb.items" :key="a.article_id" class="sb-mt" :data-test="'desk-kb-' + a.article_id">
              <router-link :to="'/knowledge/articles/' + a.article_id" class="sb-strong" v-html="a.title_html"></router-link>
              <div class="sb-muted sb-small" v-html="a.snippet_html"></div>
            </div>
          </el-card>
        </el-col>
      </el-row>

      <el-dialog v-model="signIn.open" :title="t('agents.mySignInTitle')" width="420px" append-to-body>
        <el-form label-width="90px" @submit.prevent="submitSignIn">
          <el-form-item :label="t('agents.extension')">
            <el-input v-model="signIn.extension" maxlength="16" data-test="desk-sign-in-extension" />
            <div class="sb-form-hint sb-full">{{ t('agents.myExtensionHint') }}</div>
          </el-form-item>
          <el-form-item>
            <el-checkbox v-model="signIn.autoAnswer" data-test="desk-sign-in-auto-answer">{{ t('pickup.autoAnswer') }}</el-checkbox>
            <div class="sb-form-hint sb-full">{{ t('pickup.autoAnswerHint') }}</div>
          </el-form-item>
          <el-alert v-if="signIn.error" :title="signIn.error" type="error" :closable="false" show-icon data-test="desk-sign-in-error" />
        </el-form>
        <template #footer>
          <el-button @click="signIn.open = false">{{ t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="busy" data-test="desk-sign-in-submit" @click="submitSignIn">{{ t('common.confirm') }}</el-button>
        </template>
      </el-dialog>

      <el-dialog v-model="notReady.open" :title="t('agents.myNotReadyTitle')" width="420px" append-to-body>
        <el-select v-model="notReady.reason" class="sb-full" :placeholder="t('agents.pickReason')" data-test="desk-not-ready-reason">
          <el-option v-for="r in reasons" :key="r.code" :value="r.code" :label="r.name" />
        </el-select>
        <div v-if="notReady.error" class="sb-error-text sb-mt">{{ notReady.error }}</div>
        <template #footer>
          <el-button @click="notReady.open = false">{{ t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="busy" data-test="desk-not-ready-submit" @click="submitNotReady">{{ t('common.confirm') }}</el-button>
        </template>
      </el-dialog>

      <el-dialog v-model="transfer.open" :title="t(transfer.mode === 'blind' ? 'desk.transferTitle' : 'desk.consultTitle')"
                 width="460px" append-to-body>
        <el-form label-width="90px" data-test="desk-transfer-form" @submit.prevent="submitTransfer">
          <el-form-item :label="t('desk.targetKind')">
            <el-radio-group v-model="transfer.kind" data-test="desk-transfer-kind">
              <el-radio-button v-for="k in TARGET_KINDS" :key="k" :value="k" :data-test="'desk-transfer-kind-' + k">
                {{ t('desk.target.' + k) }}</el-radio-button>
            </el-radio-group>
          </el-form-item>
          <el-form-item :label="t('desk.targetValue')">
            <el-select v-if="transfer.kind === 'agent'" v-model="transfer.value" filterable allow-create class="sb-full"
                       data-test="desk-transfer-agent">
              <el-option v-for="a in agentsOnline" :key="a.employee_id" :value="a.employee_id"
                         :label="a.name + ' (' + a.employee_id + ') · ' + stateName(a.state)" />
            </el-select>
            <el-input v-else v-model="transfer.value" maxlength="64" data-test="desk-transfer-value" />
          </el-form-item>
          <el-alert v-if="transfer.error" :title="transfer.error" type="error" :closable="false" show-icon data-test="desk-transfer-error" />
        </el-form>
        <template #footer>
          <el-button @click="transfer.open = false">{{ t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="busy" data-test="desk-transfer-submit" @click="submitTransfer">{{ t('common.confirm') }}</el-button>
        </template>
      </el-dialog>

      <customer-dialog v-model="newCustomer" :customer="null" :vocabulary="vocabulary" :number="call ? call.number : ''"
                       @saved="customerCreated" />
      <ticket-create-dialog v-model="newTicket" :customer="pop.customer" :call-id="call ? call.call_id : ''" @created="ticketCreated" />
    </div>`,
};
