// Live calls: the calls in progress, refreshed every 2 seconds while the page is open, with the keys each party
// pressed; hold / resume, recording, add a party, play a voice prompt, hang up, blind transfer and consultation
// (complete, cancel, three-way conference) (call.control); listen, whisper or barge in from a supervisor's
// extension (call.monitor); intercept and forced hang-up (agent.supervise). A refused command shows the server's
// own message.
import { ref, reactive, computed, onMounted, onBeforeUnmount } from 'vue';
import { ElMessage } from 'element-plus';
import { api } from '../api.js';
import { t, tOr } from '../i18n.js';
import { can, session } from '../session.js';
import { fmtDateTime, errorText, showError, confirmDanger } from '../util.js';
import PageHeader from '../components/page-header.js';

const REFRESH_MS = 2000;
const PARTIES = ['caller', 'callee'];
const MODES = ['listen', 'whisper', 'barge'];
const TARGET_KINDS = ['extension', 'agent', 'queue', 'flow', 'number'];
const CONSULT_KINDS = ['extension', 'agent', 'number'];
const TARGET_RE = {
  extension: /^[0-9]{2,10}$/, number: /^\+?[0-9]{2,32}$/, agent: /^\S{1,64}$/, queue: /^\S{1,64}$/, flow: /^\S{1,64}$/,
};
const EXTENSION_RE = /^[0-9]{2,10}$/;

/** Seconds -> "m:ss" (or "h:mm:ss"). */
function clock(totalSeconds) {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export default {
  name: 'LiveCallsPage',
  components: { PageHeader },
  setup() {
    const rows = ref([]);
    const loaded = ref(false);
    const loading = ref(false);
    const error = ref('');
    const now = ref(Date.now());
    const busy = ref(false);
    const control = computed(() => can('call.control'));
    const monitor = computed(() => can('call.monitor'));
    const supervise = computed(() => can('agent.supervise'));
    const prompts = ref([]);
    const promptsError = ref('');
    const promptsLoading = ref(false);
    const dialog = reactive({
      kind: '', open: false, row: null, extension: '', party: 'caller', prompt_id: null, barge_in: true,
      mode: 'listen', error: '', target_kind: 'extension', target_value: '', reason: '',
    });
    let timer = null;
    let alive = true;

    async function load() {
      clearTimeout(timer);
      timer = null;
      loading.value = true;
      try {
        const res = await api.get('/calls');
        rows.value = (res && res.items) || [];
        error.value = '';
      } catch (err) {
        error.value = errorText(err);
      } finally {
        loading.value = false;
        loaded.value = true;
        now.value = Date.now();
        if (alive) timer = setTimeout(load, REFRESH_MS);
      }
    }

    function talkTime(row) {
      const answered = Date.parse(row.answered_at);
      return Number.isNaN(answered) ? '' : clock((now.value - answered) / 1000);
    }

    /** POST a command to the call; the server's refusal (409 / 404 / 400 / 422) is shown as it is. */
    async function run(row, path, body) {
      busy.value = true;
      try {
        await api.post(`/calls/${row.id}/${path}`, body);
        ElMessage({ type: 'success', message: t('liveCalls.done'), grouping: true });
        return true;
      } catch (err) {
        showError(err);
        return false;
      } finally {
        busy.value = false;
        load();
      }
    }
    const hold = (row, party) => run(row, 'hold', { party });
    const resume = (row) => run(row, 'resume', {});
    const record = (row, action) => run(row, 'recording', { action });

    async function loadPrompts() {
      promptsLoading.value = true;
      promptsError.value = '';
      try {
        const res = await api.get('/prompts', { per_page: 100 });
        prompts.value = (res && res.items) || [];
      } catch (err) {
        prompts.value = [];
        promptsError.value = errorText(err);
      } finally {
        promptsLoading.value = false;
      }
    }
    function openDialog(kind, row) {
      Object.assign(dialog, {
        kind, row, open: true, error: '', party: 'caller', prompt_id: null, barge_in: true, mode: 'listen',
        target_kind: 'extension', target_value: '', reason: '',
        extension: kind === 'monitor' || kind === 'intercept' ? (session.user && session.user.extension) || '' : '',
      });
      if (kind === 'play') loadPrompts();
    }
    const dialogTitle = computed(() => (dialog.kind ? t(`liveCalls.${dialog.kind}Title`) : ''));
    async function submitDialog() {
      dialog.error = '';
      const extension = dialog.extension.trim();
      let path;
      let body;
      if (dialog.kind === 'party' || dialog.kind === 'monitor' || dialog.kind === 'intercept') {
        if (!EXTENSION_RE.test(extension)) {
          dialog.error = t('liveCalls.badExtension');
          return;
        }
        path = { party: 'parties', monitor: 'monitor', intercept: 'intercept' }[dialog.kind];
        body = dialog.kind === 'monitor' ? { extension, mode: dialog.mode } : { extension };
      } else if (dialog.kind === 'transfer' || dialog.kind === 'consult') {
        const value = dialog.target_value.trim();
        if (!TARGET_RE[dialog.target_kind].test(value)) {
          dialog.error = t('liveCalls.badTarget');
          return;
        }
        path = dialog.kind;
        body = { target: { kind: dialog.target_kind, value } };
      } else if (dialog.kind === 'forceHangup') {
        const reason = dialog.reason.trim();
        if (!reason) {
          dialog.error = t('liveCalls.needReason');
          return;
        }
        path = 'force-hangup';
        body = { reason };
      } else {
        if (dialog.prompt_id == null) {
          dialog.error = t('liveCalls.pickPrompt');
          return;
        }
        path = 'play';
        body = { party: dialog.party, prompt_ids: [dialog.prompt_id], barge_in: dialog.barge_in };
      }
      if (await run(dialog.row, path, body)) dialog.open = false;
    }

    async function hangUp(row) {
      if (await confirmDanger(t('liveCalls.confirmHangup', { caller: row.caller, callee: row.callee }))) {
        await run(row, 'hangup', {});
      }
    }

    function onRowCommand(row, cmd) {
      const [kind, arg] = cmd.split(':');
      if (kind === 'hold') hold(row, arg);
      else if (kind === 'record') record(row, arg);
      else if (kind === 'consultDo') run(row, `consult/${arg}`, {});
      else if (kind === 'hangup') hangUp(row);
      else openDialog(kind, row);
    }

    onMounted(load);
    onBeforeUnmount(() => {
      alive = false;
      clearTimeout(timer);
      timer = null;
    });
    return {
      t, tOr, rows, loaded, loading, error, busy, control, monitor, supervise, prompts, promptsError, promptsLoading,
      dialog, dialogTitle, PARTIES, MODES, TARGET_KINDS, CONSULT_KINDS, load, talkTime, resume, onRowCommand,
      submitDialog, fmtDateTime,
    };
  },
  template: `
    <div class="sb-page" data-test="page-live-calls">
      <page-header :title="t('menu.live-calls')" :subtitle="t('liveCalls.subtitle')">
        <el-button :icon="$icons.Refresh" :loading="loading && !loaded" data-test="live-calls-refresh" @click="load">
          {{ t('common.refresh') }}</el-button>
      </page-header>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb"
                data-test="live-calls-error" />
      <el-card shadow="never" class="sb-card">
        <el-table v-loading="!loaded" :data="rows" row-key="id" border stripe data-test="live-calls-table"
                  :empty-text="t('liveCalls.empty')">
          <el-table-column :label="t('cdrs.startedAt')" width="170">
            <template #default="{ row }"><span :data-test="'live-call-row-' + row.id">{{ fmtDateTime(row.started_at) }}</span></template>
          </el-table-column>
          <el-table-column :label="t('cdrs.direction')" width="90">
            <template #default="{ row }">{{ tOr('cdrs.directionValue.' + row.direction, row.direction) }}</template>
          </el-table-column>
          <el-table-column prop="caller" :label="t('cdrs.caller')" min-width="120" />
          <el-table-column prop="callee" :label="t('cdrs.callee')" min-width="120" />
          <el-table-column :label="t('liveCalls.duration')" width="100">
            <template #default="{ row }">
              <span v-if="row.answered_at" class="sb-mono-text" :data-test="'live-call-duration-' + row.id">{{ talkTime(row) }}</span>
              <el-tag v-else size="small" type="warning" :data-test="'live-call-ringing-' + row.id">{{ t('liveCalls.ringing') }}</el-tag>
            </template>
          </el-table-column>
          <el-table-column :label="t('common.status')" min-width="150">
            <template #default="{ row }">
              <div class="sb-tags" :data-test="'live-call-state-' + row.id">
                <el-tag v-if="row.held" size="small" type="info">{{ t('liveCalls.held') }}</el-tag>
                <el-tag v-if="row.recording && !row.recording_paused" size="small" type="danger">{{ t('liveCalls.recording') }}</el-tag>
                <el-tag v-if="row.recording && row.recording_paused" size="small" type="warning">{{ t('liveCalls.recordingPaused') }}</el-tag>
              </div>
            </template>
          </el-table-column>
          <el-table-column :label="t('liveCalls.keys')" min-width="150">
            <template #default="{ row }">
              <div class="sb-small" :data-test="'live-call-keys-' + row.id">
                <div v-if="row.caller_digits">{{ t('cdrs.caller') }}: <span class="sb-mono-text">{{ row.caller_digits }}</span></div>
                <div v-if="row.callee_digits">{{ t('cdrs.callee') }}: <span class="sb-mono-text">{{ row.callee_digits }}</span></div>
                <span v-if="!row.caller_digits && !row.callee_digits" class="sb-muted">—</span>
              </div>
            </template>
          </el-table-column>
          <el-table-column v-if="control || monitor || supervise" :label="t('common.actions')" width="230" fixed="right">
            <template #default="{ row }">
              <template v-if="control">
                <el-button v-if="row.held" link type="primary" :disabled="busy" :data-test="'live-call-resume-' + row.id"
                           @click="resume(row)">{{ t('liveCalls.resume') }}</el-button>
                <el-dropdown v-else trigger="click" :disabled="busy" @command="onRowCommand(row, $event)">
                  <el-button link type="primary" :data-test="'live-call-hold-' + row.id">
                    {{ t('liveCalls.hold') }}<el-icon class="el-icon--right"><component :is="$icons.ArrowDown" /></el-icon></el-button>
                  <template #dropdown>
                    <el-dropdown-menu>
                      <el-dropdown-item v-for="p in PARTIES" :key="p" :command="'hold:' + p"
                                        :data-test="'live-call-hold-' + p + '-' + row.id">{{ t('liveCalls.hold_' + p) }}</el-dropdown-item>
                    </el-dropdown-menu>
                  </template>
                </el-dropdown>
                <el-dropdown trigger="click" :disabled="busy" class="sb-ml" @command="onRowCommand(row, $event)">
                  <el-button link type="primary" :data-test="'live-call-record-' + row.id">
                    {{ t('liveCalls.recordingMenu') }}<el-icon class="el-icon--right"><component :is="$icons.ArrowDown" /></el-icon></el-button>
                  <template #dropdown>
                    <el-dropdown-menu>
                      <el-dropdown-item v-if="!row.recording" command="record:start" :data-test="'live-call-record-start-' + row.id">
                        {{ t('liveCalls.record.start') }}</el-dropdown-item>
                      <el-dropdown-item v-if="row.recording && !row.recording_paused" command="record:pause"
                                        :data-test="'live-call-record-pause-' + row.id">{{ t('liveCalls.record.pause') }}</el-dropdown-item>
                      <el-dropdown-item v-if="row.recording && row.recording_paused" command="record:resume"
                                        :data-test="'live-call-record-resume-' + row.id">{{ t('liveCalls.record.resume') }}</el-dropdown-item>
                      <el-dropdown-item v-if="row.recording" command="record:stop" :data-test="'live-call-record-stop-' + row.id">
                        {{ t('liveCalls.record.stop') }}</el-dropdown-item>
                    </el-dropdown-menu>
                  </template>
                </el-dropdown>
              </template>
              <el-dropdown trigger="click" :disabled="busy" class="sb-ml" @command="onRowCommand(row, $event)">
                <el-button link type="primary" :data-test="'live-call-more-' + row.id">
                  {{ t('common.more') }}<el-icon class="el-icon--right"><component :is="$icons.ArrowDown" /></el-icon></el-button>
                <template #dropdown>
                  <el-dropdown-menu>
                    <el-dropdown-item v-if="control" command="party" :data-test="'live-call-party-' + row.id">
                      {{ t('liveCalls.addParty') }}</el-dropdown-item>
                    <el-dropdown-item v-if="control" command="play" :data-test="'live-call-play-' + row.id">
                      {{ t('liveCalls.play') }}</el-dropdown-item>
                    <el-dropdown-item v-if="control" command="transfer" divided :data-test="'live-call-transfer-' + row.id">
                      {{ t('liveCalls.transfer') }}</el-dropdown-item>
                    <el-dropdown-item v-if="control" command="consult" :data-test="'live-call-consult-' + row.id">
                      {{ t('liveCalls.consult') }}</el-dropdown-item>
                    <el-dropdown-item v-if="control" command="consultDo:complete" :data-test="'live-call-consult-complete-' + row.id">
                      {{ t('liveCalls.consultComplete') }}</el-dropdown-item>
                    <el-dropdown-item v-if="control" command="consultDo:conference" :data-test="'live-call-consult-conference-' + row.id">
                      {{ t('liveCalls.consultConference') }}</el-dropdown-item>
                    <el-dropdown-item v-if="control" command="consultDo:cancel" :data-test="'live-call-consult-cancel-' + row.id">
                      {{ t('liveCalls.consultCancel') }}</el-dropdown-item>
                    <el-dropdown-item v-if="control" command="hangup" :data-test="'live-call-hangup-' + row.id">
                      {{ t('liveCalls.hangup') }}</el-dropdown-item>
                    <el-dropdown-item v-if="monitor" command="monitor" :divided="control" :data-test="'live-call-monitor-' + row.id">
                      {{ t('liveCalls.monitor') }}</el-dropdown-item>
                    <el-dropdown-item v-if="supervise" command="intercept" :divided="!monitor && control"
                                      :data-test="'live-call-intercept-' + row.id">{{ t('liveCalls.intercept') }}</el-dropdown-item>
                    <el-dropdown-item v-if="supervise" command="forceHangup" :data-test="'live-call-force-hangup-' + row.id">
                      {{ t('liveCalls.forceHangup') }}</el-dropdown-item>
                  </el-dropdown-menu>
                </template>
              </el-dropdown>
            </template>
          </el-table-column>
        </el-table>
        <div class="sb-muted sb-small sb-mt">{{ t('liveCalls.autoRefresh') }}</div>
      </el-card>

      <el-dialog v-model="dialog.open" :title="dialogTitle" width="460px" append-to-body :close-on-click-modal="false">
        <el-form label-width="110px" :data-test="'live-call-' + dialog.kind + '-form'" @submit.prevent="submitDialog">
          <div v-if="dialog.row" class="sb-muted sb-small sb-mb">{{ dialog.row.caller }} → {{ dialog.row.callee }}</div>
          <template v-if="dialog.kind === 'transfer' || dialog.kind === 'consult'">
            <el-form-item :label="t('liveCalls.targetKind')">
              <el-select v-model="dialog.target_kind" class="sb-full" :data-test="'live-call-' + dialog.kind + '-kind'">
                <el-option v-for="k in (dialog.kind === 'consult' ? CONSULT_KINDS : TARGET_KINDS)" :key="k" :value="k"
                           :label="t('liveCalls.targetKindValue.' + k)" />
              </el-select>
            </el-form-item>
            <el-form-item :label="t('liveCalls.targetValue')" required>
              <el-input v-model="dialog.target_value" maxlength="64" clearable
                        :placeholder="t('liveCalls.targetHint.' + dialog.target_kind)"
                        :data-test="'live-call-' + dialog.kind + '-value'" />
              <div class="sb-form-hint sb-full">{{ t('liveCalls.' + dialog.kind + 'Hint') }}</div>
            </el-form-item>
          </template>
          <template v-else-if="dialog.kind === 'forceHangup'">
            <el-form-item :label="t('liveCalls.reason')" required>
              <el-input v-model="dialog.reason" maxlength="200" clearable data-test="live-call-forceHangup-reason" />
              <div class="sb-form-hint sb-full">{{ t('liveCalls.reasonHint') }}</div>
            </el-form-item>
          </template>
          <template v-else-if="dialog.kind === 'party' || dialog.kind === 'monitor' || dialog.kind === 'intercept'">
            <el-form-item :label="dialog.kind === 'party' ? t('liveCalls.extension') : t('liveCalls.supervisorExtension')" required>
              <el-input v-model="dialog.extension" maxlength="10" clearable :placeholder="t('liveCalls.extensionHint')"
                        :data-test="'live-call-' + dialog.kind + '-extension'" />
            </el-form-item>
            <el-form-item v-if="dialog.kind === 'monitor'" :label="t('liveCalls.mode')">
              <el-radio-group v-model="dialog.mode" data-test="live-call-monitor-mode">
                <el-radio v-for="m in MODES" :key="m" :value="m" :data-test="'live-call-monitor-mode-' + m">
                  {{ t('liveCalls.modeValue.' + m) }}</el-radio>
              </el-radio-group>
              <div class="sb-form-hint sb-full" data-test="live-call-monitor-hint">{{ t('liveCalls.modeHint.' + dialog.mode) }}</div>
            </el-form-item>
          </template>
          <template v-else-if="dialog.kind === 'play'">
            <el-alert v-if="promptsError" :title="promptsError" type="error" show-icon :closable="false" class="sb-mb" />
            <el-form-item :label="t('liveCalls.party')">
              <el-radio-group v-model="dialog.party" data-test="live-call-play-party">
                <el-radio v-for="p in PARTIES" :key="p" :value="p">{{ t('cdrs.' + p) }}</el-radio>
              </el-radio-group>
            </el-form-item>
            <el-form-item :label="t('liveCalls.prompt')" required>
              <el-select v-model="dialog.prompt_id" filterable class="sb-full" :loading="promptsLoading" :placeholder="t('liveCalls.pickPrompt')"
                         :no-data-text="t('liveCalls.noPrompts')" data-test="live-call-play-prompt">
                <el-option v-for="p in prompts" :key="p.id" :value="p.id" :label="p.name" />
              </el-select>
            </el-form-item>
            <el-form-item :label="t('liveCalls.bargeIn')">
              <el-switch v-model="dialog.barge_in" data-test="live-call-play-barge-in" />
              <div class="sb-form-hint sb-full">{{ t('liveCalls.bargeInHint') }}</div>
            </el-form-item>
          </template>
          <el-alert v-if="dialog.error" :title="dialog.error" type="error" show-icon :closable="false"
                    data-test="live-call-dialog-error" />
        </el-form>
        <template #footer>
          <el-button data-test="live-call-dialog-cancel" @click="dialog.open = false">{{ t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="busy" data-test="live-call-dialog-submit" @click="submitDialog">
            {{ t('common.confirm') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
