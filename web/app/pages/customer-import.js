// Customer import wizard: upload an .xlsx/.xls/.ods or CSV file (UTF-8 or GBK, detected or chosen), map each column
// to a field or skip it (suggested from the headers), preview the first rows with each cell's problem, run the job
// with a progress bar, and see the counts with the row report to download. Recent imports are listed below.
import { ref, computed, onMounted, onBeforeUnmount } from 'vue';
import { api, apiUrl } from '../api.js';
import { t } from '../i18n.js';
import { fmtDateTime, errorText } from '../util.js';
import PageHeader from '../components/page-header.js';

const ENCODINGS = ['auto', 'utf8', 'gbk'];
const FINISHED = ['done', 'failed', 'cancelled'];

export default {
  name: 'CustomerImportPage',
  components: { PageHeader },
  setup() {
    const step = ref(0);
    const draft = ref(null);
    const job = ref(null);
    const error = ref('');
    const busy = ref(false);
    const encoding = ref('auto');
    const jobs = ref([]);
    const fileInput = ref(null);
    let timer = null;

    const fields = computed(() => (draft.value ? draft.value.fields : []));
    const settings = computed(() => (draft.value ? draft.value.settings : { mapping: [], duplicates: 'merge', encoding: 'auto' }));
    const isCsv = computed(() => draft.value && draft.value.file_kind === 'csv');
    const rowsWithProblems = computed(() => (draft.value ? draft.value.preview.filter((r) => r.problems.length) : []));
    const missing = computed(() => (draft.value ? draft.value.missing_fields.map((k) => fieldLabel(k)) : []));
    const percent = computed(() => {
      if (!job.value || !job.value.total_rows) return 0;
      return Math.min(100, Math.round((100 * job.value.processed_rows) / job.value.total_rows));
    });

    function fieldLabel(key) {
      const f = fields.value.find((x) => x.key === key);
      return f ? f.label : key;
    }
    function cellProblem(row, column) {
      return row.problems.filter((p) => p.column === column).map((p) => p.message).join('; ');
    }
    function rowProblem(row) {
      return row.problems.filter((p) => p.column === null).map((p) => p.message).join('; ');
    }
    const templateUrl = (format) => apiUrl('/customer-imports/template', { format });
    const reportUrl = (format) => (job.value ? apiUrl(`/customer-imports/${job.value.id}/errors`, { format }) : '');

    async function loadJobs() {
      try {
        const res = await api.get('/customer-imports', { per_page: 10 });
        jobs.value = res.items || [];
      } catch {
        jobs.value = [];
      }
    }
    async function upload(event) {
      const file = event.target.files && event.target.files[0];
      if (!file) return;
      error.value = '';
      busy.value = true;
      try {
        draft.value = await api.upload('/customer-imports', file, { file_name: file.name, encoding: encoding.value });
        step.value = 1;
      } catch (err) {
        error.value = errorText(err);
      } finally {
        busy.value = false;
        if (fileInput.value) fileInput.value.value = '';
      }
    }
    async function change(body) {
      error.value = '';
      busy.value = true;
      try {
        draft.value = await api.put(`/customer-imports/${draft.value.job.id}/settings`, body);
      } catch (err) {
        error.value = errorText(err);
      } finally {
        busy.value = false;
      }
    }
    function mapColumn(index, key) {
      const mapping = [...settings.value.mapping];
      mapping[index] = key || null;
      change({ mapping });
    }
    async function poll() {
      try {
        job.value = await api.get(`/customer-imports/${job.value.id}`);
        if (FINISHED.includes(job.value.status)) {
          step.value = 3;
          loadJobs();
          return;
        }
      } catch (err) {
        error.value = errorText(err);
      }
      timer = setTimeout(poll, 500);
    }
    async function start() {
      error.value = '';
      busy.value = true;
      try {
        job.value = await api.post(`/customer-imports/${draft.value.job.id}/start`);
        step.value = 2;
        poll();
      } catch (err) {
        error.value = errorText(err);
      } finally {
        busy.value = false;
      }
    }
    async function cancel() {
      try {
        await api.post(`/customer-imports/${job.value.id}/cancel`);
      } catch (err) {
        error.value = errorText(err);
      }
    }
    function again() {
      clearTimeout(timer);
      draft.value = null;
      job.value = null;
      error.value = '';
      step.value = 0;
    }
    onMounted(loadJobs);
    onBeforeUnmount(() => clearTimeout(timer));
    return {
      t, step, draft, job, error, busy, encoding, jobs, fileInput, fields, settings, isCsv, rowsWithProblems, missing,
      percent, ENCODINGS, fieldLabel, cellProblem, rowProblem, templateUrl, reportUrl, upload, change, mapColumn, start,
      cancel, again, fmtDateTime,
    };
  },
  template: `
    <div class="sb-page" data-test="page-customer-import">
      <page-header :title="t('customerImport.title')" :subtitle="t('customerImport.subtitle')">
        <el-button :icon="$icons.Back" @click="$router.push('/customers')">{{ t('customers.backToList') }}</el-button>
      </page-header>
      <el-card shadow="never" class="sb-card sb-mb">
        <el-steps :active="step" finish-status="success" simple class="sb-mb">
          <el-step :title="t('customerImport.stepUpload')" />
          <el-step :title="t('customerImport.stepMap')" />
          <el-step :title="t('customerImport.stepRun')" />
          <el-step :title="t('customerImport.stepResult')" />
        </el-steps>
        <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" data-test="import-error" />

        <div v-if="step === 0" data-test="import-step-upload">
          <p>{{ t('customerImport.uploadHint') }}</p>
          <el-form inline>
            <el-form-item :label="t('customerImport.encoding')">
              <el-select v-model="encoding" style="width: 200px" data-test="import-encoding">
                <el-option v-for="e in ENCODINGS" :key="e" :value="e" :label="t('customerImport.encodingValue.' + e)" />
              </el-select>
            </el-form-item>
            <el-form-item>
              <input ref="fileInput" type="file" accept=".xlsx,.xls,.ods,.csv,.txt" :disabled="busy"
                     data-test="import-file" @change="upload" />
            </el-form-item>
          </el-form>
          <p class="sb-muted">
            {{ t('customerImport.template') }}:
            <a :href="templateUrl('xlsx')" download data-test="import-template">.xlsx</a> ·
            <a :href="templateUrl('csv')" download>.csv</a>
          </p>
        </div>

        <div v-if="step === 1 && draft" data-test="import-step-map">
          <p>
            {{ t('customerImport.fileSummary', { name: draft.job.file_name, rows: draft.total_rows }) }}
            <span v-if="draft.encoding_used" class="sb-muted"> · {{ t('customerImport.readAs', { encoding: draft.encoding_used }) }}</span>
          </p>
          <el-form inline>
            <el-form-item :label="t('customerImport.duplicates')">
              <el-radio-group :model-value="settings.duplicates" data-test="import-duplicates"
                              @change="(v) => change({ duplicates: v })">
                <el-radio-button value="merge" data-test="import-duplicates-merge">{{ t('customerImport.merge') }}</el-radio-button>
                <el-radio-button value="skip" data-test="import-duplicates-skip">{{ t('customerImport.skip') }}</el-radio-button>
              </el-radio-group>
            </el-form-item>
            <el-form-item v-if="isCsv" :label="t('customerImport.encoding')">
              <el-select :model-value="settings.encoding" style="width: 200px" @change="(v) => change({ encoding: v })">
                <el-option v-for="e in ENCODINGS" :key="e" :value="e" :label="t('customerImport.encodingValue.' + e)" />
              </el-select>
            </el-form-item>
          </el-form>
          <el-table :data="draft.columns.map((name, index) => ({ name, index }))" border size="small" class="sb-mb"
                    data-test="import-mapping">
            <el-table-column :label="t('customerImport.column')" min-width="160">
              <template #default="{ row }">{{ row.name }}</template>
            </el-table-column>
            <el-table-column :label="t('customerImport.sample')" min-width="160">
              <template #default="{ row }"><span class="sb-muted">{{ draft.preview[0] ? draft.preview[0].cells[row.index] : '' }}</span></template>
            </el-table-column>
            <el-table-column :label="t('customerImport.field')" min-width="220">
              <template #default="{ row }">
                <el-select :model-value="settings.mapping[row.index] || ''" filterable style="width: 100%"
                           :data-test="'import-map-' + row.index" @change="(v) => mapColumn(row.index, v)">
                  <el-option value="" :label="t('customerImport.skipColumn')" />
                  <el-option v-for="f in fields" :key="f.key" :value="f.key" :label="f.label + (f.required ? ' *' : '')" />
                </el-select>
              </template>
            </el-table-column>
          </el-table>
          <el-alert v-if="missing.length" type="warning" show-icon :closable="false" class="sb-mb" data-test="import-missing"
                    :title="t('customerImport.missing', { fields: missing.join(', ') })" />
          <h4>{{ t('customerImport.preview', { n: draft.preview.length }) }}</h4>
          <el-table :data="draft.preview" border size="small" class="sb-mb" data-test="import-preview" max-height="360">
            <el-table-column :label="t('customerImport.row')" width="70">
              <template #default="{ row }">
                <span :class="row.problems.length ? 'sb-danger-text' : ''">{{ row.row }}</span>
              </template>
            </el-table-column>
            <el-table-column v-for="(name, index) in draft.columns" :key="index" :label="name" min-width="130">
              <template #default="{ row }">
                <el-tooltip v-if="cellProblem(row, index)" :content="cellProblem(row, index)" placement="top">
                  <span class="sb-cell-error" data-test="import-cell-error" style="color: var(--el-color-danger); font-weight: 600">
                    {{ row.cells[index] || '∅' }}</span>
                </el-tooltip>
                <span v-else>{{ row.cells[index] }}</span>
              </template>
            </el-table-column>
          </el-table>
          <ul v-if="rowsWithProblems.length" class="sb-mb" data-test="import-problems">
            <li v-for="r in rowsWithProblems" :key="r.row">
              {{ t('customerImport.row') }} {{ r.row }}:
              <span v-for="(p, i) in r.problems" :key="i">{{ p.column_name ? p.column_name + ' — ' : '' }}{{ p.message }}; </span>
            </li>
          </ul>
          <el-button @click="again">{{ t('common.cancel') }}</el-button>
          <el-button type="primary" :disabled="busy || missing.length > 0" data-test="import-start" @click="start">
            {{ t('customerImport.start', { rows: draft.total_rows }) }}</el-button>
        </div>

        <div v-if="step === 2 && job" data-test="import-step-run">
          <el-progress :percentage="percent" :stroke-width="18" text-inside data-test="import-progress" class="sb-mb" />
          <p>{{ t('customerImport.progress', { done: job.processed_rows, total: job.total_rows }) }}</p>
          <el-button type="danger" plain data-test="import-cancel" @click="cancel">{{ t('customerImport.cancel') }}</el-button>
        </div>

        <div v-if="step === 3 && job" data-test="import-step-result">
          <el-result :icon="job.status === 'done' ? (job.failed ? 'warning' : 'success') : 'error'"
                     :title="t('customerImport.status.' + job.status)" :sub-title="job.message" />
          <el-descriptions :column="4" border class="sb-mb">
            <el-descriptions-item :label="t('customerImport.inserted')"><span data-test="import-inserted">{{ job.inserted }}</span></el-descriptions-item>
            <el-descriptions-item :label="t('customerImport.merged')"><span data-test="import-merged">{{ job.merged }}</span></el-descriptions-item>
            <el-descriptions-item :label="t('customerImport.skipped')"><span data-test="import-skipped">{{ job.skipped }}</span></el-descriptions-item>
            <el-descriptions-item :label="t('customerImport.failed')"><span data-test="import-failed">{{ job.failed }}</span></el-descriptions-item>
          </el-descriptions>
          <p v-if="job.has_error_report">
            {{ t('customerImport.report') }}:
            <a :href="reportUrl('xlsx')" download data-test="import-report">.xlsx</a> ·
            <a :href="reportUrl('csv')" download data-test="import-report-csv">.csv</a>
          </p>
          <el-button type="primary" data-test="import-again" @click="again">{{ t('customerImport.again') }}</el-button>
          <el-button @click="$router.push('/customers')">{{ t('customers.backToList') }}</el-button>
        </div>
      </el-card>

      <el-card shadow="never" class="sb-card">
        <template #header>{{ t('customerImport.recent') }}</template>
        <el-table :data="jobs" border size="small" data-test="import-jobs" :empty-text="t('customerImport.noJobs')">
          <el-table-column :label="t('customerImport.file')" prop="file_name" min-width="180" />
          <el-table-column :label="t('customerImport.statusLabel')" width="110">
            <template #default="{ row }">{{ t('customerImport.status.' + row.status) }}</template>
          </el-table-column>
          <el-table-column :label="t('customerImport.counts')" min-width="220">
            <template #default="{ row }">
              {{ row.inserted }} / {{ row.merged }} / {{ row.skipped }} / {{ row.failed }}
              <a v-if="row.has_error_report" :href="'/api/v1/customer-imports/' + row.id + '/errors'" download class="sb-ml">
                {{ t('customerImport.report') }}</a>
            </template>
          </el-table-column>
          <el-table-column :label="t('customerImport.when')" width="170">
            <template #default="{ row }">{{ fmtDateTime(row.created_at) }}</template>
          </el-table-column>
          <el-table-column :label="t('customerImport.by')" prop="created_by" width="110" />
        </el-table>
      </el-card>
    </div>`,
};
