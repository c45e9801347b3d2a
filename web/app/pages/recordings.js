// Call recordings: filters (period, trunk, number, agent, direction, duration), paginated table, an in-page player
// and download (recording.listen), zip export of the selected rows with progress, and the recording disk's state
// (recording.manage).
import { ref, reactive, computed, onMounted, onBeforeUnmount } from 'vue';
import { api, apiUrl, getAll } from '../api.js';
import { t, tOr } from '../i18n.js';
import { can } from '../session.js';
import { fmtDateTime, toRfc3339, errorText, showError } from '../util.js';
import PageHeader from '../components/page-header.js';
import MediaPlayer, { fmtDuration, fmtBytes, downloadFile } from './media-player.js';

const DIRECTIONS = ['internal', 'inbound', 'outbound'];
const EMPTY = {
  range: null, trunk_id: null, number: '', agent: '', direction: '', min_duration: null, max_duration: null,
};
const POLL_MS = 1000;

export default {
  name: 'RecordingsPage',
  components: { PageHeader, MediaPlayer },
  setup() {
    const rows = ref([]);
    const total = ref(0);
    const loading = ref(false);
    const error = ref('');
    const trunks = ref([]);
    const filters = reactive({ ...EMPTY });
    const paging = reactive({ page: 1, per_page: 50 });
    const selected = ref([]);
    const playing = ref(null);
    const listen = computed(() => can('recording.listen'));
    const manage = computed(() => can('recording.manage'));
    const storage = ref(null);
    const storageError = ref('');
    const storageLoading = ref(false);
    const exportDialog = ref(false);
    const exportJob = ref(null);
    const exportError = ref('');
    let pollTimer = null;
    let alive = true;

    async function load() {
      loading.value = true;
      error.value = '';
      try {
        const [from, to] = filters.range || [];
        const res = await api.get('/recordings', {
          from: toRfc3339(from), to: toRfc3339(to), trunk_id: filters.trunk_id, number: filters.number.trim(),
          agent: filters.agent.trim(), direction: filters.direction, min_duration_s: filters.min_duration,
          max_duration_s: filters.max_duration, page: paging.page, per_page: paging.per_page,
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
    async function loadStorage() {
      if (!manage.value) return;
      storageLoading.value = true;
      storageError.value = '';
      try {
        storage.value = await api.get('/recordings/storage');
      } catch (err) {
        storageError.value = errorText(err);
      } finally {
        storageLoading.value = false;
      }
    }
    function refresh() {
      load();
      loadStorage();
    }

    const audioUrl = (row) => apiUrl(`/recordings/${row.id}/audio`);
    const downloadUrl = (row) => apiUrl(`/recordings/${row.id}/download`);
    function play(row) {
      playing.value = row;
    }
    function statusOf(row) {
      if (row.deleted_at) return 'deleted';
      if (!row.available) return 'missing';
      if (row.archived_at) return 'archived';
      return 'available';
    }

    function stopPolling() {
      clearTimeout(pollTimer);
      pollTimer = null;
    }
    function schedulePoll() {
      stopPolling();
      if (!alive || !exportJob.value || exportJob.value.status !== 'running') return;
      pollTimer = setTimeout(async () => {
        try {
          exportJob.value = await api.get(`/recordings/exports/${exportJob.value.id}`);
          exportError.value = '';
        } catch (err) {
          exportError.value = errorText(err);
        }
        schedulePoll();
      }, POLL_MS);
    }
    async function startExport() {
      const ids = selected.value.filter((r) => r.available).map((r) => r.id);
      if (!ids.length) return;
      exportJob.value = null;
      exportError.value = '';
      exportDialog.value = true;
      try {
        exportJob.value = await api.post('/recordings/exports', { ids });
        schedulePoll();
      } catch (err) {
        exportError.value = errorText(err);
        showError(err);
      }
    }
    const exportPercent = computed(() => {
      const j = exportJob.value;
      if (!j) return 0;
      if (j.status === 'done') return 100;
      return j.total ? Math.floor((100 * (j.done || 0)) / j.total) : 0;
    });
    const exportFileUrl = computed(() => exportJob.value && apiUrl(`/recordings/exports/${exportJob.value.id}/file`));

    onMounted(async () => {
      load();
      loadStorage();
      if (can('trunk.read')) {
        try {
          trunks.value = await getAll('/trunks');
        } catch {
          trunks.value = [];
        }
      }
    });
    onBeforeUnmount(() => {
      alive = false;
      stopPolling();
    });
    return {
      t, tOr, rows, total, loading, error, trunks, filters, paging, selected, playing, listen, manage, storage,
      storageError, storageLoading, exportDialog, exportJob, exportError, exportPercent, exportFileUrl, DIRECTIONS,
      load, search, reset, refresh, loadStorage, audioUrl, downloadUrl, play, statusOf, startExport, fmtDateTime,
      fmtDuration, fmtBytes, downloadFile,
    };
  },
  template: `
    <div class="sb-page" data-test="page-recordings">
      <page-header :title="t('menu.recordings')" :subtitle="t('recordings.subtitle')">
        <el-button :icon="$icons.Refresh" data-test="recordings-refresh" @click="refresh">{{ t('common.refresh') }}</el-button>
        <el-button v-if="listen" type="primary" :icon="$icons.Download" :disabled="!selected.length"
                   data-test="recording-export" @click="startExport">
          {{ t('recordings.export') }}<template v-if="selected.length"> ({{ selected.length }})</template></el-button>
      </page-header>

      <el-card v-if="manage" shadow="never" class="sb-card sb-mb" data-test="recording-storage">
        <template #header>
          <div class="sb-card-header">
            <span>{{ t('recordings.storage.title') }}</span>
            <el-button text :icon="$icons.Refresh" data-test="recording-storage-refresh" @click="loadStorage">
              {{ t('common.refresh') }}</el-button>
          </div>
        </template>
        <div v-loading="storageLoading">
          <el-alert v-if="storageError" :title="storageError" type="error" show-icon :closable="false" class="sb-mb" />
          <el-alert v-if="storage && storage.low_space" type="error" effect="dark" show-icon :closable="false"
                    class="sb-mb" data-test="recording-storage-low"
                    :title="t('recordings.storage.low', { free: fmtBytes(storage.free_bytes), min: fmtBytes(storage.min_free_bytes) })" />
          <el-descriptions v-if="storage" :column="4" border size="small" data-test="recording-storage-details">
            <el-descriptions-item :label="t('recordings.storage.root')" :span="2">
              <span class="sb-mono-text">{{ storage.root }}</span></el-descriptions-item>
            <el-descriptions-item :label="t('recordings.storage.used')">
              <span data-test="recording-storage-used">{{ fmtBytes(storage.used_bytes) }}</span></el-descriptions-item>
            <el-descriptions-item :label="t('recordings.storage.free')">
              <span data-test="recording-storage-free" :class="{ 'sb-strong': storage.low_space }">
                {{ fmtBytes(storage.free_bytes) }}</span>
              <span class="sb-muted sb-small"> · {{ t('recordings.storage.minFree', { min: fmtBytes(storage.min_free_bytes) }) }}</span>
            </el-descriptions-item>
            <el-descriptions-item :label="t('recordings.storage.archiveDir')" :span="2">
              <span v-if="storage.archive_dir" class="sb-mono-text">{{ storage.archive_dir }}</span>
              <span v-else class="sb-muted">{{ t('recordings.storage.noArchive') }}</span>
            </el-descriptions-item>
            <el-descriptions-item :label="t('recordings.storage.archiveState')">
              <div class="sb-tags" data-test="recording-storage-archive">
                <el-tag size="small" type="info">{{ t('recordings.storage.pending', { n: storage.archive_pending || 0 }) }}</el-tag>
                <el-tag size="small" :type="storage.archive_failed ? 'danger' : 'success'">
                  {{ t('recordings.storage.failed', { n: storage.archive_failed || 0 }) }}</el-tag>
              </div>
            </el-descriptions-item>
            <el-descriptions-item :label="t('recordings.storage.retention')">
              <span data-test="recording-storage-retention">{{ storage.retention_days
                ? t('recordings.storage.retentionDays', { n: storage.retention_days })
                : t('recordings.storage.keepForever') }}</span>
            </el-descriptions-item>
          </el-descriptions>
        </div>
      </el-card>

      <el-card shadow="never" class="sb-card sb-mb">
        <el-form :model="filters" inline class="sb-filters" data-test="recording-filters" @submit.prevent="search">
          <el-form-item :label="t('cdrs.period')">
            <el-date-picker v-model="filters.range" type="datetimerange" :start-placeholder="t('cdrs.from')"
                            :end-placeholder="t('cdrs.to')" format="YYYY-MM-DD HH:mm" data-test="recording-range" />
          </el-form-item>
          <el-form-item :label="t('cdrs.number')">
            <el-input v-model="filters.number" clearable maxlength="32" :placeholder="t('recordings.numberHint')"
                      class="sb-filter" data-test="recording-number" />
          </el-form-item>
          <el-form-item :label="t('recordings.agent')">
            <el-input v-model="filters.agent" clearable maxlength="32" :placeholder="t('recordings.agentHint')"
                      class="sb-filter" data-test="recording-agent" />
          </el-form-item>
          <el-form-item :label="t('cdrs.direction')">
            <el-select v-model="filters.direction" clearable :placeholder="t('common.all')" class="sb-filter"
                       data-test="recording-direction">
              <el-option v-for="d in DIRECTIONS" :key="d" :value="d" :label="t('cdrs.directionValue.' + d)" />
            </el-select>
          </el-form-item>
          <el-form-item v-if="trunks.length" :label="t('cdrs.trunk')">
            <el-select v-model="filters.trunk_id" clearable :placeholder="t('common.all')" class="sb-filter"
                       data-test="recording-trunk">
              <el-option v-for="tr in trunks" :key="tr.id" :value="tr.id" :label="tr.name" />
            </el-select>
          </el-form-item>
          <el-form-item :label="t('recordings.durationMin')">
            <el-input-number v-model="filters.min_duration" :min="0" :controls="false" class="sb-num"
                             data-test="recording-duration-min" />
          </el-form-item>
          <el-form-item :label="t('recordings.durationMax')">
            <el-input-number v-model="filters.max_duration" :min="0" :controls="false" class="sb-num"
                             data-test="recording-duration-max" />
          </el-form-item>
          <el-form-item>
            <el-button type="primary" native-type="submit" :icon="$icons.Search" data-test="recording-search">
              {{ t('common.search') }}</el-button>
            <el-button :icon="$icons.RefreshLeft" data-test="recording-reset" @click="reset">{{ t('common.reset') }}</el-button>
          </el-form-item>
        </el-form>
      </el-card>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb"
                data-test="recordings-error" />
      <el-card shadow="never" class="sb-card">
        <media-player v-if="playing" :src="audioUrl(playing)"
                      :title="playing.caller + ' → ' + playing.callee"
                      :subtitle="fmtDateTime(playing.started_at) + ' · ' + fmtDuration(playing.duration_ms)"
                      @close="playing = null" />
        <el-table v-loading="loading" :data="rows" row-key="id" border stripe data-test="recordings-table"
                  :empty-text="t('recordings.empty')" @selection-change="selected = $event">
          <el-table-column v-if="listen" type="selection" width="40" :selectable="(row) => row.available" />
          <el-table-column type="expand" width="40">
            <template #default="{ row }">
              <div class="sb-audit-detail sb-small">
                <div>{{ t('cdrs.callId') }}: <span class="sb-mono-text">{{ row.call_id }}</span></div>
                <div>{{ t('cdrs.endedAt') }}: {{ fmtDateTime(row.ended_at) }} ·
                  {{ t('recordings.layout') }}: {{ tOr('recordings.layoutValue.' + row.layout, row.layout) }} ·
                  {{ t('recordings.size') }}: {{ fmtBytes(row.size_bytes) }}</div>
                <div>SHA-256: <span class="sb-mono-text">{{ row.sha256 || '—' }}</span></div>
                <div v-if="row.archived_at">{{ t('recordings.archivedAt') }}: {{ fmtDateTime(row.archived_at) }}</div>
                <div v-if="row.deleted_at">{{ t('recordings.deletedAt') }}: {{ fmtDateTime(row.deleted_at) }}</div>
              </div>
            </template>
          </el-table-column>
          <el-table-column :label="t('cdrs.startedAt')" width="170">
            <template #default="{ row }"><span :data-test="'recording-row-' + row.id">{{ fmtDateTime(row.started_at) }}</span></template>
          </el-table-column>
          <el-table-column :label="t('cdrs.direction')" width="100">
            <template #default="{ row }">{{ tOr('cdrs.directionValue.' + row.direction, row.direction) }}</template>
          </el-table-column>
          <el-table-column prop="caller" :label="t('cdrs.caller')" min-width="120" />
          <el-table-column prop="callee" :label="t('cdrs.callee')" min-width="120" />
          <el-table-column :label="t('recordings.agent')" width="90">
            <template #default="{ row }">{{ row.agent_extension || '—' }}</template>
          </el-table-column>
          <el-table-column :label="t('cdrs.trunk')" min-width="110">
            <template #default="{ row }">{{ row.trunk_name || '—' }}</template>
          </el-table-column>
          <el-table-column :label="t('recordings.duration')" width="90">
            <template #default="{ row }">{{ fmtDuration(row.duration_ms) }}</template>
          </el-table-column>
          <el-table-column :label="t('common.status')" width="100">
            <template #default="{ row }">
              <el-tag size="small" :data-test="'recording-status-' + row.id"
                      :type="{ available: 'success', archived: 'info', missing: 'warning', deleted: 'danger' }[statusOf(row)]">
                {{ t('recordings.status.' + statusOf(row)) }}</el-tag>
            </template>
          </el-table-column>
          <el-table-column v-if="listen" :label="t('common.actions')" width="190" fixed="right">
            <template #default="{ row }">
              <template v-if="row.available">
                <el-button link type="primary" :icon="$icons.VideoPlay" :data-test="'recording-play-' + row.id"
                           @click="play(row)">{{ t('recordings.play') }}</el-button>
                <el-button link type="primary" :icon="$icons.Download" :data-test="'recording-download-' + row.id"
                           @click="downloadFile(downloadUrl(row))">{{ t('recordings.download') }}</el-button>
              </template>
            </template>
          </el-table-column>
        </el-table>
        <el-pagination v-model:current-page="paging.page" v-model:page-size="paging.per_page" class="sb-pager"
                       :total="total" :page-sizes="[50, 100, 200, 500]" background
                       layout="total, sizes, prev, pager, next, jumper" data-test="recordings-pager"
                       @current-change="load" @size-change="search" />
      </el-card>

      <el-dialog v-model="exportDialog" :title="t('recordings.exportTitle')" width="480px" append-to-body
                 :close-on-click-modal="false">
        <div data-test="recording-export-dialog">
          <el-alert v-if="exportError" :title="exportError" type="error" show-icon :closable="false" class="sb-mb" />
          <template v-if="exportJob">
            <el-progress :percentage="exportPercent" :stroke-width="14"
                         :status="exportJob.status === 'done' ? 'success' : exportJob.status === 'failed' ? 'exception' : ''"
                         data-test="recording-export-progress" />
            <div class="sb-muted sb-small sb-mt" data-test="recording-export-status">
              {{ t('recordings.exportStatus.' + exportJob.status, { done: exportJob.done || 0, total: exportJob.total || 0 }) }}
            </div>
            <el-alert v-if="exportJob.status === 'done' && exportJob.missing && exportJob.missing.length" type="warning"
                      :title="t('recordings.exportMissing', { n: exportJob.missing.length })" show-icon :closable="false"
                      class="sb-mt" data-test="recording-export-missing" />
            <el-alert v-if="exportJob.status === 'failed' && exportJob.error" :title="exportJob.error" type="error"
                      show-icon :closable="false" class="sb-mt" />
          </template>
        </div>
        <template #footer>
          <el-button @click="exportDialog = false">{{ t('common.close') }}</el-button>
          <el-button v-if="exportJob && exportJob.status === 'done'" type="primary" :icon="$icons.Download"
                     data-test="recording-export-download" @click="downloadFile(exportFileUrl)">{{ t('recordings.exportDownload') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
