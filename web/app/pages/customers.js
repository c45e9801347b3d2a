// Customers: search by name, any form of a phone number, ID card or #id, combined with level, lifecycle, region
// and "no contact for N days" filters; open the 360 view; add a customer; import and export.
import { ref, reactive, onMounted } from 'vue';
import { useRouter } from 'vue-router';
import { api, apiUrl } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import { fmtDateTime, errorText } from '../util.js';
import PageHeader from '../components/page-header.js';
import CustomerDialog, { LIFECYCLES, labelOf } from './customer-dialog.js';

export const EMPTY_VOCABULARY = {
  levels: [], educations: [], marital_statuses: [], asset_kinds: [], fields: [], field_choices: {},
};

export default {
  name: 'CustomersPage',
  components: { PageHeader, CustomerDialog },
  setup() {
    const router = useRouter();
    const rows = ref([]);
    const total = ref(0);
    const loading = ref(false);
    const error = ref('');
    const vocabulary = ref({ ...EMPTY_VOCABULARY });
    const query = reactive({
      q: '', asset: '', level: [], lifecycle: [], province: '', city: '', idle_days: null, sort: 'newest',
      page: 1, per_page: 50,
    });
    const dialog = ref(false);

    function params() {
      return {
        q: query.q.trim(), asset: query.asset.trim(), level: query.level.join(','),
        lifecycle: query.lifecycle.join(','), province: query.province.trim(), city: query.city.trim(),
        idle_days: query.idle_days ?? '', sort: query.sort,
      };
    }
    async function load() {
      loading.value = true;
      error.value = '';
      try {
        const res = await api.get('/customers', { ...params(), page: query.page, per_page: query.per_page });
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
      query.page = 1;
      load();
    }
    function reset() {
      Object.assign(query, { q: '', asset: '', level: [], lifecycle: [], province: '', city: '', idle_days: null, sort: 'newest' });
      search();
    }
    const exportUrl = (format) => apiUrl('/customers/export', { ...params(), format });
    const open = (row) => router.push(`/customers/${row.id}`);
    const created = (customer) => router.push(`/customers/${customer.id}`);
    onMounted(async () => {
      load();
      try {
        vocabulary.value = await api.get('/customer-vocabulary');
      } catch {
        vocabulary.value = { ...EMPTY_VOCABULARY };
      }
    });
    return {
      t, can, rows, total, loading, error, query, dialog, vocabulary, LIFECYCLES, load, search, reset, open, created, exportUrl,
      labelOf, fmtDateTime,
    };
  },
  template: `
    <div class="sb-page" data-test="page-customers">
      <page-header :title="t('menu.customers')" :subtitle="t('customers.subtitle')">
        <a v-if="can('customer.export')" :href="exportUrl('xlsx')" download style="margin-right: 8px" data-test="customers-export-link">
          <el-button :icon="$icons.Download" data-test="customers-export">{{ t('customers.export') }}</el-button></a>
        <a v-if="can('customer.export')" :href="exportUrl('csv')" download style="margin-right: 8px" data-test="customers-export-csv">
          <el-button link>CSV</el-button></a>
        <el-button v-if="can('customer.import')" :icon="$icons.Upload" data-test="customers-import"
                   @click="$router.push('/customers/import')">{{ t('customers.import') }}</el-button>
        <el-button v-if="can('customer.create')" type="primary" :icon="$icons.Plus" data-test="customers-create"
                   @click="dialog = true">{{ t('customers.create') }}</el-button>
      </page-header>
      <el-card shadow="never" class="sb-card sb-mb">
        <el-form inline @submit.prevent="search" data-test="customers-filters">
          <el-form-item>
            <el-input v-model="query.q" clearable :placeholder="t('customers.search')" :prefix-icon="$icons.Search"
                      style="width: 260px" data-test="customers-search" @clear="search" />
          </el-form-item>
          <el-form-item :label="t('customers.level')">
            <el-select v-model="query.level" multiple collapse-tags clearable style="width: 160px" data-test="customers-level">
              <el-option v-for="l in vocabulary.levels" :key="l.code" :value="l.code" :label="l.label" />
            </el-select>
          </el-form-item>
          <el-form-item :label="t('customers.lifecycle')">
            <el-select v-model="query.lifecycle" multiple collapse-tags clearable style="width: 160px">
              <el-option v-for="l in LIFECYCLES" :key="l" :value="l" :label="t('customers.lifecycleValue.' + l)" />
            </el-select>
          </el-form-item>
          <el-form-item :label="t('customers.province')">
            <el-input v-model="query.province" clearable style="width: 120px" />
          </el-form-item>
          <el-form-item :label="t('customers.idleDays')">
            <el-input-number v-model="query.idle_days" :min="1" :max="36500" controls-position="right" style="width: 120px" />
          </el-form-item>
          <el-form-item :label="t('customers.asset')">
            <el-input v-model="query.asset" clearable :placeholder="t('customers.assetHint')" style="width: 170px" />
          </el-form-item>
          <el-form-item :label="t('customers.sort')">
            <el-select v-model="query.sort" style="width: 150px">
              <el-option v-for="s in ['newest', 'name', 'least_recent_contact']" :key="s" :value="s" :label="t('customers.sortValue.' + s)" />
            </el-select>
          </el-form-item>
          <el-form-item>
            <el-button type="primary" native-type="submit" :icon="$icons.Search" data-test="customers-search-button">{{ t('common.search') }}</el-button>
            <el-button @click="reset">{{ t('common.reset') }}</el-button>
          </el-form-item>
        </el-form>
      </el-card>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <el-card shadow="never" class="sb-card">
        <el-table v-loading="loading" :data="rows" row-key="id" border stripe data-test="customers-table"
                  :empty-text="t('customers.empty')" @row-dblclick="open">
          <el-table-column :label="t('customers.name')" min-width="140">
            <template #default="{ row }">
              <el-link type="primary" :data-test="'customer-row-' + row.name" @click="open(row)">{{ row.name }}</el-link>
            </template>
          </el-table-column>
          <el-table-column :label="t('customers.phones')" min-width="150">
            <template #default="{ row }"><span class="sb-mono-text">{{ row.phones.map((p) => p.number).join(', ') }}</span></template>
          </el-table-column>
          <el-table-column :label="t('customers.level')" width="110">
            <template #default="{ row }"><el-tag :type="row.level === 'vip' ? 'warning' : 'info'" size="small">{{ labelOf(vocabulary.levels, row.level) }}</el-tag></template>
          </el-table-column>
          <el-table-column :label="t('customers.lifecycle')" width="110">
            <template #default="{ row }">{{ t('customers.lifecycleValue.' + row.lifecycle) }}</template>
          </el-table-column>
          <el-table-column :label="t('customers.region')" width="160">
            <template #default="{ row }">{{ row.province }} {{ row.city !== row.province ? row.city : '' }}</template>
          </el-table-column>
          <el-table-column :label="t('customers.owner')" width="150">
            <template #default="{ row }">{{ row.owner_name || '—' }}<span v-if="row.department_name" class="sb-muted"> · {{ row.department_name }}</span></template>
          </el-table-column>
          <el-table-column :label="t('customers.lastContact')" width="170">
            <template #default="{ row }">{{ row.last_contact_at ? fmtDateTime(row.last_contact_at) : t('customers.never') }}</template>
          </el-table-column>
        </el-table>
        <el-pagination v-model:current-page="query.page" v-model:page-size="query.per_page" class="sb-pager"
                       :total="total" :page-sizes="[50, 100, 200]" background layout="total, sizes, prev, pager, next"
                       @current-change="load" @size-change="search" />
      </el-card>
      <customer-dialog v-model="dialog" :vocabulary="vocabulary" @saved="created" />
    </div>`,
};
