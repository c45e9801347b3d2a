// Call records: filters (period, number, direction, result, trunk, talk time), paginated table, newest first.
import { ref, reactive, onMounted } from 'vue';
import { api, getAll } from '../api.js';
import { t, tOr } from '../i18n.js';
import { can } from '../session.js';
import { fmtDateTime, toRfc3339, errorText } from '../util.js';
import PageHeader from '../components/page-header.js';
import CallTrail from './call-trail.js';

const DIRECTIONS = ['internal', 'inbound', 'outbound'];
const DISPOSITIONS = ['answered', 'busy', 'no_answer', 'cancelled', 'rejected', 'failed', 'congestion', 'forbidden'];
const DISPOSITION_TAG = { answered: 'success', busy: 'warning', no_answer: 'info', cancelled: 'info', forbidden: 'danger' };
const EMPTY = { range: null, number: '', direction: '', disposition: '', trunk_id: null, talk_min: null, talk_max: null };

/** Milliseconds -> "m:ss" (or "h:mm:ss"). */
function duration(ms) {
  const s = Math.round((ms || 0) / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export default {
  name: 'CdrsPage',
  components: { PageHeader, CallTrail },
  setup() {
    const rows = ref([]);
    const total = ref(0);
    const loading = ref(false);
    const error = ref('');
    const trunks = ref([]);
    const filters = reactive({ ...EMPTY });
    const paging = reactive({ page: 1, per_page: 50 });

    async function load() {
      loading.value = true;
      error.value = '';
      try {
        const [from, to] = filters.range || [];
        const res = await api.get('/cdrs', {
          from: toRfc3339(from), to: toRfc3339(to), number: filters.number.trim(), direction: filters.direction,
          disposition: filters.disposition, trunk_id: filters.trunk_id, min_talk_seconds: filters.talk_min,
          max_talk_seconds: filters.talk_max, page: paging.page, per_page: paging.per_page,
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
    onMounted(async () => {
      load();
      if (can('trunk.read')) {
        try {
          trunks.value = await getAll('/trunks');
        } catch {
          trunks.value = [];
        }
      }
    });
    return {
      t, tOr, rows, total, loading, error, trunks, filters, paging, DIRECTIONS, DISPOSITIONS, DISPOSITION_TAG,
      load, search, reset, fmtDateTime, duration,
    };
  },
  template: `
    <div class="sb-page" data-test="page-cdrs">
      <page-header :title="t('menu.cdrs')" :subtitle="t('cdrs.subtitle')" />
      <el-card shadow="never" class="sb-card sb-mb">
        <el-form :model="filters" inline class="sb-filters" data-test="cdr-filters" @submit.prevent="search">
          <el-form-item :label="t('cdrs.period')">
            <el-date-picker v-model="filters.range" type="datetimerange" :start-placeholder="t('cdrs.from')"
                            :end-placeholder="t('cdrs.to')" format="YYYY-MM-DD HH:mm" data-test="cdr-range" />
          </el-form-item>
          <el-form-item :label="t('cdrs.number')">
            <el-input v-model="filters.number" clearable maxlength="32" :placeholder="t('cdrs.numberHint')"
                      class="sb-filter" data-test="cdr-number" />
          </el-form-item>
          <el-form-item :label="t('cdrs.direction')">
            <el-select v-model="filters.direction" clearable :placeholder="t('common.all')" class="sb-filter"
                       data-test="cdr-direction">
              <el-option v-for="d in DIRECTIONS" :key="d" :value="d" :label="t('cdrs.directionValue.' + d)" />
            </el-select>
          </el-form-item>
          <el-form-item :label="t('cdrs.disposition')">
            <el-select v-model="filters.disposition" clearable :placeholder="t('common.all')" class="sb-filter"
                       data-test="cdr-disposition">
              <el-option v-for="d in DISPOSITIONS" :key="d" :value="d" :label="t('cdrs.dispositionValue.' + d)" />
            </el-select>
          </el-form-item>
          <el-form-item v-if="trunks.length" :label="t('cdrs.trunk')">
            <el-select v-model="filters.trunk_id" clearable :placeholder="t('common.all')" class="sb-filter"
                       data-test="cdr-trunk">
              <el-option v-for="tr in trunks" :key="tr.id" :value="tr.id" :label="tr.name" />
            </el-select>
          </el-form-item>
          <el-form-item :label="t('cdrs.talkMin')">
            <el-input-number v-model="filters.talk_min" :min="0" :controls="false" class="sb-num" data-test="cdr-talk-min" />
          </el-form-item>
          <el-form-item :label="t('cdrs.talkMax')">
            <el-input-number v-model="filters.talk_max" :min="0" :controls="false" class="sb-num" data-test="cdr-talk-max" />
          </el-form-item>
          <el-form-item>
            <el-button type="primary" native-type="submit" :icon="$icons.Search" data-test="cdr-search">
              {{ t('common.search') }}</el-button>
            <el-button :icon="$icons.RefreshLeft" data-test="cdr-reset" @click="reset">{{ t('common.reset') }}</el-button>
          </el-form-item>
        </el-form>
      </el-card>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <el-card shadow="never" class="sb-card">
        <el-table v-loading="loading" :data="rows" row-key="id" border stripe data-test="cdrs-table"
                  :empty-text="t('cdrs.empty')">
          <el-table-column type="expand" width="40">
            <template #default="{ row }">
              <div class="sb-audit-detail sb-small">
                <div>{{ t('cdrs.callId') }}: <span class="sb-mono-text">{{ row.call_id }}</span></div>
                <div>{{ t('cdrs.answeredAt') }}: {{ fmtDateTime(row.answered_at) || '—' }} ·
                  {{ t('cdrs.endedAt') }}: {{ fmtDateTime(row.ended_at) }}</div>
                <call-trail :call-id="row.call_id" />
              </div>
            </template>
          </el-table-column>
          <el-table-column :label="t('cdrs.startedAt')" width="170">
            <template #default="{ row }"><span :data-test="'cdr-row-' + row.id">{{ fmtDateTime(row.started_at) }}</span></template>
          </el-table-column>
          <el-table-column :label="t('cdrs.direction')" width="90">
            <template #default="{ row }">{{ tOr('cdrs.directionValue.' + row.direction, row.direction) }}</template>
          </el-table-column>
          <el-table-column prop="caller" :label="t('cdrs.caller')" min-width="130" />
          <el-table-column prop="callee" :label="t('cdrs.callee')" min-width="130" />
          <el-table-column :label="t('cdrs.trunk')" min-width="120">
            <template #default="{ row }">{{ row.trunk_name || '—' }}<span v-if="row.did" class="sb-muted"> · {{ row.did }}</span></template>
          </el-table-column>
          <el-table-column :label="t('cdrs.ring')" width="80">
            <template #default="{ row }">{{ duration(row.ring_ms) }}</template>
          </el-table-column>
          <el-table-column :label="t('cdrs.talk')" width="90">
            <template #default="{ row }">{{ duration(row.talk_ms) }}</template>
          </el-table-column>
          <el-table-column :label="t('cdrs.disposition')" width="110">
            <template #default="{ row }">
              <el-tag size="small" :type="DISPOSITION_TAG[row.disposition] || 'danger'">
                {{ tOr('cdrs.dispositionValue.' + row.disposition, row.disposition) }}</el-tag>
            </template>
          </el-table-column>
          <el-table-column prop="hangup_cause" :label="t('cdrs.hangupCause')" min-width="150" show-overflow-tooltip />
          <el-table-column :label="t('cdrs.hangupSide')" width="90">
            <template #default="{ row }">{{ tOr('cdrs.sideValue.' + row.hangup_side, row.hangup_side) }}</template>
          </el-table-column>
        </el-table>
        <el-pagination v-model:current-page="paging.page" v-model:page-size="paging.per_page" class="sb-pager"
                       :total="total" :page-sizes="[50, 100, 200, 500]" background
                       layout="total, sizes, prev, pager, next, jumper" data-test="cdrs-pager"
                       @current-change="load" @size-change="search" />
      </el-card>
    </div>`,
};
