// Announcements: list with status, create / edit with start and end date-time, delete.
import { ref, reactive, onMounted } from 'vue';
import { api } from '../api.js';
import { t } from '../i18n.js';
import {
  fmtDateTime, toRfc3339, toDate, errorText, showError, showSuccess, confirmDanger, useFieldErrors,
  validateForm, required, maxLen,
} from '../util.js';
import PageHeader from '../components/page-header.js';
import { ANNOUNCEMENTS_CHANGED } from '../components/notice-bar.js';

const DAY = 24 * 3600 * 1000;

function statusOf(a, now = Date.now()) {
  const s = new Date(a.starts_at).getTime();
  const e = new Date(a.ends_at).getTime();
  if (now < s) return 'scheduled';
  if (now > e) return 'expired';
  return 'active';
}
const STATUS_TAG = { active: 'success', scheduled: 'primary', expired: 'info' };

export default {
  name: 'AnnouncementsPage',
  components: { PageHeader },
  setup() {
    const rows = ref([]);
    const total = ref(0);
    const page = ref(1);
    const perPage = ref(20);
    const loading = ref(false);
    const error = ref('');
    const dialog = ref(false);
    const editing = ref(null);
    const saving = ref(false);
    const formRef = ref(null);
    const form = reactive({ title: '', body: '', starts_at: null, ends_at: null });
    const errs = useFieldErrors();
    const rules = {
      title: [required('announcements.titleField'), maxLen(120)],
      body: [required('announcements.body'), maxLen(4000)],
      starts_at: [required('announcements.startsAt')],
      ends_at: [
        required('announcements.endsAt'),
        {
          trigger: 'change',
          validator: (_r, v, cb) =>
            cb(v && form.starts_at && v <= form.starts_at ? new Error(t('announcements.endAfterStart')) : undefined),
        },
      ],
    };

    async function load() {
      loading.value = true;
      error.value = '';
      try {
        const res = await api.get('/announcements', { page: page.value, per_page: perPage.value });
        rows.value = res.items || [];
        total.value = res.total ?? rows.value.length;
      } catch (err) {
        error.value = errorText(err);
      } finally {
        loading.value = false;
      }
    }
    function open(row) {
      editing.value = row || null;
      errs.clear();
      const now = new Date();
      now.setSeconds(0, 0);
      form.title = row ? row.title : '';
      form.body = row ? row.body : '';
      form.starts_at = row ? toDate(row.starts_at) : now;
      form.ends_at = row ? toDate(row.ends_at) : new Date(now.getTime() + 7 * DAY);
      dialog.value = true;
      setTimeout(() => formRef.value && formRef.value.clearValidate(), 0);
    }
    const changed = () => window.dispatchEvent(new CustomEvent(ANNOUNCEMENTS_CHANGED));
    async function submit() {
      errs.clear();
      if (!(await validateForm(formRef.value))) return;
      saving.value = true;
      const body = {
        title: form.title.trim(), body: form.body.trim(),
        starts_at: toRfc3339(form.starts_at), ends_at: toRfc3339(form.ends_at),
      };
      try {
        if (editing.value) await api.put(`/announcements/${editing.value.id}`, body);
        else await api.post('/announcements', body);
        showSuccess(t('common.saved'));
        dialog.value = false;
        changed();
        load();
      } catch (err) {
        errs.handle(err);
      } finally {
        saving.value = false;
      }
    }
    async function remove(row) {
      if (!(await confirmDanger(t('announcements.confirmDelete', { title: row.title })))) return;
      try {
        await api.del(`/announcements/${row.id}`);
        showSuccess(t('common.deleted'));
        changed();
        load();
      } catch (err) {
        showError(err);
      }
    }
    onMounted(load);
    return {
      t, rows, total, page, perPage, loading, error, dialog, editing, saving, formRef, form, rules,
      load, open, submit, remove, fmtDateTime, statusOf, STATUS_TAG, fieldErrors: errs.fieldErrors,
    };
  },
  template: `
    <div class="sb-page" data-test="page-announcements">
      <page-header :title="t('menu.announcements')" :subtitle="t('announcements.subtitle')">
        <el-button :icon="$icons.Refresh" @click="load">{{ t('common.refresh') }}</el-button>
        <el-button type="primary" :icon="$icons.Plus" data-test="announcement-create" @click="open(null)">
          {{ t('announcements.create') }}</el-button>
      </page-header>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <el-card shadow="never" class="sb-card">
        <el-table v-loading="loading" :data="rows" row-key="id" border stripe data-test="announcements-table"
                  :empty-text="t('announcements.empty')">
          <el-table-column prop="title" :label="t('announcements.titleField')" min-width="180" show-overflow-tooltip />
          <el-table-column prop="body" :label="t('announcements.body')" min-width="220" show-overflow-tooltip />
          <el-table-column :label="t('announcements.period')" width="330">
            <template #default="{ row }">{{ fmtDateTime(row.starts_at) }} — {{ fmtDateTime(row.ends_at) }}</template>
          </el-table-column>
          <el-table-column :label="t('common.status')" width="100">
            <template #default="{ row }">
              <el-tag size="small" :type="STATUS_TAG[statusOf(row)]">{{ t('announcements.status.' + statusOf(row)) }}</el-tag>
            </template>
          </el-table-column>
          <el-table-column prop="created_by_name" :label="t('announcements.createdBy')" width="110" />
          <el-table-column :label="t('common.actions')" width="140" fixed="right">
            <template #default="{ row }">
              <el-button link type="primary" @click="open(row)">{{ t('common.edit') }}</el-button>
              <el-button link type="danger" @click="remove(row)">{{ t('common.delete') }}</el-button>
            </template>
          </el-table-column>
        </el-table>
        <el-pagination v-model:current-page="page" v-model:page-size="perPage" class="sb-pager" :total="total"
                       :page-sizes="[20, 50, 100]" background layout="total, sizes, prev, pager, next"
                       @current-change="load" @size-change="load" />
      </el-card>
      <el-dialog v-model="dialog" :title="editing ? t('announcements.edit') : t('announcements.create')" width="620px"
                 :close-on-click-modal="false" append-to-body>
        <el-form ref="formRef" :model="form" :rules="rules" label-width="auto" data-test="announcement-form"
                 @submit.prevent="submit">
          <el-form-item :label="t('announcements.titleField')" prop="title" :error="fieldErrors.title">
            <el-input v-model="form.title" maxlength="120" show-word-limit data-test="announcement-title" />
          </el-form-item>
          <el-form-item :label="t('announcements.body')" prop="body" :error="fieldErrors.body">
            <el-input v-model="form.body" type="textarea" :rows="5" maxlength="4000" show-word-limit
                      data-test="announcement-body" />
          </el-form-item>
          <el-form-item :label="t('announcements.startsAt')" prop="starts_at" :error="fieldErrors.starts_at">
            <el-date-picker v-model="form.starts_at" type="datetime" format="YYYY-MM-DD HH:mm"
                            data-test="announcement-starts" />
          </el-form-item>
          <el-form-item :label="t('announcements.endsAt')" prop="ends_at" :error="fieldErrors.ends_at">
            <el-date-picker v-model="form.ends_at" type="datetime" format="YYYY-MM-DD HH:mm"
                            data-test="announcement-ends" />
          </el-form-item>
        </el-form>
        <template #footer>
          <el-button @click="dialog = false">{{ t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="saving" data-test="announcement-save" @click="submit">
            {{ t('common.save') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
