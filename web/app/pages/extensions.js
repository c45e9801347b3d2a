// SIP extensions: search, paginated table with live registration counts, create / edit / SIP password /
// delete; a second tab lists the phones registered now (from the running switch).
import { ref, reactive, computed, onMounted, watch } from 'vue';
import { api, getAll } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import { fmtDateTime, errorText, showError, showSuccess, confirmDanger } from '../util.js';
import PageHeader from '../components/page-header.js';
import ExtensionDialog from './extension-dialog.js';
import SipPasswordDialog from './sip-password-dialog.js';
import { WARNINGS_CHANGED } from '../components/demo-password-warning.js';

export default {
  name: 'ExtensionsPage',
  components: { PageHeader, ExtensionDialog, SipPasswordDialog },
  setup() {
    const rows = ref([]);
    const total = ref(0);
    const loading = ref(false);
    const error = ref('');
    const query = reactive({ q: '', page: 1, per_page: 50 });
    const tab = ref('list');
    const registrations = ref([]);
    const regLoading = ref(false);
    const regError = ref('');
    const dialog = ref(false);
    const editing = ref(null);
    const pwDialog = ref(false);
    const pwTarget = ref(null);
    const manage = computed(() => can('extension.manage'));
    const registeredCount = computed(() => {
      const m = new Map();
      for (const r of registrations.value) m.set(r.extension, (m.get(r.extension) || 0) + 1);
      return m;
    });

    async function load() {
      loading.value = true;
      error.value = '';
      try {
        const res = await api.get('/extensions', { q: query.q.trim(), page: query.page, per_page: query.per_page });
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
    async function loadRegistrations() {
      regLoading.value = true;
      regError.value = '';
      try {
        registrations.value = await getAll('/registrations');
      } catch (err) {
        regError.value = errorText(err);
      } finally {
        regLoading.value = false;
      }
    }
    function refresh() {
      load();
      loadRegistrations();
    }
    let timer = null;
    watch(() => query.q, () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        query.page = 1;
        load();
      }, 300);
    });
    function openCreate() {
      editing.value = null;
      dialog.value = true;
    }
    function openEdit(row) {
      editing.value = row;
      dialog.value = true;
    }
    function openPassword(row) {
      pwTarget.value = row;
      pwDialog.value = true;
    }
    async function remove(row) {
      if (!(await confirmDanger(t('extensions.confirmDelete', { ext: row.extension })))) return;
      try {
        await api.del(`/extensions/${row.id}`);
        showSuccess(t('common.deleted'));
        window.dispatchEvent(new Event(WARNINGS_CHANGED));
        if (rows.value.length === 1 && query.page > 1) query.page -= 1;
        load();
      } catch (err) {
        showError(err);
      }
    }
    onMounted(refresh);
    return {
      t, rows, total, loading, error, query, tab, registrations, regLoading, regError, registeredCount, manage,
      dialog, editing, pwDialog, pwTarget, load, loadRegistrations, refresh, openCreate, openEdit, openPassword, remove,
      fmtDateTime,
    };
  },
  template: `
    <div class="sb-page" data-test="page-extensions">
      <page-header :title="t('menu.extensions')" :subtitle="t('extensions.subtitle')">
        <el-button :icon="$icons.Refresh" data-test="extensions-refresh" @click="refresh">{{ t('common.refresh') }}</el-button>
        <el-button v-if="manage" type="primary" :icon="$icons.Plus" data-test="extension-create" @click="openCreate">
          {{ t('extensions.create') }}</el-button>
      </page-header>
      <el-card shadow="never" class="sb-card">
        <el-tabs v-model="tab" data-test="extensions-tabs">
          <el-tab-pane :label="t('extensions.tabList')" name="list">
            <div class="sb-toolbar">
              <el-input v-model="query.q" clearable :placeholder="t('extensions.search')" :prefix-icon="$icons.Search"
                        class="sb-search-wide" data-test="extensions-search" />
            </div>
            <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
            <el-table v-loading="loading" :data="rows" row-key="id" border stripe data-test="extensions-table"
                      :empty-text="query.q ? t('common.noMatch') : t('extensions.empty')">
              <el-table-column :label="t('extensions.extension')" width="120">
                <template #default="{ row }">
                  <span class="sb-strong" :data-test="'extension-row-' + row.extension">{{ row.extension }}</span>
                </template>
              </el-table-column>
              <el-table-column prop="display_name" :label="t('extensions.displayName')" min-width="140" />
              <el-table-column :label="t('extensions.callClass')" width="120">
                <template #default="{ row }">{{ t('callClass.' + row.call_class) }}</template>
              </el-table-column>
              <el-table-column prop="max_contacts" :label="t('extensions.maxContacts')" width="130" />
              <el-table-column :label="t('extensions.registered')" width="110">
                <template #default="{ row }">
                  <el-tag v-if="registeredCount.get(row.extension)" type="success" size="small"
                          :data-test="'extension-registered-' + row.extension">
                    {{ t('extensions.registered') }} × {{ registeredCount.get(row.extension) }}</el-tag>
                  <span v-else class="sb-muted">{{ t('extensions.notRegistered') }}</span>
                </template>
              </el-table-column>
              <el-table-column :label="t('common.status')" min-width="150">
                <template #default="{ row }">
                  <div class="sb-tags">
                    <el-tag v-if="row.enabled" type="success" size="small">{{ t('extensions.enabled') }}</el-tag>
                    <el-tag v-else type="info" size="small">{{ t('staff.disabled') }}</el-tag>
                    <el-tag v-if="row.record_calls" type="warning" size="small" effect="plain"
                            :data-test="'extension-recorded-' + row.extension">{{ t('extensions.recorded') }}</el-tag>
                    <el-tag v-if="row.password_is_demo" type="danger" size="small" effect="dark"
                            :data-test="'extension-demo-' + row.extension">{{ t('extensions.demoPassword') }}</el-tag>
                  </div>
                </template>
              </el-table-column>
              <el-table-column v-if="manage" :label="t('common.actions')" width="230" fixed="right">
                <template #default="{ row }">
                  <el-button link type="primary" :data-test="'extension-edit-' + row.extension" @click="openEdit(row)">
                    {{ t('common.edit') }}</el-button>
                  <el-button link type="primary" :data-test="'extension-password-' + row.extension"
                             @click="openPassword(row)">{{ t('extensions.resetPassword') }}</el-button>
                  <el-button link type="danger" :data-test="'extension-delete-' + row.extension" @click="remove(row)">
                    {{ t('common.delete') }}</el-button>
                </template>
              </el-table-column>
            </el-table>
            <el-pagination v-model:current-page="query.page" v-model:page-size="query.per_page" class="sb-pager"
                           :total="total" :page-sizes="[20, 50, 100, 200]" background
                           layout="total, sizes, prev, pager, next, jumper" data-test="extensions-pager"
                           @current-change="load" @size-change="load" />
          </el-tab-pane>
          <el-tab-pane :label="t('extensions.tabRegistrations') + ' (' + registrations.length + ')'" name="registrations">
            <el-alert v-if="regError" :title="regError" type="error" show-icon :closable="false" class="sb-mb" />
            <el-table v-loading="regLoading" :data="registrations" border stripe data-test="registrations-table"
                      :empty-text="t('extensions.noRegistrations')">
              <el-table-column prop="extension" :label="t('extensions.extension')" width="110" />
              <el-table-column prop="contact" :label="t('extensions.contact')" min-width="220" show-overflow-tooltip />
              <el-table-column prop="source" :label="t('extensions.source')" width="180" />
              <el-table-column :label="t('extensions.transport')" width="100">
                <template #default="{ row }">{{ (row.transport || '').toUpperCase() }}</template>
              </el-table-column>
              <el-table-column prop="user_agent" :label="t('extensions.userAgent')" min-width="160" show-overflow-tooltip />
              <el-table-column :label="t('extensions.expiresAt')" width="170">
                <template #default="{ row }">{{ fmtDateTime(row.expires_at) }}</template>
              </el-table-column>
            </el-table>
          </el-tab-pane>
        </el-tabs>
      </el-card>
      <extension-dialog v-model="dialog" :extension="editing" @saved="load" />
      <sip-password-dialog v-model="pwDialog" :extension="pwTarget" @saved="load" />
    </div>`,
};
