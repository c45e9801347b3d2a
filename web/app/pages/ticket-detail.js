// One ticket: its fields, the SLA clocks with a live countdown, the actions its state and the user's permissions
// allow (the server lists them; each asks for what it needs: a note, a person, a department, a satisfaction
// score), the attachments, and every step in order on a timeline.
import { ref, reactive, computed, onMounted, onUnmounted } from 'vue';
import { useRoute } from 'vue-router';
import { api, apiUrl } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import { fmtDateTime, errorText, showSuccess } from '../util.js';
import PageHeader from '../components/page-header.js';
import DeptSelect from '../components/dept-select.js';
import { options, loadOptions, codeLabel, stateTag, priorityTag, slaStatus } from './ticket-common.js';

// Which route and which inputs each action takes.
const ROUTE = { assign: 'dispatch', dispatch: 'dispatch', hand_over: 'dispatch', close: 'close' };
const NEEDS = {
  assign: ['staff'], dispatch: ['department'], hand_over: ['department', 'note'], note: ['note'],
  follow_up: ['satisfaction', 'feedback'], release: [], claim: [], start: [], wait_for_customer: ['note?'],
  customer_replied: ['note?'], resolve: ['note?'], reopen: ['note'], close: ['note?'],
};
const PRIMARY = new Set(['claim', 'start', 'resolve', 'close']);

export default {
  name: 'TicketDetailPage',
  components: { PageHeader, DeptSelect },
  setup() {
    const route = useRoute();
    const data = ref(null);
    const loading = ref(false);
    const error = ref('');
    const now = ref(Date.now());
    const staff = ref([]);
    const fields = ref([]);
    const step = reactive({ open: false, action: '', note: '', staff_id: null, department_id: null,
      satisfaction: 5, feedback: '', saving: false, error: '' });
    let timer = null;
    const id = computed(() => route.params.id);
    const ticket = computed(() => (data.value ? data.value.ticket : null));

    async function load() {
      loading.value = true;
      error.value = '';
      try {
        data.value = await api.get(`/tickets/${id.value}`);
      } catch (err) {
        error.value = errorText(err);
      } finally {
        loading.value = false;
      }
    }
    const needs = (action, what) => (NEEDS[action] || []).some((n) => n === what || n === `${what}?`);
    async function run(action) {
      const inputs = NEEDS[action] || [];
      if (inputs.length === 0) return submit(action);
      Object.assign(step, { open: true, action, note: '', staff_id: null, department_id: null, satisfaction: 5,
        feedback: '', saving: false, error: '' });
      return undefined;
    }
    async function submit(action) {
      step.saving = true;
      step.error = '';
      const kind = ROUTE[action] || 'work';
      const body = { action };
      if (kind === 'close') delete body.action;
      if (step.open) {
        if (step.note.trim()) body.note = step.note.trim();
        if (needs(action, 'staff')) body.staff_id = step.staff_id;
        if (needs(action, 'department')) body.department_id = step.department_id;
        if (needs(action, 'satisfaction')) body.satisfaction = step.satisfaction;
        if (needs(action, 'feedback') && step.feedback.trim()) body.feedback = step.feedback.trim();
      }
      try {
        data.value = await api.post(`/tickets/${id.value}/${kind}`, body);
        showSuccess(t('tickets.done'));
        step.open = false;
      } catch (err) {
        if (step.open) step.error = errorText(err);
        else error.value = errorText(err);
      } finally {
        step.saving = false;
      }
    }
    async function findStaff(q) {
      if (!can('staff.read')) return;
      try {
        staff.value = (await api.get('/staff', { q, per_page: 20 })).items || [];
      } catch (err) {
        step.error = errorText(err);
      }
    }
    async function upload(file) {
      try {
        await api.upload(`/tickets/${id.value}/attachments`, file.raw || file, { file_name: file.name });
        await load();
      } catch (err) {
        error.value = errorText(err);
      }
      return false;
    }
    const fileUrl = (a) => apiUrl(`/ticket-attachments/${a.id}`);
    /** The admin-defined fields with their labels, choices shown by label. */
    const customValues = computed(() => Object.entries((ticket.value && ticket.value.custom_fields) || {}).map(([key, v]) => {
      const def = fields.value.find((f) => f.field_key === key);
      if (!def) return { key, label: key, value: v };
      const choice = def.kind === 'choice'
        && (options.field_choices[def.dictionary_type] || []).find((c) => c.code === v);
      return { key, label: def.label, value: choice ? choice.label : v };
    }));
    onMounted(async () => {
      timer = setInterval(() => { now.value = Date.now(); }, 30000);
      try {
        await loadOptions();
        fields.value = await api.get('/ticket-fields');
      } catch (err) {
        error.value = errorText(err);
      }
      load();
    });
    onUnmounted(() => clearInterval(timer));
    return {
      t, data, ticket, loading, error, now, step, staff, options, PRIMARY, run, submit, needs, findStaff, upload,
      fileUrl, customValues, codeLabel, stateTag, priorityTag, slaStatus, fmtDateTime, can,
    };
  },
  template: `
    <div class="sb-page" data-test="page-ticket-detail">
      <page-header :title="ticket ? ticket.serial + ' · ' + ticket.subject : t('menu.ticket-detail')"
                   :subtitle="ticket ? t('tickets.kind.' + ticket.kind) : ''">
        <el-button :icon="$icons.Refresh" @click="load">{{ t('common.refresh') }}</el-button>
      </page-header>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb"
                data-test="ticket-error" />
      <template v-if="ticket">
        <el-card shadow="never" class="sb-card sb-mb">
          <div class="sb-mb" data-test="ticket-actions">
            <el-tag :type="stateTag(ticket.state)" size="large" class="sb-mr" data-test="ticket-state">
              {{ t('tickets.state.' + ticket.state) }}</el-tag>
            <el-button v-for="a in data.actions" :key="a" :type="PRIMARY.has(a) ? 'primary' : 'default'"
                       :data-test="'ticket-action-' + a" @click="run(a)">{{ t('tickets.action.' + a) }}</el-button>
          </div>
          <el-descriptions :column="3" border data-test="ticket-fields">
            <el-descriptions-item :label="t('tickets.serial')">{{ ticket.serial }}
              <el-tag v-if="ticket.repeat_of_serial" size="small" type="warning" class="sb-ml">
                {{ t('tickets.repeatOf', { serial: ticket.repeat_of_serial }) }}</el-tag></el-descriptions-item>
            <el-descriptions-item :label="t('tickets.type')">{{ codeLabel(ticket.type_code) }}
              <span v-if="ticket.subtype_code"> / {{ codeLabel(ticket.subtype_code) }}</span></el-descriptions-item>
            <el-descriptions-item :label="t('tickets.channel')">{{ codeLabel(ticket.channel) }}</el-descriptions-item>
            <el-descriptions-item :label="t('tickets.priorityLabel')">
              <el-tag size="small" :type="priorityTag(ticket.priority)">{{ t('tickets.priority.' + ticket.priority) }}</el-tag>
              <span class="sb-muted"> {{ t('tickets.urgency') }}: {{ t('tickets.priority.' + ticket.urgency) }}</span>
            </el-descriptions-item>
            <el-descriptions-item :label="t('tickets.customer')">
              <span data-test="ticket-customer-name">{{ ticket.customer_name || '—' }}</span></el-descriptions-item>
            <el-descriptions-item :label="t('tickets.department')">
              <span data-test="ticket-department">{{ ticket.department_name || '—' }}</span></el-descriptions-item>
            <el-descriptions-item :label="t('tickets.assignee')">
              <span data-test="ticket-assignee">{{ ticket.assignee_name || '—' }}</span></el-descriptions-item>
            <el-descriptions-item :label="t('tickets.taker')">{{ ticket.taker_name || '—' }}</el-descriptions-item>
            <el-descriptions-item :label="t('tickets.created')">{{ fmtDateTime(ticket.created_at) }}</el-descriptions-item>
            <el-descriptions-item :label="t('tickets.responseDue')">{{ fmtDateTime(ticket.sla.response_due_at) || '—' }}
              <el-tag v-if="ticket.sla.responded_at" size="small" type="success">{{ t('tickets.responded') }}</el-tag>
            </el-descriptions-item>
            <el-descriptions-item :label="t('tickets.resolveDue')">{{ fmtDateTime(ticket.sla.resolve_due_at) || '—' }}
            </el-descriptions-item>
            <el-descriptions-item :label="t('tickets.sla')">
              <el-tag size="small" :type="slaStatus(ticket, now).type" data-test="ticket-sla">{{ slaStatus(ticket, now).text }}</el-tag>
            </el-descriptions-item>
            <el-descriptions-item v-if="ticket.satisfaction" :label="t('tickets.satisfaction')">
              <el-rate :model-value="ticket.satisfaction" disabled /> {{ ticket.feedback }}</el-descriptions-item>
            <el-descriptions-item v-for="f in customValues" :key="f.key" :label="f.label">{{ f.value }}</el-descriptions-item>
            <el-descriptions-item :label="t('tickets.content')" :span="3">
              <div style="white-space: pre-wrap">{{ ticket.content || '—' }}</div></el-descriptions-item>
          </el-descriptions>
        </el-card>
        <el-row :gutter="16">
          <el-col :span="14">
            <el-card shadow="never" class="sb-card" :header="t('tickets.history')">
              <el-timeline data-test="ticket-history">
                <el-timeline-item v-for="h in data.history" :key="h.id" :timestamp="fmtDateTime(h.at)" placement="top"
                                  :data-test="'history-' + h.step">
                  <b>{{ t('tickets.action.' + h.step) }}</b>
                  <span class="sb-muted"> · {{ h.actor_name || '—' }}</span>
                  <span v-if="h.from_state"> · {{ t('tickets.state.' + h.from_state) }} → </span>
                  <span v-else> · </span>{{ t('tickets.state.' + h.to_state) }}
                  <span v-if="h.assignee_name" class="sb-muted"> · {{ h.assignee_name }}</span>
                  <span v-else-if="h.department_name" class="sb-muted"> · {{ h.department_name }}</span>
                  <div v-if="h.note" class="sb-small">{{ h.note }}</div>
                </el-timeline-item>
              </el-timeline>
            </el-card>
          </el-col>
          <el-col :span="10">
            <el-card shadow="never" class="sb-card" :header="t('tickets.attachments')">
              <el-upload v-if="can('ticket.create')" :show-file-list="false" :auto-upload="false"
                         :on-change="upload" data-test="ticket-upload">
                <el-button :icon="$icons.Upload">{{ t('tickets.upload') }}</el-button>
              </el-upload>
              <div v-if="!data.attachments.length" class="sb-muted">{{ t('tickets.noAttachments') }}</div>
              <div v-for="a in data.attachments" :key="a.id" class="sb-small">
                <el-link :href="fileUrl(a)" target="_blank" :data-test="'attachment-' + a.id">{{ a.file_name }}</el-link>
                <span class="sb-muted"> {{ Math.ceil(a.size_bytes / 1024) }} KB · {{ a.uploaded_by }} · {{ fmtDateTime(a.created_at) }}</span>
              </div>
            </el-card>
          </el-col>
        </el-row>
      </template>
      <el-dialog v-model="step.open" :title="t('tickets.action.' + step.action)" width="520px" data-test="ticket-step">
        <el-alert v-if="step.error" :title="step.error" type="error" show-icon :closable="false" class="sb-mb"
                  data-test="ticket-step-error" />
        <el-form label-width="100px" @submit.prevent="submit(step.action)">
          <el-form-item v-if="needs(step.action, 'staff')" :label="t('tickets.staff')" required>
            <el-select v-model="step.staff_id" filterable remote :remote-method="findStaff" data-test="step-staff">
              <el-option v-for="s in staff" :key="s.id" :value="s.id" :label="s.name + ' (' + s.employee_id + ')'" />
            </el-select>
          </el-form-item>
          <el-form-item v-if="needs(step.action, 'department')" :label="t('tickets.department')" required>
            <dept-select v-model="step.department_id" :departments="options.departments" data-test="step-department" />
          </el-form-item>
          <el-form-item v-if="needs(step.action, 'satisfaction')" :label="t('tickets.satisfaction')">
            <el-rate v-model="step.satisfaction" data-test="step-satisfaction" />
          </el-form-item>
          <el-form-item v-if="needs(step.action, 'feedback')" :label="t('tickets.feedback')">
            <el-input v-model="step.feedback" maxlength="2000" />
          </el-form-item>
          <el-form-item v-if="needs(step.action, 'note')" :label="t('tickets.note')">
            <el-input v-model="step.note" type="textarea" :rows="3" maxlength="2000" :placeholder="t('tickets.noteHint')"
                      data-test="step-note" />
          </el-form-item>
        </el-form>
        <template #footer>
          <el-button @click="step.open = false">{{ t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="step.saving" data-test="step-submit" @click="submit(step.action)">
            {{ t('common.confirm') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
