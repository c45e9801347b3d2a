// The knowledge category tree (knowledge.manage): add, rename, move and reorder; a category that still holds
// categories or articles cannot be deleted (the server says what it holds).
import { ref, reactive, onMounted } from 'vue';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { errorText, showSuccess, confirmDanger } from '../util.js';
import PageHeader from '../components/page-header.js';
import { CategorySelect, kbCategories, loadKbCategories } from './knowledge-common.js';

export default {
  name: 'KnowledgeCategoriesPage',
  components: { PageHeader, CategorySelect },
  setup() {
    const error = ref('');
    const dialog = reactive({ open: false, id: null, name: '', parent_id: null, position: 0, error: '' });
    async function load() {
      error.value = '';
      try {
        await loadKbCategories();
      } catch (err) {
        error.value = errorText(err);
      }
    }
    function edit(row, parent) {
      Object.assign(dialog, { open: true, error: '', id: row ? row.id : null, name: row ? row.name : '',
        parent_id: row ? row.parent_id : parent ? parent.id : null, position: row ? row.position : 0 });
    }
    async function save() {
      const body = { name: dialog.name, parent_id: dialog.parent_id || null, position: dialog.position };
      try {
        if (dialog.id) await api.put(`/knowledge/categories/${dialog.id}`, body);
        else await api.post('/knowledge/categories', body);
        dialog.open = false;
        showSuccess(t('common.saved'));
        load();
      } catch (err) {
        dialog.error = errorText(err);
      }
    }
    async function remove(row) {
      if (!(await confirmDanger(t('knowledge.deleteCategory', { name: row.name })))) return;
      try {
        await api.del(`/knowledge/categories/${row.id}`);
        showSuccess(t('common.deleted'));
        load();
      } catch (err) {
        error.value = errorText(err);
      }
    }
    onMounted(load);
    return { t, error, dialog, kbCategories, edit, save, remove };
  },
  template: `
    <div class="sb-page" data-test="page-knowledge-categories">
      <page-header :title="t('knowledge.categoriesTitle')" :subtitle="t('knowledge.categoriesSubtitle')">
        <el-button type="primary" :icon="$icons.Plus" data-test="kb-category-add" @click="edit(null)">
          {{ t('common.add') }}</el-button>
      </page-header>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <el-table :data="kbCategories.tree" row-key="id" default-expand-all border data-test="kb-categories">
        <el-table-column :label="t('knowledge.category')" prop="name" min-width="240" />
        <el-table-column :label="t('knowledge.position')" prop="position" width="100" />
        <el-table-column :label="t('common.actions')" width="260">
          <template #default="{ row }">
            <el-button link type="primary" @click="edit(null, row)">{{ t('knowledge.addChild') }}</el-button>
            <el-button link type="primary" @click="edit(row)">{{ t('common.edit') }}</el-button>
            <el-button link type="danger" @click="remove(row)">{{ t('common.delete') }}</el-button>
          </template>
        </el-table-column>
      </el-table>
      <el-dialog v-model="dialog.open" :title="dialog.id ? t('common.edit') : t('common.add')" width="480px">
        <el-alert v-if="dialog.error" :title="dialog.error" type="error" :closable="false" class="sb-mb" />
        <el-form label-width="100px">
          <el-form-item :label="t('knowledge.categoryName')">
            <el-input v-model="dialog.name" maxlength="100" data-test="kb-category-name" />
          </el-form-item>
          <el-form-item :label="t('knowledge.parent')">
            <category-select v-model="dialog.parent_id" clearable :placeholder="t('knowledge.topLevel')" />
          </el-form-item>
          <el-form-item :label="t('knowledge.position')">
            <el-input-number v-model="dialog.position" :min="0" :max="1000000" />
          </el-form-item>
        </el-form>
        <template #footer>
          <el-button @click="dialog.open = false">{{ t('common.cancel') }}</el-button>
          <el-button type="primary" data-test="kb-category-save" @click="save">{{ t('common.save') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
