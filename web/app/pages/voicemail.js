// Voicemail: messages callers left for a queue or an agent. Filters (mailbox, handled or not, period, caller),
// an in-page player (voicemail.listen; each listen is audited by the server), and "mark handled" with a note
// (voicemail.manage) once someone has called back.
import { ref, reactive, computed, onMounted } from 'vue';
import { api, apiUrl } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import { fmtDateTime, toRfc3339, errorText, showSuccess } from '../util.js';
import PageHeader from '../components/page-header.js';
import MediaPlayer, { fmtDuration } from './media-player.js';

const EMPTY = { mailbox_kind: '', mailbox: '', handled: 'no', range: null, caller: '' };

export default {
  name: 'VoicemailPage',
  components: { PageHeader, MediaPlayer },
  setup() {
    const rows = ref([]);
    const total = ref(0);
    const loading = ref(false);
    const error = ref('');
    const filters = reactive({ ...EMPTY });
    const paging = reactive({ page: 1, per_page: 50 });
    const playing = ref(null);
    const listen = computed(() => can('voicemail.listen'));
    const manage = computed(() => can('voicemail.manage'));
    const handling = reactive({ open: false, row: null, note: '', saving: false, error: '' });

    async function load() {
      loading.value = true;
      error.value = '';
      try {
        const [from, to] = filters.range || [];
        const res = await api.get('/voicemails', {
          mailbox_kind: filters.mailbox_kind, mailbox: filters.mailbox.trim(),
          handled: filters.handled === '' ? undefined : filters.handled === 'yes', from: toRfc3339(from),
          to: toRfc3339(to), caller: filters.caller.trim(), page: paging.page, per_page: paging.per_page,
        });
        rows.value = res.items || [];
        total.value = res.total ?? rows.value.length;
      } catch (err) {
        error.value = errorText(err);
        rows.value = [];
        total.value = 0;
      } finally {
        loading.value = false;
      }
    }
    function search() {
      paging.page = 1;
      load();
    }
    function reset() {
      Object.assign(filters, EMPTY);
      search();
    }
    const audioUrl = (row) => apiUrl(`/voicemails/${row.id}/audio`);
    function openHandled(row) {
      Object.assign(handling, { open: true, row, note: '', saving: false, error: '' });
    }
    async function submitHandled() {
      handling.saving = true;
      handling.error = '';
      try {
        await api.post(`/voicemails/${handling.row.id}/handled`, { note: handling.note.trim() });
        showSuccess(t('voicemail.markedHandled'));
        handling.open = false;
        load();
      } catch (err) {
        handling.error = errorText(err);
      } finally {
        handling.saving = false;
      }
    }
    onMounted(load);
    return {
      t, rows, total, loading, error, filters, paging, playing, listen, manage, handling, load, search, reset,
      audioUrl, openHandled, submitHandled, fmtDateTime, fmtDuration,
    };
  },
  template: `
    <div class="sb-page" data-test="page-voicemail">
      <page-header :title="t('menu.voicemail')" :subtitle="t('voicemail.subtitle')">
        <el-button :icon="$icons.Refresh" data-test="voicemail-refresh" @click="load">{{ t('common.refresh') }}</el-button>
      </page-header>
      <el-card shadow="never" class="sb-card sb-mb">
        <el-form :model="filters" inline class="sb-filters" data-test="voicemail-filters" @submit.prevent="search">
          <el-form-item :label="t('voicemail.mailboxKind')">
            <el-select v-model="filters.mailbox_kind" clearable :placeholder="t('common.all')" class="sb-filter"
                       data-test="voicemail-kind">
              <el-option value="queue" :label="t('voicemail.kind.queue')" />
              <el-option value="agent" :label="t('voicemail.kind.agent')" />
            </el-select>
          </el-form-item>
          <el-form-item :label="t('voicemail.mailbox')">
            <el-input v-model="filters.mailbox" clearable maxlength="64" :placeholder="t('voicemail.mailboxHint')"
                      class="sb-filter" data-test="voicemail-mailbox" />
          </el-form-item>
          <el-form-item :label="t('common.status')">
            <el-select v-model="filters.handled" :placeholder="t('common.all')" class="sb-filter" data-test="voicemail-handled">
              <el-option value="" :label="t('common.all')" />
              <el-option value="no" :label="t('voicemail.unhandled')" />
              <el-option value="yes" :label="t('voicemail.handled')" />
            </el-select>
          </el-form-item>
          <el-form-item :label="t('cdrs.period')">
            <el-date-picker v-model="filters.range" type="datetimerange" :start-placeholder="t('cdrs.from')"
                            :end-placeholder="t('cdrs.to')" format="YYYY-MM-DD HH:mm" data-test="voicemail-range" />
          </el-form-item>
          <el-form-item :label="t('cdrs.caller')">
            <el-input v-model="filters.caller" clearable maxlength="32" :placeholder="t('voicemail.callerHint')"
                      class="sb-filter" data-test="voicemail-caller" />
          </el-form-item>
          <el-form-item>
            <el-button type="primary" native-type="submit" :icon="$icons.Search" data-test="voicemail-search">
              {{ t('common.search') }}</el-button>
            <el-button :icon="$icons.RefreshLeft" @click="reset">{{ t('common.reset') }}</el-button>
          </el-form-item>
        </el-form>
      </el-card>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb"
                data-test="voicemail-error" />
      <el-card shadow="never" class="sb-card">
        <media-player v-if="playing" :src="audioUrl(playing)" :title="playing.caller || t('voicemail.unknownCaller')"
                      :subtitle="fmtDateTime(playing.created_at) + ' · ' + fmtDuration(playing.duration_ms)"
                      @close="playing = null" />
        <el-table v-loading="loading" :data="rows" row-key="id" border stripe data-test="voicemail-table"
                  :empty-text="t('voicemail.empty')">
          <el-table-column :label="t('voicemail.receivedAt')" width="170">
            <template #default="{ row }"><span :data-test="'voicemail-row-' + row.id">{{ fmtDateTime(row.created_at) }}</span></template>
          </el-table-column>
          <el-table-column :label="t('voicemail.mailbox')" min-width="150">
            <template #default="{ row }">
              <el-tag size="small" effect="plain">{{ t('voicemail.kind.' + row.mailbox_kind) }}</el-tag>
              <span class="sb-ml">{{ row.mailbox }}</span>
            </template>
          </el-table-column>
          <el-table-column :label="t('cdrs.caller')" min-width="130">
            <template #default="{ row }">{{ row.caller || '—' }}</template>
          </el-table-column>
          <el-table-column :label="t('voicemail.length')" width="90">
            <template #default="{ row }">{{ fmtDuration(row.duration_ms) }}</template>
          </el-table-column>
          <el-table-column :label="t('common.status')" min-width="200">
            <template #default="{ row }">
              <template v-if="row.handled_at">
                <el-tag size="small" type="success" :data-test="'voicemail-status-' + row.id">{{ t('voicemail.handled') }}</el-tag>
                <span class="sb-muted sb-small"> {{ row.handled_by }} · {{ fmtDateTime(row.handled_at) }}</span>
                <div v-if="row.note" class="sb-small">{{ row.note }}</div>
              </template>
              <el-tag v-else size="small" type="warning" :data-test="'voicemail-status-' + row.id">{{ t('voicemail.unhandled') }}</el-tag>
            </template>
          </el-table-column>
          <el-table-column v-if="listen || manage" :label="t('common.actions')" width="190" fixed="right">
            <template #default="{ row }">
              <el-button v-if="listen" link type="primary" :icon="$icons.VideoPlay" :data-test="'voicemail-play-' + row.id"
                         @click="playing = row">{{ t('recordings.play') }}</el-button>
              <el-button v-if="manage && !row.handled_at" link type="primary" :icon="$icons.Check"
                         :data-test="'voicemail-handle-' + row.id" @click="openHandled(row)">{{ t('voicemail.markHandled') }}</el-button>
            </template>
          </el-table-column>
        </el-table>
        <el-pagination v-model:current-page="paging.page" v-model:page-size="paging.per_page" class="sb-pager"
                       :total="total" :page-sizes="[50, 100, 200]" background layout="total, sizes, prev, pager, next"
                       data-test="voicemail-pager" @current-change="load" @size-change="search" />
      </el-card>
      <el-dialog v-model="handling.open" :title="t('voicemail.markHandled')" width="480px" append-to-body
                 :close-on-click-modal="false">
        <el-alert v-if="handling.error" :title="handling.error" type="error" show-icon :closable="false" class="sb-mb" />
        <el-form label-width="auto" data-test="voicemail-handled-form" @submit.prevent="submitHandled">
          <el-form-item :label="t('voicemail.note')">
            <el-input v-model="handling.note" type="textarea" maxlength="500" show-word-limit :rows="3"
                      :placeholder="t('voicemail.noteHint')" data-test="voicemail-note" />
          </el-form-item>
        </el-form>
        <template #footer>
          <el-button @click="handling.open = false">{{ t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="handling.saving" data-test="voicemail-handled-save" @click="submitHandled">
            {{ t('voicemail.markHandled') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
