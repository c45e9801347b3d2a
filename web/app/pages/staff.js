// Staff: department tree filter, search, paginated table, create / edit / reset / unlock / delete.
import { ref, reactive, computed, onMounted, watch } from 'vue';
import { api, getAll } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import { loadDepartments, departmentTree } from '../departments-data.js';
import { fmtDateTime, errorText, showError, showSuccess, confirmDanger } from '../util.js';
import PageHeader from '../components/page-header.js';
import StaffDialog from './staff-dialog.js';
import StaffPasswordDialog from './staff-password-dialog.js';

export default {
  name: 'StaffPage',
  components: { PageHeader, StaffDialog, StaffPasswordDialog },
  setup() {
    const rows = ref([]);
    const total = ref(0);
    const loading = ref(false);
    const error = ref('');
    const departments = ref([]);
    const roles = ref([]);
    const query = reactive({ q: '', department_id: null, include_sub: true, role_id: null, page: 1, per_page: 20 });
    const dialog = ref(false);
    const editing = ref(null);
    const pwDialog = ref(false);
    const pwTarget = ref(null);
    const treeFilter = ref('');
    const treeRef = ref(null);

    const tree = computed(() => departmentTree(departments.value));
    const perms = computed(() => ({
      create: can('staff.create'),
      update: can('staff.update'),
      delete: can('staff.delete'),
      reset: can('staff.reset_password'),
      roles: can('role.read'),
      depts: can('department.read'),
    }));
    const selectedDept = computed(() => departments.value.find((d) => d.id === query.department_id) || null);
    const isLocked = (row) => !!row.locked_until && new Date(row.locked_until).getTime() > Date.now();

    async function load() {
      loading.value = true;
      error.value = '';
      try {
        const res = await api.get('/staff', {
          q: query.q.trim(),
          department_id: query.department_id,
          include_sub: query.department_id != null ? query.include_sub : undefined,
          role_id: query.role_id,
          page: query.page,
          per_page: query.per_page,
        });
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
    // without department.read the pickers offer the departments seen in the list
    const deptOptions = computed(() => {
      if (perms.value.depts) return departments.value;
      const seen = new Map();
      for (const r of rows.value) {
        if (r.department_id != null) seen.set(r.department_id, { id: r.department_id, name: r.department_name, parent_id: null });
      }
      return [...seen.values()];
    });
    async function loadRefs() {
      if (perms.value.depts) {
        try {
          departments.value = await loadDepartments();
        } catch (err) {
          showError(err);
        }
      }
      if (perms.value.roles) {
        try {
          roles.value = await getAll('/roles');
        } catch (err) {
          showError(err);
        }
      }
    }
    let timer = null;
    watch(() => query.q, () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        query.page = 1;
        load();
      }, 300);
    });
    watch(() => [query.department_id, query.include_sub, query.role_id, query.per_page], () => {
      query.page = 1;
      load();
    });
    watch(treeFilter, (v) => treeRef.value && treeRef.value.filter(v));

    const filterNode = (value, data) =>
      !value || `${data.name} ${data.number || ''}`.toLowerCase().includes(value.toLowerCase());
    function pickDept(data) {
      query.department_id = data.id;
    }
    function allDepts() {
      query.department_id = null;
      treeRef.value && treeRef.value.setCurrentKey(null);
    }
    function openCreate() {
      editing.value = null;
      dialog.value = true;
    }
    async function openEdit(row) {
      editing.value = row;
      dialog.value = true;
    }
    function openReset(row) {
      pwTarget.value = row;
      pwDialog.value = true;
    }
    async function unlock(row) {
      try {
        await api.post(`/staff/${row.id}/unlock`);
        showSuccess(t('staff.unlocked'));
        load();
      } catch (err) {
        showError(err);
      }
    }
    async function remove(row) {
      if (!(await confirmDanger(t('staff.confirmDelete', { name: row.name, id: row.employee_id })))) return;
      try {
        await api.del(`/staff/${row.id}`);
        showSuccess(t('common.deleted'));
        if (rows.value.length === 1 && query.page > 1) query.page -= 1;
        load();
      } catch (err) {
        showError(err);
      }
    }
    function onCommand(cmd, row) {
      if (cmd === 'reset') openReset(row);
      if (cmd === 'unlock') unlock(row);
      if (cmd === 'delete') remove(row);
    }
    onMounted(() => {
      loadRefs();
      load();
    });
    return {
      t, rows, total, loading, error, departments, deptOptions, roles, query, tree, perms, selectedDept, isLocked,
      dialog, editing, pwDialog, pwTarget, treeFilter, treeRef, filterNode, pickDept, allDepts,
      load, openCreate, openEdit, openReset, unlock, remove, onCommand, fmtDateTime,
    };
  },
  template: `
    <div class="sb-page" data-test="page-staff">
      <page-header :title="t('menu.staff')" :subtitle="t('staff.subtitle')">
        <el-button :icon="$icons.Refresh" data-test="staff-refresh" @click="load">{{ t('common.refresh') }}</el-button>
        <el-button v-if="perms.create" type="primary" :icon="$icons.Plus" data-test="staff-create"
                   @click="openCreate">{{ t('staff.create') }}</el-button>
      </page-header>
      <div class="sb-split">
        <el-card v-if="perms.depts" shadow="never" class="sb-card sb-split-left">
          <el-input v-model="treeFilter" size="small" clearable :placeholder="t('departments.search')"
                    :prefix-icon="$icons.Search" class="sb-mb" data-test="staff-dept-filter" />
          <div class="sb-tree-all" :class="{ active: query.department_id == null }" data-test="staff-dept-all"
               @click="allDepts">{{ t('staff.allDepartments') }}</div>
          <el-tree ref="treeRef" :data="tree" node-key="id" default-expand-all highlight-current
                   :expand-on-click-node="false" :filter-node-method="filterNode" :props="{ label: 'name' }"
                   :empty-text="t('departments.empty')" data-test="staff-dept-tree" @node-click="pickDept">
            <template #default="{ data }">
              <span class="sb-tree-node" :data-test="'staff-dept-' + data.id">
                {{ data.name }} <span class="sb-muted">({{ data.staff_count ?? 0 }})</span>
              </span>
            </template>
          </el-tree>
          <el-checkbox v-model="query.include_sub" class="sb-mt" data-test="staff-include-sub">
            {{ t('staff.includeSub') }}</el-checkbox>
        </el-card>
        <el-card shadow="never" class="sb-card sb-split-right">
          <div class="sb-toolbar">
            <el-input v-model="query.q" clearable :placeholder="t('staff.searchPlaceholder')" :prefix-icon="$icons.Search"
                      class="sb-search-wide" data-test="staff-search" />
            <el-select v-if="perms.roles" v-model="query.role_id" clearable :placeholder="t('staff.filterRole')"
                       class="sb-filter" data-test="staff-role-filter">
              <el-option v-for="r in roles" :key="r.id" :label="r.name" :value="r.id" />
            </el-select>
            <el-tag v-if="selectedDept" closable type="info" @close="allDepts">
              {{ selectedDept.name }}<template v-if="query.include_sub"> + {{ t('staff.subShort') }}</template>
            </el-tag>
          </div>
          <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
          <el-table v-loading="loading" :data="rows" row-key="id" border stripe data-test="staff-table"
                    :empty-text="query.q ? t('common.noMatch') : t('staff.empty')">
            <el-table-column prop="employee_id" :label="t('staff.employeeId')" width="110">
              <template #default="{ row }"><span :data-test="'staff-row-' + row.employee_id">{{ row.employee_id }}</span></template>
            </el-table-column>
            <el-table-column prop="name" :label="t('staff.name')" min-width="110" />
            <el-table-column prop="department_name" :label="t('staff.department')" min-width="130" />
            <el-table-column :label="t('staff.roles')" min-width="150">
              <template #default="{ row }">
                <div class="sb-tags">
                  <el-tag v-for="r in row.roles || []" :key="r.id" size="small" effect="plain">{{ r.name }}</el-tag>
                </div>
              </template>
            </el-table-column>
            <el-table-column prop="extension" :label="t('staff.extension')" width="100" />
            <el-table-column prop="mobile" :label="t('staff.mobile')" width="130" />
            <el-table-column :label="t('common.status')" width="90">
              <template #default="{ row }">
                <el-tooltip v-if="isLocked(row)" :content="t('staff.lockedUntil', { at: fmtDateTime(row.locked_until) })">
                  <el-tag type="danger" size="small">{{ t('staff.locked') }}</el-tag>
                </el-tooltip>
                <el-tag v-else-if="row.enabled === false" type="info" size="small">{{ t('staff.disabled') }}</el-tag>
                <el-tag v-else type="success" size="small">{{ t('staff.active') }}</el-tag>
              </template>
            </el-table-column>
            <el-table-column v-if="perms.update || perms.delete || perms.reset" :label="t('common.actions')"
                             width="150" fixed="right">
              <template #default="{ row }">
                <el-button v-if="perms.update" link type="primary" :data-test="'staff-edit-' + row.employee_id"
                           @click="openEdit(row)">{{ t('common.edit') }}</el-button>
                <el-dropdown v-if="perms.reset || perms.delete || (perms.update && isLocked(row))" trigger="click"
                             class="sb-ml" @command="(cmd) => onCommand(cmd, row)">
                  <el-button link type="primary" :data-test="'staff-more-' + row.employee_id">
                    {{ t('common.more') }}<el-icon class="el-icon--right"><component :is="$icons.ArrowDown" /></el-icon>
                  </el-button>
                  <template #dropdown>
                    <el-dropdown-menu>
                      <el-dropdown-item v-if="perms.reset" command="reset" :icon="$icons.Key"
                                        :data-test="'staff-reset-' + row.employee_id">{{ t('staff.resetPassword') }}</el-dropdown-item>
                      <el-dropdown-item v-if="perms.update && isLocked(row)" command="unlock" :icon="$icons.Unlock"
                                        :data-test="'staff-unlock-' + row.employee_id">{{ t('staff.unlock') }}</el-dropdown-item>
                      <el-dropdown-item v-if="perms.delete" command="delete" :icon="$icons.Delete" divided
                                        class="sb-danger-item" :data-test="'staff-delete-' + row.employee_id">
                        {{ t('common.delete') }}</el-dropdown-item>
                    </el-dropdown-menu>
                  </template>
                </el-dropdown>
              </template>
            </el-table-column>
          </el-table>
          <el-pagination v-model:current-page="query.page" v-model:page-size="query.per_page" class="sb-pager"
                         :total="total" :page-sizes="[20, 50, 100, 200]" background
                         layout="total, sizes, prev, pager, next, jumper" data-test="staff-pager"
                         @current-change="load" />
        </el-card>
      </div>
      <staff-dialog v-model="dialog" :staff="editing" :departments="deptOptions" :roles="roles"
                    :default-department-id="query.department_id" @saved="load" />
      <staff-password-dialog v-model="pwDialog" :staff="pwTarget" />
    </div>`,
};
