// Departments: the tree (built from the flat list), create / edit / delete.
import { ref, computed, onMounted } from 'vue';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import { loadDepartments, invalidateDepartments } from '../departments-data.js';
import { buildTree, pruneEmptyChildren, errorText, showError, showSuccess, confirmDanger } from '../util.js';
import PageHeader from '../components/page-header.js';
import DepartmentDialog from './department-dialog.js';

function filterTree(nodes, q) {
  const out = [];
  for (const n of nodes) {
    const kids = n.children ? filterTree(n.children, q) : [];
    const hit = `${n.name} ${n.number || ''}`.toLowerCase().includes(q);
    if (hit || kids.length) out.push({ ...n, children: kids.length ? kids : hit ? n.children : undefined });
  }
  return out;
}

export default {
  name: 'DepartmentsPage',
  components: { PageHeader, DepartmentDialog },
  setup() {
    const list = ref([]);
    const loading = ref(false);
    const error = ref('');
    const search = ref('');
    const dialog = ref(false);
    const editing = ref(null);
    const parentId = ref(null);

    const tree = computed(() => {
      const full = pruneEmptyChildren(buildTree(list.value));
      const q = search.value.trim().toLowerCase();
      return q ? filterTree(full, q) : full;
    });
    const perms = computed(() => ({
      create: can('department.create'),
      update: can('department.update'),
      delete: can('department.delete'),
    }));

    async function load() {
      loading.value = true;
      error.value = '';
      try {
        list.value = await loadDepartments(true);
      } catch (err) {
        error.value = errorText(err);
      } finally {
        loading.value = false;
      }
    }
    function openCreate(parent) {
      editing.value = null;
      parentId.value = parent ? parent.id : null;
      dialog.value = true;
    }
    function openEdit(row) {
      editing.value = list.value.find((d) => d.id === row.id) || row;
      dialog.value = true;
    }
    async function remove(row) {
      if (!(await confirmDanger(t('departments.confirmDelete', { name: row.name })))) return;
      try {
        await api.del(`/departments/${row.id}`);
        showSuccess(t('common.deleted'));
        invalidateDepartments();
        await load();
      } catch (err) {
        showError(err);
      }
    }
    function onSaved() {
      invalidateDepartments();
      load();
    }
    onMounted(load);
    return {
      t, list, loading, error, search, tree, perms, dialog, editing, parentId,
      load, openCreate, openEdit, remove, onSaved,
    };
  },
  template: `
    <div class="sb-page" data-test="page-departments">
      <page-header :title="t('menu.departments')" :subtitle="t('departments.subtitle')">
        <el-input v-model="search" clearable :placeholder="t('departments.search')" :prefix-icon="$icons.Search"
                  class="sb-search" data-test="departments-search" />
        <el-button :icon="$icons.Refresh" data-test="departments-refresh" @click="load">{{ t('common.refresh') }}</el-button>
        <el-button v-if="perms.create" type="primary" :icon="$icons.Plus" data-test="department-create"
                   @click="openCreate(null)">{{ t('departments.create') }}</el-button>
      </page-header>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <el-card shadow="never" class="sb-card">
        <el-table v-loading="loading" :data="tree" row-key="id" default-expand-all border
                  :empty-text="search ? t('common.noMatch') : t('departments.empty')" data-test="departments-table">
          <el-table-column :label="t('departments.name')" min-width="240">
            <template #default="{ row }">
              <span class="sb-strong" :data-test="'department-row-' + row.name">{{ row.name }}</span>
            </template>
          </el-table-column>
          <el-table-column prop="number" :label="t('departments.number')" width="140" />
          <el-table-column prop="staff_count" :label="t('departments.staffCount')" width="110" align="right" />
          <el-table-column prop="sort_order" :label="t('departments.sortOrder')" width="100" align="right" />
          <el-table-column v-if="perms.create || perms.update || perms.delete" :label="t('common.actions')"
                           width="260" fixed="right">
            <template #default="{ row }">
              <el-button v-if="perms.create" link type="primary" :icon="$icons.Plus"
                         :data-test="'department-add-child-' + row.id" @click="openCreate(row)">
                {{ t('departments.addChild') }}</el-button>
              <el-button v-if="perms.update" link type="primary" :icon="$icons.Edit"
                         :data-test="'department-edit-' + row.id" @click="openEdit(row)">{{ t('common.edit') }}</el-button>
              <el-button v-if="perms.delete" link type="danger" :icon="$icons.Delete"
                         :data-test="'department-delete-' + row.id" @click="remove(row)">{{ t('common.delete') }}</el-button>
            </template>
          </el-table-column>
        </el-table>
      </el-card>
      <department-dialog v-model="dialog" :department="editing" :parent-id="parentId" :departments="list"
                         @saved="onSaved" />
    </div>`,
};
