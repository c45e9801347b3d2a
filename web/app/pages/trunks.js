// SIP trunks: carriers with their host, trusted inbound addresses and registration; create / edit / delete.
import { ref, computed, onMounted } from 'vue';
import { api, getAll } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import { errorText, showError, showSuccess, confirmDanger } from '../util.js';
import PageHeader from '../components/page-header.js';
import TrunkDialog from './trunk-dialog.js';

export default {
  name: 'TrunksPage',
  components: { PageHeader, TrunkDialog },
  setup() {
    const rows = ref([]);
    const registrations = ref(new Map());
    const loading = ref(false);
    const error = ref('');
    const search = ref('');
    const dialog = ref(false);
    const editing = ref(null);
    const manage = computed(() => can('trunk.manage'));
    const filtered = computed(() => {
      const q = search.value.trim().toLowerCase();
      if (!q) return rows.value;
      return rows.value.filter((r) => `${r.name} ${r.host} ${r.caller_id}`.toLowerCase().includes(q));
    });

    async function load() {
      loading.value = true;
      error.value = '';
      try {
        const [trunks, states] = await Promise.all([getAll('/trunks'), api.get('/trunk-registrations')]);
        registrations.value = new Map(states.map((s) => [s.trunk_id, s]));
        rows.value = trunks;
      } catch (err) {
        error.value = errorText(err);
      } finally {
        loading.value = false;
      }
    }
    function open(row) {
      editing.value = row || null;
      dialog.value = true;
    }
    async function remove(row) {
      if (!(await confirmDanger(t('trunks.confirmDelete', { name: row.name })))) return;
      try {
        await api.del(`/trunks/${row.id}`);
        showSuccess(t('common.deleted'));
        load();
      } catch (err) {
        showError(err);
      }
    }
    onMounted(load);
    return { t, rows, registrations, filtered, loading, error, search, dialog, editing, manage, load, open, remove };
  },
  template: `
    <div class="sb-page" data-test="page-trunks">
      <page-header :title="t('menu.trunks')" :subtitle="t('trunks.subtitle')">
        <el-input v-model="search" clearable :placeholder="t('trunks.search')" :prefix-icon="$icons.Search"
                  class="sb-search" data-test="trunks-search" />
        <el-button :icon="$icons.Refresh" @click="load">{{ t('common.refresh') }}</el-button>
        <el-button v-if="manage" type="primary" :icon="$icons.Plus" data-test="trunk-create" @click="open(null)">
          {{ t('trunks.create') }}</el-button>
      </page-header>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <el-card shadow="never" class="sb-card">
        <el-table v-loading="loading" :data="filtered" row-key="id" border stripe data-test="trunks-table"
                  :empty-text="search ? t('common.noMatch') : t('trunks.empty')">
          <el-table-column :label="t('trunks.name')" min-width="140">
            <template #default="{ row }"><span class="sb-strong" :data-test="'trunk-row-' + row.name">{{ row.name }}</span></template>
          </el-table-column>
          <el-table-column :label="t('trunks.host')" min-width="200">
            <template #default="{ row }">
              <span class="sb-mono-text">{{ row.host }}:{{ row.port }}</span>
              <span class="sb-muted"> / {{ row.transport.toUpperCase() }}</span>
            </template>
          </el-table-column>
          <el-table-column :label="t('trunks.inboundAddresses')" min-width="200">
            <template #default="{ row }">
              <div class="sb-tags">
                <el-tag v-for="a in row.inbound_addresses" :key="a" size="small" effect="plain">{{ a }}</el-tag>
                <span v-if="!row.inbound_addresses.length" class="sb-muted">{{ t('common.none') }}</span>
              </div>
            </template>
          </el-table-column>
          <el-table-column :label="t('trunks.register')" width="170">
            <template #default="{ row }">
              <template v-if="row.register">{{ row.username }}
                <el-tag v-if="row.has_password" size="small" type="info">{{ t('trunks.hasPassword') }}</el-tag>
                <div :data-test="'trunk-registration-' + row.name">
                  <el-tag v-if="registrations.get(row.id)?.registered" size="small" type="success">{{ t('trunks.registered') }}</el-tag>
                  <el-tag v-else-if="registrations.get(row.id)" size="small" type="danger">
                    {{ t('trunks.notRegistered') }}{{ registrations.get(row.id).last_status ? ' (' + registrations.get(row.id).last_status + ')' : '' }}
                  </el-tag>
                  <el-tag v-else size="small" type="info">{{ t('trunks.registering') }}</el-tag>
                </div>
              </template>
              <span v-else class="sb-muted">—</span>
            </template>
          </el-table-column>
          <el-table-column :label="t('trunks.maxChannels')" width="120">
            <template #default="{ row }">{{ row.max_channels || '∞' }}</template>
          </el-table-column>
          <el-table-column prop="caller_id" :label="t('trunks.callerId')" width="140" />
          <el-table-column :label="t('common.status')" width="110">
            <template #default="{ row }">
              <div class="sb-tags">
                <el-tag v-if="row.enabled" type="success" size="small">{{ t('trunks.enabled') }}</el-tag>
                <el-tag v-else type="info" size="small">{{ t('trunks.disabled') }}</el-tag>
                <el-tag v-if="row.record_calls" type="warning" size="small" effect="plain"
                        :data-test="'trunk-recorded-' + row.name">{{ t('trunks.recorded') }}</el-tag>
              </div>
            </template>
          </el-table-column>
          <el-table-column v-if="manage" :label="t('common.actions')" width="140" fixed="right">
            <template #default="{ row }">
              <el-button link type="primary" :data-test="'trunk-edit-' + row.name" @click="open(row)">{{ t('common.edit') }}</el-button>
              <el-button link type="danger" :data-test="'trunk-delete-' + row.name" @click="remove(row)">{{ t('common.delete') }}</el-button>
            </template>
          </el-table-column>
        </el-table>
      </el-card>
      <trunk-dialog v-model="dialog" :trunk="editing" @saved="load" />
    </div>`,
};
