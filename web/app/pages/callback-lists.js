// Callback lists (callback.manage): every list of the departments the user reaches with its progress; make a list
// with its pacing (attempts per task, the wait after a missed call). A row opens the list's tasks.
import { ref, reactive, onMounted } from 'vue';
import { useRouter } from 'vue-router';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { fmtDateTime, errorText, showSuccess } from '../util.js';
import { loadDepartments } from '../departments-data.js';
import PageHeader from '../components/page-header.js';
import DeptSelect from '../components/dept-select.js';

export default {
  name: 'CallbackListsPage',
  components: { PageHeader, DeptSelect },
  setup() {
    const router = useRouter();
    const rows = ref([]);
    const loading = ref(false);
    const error = ref('');
    const departments = ref([]);
    const form = reactive({ open: false, name: '', description: '', department_id: null, max_attempts: 3,
      retry_minutes: 60, saving: false, error: '' });

    async function load() {
      loading.value = true;
      error.value = '';
      try {
        rows.value = await api.get('/callback-lists');
      } catch (err) {
        error.value = errorText(err);
      } finally {
        loading.value = false;
      }
    }
    function create() {
      Object.assign(form, { open: true, name: '', description: '', department_id: null, max_attempts: 3,
        retry_minutes: 60, saving: false, error: '' });
    }
    async function save() {
      form.saving = true;
      form.error = '';
      try {
        const body = { name: form.name, description: form.description, max_attempts: form.max_attempts,
          retry_minutes: form.retry_minutes };
        if (form.department_id) body.department_id = form.department_id;
        const list = await api.post('/callback-lists', body);
        showSuccess(t('common.saved'));
        form.open = false;
        router.push(`/callback-lists/${list.id}`);
      } catch (err) {
        form.error = errorText(err);
      } finally {
        form.saving = false;
      }
    }
    const done = (row) => (row.progress.total ? Math.round(((row.progress.total - row.progress.pending) * 100) / row.progress.total) : 0);
    onMounted(async () => {
      load();
      try {
        departments.value = await loadDepartments();
      } catch {
        departments.value = [];
      }
    });
    return { t, rows, loading, error, departments, form, load, create, save, done, fmtDateTime };
  },
  template: `
    <div class="sb-page" data-test="page-callback-lists">
      <page-header :title="t('menu.callback-lists')" :subtitle="t('callbackLists.subtitle')">
        <el-button type="primary" :icon="$icons.Plus" data-test="callback-list-new" @click="create">{{ t('callbackLists.create') }}</el-button>
        <el-button :icon="$icons.Refresh" @click="load">{{ t('common.refresh') }}</el-button>
      </page-header>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <el-card shadow="never" class="sb-card">
        <el-table v-loading="loading" :data="rows" row-key="id" border stripe data-test="callback-lists-table"
                  :empty-text="t('callbackLists.empty')" @row-click="(row) => $router.push('/callback-lists/' + row.id)">
          <el-table-column :label="t('callbackLists.name')" min-width="180">
            <template #default="{ row }"><el-link type="primary" :data-test="'callback-list-' + row.name">{{ row.name }}</el-link></template>
          </el-table-column>
          <el-table-column :label="t('callbackLists.department')" min-width="130">
            <template #default="{ row }">{{ row.department_name || '—' }}</template>
          </el-table-column>
          <el-table-column :label="t('callbackLists.pacing')" width="170">
            <template #default="{ row }">{{ t('callbackLists.pacingValue', { n: row.max_attempts, m: row.retry_minutes }) }}</template>
          </el-table-column>
          <el-table-column :label="t('callbackLists.progress')" min-width="260">
            <template #default="{ row }">
              <el-progress :percentage="done(row)" :stroke-width="10" />
              <span class="sb-muted">{{ t('callbackLists.progressValue', row.progress) }}</span>
            </template>
          </el-table-column>
          <el-table-column :label="t('callbackLists.created')" width="170">
            <template #default="{ row }">{{ fmtDateTime(row.created_at) }}</template>
          </el-table-column>
        </el-table>
      </el-card>
      <el-dialog v-model="form.open" :title="t('callbackLists.create')" width="520px" data-test="callback-list-dialog">
        <el-form label-width="150px" @submit.prevent="save">
          <el-form-item :label="t('callbackLists.name')" required>
            <el-input v-model="form.name" maxlength="100" data-test="callback-list-name" />
          </el-form-item>
          <el-form-item :label="t('callbackLists.description')">
            <el-input v-model="form.description" type="textarea" :rows="2" maxlength="1000" />
          </el-form-item>
          <el-form-item :label="t('callbackLists.department')">
            <dept-select v-model="form.department_id" :departments="departments" :placeholder="t('callbackLists.myDepartment')" />
          </el-form-item>
          <el-form-item :label="t('callbackLists.maxAttempts')">
            <el-input-number v-model="form.max_attempts" :min="1" :max="20" data-test="callback-list-attempts" />
          </el-form-item>
          <el-form-item :label="t('callbackLists.retryMinutes')">
            <el-input-number v-model="form.retry_minutes" :min="1" :max="10080" />
          </el-form-item>
          <el-alert v-if="form.error" :title="form.error" type="error" show-icon :closable="false" data-test="callback-list-error" />
        </el-form>
        <template #footer>
          <el-button @click="form.open = false">{{ t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="form.saving" data-test="callback-list-save" @click="save">{{ t('common.save') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
