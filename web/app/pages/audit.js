// Audit log: filters (kind, actor, action, date range, text), expandable before / after, alarms highlighted.
import { ref, reactive, onMounted } from 'vue';
import { api } from '../api.js';
import { t, tOr } from '../i18n.js';
import { fmtDateTime, toRfc3339, errorText } from '../util.js';
import PageHeader from '../components/page-header.js';

const KINDS = ['change', 'denied', 'auth', 'alarm'];
const KIND_TAG = { change: 'primary', denied: 'warning', auth: 'info', alarm: 'danger' };

function pretty(value) {
  if (value === null || value === undefined || value === '') return '';
  if (typeof value === 'string') {
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      return value;
    }
  }
  return JSON.stringify(value, null, 2);
}

export default {
  name: 'AuditPage',
  components: { PageHeader },
  setup() {
    const rows = ref([]);
    const total = ref(0);
    const loading = ref(false);
    const error = ref('');
    const filters = reactive({ kind: '', actor: '', action: '', entity: '', q: '', range: null });
    const paging = reactive({ page: 1, per_page: 50 });

    async function load() {
      loading.value = true;
      error.value = '';
      try {
        const [from, to] = filters.range || [];
        const res = await api.get('/audit', {
          kind: filters.kind, actor: filters.actor.trim(), action: filters.action.trim(),
          entity: filters.entity.trim(), q: filters.q.trim(),
          from: toRfc3339(from), to: toRfc3339(to), page: paging.page, per_page: paging.per_page,
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
      Object.assign(filters, { kind: '', actor: '', action: '', entity: '', q: '', range: null });
      search();
    }
    const rowClass = ({ row }) => (row.kind === 'alarm' ? 'sb-row-alarm' : row.kind === 'denied' ? 'sb-row-denied' : '');
    const kindLabel = (k) => tOr(`audit.kind.${k}`, k);
    const actorText = (row) => {
      const id = row.actor_employee_id || (row.actor_id != null ? `#${row.actor_id}` : '');
      if (row.actor_name) return id ? `${row.actor_name} (${id})` : row.actor_name;
      return id || '—';
    };
    const hasDetail = (row) => row.before != null || row.after != null || row.detail;
    onMounted(load);
    return {
      t, tOr, rows, total, loading, error, filters, paging, KINDS, KIND_TAG, load, search, reset, rowClass,
      kindLabel, actorText, hasDetail, pretty, fmtDateTime,
    };
  },
  template: `
    <div class="sb-page" data-test="page-audit">
      <page-header :title="t('menu.audit')" :subtitle="t('audit.subtitle')" />
      <el-card shadow="never" class="sb-card sb-mb">
        <el-form :model="filters" inline class="sb-filters" data-test="audit-filters" @submit.prevent="search">
          <el-form-item :label="t('audit.kindLabel')">
            <el-select v-model="filters.kind" clearable :placeholder="t('common.all')" class="sb-filter" data-test="audit-kind">
              <el-option v-for="k in KINDS" :key="k" :value="k" :label="kindLabel(k)" />
            </el-select>
          </el-form-item>
          <el-form-item :label="t('audit.actor')">
            <el-input v-model="filters.actor" clearable :placeholder="t('audit.actorHint')" class="sb-filter"
                      data-test="audit-actor" />
          </el-form-item>
          <el-form-item :label="t('audit.action')">
            <el-input v-model="filters.action" clearable placeholder="staff.create" class="sb-filter" data-test="audit-action" />
          </el-form-item>
          <el-form-item :label="t('audit.entity')">
            <el-input v-model="filters.entity" clearable placeholder="staff" class="sb-filter" data-test="audit-entity" />
          </el-form-item>
          <el-form-item :label="t('audit.period')">
            <el-date-picker v-model="filters.range" type="datetimerange" :start-placeholder="t('audit.from')"
                            :end-placeholder="t('audit.to')" format="YYYY-MM-DD HH:mm" data-test="audit-range" />
          </el-form-item>
          <el-form-item :label="t('audit.text')">
            <el-input v-model="filters.q" clearable :placeholder="t('audit.textHint')" class="sb-filter" data-test="audit-q" />
          </el-form-item>
          <el-form-item>
            <el-button type="primary" native-type="submit" :icon="$icons.Search" data-test="audit-search">
              {{ t('common.search') }}</el-button>
            <el-button :icon="$icons.RefreshLeft" data-test="audit-reset" @click="reset">{{ t('common.reset') }}</el-button>
          </el-form-item>
        </el-form>
      </el-card>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <el-card shadow="never" class="sb-card">
        <el-table v-loading="loading" :data="rows" row-key="id" border :row-class-name="rowClass"
                  data-test="audit-table" :empty-text="t('audit.empty')">
          <el-table-column type="expand" width="40">
            <template #default="{ row }">
              <div class="sb-audit-detail">
                <div v-if="row.detail" class="sb-mb"><span class="sb-strong">{{ t('audit.detail') }}:</span> {{ row.detail }}</div>
                <div class="sb-diff">
                  <div>
                    <div class="sb-strong">{{ t('audit.before') }}</div>
                    <pre class="sb-json">{{ pretty(row.before) || '—' }}</pre>
                  </div>
                  <div>
                    <div class="sb-strong">{{ t('audit.after') }}</div>
                    <pre class="sb-json">{{ pretty(row.after) || '—' }}</pre>
                  </div>
                </div>
              </div>
            </template>
          </el-table-column>
          <el-table-column :label="t('audit.at')" width="170">
            <template #default="{ row }">{{ fmtDateTime(row.at) }}</template>
          </el-table-column>
          <el-table-column :label="t('audit.kindLabel')" width="100">
            <template #default="{ row }">
              <el-tag size="small" :type="KIND_TAG[row.kind] || 'info'" :effect="row.kind === 'alarm' ? 'dark' : 'light'">
                {{ kindLabel(row.kind) }}</el-tag>
            </template>
          </el-table-column>
          <el-table-column :label="t('audit.outcome')" width="100">
            <template #default="{ row }">{{ row.outcome ? tOr('audit.outcomeValue.' + row.outcome, row.outcome) : '' }}</template>
          </el-table-column>
          <el-table-column :label="t('audit.actor')" min-width="150">
            <template #default="{ row }">{{ actorText(row) }}</template>
          </el-table-column>
          <el-table-column prop="action" :label="t('audit.action')" min-width="150" />
          <el-table-column :label="t('audit.entity')" min-width="120">
            <template #default="{ row }">{{ row.entity }}<template v-if="row.entity_id != null && row.entity_id !== ''"> #{{ row.entity_id }}</template></template>
          </el-table-column>
          <el-table-column prop="ip" :label="t('audit.ip')" width="130" />
          <el-table-column prop="detail" :label="t('audit.detail')" min-width="180" show-overflow-tooltip />
        </el-table>
        <el-pagination v-model:current-page="paging.page" v-model:page-size="paging.per_page" class="sb-pager"
                       :total="total" :page-sizes="[50, 100, 200, 500]" background
                       layout="total, sizes, prev, pager, next, jumper" @current-change="load" @size-change="search" />
      </el-card>
    </div>`,
};
