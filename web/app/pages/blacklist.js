// Caller blacklist: numbers (exact, or a prefix ending in *) refused before they reach a flow or a queue, with what
// the caller gets (busy, a prompt, a hang-up) and an optional expiry. Search, add, edit, delete.
import { ref, reactive, onMounted, computed } from 'vue';
import { api, getAll } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import {
  fmtDateTime, toRfc3339, toDate, errorText, showError, showSuccess, confirmDanger, useFieldErrors, validateForm,
  required, maxLen,
} from '../util.js';
import PageHeader from '../components/page-header.js';

const ACTIONS = ['busy', 'prompt', 'hangup'];
const NUMBER_RE = /^[0-9]{1,32}\*?$/;
const EMPTY = { number: '', action: 'busy', prompt_name: '', reason: '', expires_at: null };

const isExpired = (row) => !!row.expires_at && new Date(row.expires_at).getTime() <= Date.now();

export default {
  name: 'BlacklistPage',
  components: { PageHeader },
  setup() {
    const rows = ref([]);
    const total = ref(0);
    const loading = ref(false);
    const error = ref('');
    const query = reactive({ q: '', include_expired: true, page: 1, per_page: 50 });
    const dialog = ref(false);
    const editing = ref(null);
    const saving = ref(false);
    const formRef = ref(null);
    const form = reactive({ ...EMPTY });
    const prompts = ref([]);
    const errs = useFieldErrors();
    const rules = computed(() => ({
      number: [required('blacklist.number'), {
        trigger: 'blur',
        validator: (_r, v, cb) => cb(!v || NUMBER_RE.test(v.trim()) ? undefined : new Error(t('blacklist.badNumber'))),
      }],
      prompt_name: form.action === 'prompt' ? [required('blacklist.prompt')] : [],
      reason: [maxLen(200)],
    }));

    async function load() {
      loading.value = true;
      error.value = '';
      try {
        const res = await api.get('/blacklist', {
          q: query.q.trim(), include_expired: query.include_expired, page: query.page, per_page: query.per_page,
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
    function search() {
      query.page = 1;
      load();
    }
    async function open(row) {
      errs.clear();
      editing.value = row || null;
      Object.assign(form, EMPTY, row ? {
        number: row.number, action: row.action, prompt_name: row.prompt_name || '', reason: row.reason || '',
        expires_at: toDate(row.expires_at),
      } : {});
      dialog.value = true;
      setTimeout(() => formRef.value && formRef.value.clearValidate(), 0);
      if (!prompts.value.length && can('prompt.manage')) {
        try {
          prompts.value = (await getAll('/prompts')).map((p) => p.name);
        } catch {
          prompts.value = [];
        }
      }
    }
    async function submit() {
      errs.clear();
      if (!(await validateForm(formRef.value))) return;
      saving.value = true;
      const body = {
        number: form.number.trim(), action: form.action,
        prompt_name: form.action === 'prompt' ? form.prompt_name : '', reason: form.reason.trim(),
        expires_at: toRfc3339(form.expires_at),
      };
      try {
        if (editing.value) await api.put(`/blacklist/${editing.value.id}`, body);
        else await api.post('/blacklist', body);
        showSuccess(t('common.saved'));
        dialog.value = false;
        load();
      } catch (err) {
        errs.handle(err);
      } finally {
        saving.value = false;
      }
    }
    async function remove(row) {
      if (!(await confirmDanger(t('blacklist.confirmDelete', { number: row.number })))) return;
      try {
        await api.del(`/blacklist/${row.id}`);
        showSuccess(t('common.deleted'));
        load();
      } catch (err) {
        showError(err);
      }
    }
    onMounted(load);
    return {
      t, rows, total, loading, error, query, dialog, editing, saving, formRef, form, rules, prompts, ACTIONS,
      load, search, open, submit, remove, isExpired, fmtDateTime, fieldErrors: errs.fieldErrors,
    };
  },
  template: `
    <div class="sb-page" data-test="page-blacklist">
      <page-header :title="t('menu.blacklist')" :subtitle="t('blacklist.subtitle')">
        <el-input v-model="query.q" clearable :placeholder="t('blacklist.search')" :prefix-icon="$icons.Search"
                  class="sb-search" data-test="blacklist-search" @keyup.enter="search" @clear="search" />
        <el-checkbox v-model="query.include_expired" data-test="blacklist-include-expired" @change="search">
          {{ t('blacklist.includeExpired') }}</el-checkbox>
        <el-button :icon="$icons.Search" data-test="blacklist-search-button" @click="search">{{ t('common.search') }}</el-button>
        <el-button type="danger" :icon="$icons.Plus" data-test="blacklist-create" @click="open(null)">
          {{ t('blacklist.create') }}</el-button>
      </page-header>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <el-card shadow="never" class="sb-card">
        <el-table v-loading="loading" :data="rows" row-key="id" border stripe data-test="blacklist-table"
                  :empty-text="t('blacklist.empty')">
          <el-table-column :label="t('blacklist.number')" min-width="150">
            <template #default="{ row }"><span class="sb-mono-text sb-strong" :data-test="'blacklist-row-' + row.number">{{ row.number }}</span>
              <el-tag v-if="row.number.endsWith('*')" size="small" type="info" class="sb-ml">{{ t('blacklist.prefix') }}</el-tag></template>
          </el-table-column>
          <el-table-column :label="t('blacklist.action')" width="150">
            <template #default="{ row }">{{ t('blacklist.actionValue.' + row.action) }}<span v-if="row.action === 'prompt'"
              class="sb-muted"> · {{ row.prompt_name }}</span></template>
          </el-table-column>
          <el-table-column prop="reason" :label="t('blacklist.reason')" min-width="200" show-overflow-tooltip />
          <el-table-column :label="t('blacklist.expiresAt')" width="170">
            <template #default="{ row }">
              <span v-if="row.expires_at" :class="{ 'sb-muted': isExpired(row) }">{{ fmtDateTime(row.expires_at) }}</span>
              <span v-else class="sb-muted">{{ t('blacklist.never') }}</span>
              <el-tag v-if="isExpired(row)" size="small" type="info" class="sb-ml" :data-test="'blacklist-expired-' + row.number">
                {{ t('blacklist.expired') }}</el-tag>
            </template>
          </el-table-column>
          <el-table-column :label="t('blacklist.createdBy')" width="190">
            <template #default="{ row }">{{ row.created_by }}<span class="sb-muted"> · {{ fmtDateTime(row.created_at) }}</span></template>
          </el-table-column>
          <el-table-column :label="t('common.actions')" width="130" fixed="right">
            <template #default="{ row }">
              <el-button link type="primary" :data-test="'blacklist-edit-' + row.number" @click="open(row)">{{ t('common.edit') }}</el-button>
              <el-button link type="danger" :data-test="'blacklist-delete-' + row.number" @click="remove(row)">{{ t('common.delete') }}</el-button>
            </template>
          </el-table-column>
        </el-table>
        <el-pagination v-model:current-page="query.page" v-model:page-size="query.per_page" class="sb-pager"
                       :total="total" :page-sizes="[50, 100, 200]" background layout="total, sizes, prev, pager, next"
                       @current-change="load" @size-change="search" />
      </el-card>
      <el-dialog v-model="dialog" :title="editing ? t('blacklist.edit') : t('blacklist.create')" width="540px"
                 :close-on-click-modal="false" append-to-body>
        <el-form ref="formRef" :model="form" :rules="rules" label-width="auto" data-test="blacklist-form" @submit.prevent="submit">
          <el-form-item :label="t('blacklist.number')" prop="number" :error="fieldErrors.number">
            <el-input v-model="form.number" maxlength="33" placeholder="13800138000 / 0755*" data-test="blacklist-number" />
            <div class="sb-form-hint">{{ t('blacklist.numberHint') }}</div>
          </el-form-item>
          <el-form-item :label="t('blacklist.action')" :error="fieldErrors.action" data-test="blacklist-action">
            <el-radio-group v-model="form.action">
              <el-radio-button v-for="a in ACTIONS" :key="a" :value="a">{{ t('blacklist.actionValue.' + a) }}</el-radio-button>
            </el-radio-group>
          </el-form-item>
          <el-form-item v-if="form.action === 'prompt'" :label="t('blacklist.prompt')" prop="prompt_name"
                        :error="fieldErrors.prompt_name">
            <el-select v-model="form.prompt_name" filterable allow-create class="sb-full" data-test="blacklist-prompt">
              <el-option v-for="p in prompts" :key="p" :value="p" :label="p" />
            </el-select>
          </el-form-item>
          <el-form-item :label="t('blacklist.reason')" prop="reason" :error="fieldErrors.reason">
            <el-input v-model="form.reason" maxlength="200" data-test="blacklist-reason" />
          </el-form-item>
          <el-form-item :label="t('blacklist.expiresAt')" :error="fieldErrors.expires_at">
            <el-date-picker v-model="form.expires_at" type="datetime" format="YYYY-MM-DD HH:mm" clearable
                            :placeholder="t('blacklist.never')" data-test="blacklist-expires" />
          </el-form-item>
        </el-form>
        <template #footer>
          <el-button @click="dialog = false">{{ t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="saving" data-test="blacklist-save" @click="submit">{{ t('common.save') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
