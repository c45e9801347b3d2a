// Roles: list, create / edit with the permission matrix and data scope, delete.
import { ref, computed, onMounted } from 'vue';
import { api, getAll } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import { errorText, showError, showSuccess, confirmDanger } from '../util.js';
import PageHeader from '../components/page-header.js';
import RoleDialog from './role-dialog.js';

export default {
  name: 'RolesPage',
  components: { PageHeader, RoleDialog },
  setup() {
    const rows = ref([]);
    const catalogue = ref([]);
    const loading = ref(false);
    const error = ref('');
    const search = ref('');
    const dialog = ref(false);
    const editing = ref(null);
    const readonly = ref(false);
    const perms = computed(() => ({
      create: can('role.create'),
      update: can('role.update'),
      delete: can('role.delete'),
    }));
    const filtered = computed(() => {
      const q = search.value.trim().toLowerCase();
      if (!q) return rows.value;
      return rows.value.filter((r) => `${r.code} ${r.name} ${r.description || ''}`.toLowerCase().includes(q));
    });

    async function load() {
      loading.value = true;
      error.value = '';
      try {
        const [roles, cat] = await Promise.all([getAll('/roles'), getAll('/permissions')]);
        rows.value = roles;
        catalogue.value = cat;
      } catch (err) {
        error.value = errorText(err);
      } finally {
        loading.value = false;
      }
    }
    function openCreate() {
      editing.value = null;
      readonly.value = false;
      dialog.value = true;
    }
    function openEdit(row) {
      editing.value = row;
      readonly.value = row.builtin || !perms.value.update;
      dialog.value = true;
    }
    async function remove(row) {
      const msg = row.staff_count
        ? t('roles.confirmDeleteInUse', { name: row.name, n: row.staff_count })
        : t('roles.confirmDelete', { name: row.name });
      if (!(await confirmDanger(msg))) return;
      try {
        await api.del(`/roles/${row.id}`);
        showSuccess(t('common.deleted'));
        load();
      } catch (err) {
        showError(err);
      }
    }
    onMounted(load);
    return {
      t, rows, filtered, catalogue, loading, error, search, dialog, editing, readonly, perms,
      load, openCreate, openEdit, remove,
    };
  },
  template: `
    <div class="sb-page" data-test="page-roles">
      <page-header :title="t('menu.roles')" :subtitle="t('roles.subtitle')">
        <el-input v-model="search" clearable :placeholder="t('roles.search')" :prefix-icon="$icons.Search"
                  class="sb-search" data-test="roles-search" />
        <el-button :icon="$icons.Refresh" data-test="roles-refresh" @click="load">{{ t('common.refresh') }}</el-button>
        <el-button v-if="perms.create" type="primary" :icon="$icons.Plus" data-test="role-create"
                   @click="openCreate">{{ t('roles.create') }}</el-button>
      </page-header>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <el-card shadow="never" class="sb-card">
        <el-table v-loading="loading" :data="filtered" row-key="id" border stripe data-test="roles-table"
                  :empty-text="search ? t('common.noMatch') : t('roles.empty')">
          <el-table-column :label="t('roles.name')" min-width="160">
            <template #default="{ row }">
              <span class="sb-strong" :data-test="'role-row-' + row.code">{{ row.name }}</span>
              <el-tag v-if="row.builtin" size="small" type="warning" class="sb-ml">{{ t('roles.builtin') }}</el-tag>
            </template>
          </el-table-column>
          <el-table-column prop="code" :label="t('roles.code')" width="150" />
          <el-table-column prop="description" :label="t('roles.description')" min-width="200" show-overflow-tooltip />
          <el-table-column :label="t('roles.dataScope')" width="150">
            <template #default="{ row }">{{ t('roles.scope.' + row.data_scope) }}</template>
          </el-table-column>
          <el-table-column :label="t('roles.permissions')" width="110" align="right">
            <template #default="{ row }">{{ (row.permissions || []).length }}</template>
          </el-table-column>
          <el-table-column prop="staff_count" :label="t('roles.staffCount')" width="100" align="right" />
          <el-table-column :label="t('common.actions')" width="170" fixed="right">
            <template #default="{ row }">
              <el-button link type="primary" :data-test="'role-edit-' + row.code" @click="openEdit(row)">
                {{ row.builtin || !perms.update ? t('common.view') : t('common.edit') }}</el-button>
              <el-button v-if="perms.delete && !row.builtin" link type="danger" :data-test="'role-delete-' + row.code"
                         @click="remove(row)">{{ t('common.delete') }}</el-button>
            </template>
          </el-table-column>
        </el-table>
      </el-card>
      <role-dialog v-model="dialog" :role="editing" :catalogue="catalogue" :readonly="readonly" @saved="load" />
    </div>`,
};
