// One campaign: its details and saved filter, the stage with what it allows (pick the targets by the filter while
// planning, start, finish), the rates, the targets with a per-customer result dialog (invited or why not, came,
// gift, satisfaction and why not), filtered by outcome, and the export to Excel.
import { ref, reactive, computed, onMounted } from 'vue';
import { useRoute } from 'vue-router';
import { api, apiUrl } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import { fmtDateTime, errorText, showSuccess } from '../util.js';
import PageHeader from '../components/page-header.js';
import { describeFilter, percent, stageTag } from './outreach-common.js';

const yesNo = (v) => (v === true ? 'yes' : v === false ? 'no' : '');
const fromYesNo = (v) => (v === 'yes' ? true : v === 'no' ? false : null);

export default {
  name: 'CampaignDetailPage',
  components: { PageHeader },
  setup() {
    const route = useRoute();
    const id = computed(() => route.params.id);
    const campaign = ref(null);
    const rows = ref([]);
    const total = ref(0);
    const loading = ref(false);
    const busy = ref(false);
    const error = ref('');
    const outcome = ref('');
    const paging = reactive({ page: 1, per_page: 50 });
    const mayManage = computed(() => can('campaign.manage'));
    const mayWork = computed(() => can('campaign.work'));
    const result = reactive({ open: false, target: null, invited: '', refusal_reason: '', attended: '',
      gift_taken: false, satisfaction: 0, dissatisfaction_reason: '', notes: '', saving: false, error: '' });

    async function load() {
      loading.value = true;
      error.value = '';
      try {
        campaign.value = await api.get(`/campaigns/${id.value}`);
        const res = await api.get(`/campaigns/${id.value}/targets`, { outcome: outcome.value, page: paging.page,
          per_page: paging.per_page });
        rows.value = res.items || [];
        total.value = res.total ?? rows.value.length;
      } catch (err) {
        error.value = errorText(err);
      } finally {
        loading.value = false;
      }
    }
    async function act(path, done) {
      busy.value = true;
      error.value = '';
      try {
        campaign.value = await api.post(`/campaigns/${id.value}/${path}`, {});
        showSuccess(t(done, { n: campaign.value.counts.targets }));
        load();
      } catch (err) {
        error.value = errorText(err);
      } finally {
        busy.value = false;
      }
    }
    function edit(target) {
      Object.assign(result, { open: true, target, invited: yesNo(target.invited), refusal_reason: target.refusal_reason,
        attended: yesNo(target.attended), gift_taken: target.gift_taken === true, satisfaction: target.satisfaction || 0,
        dissatisfaction_reason: target.dissatisfaction_reason, notes: target.notes, saving: false, error: '' });
    }
    async function saveResult() {
      result.saving = true;
      result.error = '';
      const came = result.attended === 'yes';
      const body = {
        customer_id: result.target.customer_id, invited: fromYesNo(result.invited),
        refusal_reason: result.invited === 'no' ? result.refusal_reason : '', attended: fromYesNo(result.attended),
        gift_taken: came ? result.gift_taken : null, satisfaction: came && result.satisfaction ? result.satisfaction : null,
        dissatisfaction_reason: came && result.satisfaction && result.satisfaction <= 3 ? result.dissatisfaction_reason : '',
        notes: result.notes,
      };
      try {
        await api.put(`/campaigns/${id.value}/results`, body);
        showSuccess(t('common.saved'));
        result.open = false;
        load();
      } catch (err) {
        result.error = errorText(err);
      } finally {
        result.saving = false;
      }
    }
    const exportUrl = computed(() => apiUrl(`/campaigns/${id.value}/export`));
    const mark = (v) => (v === true ? '✓' : v === false ? '✗' : '—');
    onMounted(load);
    return {
      t, campaign, rows, total, loading, busy, error, outcome, paging, mayManage, mayWork, result, exportUrl, load, act,
      edit, saveResult, mark, describeFilter, percent, stageTag, fmtDateTime,
    };
  },
  template: `
    <div class="sb-page" data-test="page-campaign">
      <page-header :title="campaign ? campaign.theme : t('menu.campaigns')" :subtitle="campaign ? campaign.held_on + ' · ' + t('campaigns.kinds.' + campaign.kind) + (campaign.location ? ' · ' + campaign.location : '') : ''">
        <template v-if="campaign && mayManage">
          <el-button v-if="campaign.state === 'planning'" :loading="busy" data-test="campaign-pick" @click="act('targets', 'campaigns.picked')">{{ t('campaigns.pick') }}</el-button>
          <el-button v-if="campaign.state === 'planning'" type="primary" :loading="busy" data-test="campaign-start" @click="act('start', 'campaigns.started')">{{ t('campaigns.start') }}</el-button>
          <el-button v-if="campaign.state === 'running'" type="success" :loading="busy" data-test="campaign-finish" @click="act('finish', 'campaigns.finished')">{{ t('campaigns.finish') }}</el-button>
        </template>
        <a :href="exportUrl" download class="sb-ml"><el-button :icon="$icons.Download" data-test="campaign-export">{{ t('campaigns.export') }}</el-button></a>
      </page-header>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" data-test="campaign-detail-error" />
      <el-card v-if="campaign" shadow="never" class="sb-card sb-mb">
        <el-descriptions :column="4" size="small" data-test="campaign-summary">
          <el-descriptions-item :label="t('common.status')">
            <el-tag size="small" :type="stageTag(campaign.state)" data-test="campaign-stage">{{ t('campaigns.stage.' + campaign.state) }}</el-tag>
          </el-descriptions-item>
          <el-descriptions-item :label="t('campaigns.filter')">{{ describeFilter(campaign.filter) }}</el-descriptions-item>
          <el-descriptions-item :label="t('campaigns.targets')"><span data-test="campaign-targets">{{ campaign.counts.targets }}</span></el-descriptions-item>
          <el-descriptions-item :label="t('campaigns.department')">{{ campaign.department_name || '—' }}</el-descriptions-item>
        </el-descriptions>
        <el-row :gutter="16" class="sb-mt" data-test="campaign-rates">
          <el-col :span="6"><el-statistic :title="t('campaigns.invitationRate')" :value="percent(campaign.rates.invitation_rate)" /></el-col>
          <el-col :span="6"><el-statistic :title="t('campaigns.attendanceRate')" :value="percent(campaign.rates.attendance_rate)" data-test="rate-attendance" /></el-col>
          <el-col :span="6"><el-statistic :title="t('campaigns.satisfactionRate')" :value="percent(campaign.rates.satisfaction_rate)" data-test="rate-satisfaction" /></el-col>
          <el-col :span="6"><el-statistic :title="t('campaigns.giftRate')" :value="percent(campaign.rates.gift_rate)" /></el-col>
        </el-row>
        <div class="sb-muted sb-mt">{{ t('campaigns.countsLine', campaign.counts) }}</div>
      </el-card>
      <el-card shadow="never" class="sb-card">
        <el-radio-group v-model="outcome" class="sb-mb" @change="load">
          <el-radio-button value="">{{ t('common.all') }}</el-radio-button>
          <el-radio-button v-for="o in ['pending', 'invited', 'refused', 'attended']" :key="o" :value="o">{{ t('campaigns.outcome.' + o) }}</el-radio-button>
        </el-radio-group>
        <el-table v-loading="loading" :data="rows" row-key="customer_id" border stripe data-test="campaign-targets-table"
                  :empty-text="t('campaigns.noTargets')">
          <el-table-column :label="t('campaigns.customer')" min-width="120">
            <template #default="{ row }"><span :data-test="'target-row-' + row.customer_name">{{ row.customer_name }}</span></template>
          </el-table-column>
          <el-table-column :label="t('callbacks.phone')" width="150">
            <template #default="{ row }"><span class="sb-mono-text">{{ row.phone || '—' }}</span></template>
          </el-table-column>
          <el-table-column :label="t('campaigns.invited')" width="80" align="center"><template #default="{ row }">{{ mark(row.invited) }}</template></el-table-column>
          <el-table-column :label="t('campaigns.refusalReason')" min-width="120" prop="refusal_reason" show-overflow-tooltip />
          <el-table-column :label="t('campaigns.came')" width="80" align="center"><template #default="{ row }">{{ mark(row.attended) }}</template></el-table-column>
          <el-table-column :label="t('campaigns.gift')" width="80" align="center"><template #default="{ row }">{{ mark(row.gift_taken) }}</template></el-table-column>
          <el-table-column :label="t('campaigns.satisfaction')" width="140">
            <template #default="{ row }"><el-rate v-if="row.satisfaction" :model-value="row.satisfaction" disabled /><span v-else>—</span></template>
          </el-table-column>
          <el-table-column :label="t('campaigns.dissatisfactionReason')" min-width="120" prop="dissatisfaction_reason" show-overflow-tooltip />
          <el-table-column v-if="mayWork && campaign && campaign.state === 'running'" :label="t('common.actions')" width="100">
            <template #default="{ row }">
              <el-button size="small" type="primary" link :data-test="'target-result-' + row.customer_name" @click="edit(row)">{{ t('campaigns.recordResult') }}</el-button>
            </template>
          </el-table-column>
        </el-table>
        <el-pagination v-model:current-page="paging.page" v-model:page-size="paging.per_page" class="sb-pager"
                       :total="total" :page-sizes="[50, 100, 200]" layout="total, sizes, prev, pager, next"
                       @current-change="load" @size-change="load" />
      </el-card>
      <el-dialog v-model="result.open" :title="t('campaigns.resultTitle', { name: result.target ? result.target.customer_name : '' })"
                 width="520px" data-test="result-dialog">
        <el-form label-width="140px">
          <el-form-item :label="t('campaigns.invited')">
            <el-radio-group v-model="result.invited" data-test="result-invited">
              <el-radio-button value="yes">{{ t('campaigns.yes') }}</el-radio-button>
              <el-radio-button value="no">{{ t('campaigns.no') }}</el-radio-button>
            </el-radio-group>
          </el-form-item>
          <el-form-item v-if="result.invited === 'no'" :label="t('campaigns.refusalReason')">
            <el-input v-model="result.refusal_reason" maxlength="500" data-test="result-refusal" />
          </el-form-item>
          <el-form-item v-if="result.invited === 'yes'" :label="t('campaigns.came')">
            <el-radio-group v-model="result.attended" data-test="result-attended">
              <el-radio-button value="yes">{{ t('campaigns.yes') }}</el-radio-button>
              <el-radio-button value="no">{{ t('campaigns.no') }}</el-radio-button>
            </el-radio-group>
          </el-form-item>
          <template v-if="result.invited === 'yes' && result.attended === 'yes'">
            <el-form-item :label="t('campaigns.gift')">
              <el-switch v-model="result.gift_taken" data-test="result-gift" />
            </el-form-item>
            <el-form-item :label="t('campaigns.satisfaction')">
              <el-rate v-model="result.satisfaction" data-test="result-satisfaction" />
            </el-form-item>
            <el-form-item v-if="result.satisfaction && result.satisfaction <= 3" :label="t('campaigns.dissatisfactionReason')">
              <el-input v-model="result.dissatisfaction_reason" maxlength="500" data-test="result-dissatisfaction" />
            </el-form-item>
          </template>
          <el-form-item :label="t('callbacks.notes')">
            <el-input v-model="result.notes" type="textarea" :rows="2" maxlength="500" />
          </el-form-item>
          <el-alert v-if="result.error" :title="result.error" type="error" show-icon :closable="false" data-test="result-error" />
        </el-form>
        <template #footer>
          <el-button @click="result.open = false">{{ t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="result.saving" data-test="result-save" @click="saveResult">{{ t('common.save') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
