// Data dictionary: types on the left, their items (with sub-items) on the right.
import { ref, computed, onMounted } from 'vue';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { buildTree, pruneEmptyChildren, errorText, showError, showSuccess, confirmDanger } from '../util.js';
import PageHeader from '../components/page-header.js';
import { DictTypeDialog, DictItemDialog } from './dictionary-dialogs.js';

export default {
  name: 'DictionaryPage',
  components: { PageHeader, DictTypeDialog, DictItemDialog },
  setup() {
    const types = ref([]);
    const selectedId = ref(null);
    const loading = ref(false);
    const error = ref('');
    const typeSearch = ref('');
    const typeDialog = ref(false);
    const editingType = ref(null);
    const itemDialog = ref(false);
    const editingItem = ref(null);
    const itemParent = ref(null);

    const selected = computed(() => types.value.find((x) => x.id === selectedId.value) || null);
    const items = computed(() => (selected.value && selected.value.items) || []);
    const itemTree = computed(() => pruneEmptyChildren(buildTree(items.value, { labelKey: 'label' })));
    const labelOf = (id) => {
      const it = items.value.find((i) => i.id === id);
      return it ? it.label : '';
    };
    const filteredTypes = computed(() => {
      const q = typeSearch.value.trim().toLowerCase();
      return q ? types.value.filter((x) => `${x.code} ${x.name}`.toLowerCase().includes(q)) : types.value;
    });

    async function load() {
      loading.value = true;
      error.value = '';
      try {
        const res = await api.get('/dictionary');
        types.value = (res && res.items) || [];
        if (!selected.value) selectedId.value = types.value.length ? types.value[0].id : null;
      } catch (err) {
        error.value = errorText(err);
      } finally {
        loading.value = false;
      }
    }
    function openType(type) {
      editingType.value = type || null;
      typeDialog.value = true;
    }
    function onTypeSaved(saved) {
      if (saved && saved.id) selectedId.value = saved.id;
      load();
    }
    async function removeType(type) {
      if (!(await confirmDanger(t('dictionary.confirmDeleteType', { name: type.name, n: (type.items || []).length })))) return;
      try {
        await api.del(`/dictionary/${type.id}`);
        showSuccess(t('common.deleted'));
        if (selectedId.value === type.id) selectedId.value = null;
        load();
      } catch (err) {
        showError(err);
      }
    }
    function openItem(item, parent) {
      editingItem.value = item || null;
      itemParent.value = parent ? parent.id : null;
      itemDialog.value = true;
    }
    async function toggleEnabled(row, enabled) {
      try {
        await api.put(`/dictionary-items/${row.id}`, {
          code: row.code, label: row.label, parent_id: row.parent_id ?? null, sort_order: row.sort_order ?? 0, enabled,
        });
        load();
      } catch (err) {
        showError(err);
      }
    }
    async function removeItem(row) {
      const msg = row.children && row.children.length
        ? t('dictionary.confirmDeleteItemWithChildren', { name: row.label, n: row.children.length })
        : t('dictionary.confirmDeleteItem', { name: row.label });
      if (!(await confirmDanger(msg))) return;
      try {
        await api.del(`/dictionary-items/${row.id}`);
        showSuccess(t('common.deleted'));
        load();
      } catch (err) {
        showError(err);
      }
    }
    onMounted(load);
    return {
      t, types, filteredTypes, typeSearch, selectedId, selected, items, itemTree, labelOf, loading, error,
      typeDialog, editingType, itemDialog, editingItem, itemParent,
      load, openType, onTypeSaved, removeType, openItem, toggleEnabled, removeItem,
    };
  },
  template: `
    <div class="sb-page" data-test="page-dictionary">
      <page-header :title="t('menu.dictionary')" :subtitle="t('dictionary.subtitle')">
        <el-button :icon="$icons.Refresh" @click="load">{{ t('common.refresh') }}</el-button>
      </page-header>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <div class="sb-split" v-loading="loading">
        <el-card shadow="never" class="sb-card sb-split-left">
          <div class="sb-card-header sb-mb">
            <span class="sb-strong">{{ t('dictionary.types') }}</span>
            <el-button type="primary" size="small" :icon="$icons.Plus" data-test="dict-type-create"
                       @click="openType(null)">{{ t('common.add') }}</el-button>
          </div>
          <el-input v-model="typeSearch" size="small" clearable :placeholder="t('dictionary.searchTypes')"
                    :prefix-icon="$icons.Search" class="sb-mb" />
          <el-empty v-if="!filteredTypes.length" :description="t('dictionary.noTypes')" :image-size="60" />
          <div v-for="ty in filteredTypes" :key="ty.id" class="sb-list-item" :class="{ active: ty.id === selectedId }"
               :data-test="'dict-type-' + ty.code" @click="selectedId = ty.id">
            <div>
              <div class="sb-strong">{{ ty.name }}</div>
              <div class="sb-muted sb-small">{{ ty.code }} · {{ t('dictionary.itemCount', { n: (ty.items || []).length }) }}</div>
            </div>
            <div class="sb-list-actions">
              <el-button link type="primary" :icon="$icons.Edit" :title="t('common.edit')" @click.stop="openType(ty)" />
              <el-button link type="danger" :icon="$icons.Delete" :title="t('common.delete')" @click.stop="removeType(ty)" />
            </div>
          </div>
        </el-card>
        <el-card shadow="never" class="sb-card sb-split-right">
          <template v-if="selected">
            <div class="sb-card-header sb-mb">
              <div>
                <span class="sb-strong">{{ selected.name }}</span>
                <span class="sb-muted sb-ml">{{ selected.description }}</span>
              </div>
              <el-button type="primary" :icon="$icons.Plus" data-test="dict-item-create" @click="openItem(null, null)">
                {{ t('dictionary.createItem') }}</el-button>
            </div>
            <el-table :data="itemTree" row-key="id" default-expand-all border data-test="dict-items-table"
                      :empty-text="t('dictionary.noItems')">
              <el-table-column prop="label" :label="t('dictionary.label')" min-width="180" />
              <el-table-column prop="code" :label="t('dictionary.code')" width="150" />
              <el-table-column :label="t('dictionary.parent')" width="140">
                <template #default="{ row }">{{ row.parent_id ? labelOf(row.parent_id) : '—' }}</template>
              </el-table-column>
              <el-table-column prop="sort_order" :label="t('dictionary.sortOrder')" width="90" align="right" />
              <el-table-column :label="t('dictionary.enabled')" width="100">
                <template #default="{ row }">
                  <el-switch :model-value="row.enabled !== false" size="small" @change="toggleEnabled(row, $event)" />
                </template>
              </el-table-column>
              <el-table-column :label="t('common.actions')" width="230" fixed="right">
                <template #default="{ row }">
                  <el-button link type="primary" @click="openItem(null, row)">{{ t('dictionary.addSub') }}</el-button>
                  <el-button link type="primary" @click="openItem(row, null)">{{ t('common.edit') }}</el-button>
                  <el-button link type="danger" @click="removeItem(row)">{{ t('common.delete') }}</el-button>
                </template>
              </el-table-column>
            </el-table>
          </template>
          <el-empty v-else :description="t('dictionary.pickType')" />
        </el-card>
      </div>
      <dict-type-dialog v-model="typeDialog" :type="editingType" @saved="onTypeSaved" />
      <dict-item-dialog v-model="itemDialog" :type-id="selectedId" :item="editingItem" :items="items"
                        :parent-id="itemParent" @saved="load" />
    </div>`,
};
