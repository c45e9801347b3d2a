// Marketing campaigns (campaign.read): theme, day, kind, stage, target count and rates; managers make one with the
// saved customer filter that will pick its targets, with a live count of the customers it picks.
import { ref, reactive, computed, onMounted } from 'vue';
import { useRouter } from 'vue-router';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import { errorText, showSuccess } from '../util.js';
import { loadDepartments } from '../departments-data.js';
import PageHeader from '../components/page-header.js';
import DeptSelect from '../components/dept-select.js';
import { CustomerFilterForm, emptyFilter, filterParams, describeFilter, percent, stageTag } from './outreach-common.js';

export default {
  name: 'CampaignsPage',
  components: { PageHeader, DeptSelect, CustomerFilterForm },
  setup() {
    const router = useRouter();
    const rows = ref([]);
    const loading = ref(false);
    const error = ref('');
    const mayManage = computed(() => can('campaign.manage'));
    const departments = ref([]);
    const form = reactive({ open: false, theme: '', held_on: null, kind: 'on_site', location: '', description: '',
      department_id: null, filter: emptyFilter(), count: null, saving: false, error: '' });

    async function load() {
      loading.value = true;
      error.value = '';
      try {
        rows.value = await api.get('/campaigns');
      } catch (err) {
        error.value = errorText(err);
      } finally {
        loading.value = false;
      }
    }
    function create() {
      Object.assign(form, { open: true, theme: '', held_on: null, kind: 'on_site', location: '', description: '',
        department_id: null, filter: emptyFilter(), count: null, saving: false, error: '' });
    }
    async function preview() {
      form.error = '';
      try {
        form.count = (await api.post('/campaigns/preview', { filter: filterParams(form.filter) })).count;
      } catch (err) {
        form.error = errorText(err);
      }
    }
    async function save() {
      form.saving = true;
      form.error = '';
      try {
        const campaign = await api.post('/campaigns', {
          theme: form.theme, held_on: form.held_on || '', kind: form.kind, location: form.location,
          description: form.description, filter: filterParams(form.filter),
          ...(form.department_id ? { department_id: form.department_id } : {}),
        });
        showSuccess(t('common.saved'));
        form.open = false;
        router.push(`/campaigns/${campaign.id}`);
      } catch (err) {
        form.error = errorText(err);
      } finally {
        form.saving = false;
      }
    }
    onMounted(async () => {
      load();
      try {
        departments.value = await loadDepartments();
      } catch {
        departments.value = [];
      }
    });
    return { t, rows, loading, error, mayManage, departments, form, load, create, preview, save, describeFilter, percent, stageTag };
  },
  template: `
    <div class="sb-page" data-test="page-campaigns">
      <page-header :title="t('menu.campaigns')" :subtitle="t('campaigns.subtitle')">
        <el-button v-if="mayManage" type="primary" :icon="$icons.Plus" data-test="campaign-new" @click="create">{{ t('campaigns.create') }}</el-button>
        <el-button :icon="$icons.Refresh" @click="load">{{ t('common.refresh') }}</el-button>
      </page-header>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <el-card shadow="never" class="sb-card">
        <el-table v-loading="loading" :data="rows" row-key="id" border stripe data-test="campaigns-table"
                  :empty-text="t('campaigns.empty')" @row-click="(row) => $router.push('/campaigns/' + row.id)">
          <el-table-column :label="t('campaigns.theme')" min-width="180">
            <template #default="{ row }"><el-link type="primary" :data-test="'campaign-row-' + row.theme">{{ row.theme }}</el-link></template>
          </el-table-column>
          <el-table-column :label="t('campaigns.heldOn')" width="120" prop="held_on" />
          <el-table-column :label="t('campaigns.kind')" width="110">
            <template #default="{ row }">{{ t('campaigns.kinds.' + row.kind) }}</template>
          </el-table-column>
          <el-table-column :label="t('common.status')" width="100">
            <template #default="{ row }"><el-tag size="small" :type="stageTag(row.state)">{{ t('campaigns.stage.' + row.state) }}</el-tag></template>
          </el-table-column>
          <el-table-column :label="t('campaigns.filter')" min-width="200">
            <template #default="{ row }"><span class="sb-muted">{{ describeFilter(row.filter) }}</span></template>
          </el-table-column>
          <el-table-column :label="t('campaigns.targets')" width="90">
            <template #default="{ row }">{{ row.counts.targets }}</template>
          </el-table-column>
          <el-table-column :label="t('campaigns.attendanceRate')" width="110">
            <template #default="{ row }">{{ percent(row.rates.attendance_rate) }}</template>
          </el-table-column>
          <el-table-column :label="t('campaigns.satisfactionRate')" width="110">
            <template #default="{ row }">{{ percent(row.rates.satisfaction_rate) }}</template>
          </el-table-column>
        </el-table>
      </el-card>
      <el-dialog v-model="form.open" :title="t('campaigns.create')" width="640px" data-test="campaign-dialog">
        <el-form label-width="120px" @submit.prevent="save">
          <el-form-item :label="t('campaigns.theme')" required>
            <el-input v-model="form.theme" maxlength="200" data-test="campaign-theme" />
          </el-form-item>
          <el-form-item :label="t('campaigns.heldOn')" required>
            <span data-test="campaign-day"><el-date-picker v-model="form.held_on" type="date" format="YYYY-MM-DD" value-format="YYYY-MM-DD" /></span>
          </el-form-item>
          <el-form-item :label="t('campaigns.kind')">
            <el-radio-group v-model="form.kind" data-test="campaign-kind">
              <el-radio-button value="on_site">{{ t('campaigns.kinds.on_site') }}</el-radio-button>
              <el-radio-button value="elsewhere">{{ t('campaigns.kinds.elsewhere') }}</el-radio-button>
            </el-radio-group>
          </el-form-item>
          <el-form-item :label="t('campaigns.location')">
            <el-input v-model="form.location" maxlength="200" />
          </el-form-item>
          <el-form-item :label="t('campaigns.department')">
            <dept-select v-model="form.department_id" :departments="departments" :placeholder="t('callbackLists.myDepartment')"
                         data-test="campaign-department" />
          </el-form-item>
          <el-divider content-position="left">{{ t('campaigns.filter') }}</el-divider>
          <customer-filter-form v-model="form.filter" prefix="campaign-filter" />
          <el-form-item>
            <el-button data-test="campaign-preview" @click="preview">{{ t('campaigns.preview') }}</el-button>
            <span v-if="form.count !== null" class="sb-ml" data-test="campaign-count">{{ t('campaigns.previewCount', { n: form.count }) }}</span>
          </el-form-item>
          <el-alert v-if="form.error" :title="form.error" type="error" show-icon :closable="false" data-test="campaign-error" />
        </el-form>
        <template #footer>
          <el-button @click="form.open = false">{{ t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="form.saving" data-test="campaign-save" @click="save">{{ t('common.save') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
