// One callback list (callback.manage): its progress, its tasks (filter by state), adding tasks from a pasted list
// ("name, phone, notes" a line; a number is matched to the customer who has it) or from a customer filter, giving
// the selected tasks to a person or a department, cancelling a task, and the export to Excel.
import { ref, reactive, computed, onMounted } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { api, apiUrl, getAll } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import { fmtDateTime, toRfc3339, errorText, showSuccess, confirmDanger } from '../util.js';
import { loadDepartments } from '../departments-data.js';
import PageHeader from '../components/page-header.js';
import DeptSelect from '../components/dept-select.js';
import { CustomerFilterForm, TASK_STATES, taskTag, emptyFilter, filterParams } from './outreach-common.js';

/** "name, phone, notes" (comma, tab or Chinese comma) a line -> tasks; a line with only a number is a number. */
export function parsePasted(text) {
  return text
    .split(/\r?\n/)
    .map((line) => line.split(/[,\t，]/).map((c) => c.trim()))
    .filter((cells) => cells.some((c) => c))
    .map((cells) => {
      if (cells.length === 1) return { phone: cells[0] };
      const [name, phone, ...rest] = cells;
      const task = { name, phone };
      if (rest.join(' ').trim()) task.notes = rest.join(' ').trim();
      return task;
    });
}

export default {
  name: 'CallbackListDetailPage',
  components: { PageHeader, DeptSelect, CustomerFilterForm },
  setup() {
    const route = useRoute();
    const router = useRouter();
    const id = computed(() => route.params.id);
    const list = ref(null);
    const rows = ref([]);
    const total = ref(0);
    const loading = ref(false);
    const error = ref('');
    const state = ref('');
    const paging = reactive({ page: 1, per_page: 50 });
    const selected = ref([]);
    const departments = ref([]);
    const staff = ref([]);
    const adding = reactive({ open: false, tab: 'paste', text: '', filter: emptyFilter(), assignee_id: null,
      department_id: null, due_at: null, notes: '', saving: false, error: '' });
    const assigning = reactive({ open: false, assignee_id: null, department_id: null, saving: false, error: '' });
    const importing = reactive({ busy: false, job: null });
    const fileInput = ref(null);

    async function load() {
      loading.value = true;
      error.value = '';
      try {
        list.value = await api.get(`/callback-lists/${id.value}`);
        const res = await api.get(`/callback-lists/${id.value}/tasks`, { state: state.value, page: paging.page,
          per_page: paging.per_page });
        rows.value = res.items || [];
        total.value = res.total ?? rows.value.length;
      } catch (err) {
        error.value = errorText(err);
      } finally {
        loading.value = false;
      }
    }
    const exportUrl = computed(() => apiUrl(`/callback-lists/${id.value}/export`));
    const pasted = computed(() => parsePasted(adding.text));
    function openAdd() {
      Object.assign(adding, { open: true, tab: 'paste', text: '', filter: emptyFilter(), assignee_id: null,
        department_id: null, due_at: null, notes: '', saving: false, error: '' });
    }
    async function saveAdd() {
      adding.saving = true;
      adding.error = '';
      const who = {};
      if (adding.assignee_id) who.assignee_id = adding.assignee_id;
      if (adding.department_id) who.department_id = adding.department_id;
      if (adding.due_at) who.due_at = toRfc3339(adding.due_at);
      const body = adding.tab === 'paste'
        ? { tasks: pasted.value.map((task) => ({ ...task, ...who })) }
        : { from_filter: filterParams(adding.filter), ...who, notes: adding.notes.trim() };
      try {
        const res = await api.post(`/callback-lists/${id.value}/tasks`, body);
        showSuccess(t('callbackLists.added', { n: res.added }));
        adding.open = false;
        load();
      } catch (err) {
        adding.error = errorText(err);
      } finally {
        adding.saving = false;
      }
    }
    function openAssign() {
      Object.assign(assigning, { open: true, assignee_id: null, department_id: null, saving: false, error: '' });
    }
    async function saveAssign() {
      assigning.saving = true;
      assigning.error = '';
      const body = { task_ids: selected.value.map((r) => r.id) };
      if (assigning.assignee_id) body.assignee_id = assigning.assignee_id;
      if (assigning.department_id) body.department_id = assigning.department_id;
      try {
        const res = await api.post(`/callback-lists/${id.value}/assign`, body);
        showSuccess(t('callbackLists.assigned', { n: res.changed }));
        assigning.open = false;
        load();
      } catch (err) {
        assigning.error = errorText(err);
      } finally {
        assigning.saving = false;
      }
    }
    function pickFile() {
      if (fileInput.value) fileInput.value.click();
    }
    async function importFile(event) {
      const file = event.target.files && event.target.files[0];
      event.target.value = '';
      if (!file) return;
      importing.busy = true;
      error.value = '';
      try {
        importing.job = await api.upload(`/callback-lists/${id.value}/import`, file, { file_name: file.name });
        showSuccess(t('callbackLists.imported', { n: importing.job.inserted, failed: importing.job.failed }));
        load();
      } catch (err) {
        error.value = errorText(err);
      } finally {
        importing.busy = false;
      }
    }
    const reportUrl = computed(() => (importing.job ? apiUrl(`/callback-imports/${importing.job.id}/errors`) : ''));
    async function cancelTask(row) {
      try {
        await api.post(`/callback-tasks/${row.id}/cancel`, {});
        load();
      } catch (err) {
        error.value = errorText(err);
      }
    }
    async function remove() {
      if (!(await confirmDanger(t('callbackLists.deleteConfirm', { name: list.value.name })))) return;
      try {
        await api.del(`/callback-lists/${id.value}`);
        router.push('/callback-lists');
      } catch (err) {
        error.value = errorText(err);
      }
    }
    onMounted(async () => {
      load();
      try {
        departments.value = await loadDepartments();
      } catch {
        departments.value = [];
      }
      if (can('staff.read')) {
        try {
          staff.value = await getAll('/staff');
        } catch {
          staff.value = [];
        }
      }
    });
    return {
      t, list, rows, total, loading, error, state, paging, selected, departments, staff, adding, assigning, pasted,
      importing, fileInput, pickFile, importFile, reportUrl,
      TASK_STATES, taskTag, exportUrl, load, openAdd, saveAdd, openAssign, saveAssign, cancelTask, remove, fmtDateTime,
    };
  },
  template: `
    <div class="sb-page" data-test="page-callback-list">
      <page-header :title="list ? list.name : t('menu.callback-lists')" :subtitle="list ? list.description : ''">
        <el-button type="primary" :icon="$icons.Plus" data-test="callback-tasks-add" @click="openAdd">{{ t('callbackLists.addTasks') }}</el-button>
        <el-button :icon="$icons.Upload" :loading="importing.busy" data-test="callback-tasks-import" @click="pickFile">
          {{ t('callbackLists.importFile') }}</el-button>
        <input ref="fileInput" type="file" accept=".xlsx,.xls,.ods,.csv" style="display: none"
               data-test="callback-import-file" @change="importFile" />
        <el-button :disabled="!selected.length" data-test="callback-tasks-assign" @click="openAssign">
          {{ t('callbackLists.assign', { n: selected.length }) }}</el-button>
        <a :href="exportUrl" download class="sb-ml"><el-button :icon="$icons.Download" data-test="callback-list-export">{{ t('callbackLists.export') }}</el-button></a>
        <el-button type="danger" plain class="sb-ml" @click="remove">{{ t('common.delete') }}</el-button>
      </page-header>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" data-test="callback-list-detail-error" />
      <el-alert v-if="importing.job" type="info" show-icon :closable="false" class="sb-mb" data-test="callback-import-result"
                :title="t('callbackLists.imported', { n: importing.job.inserted, failed: importing.job.failed })">
        <a v-if="importing.job.failed" :href="reportUrl" download>{{ t('callbackLists.importReport') }}</a>
        <span class="sb-muted"> {{ t('callbackLists.importHint') }}</span>
      </el-alert>
      <el-card v-if="list" shadow="never" class="sb-card sb-mb">
        <el-descriptions :column="4" size="small" data-test="callback-list-progress">
          <el-descriptions-item :label="t('callbackLists.department')">{{ list.department_name || '—' }}</el-descriptions-item>
          <el-descriptions-item :label="t('callbackLists.pacing')">{{ t('callbackLists.pacingValue', { n: list.max_attempts, m: list.retry_minutes }) }}</el-descriptions-item>
          <el-descriptions-item :label="t('callbackLists.progress')">{{ t('callbackLists.progressValue', list.progress) }}</el-descriptions-item>
          <el-descriptions-item :label="t('callbackLists.unassigned')">{{ list.progress.unassigned }}</el-descriptions-item>
        </el-descriptions>
      </el-card>
      <el-card shadow="never" class="sb-card">
        <el-radio-group v-model="state" class="sb-mb" @change="load">
          <el-radio-button value="">{{ t('common.all') }}</el-radio-button>
          <el-radio-button v-for="s in TASK_STATES" :key="s" :value="s">{{ t('callbacks.state.' + s) }}</el-radio-button>
        </el-radio-group>
        <el-table v-loading="loading" :data="rows" row-key="id" border stripe data-test="callback-tasks-table"
                  :empty-text="t('callbackLists.noTasks')" @selection-change="(s) => (selected = s)">
          <el-table-column type="selection" width="44" :selectable="(row) => row.state === 'pending'" />
          <el-table-column :label="t('callbacks.name')" min-width="130">
            <template #default="{ row }">
              <span :data-test="'task-row-' + (row.customer_name || row.name || row.phone)">{{ row.customer_name || row.name || '—' }}</span>
              <el-tag v-if="row.customer_id" size="small" effect="plain" class="sb-ml">{{ t('callbackLists.customer') }}</el-tag>
            </template>
          </el-table-column>
          <el-table-column :label="t('callbacks.phone')" width="150">
            <template #default="{ row }"><span class="sb-mono-text">{{ row.phone }}</span></template>
          </el-table-column>
          <el-table-column :label="t('callbackLists.assignee')" min-width="140">
            <template #default="{ row }">{{ row.assignee_name || row.department_name || '—' }}</template>
          </el-table-column>
          <el-table-column :label="t('common.status')" width="110">
            <template #default="{ row }"><el-tag size="small" :type="taskTag(row.state)">{{ t('callbacks.state.' + row.state) }}</el-tag></template>
          </el-table-column>
          <el-table-column :label="t('callbacks.attempts')" width="150">
            <template #default="{ row }">{{ row.attempts }} / {{ row.max_attempts }}
              <span v-if="row.last_status" class="sb-muted"> · {{ t('callbacks.status.' + row.last_status) }}</span></template>
          </el-table-column>
          <el-table-column :label="t('callbacks.due')" width="170">
            <template #default="{ row }">{{ fmtDateTime(row.due_at) }}</template>
          </el-table-column>
          <el-table-column :label="t('callbacks.notes')" min-width="140" prop="notes" show-overflow-tooltip />
          <el-table-column :label="t('common.actions')" width="100">
            <template #default="{ row }">
              <el-button v-if="row.state === 'pending'" size="small" link type="danger" @click="cancelTask(row)">{{ t('callbackLists.cancelTask') }}</el-button>
            </template>
          </el-table-column>
        </el-table>
        <el-pagination v-model:current-page="paging.page" v-model:page-size="paging.per_page" class="sb-pager"
                       :total="total" :page-sizes="[50, 100, 200]" layout="total, sizes, prev, pager, next"
                       @current-change="load" @size-change="load" />
      </el-card>

      <el-dialog v-model="adding.open" :title="t('callbackLists.addTasks')" width="640px" data-test="add-tasks-dialog">
        <el-tabs v-model="adding.tab">
          <el-tab-pane name="paste" :label="t('callbackLists.paste')">
            <el-input v-model="adding.text" type="textarea" :rows="6" :placeholder="t('callbackLists.pasteHint')" data-test="add-tasks-paste" />
            <div class="sb-muted">{{ t('callbackLists.pasteCount', { n: pasted.length }) }}</div>
          </el-tab-pane>
          <el-tab-pane name="filter" :label="t('callbackLists.fromFilter')">
            <el-form label-width="120px"><customer-filter-form v-model="adding.filter" prefix="task-filter" />
              <el-form-item :label="t('callbacks.notes')"><el-input v-model="adding.notes" maxlength="1000" /></el-form-item>
            </el-form>
          </el-tab-pane>
        </el-tabs>
        <el-form label-width="120px" class="sb-mt">
          <el-form-item :label="t('callbackLists.assignee')">
            <el-select v-model="adding.assignee_id" clearable filterable style="width: 100%" data-test="add-tasks-assignee">
              <el-option v-for="s in staff" :key="s.id" :value="s.id" :label="s.name + ' (' + s.employee_id + ')'" />
            </el-select>
          </el-form-item>
          <el-form-item :label="t('callbackLists.department')">
            <dept-select v-model="adding.department_id" :departments="departments" data-test="add-tasks-department" />
          </el-form-item>
          <el-form-item :label="t('callbacks.due')">
            <el-date-picker v-model="adding.due_at" type="datetime" format="YYYY-MM-DD HH:mm" :placeholder="t('callbackLists.now')" />
          </el-form-item>
        </el-form>
        <el-alert v-if="adding.error" :title="adding.error" type="error" show-icon :closable="false" data-test="add-tasks-error" />
        <template #footer>
          <el-button @click="adding.open = false">{{ t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="adding.saving" data-test="add-tasks-save" @click="saveAdd">{{ t('common.save') }}</el-button>
        </template>
      </el-dialog>

      <el-dialog v-model="assigning.open" :title="t('callbackLists.assign', { n: selected.length })" width="480px" data-test="assign-dialog">
        <el-form label-width="120px">
          <el-form-item :label="t('callbackLists.assignee')">
            <el-select v-model="assigning.assignee_id" clearable filterable style="width: 100%" data-test="assign-staff">
              <el-option v-for="s in staff" :key="s.id" :value="s.id" :label="s.name + ' (' + s.employee_id + ')'" />
            </el-select>
          </el-form-item>
          <el-form-item :label="t('callbackLists.department')">
            <dept-select v-model="assigning.department_id" :departments="departments" />
          </el-form-item>
          <el-alert v-if="assigning.error" :title="assigning.error" type="error" show-icon :closable="false" />
        </el-form>
        <template #footer>
          <el-button @click="assigning.open = false">{{ t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="assigning.saving" data-test="assign-save" @click="saveAssign">{{ t('common.save') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
