// Business calendars: weekly opening spans per day, public holidays (closed) and make-up workdays (调休, open on a
// weekend), in the calendar's own UTC offset. Flows test them ("work time"); the preview shows what a saved
// calendar means over the next days.
import { ref, reactive, computed, onMounted } from 'vue';
import { api, getAll } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import {
  fmtDateTime, errorText, showError, showSuccess, confirmDanger, useFieldErrors, validateForm, required, maxLen,
} from '../util.js';
import PageHeader from '../components/page-header.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const TIME_RE = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const OFFSETS = [];
for (let m = -720; m <= 840; m += 30) OFFSETS.push(m);
const KIND_TAG = { workday: 'success', make_up_workday: 'warning', holiday: 'danger', rest_day: 'info' };

/** 480 -> "UTC+08:00". */
function offsetLabel(minutes) {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** Document -> form: spans as {from, to} rows per day. */
function toForm(doc) {
  const d = doc && typeof doc === 'object' ? doc : {};
  const weekly = {};
  for (const day of DAYS) {
    weekly[day] = ((d.weekly && d.weekly[day]) || []).map((s) => {
      const [from, to] = String(s).split('-');
      return { from: from || '', to: to || '' };
    });
  }
  return {
    utc_offset_minutes: Number.isInteger(d.utc_offset_minutes) ? d.utc_offset_minutes : 480,
    weekly,
    holidays: [...(d.holidays || [])],
    workdays: [...(d.workdays || [])],
  };
}

/** Form -> document, keeping fields this form does not edit (e.g. make-up hours). */
function toDocument(form, original) {
  const weekly = {};
  for (const day of DAYS) {
    const spans = form.weekly[day].filter((s) => s.from || s.to).map((s) => `${s.from.trim()}-${s.to.trim()}`);
    if (spans.length) weekly[day] = spans;
  }
  return {
    ...(original || {}),
    utc_offset_minutes: form.utc_offset_minutes,
    weekly,
    holidays: [...form.holidays].sort(),
    workdays: [...form.workdays].sort(),
  };
}

/** "Mon-Fri 09:00-12:00, 13:00-18:00; Sat 10:00-16:00" */
function summary(doc) {
  const weekly = (doc && doc.weekly) || {};
  const groups = [];
  for (const day of DAYS) {
    const spans = (weekly[day] || []).join(', ');
    if (!spans) continue;
    const last = groups[groups.length - 1];
    if (last && last.spans === spans && DAYS.indexOf(last.to) === DAYS.indexOf(day) - 1) last.to = day;
    else groups.push({ from: day, to: day, spans });
  }
  return groups
    .map((g) => `${t('calendars.day.' + g.from)}${g.to !== g.from ? '-' + t('calendars.day.' + g.to) : ''} ${g.spans}`)
    .join('; ');
}

function todayIso() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export default {
  name: 'CalendarsPage',
  components: { PageHeader },
  setup() {
    const rows = ref([]);
    const loading = ref(false);
    const error = ref('');
    const manage = computed(() => can('calendar.manage'));
    const dialog = ref(false);
    const editing = ref(null);
    const saving = ref(false);
    const formRef = ref(null);
    const form = reactive({ name: '', description: '', ...toForm(null) });
    const spanError = ref('');
    const errs = useFieldErrors();
    const rules = {
      name: [required('calendars.name'), {
        trigger: 'blur',
        validator: (_r, v, cb) => cb(!v || NAME_RE.test(v.trim()) ? undefined : new Error(t('calendars.badName'))),
      }],
      description: [maxLen(200)],
    };
    const preview = reactive({ open: false, row: null, from: todayIso(), days: [], loading: false, error: '' });

    async function load() {
      loading.value = true;
      error.value = '';
      try {
        rows.value = await getAll('/calendars');
      } catch (err) {
        error.value = errorText(err);
      } finally {
        loading.value = false;
      }
    }
    function open(row) {
      errs.clear();
      spanError.value = '';
      editing.value = row || null;
      const base = row
        ? row.document
        : { utc_offset_minutes: 480, weekly: { mon: ['09:00-18:00'], tue: ['09:00-18:00'], wed: ['09:00-18:00'],
          thu: ['09:00-18:00'], fri: ['09:00-18:00'] } };
      Object.assign(form, { name: row ? row.name : '', description: row ? row.description || '' : '' }, toForm(base));
      dialog.value = true;
      setTimeout(() => formRef.value && formRef.value.clearValidate(), 0);
    }
    function addSpan(day) {
      const spans = form.weekly[day];
      const last = spans[spans.length - 1];
      spans.push(last ? { from: last.to, to: '' } : { from: '09:00', to: '18:00' });
    }
    function copyToWeekdays(day) {
      for (const d of ['mon', 'tue', 'wed', 'thu', 'fri']) {
        if (d !== day) form.weekly[d] = form.weekly[day].map((s) => ({ ...s }));
      }
    }
    function checkSpans() {
      for (const day of DAYS) {
        for (const s of form.weekly[day]) {
          if (!TIME_RE.test(s.from.trim()) || !TIME_RE.test(s.to.trim()) || s.from.trim() >= s.to.trim()) {
            return t('calendars.badSpan', { day: t('calendars.day.' + day), span: `${s.from}-${s.to}` });
          }
        }
      }
      return '';
    }
    async function submit() {
      errs.clear();
      spanError.value = checkSpans();
      if (!(await validateForm(formRef.value)) || spanError.value) return;
      saving.value = true;
      const body = {
        name: form.name.trim(), description: form.description.trim(),
        document: toDocument(form, editing.value && editing.value.document),
      };
      try {
        if (editing.value) await api.put(`/calendars/${editing.value.id}`, body);
        else await api.post('/calendars', body);
        showSuccess(t('common.saved'));
        dialog.value = false;
        load();
      } catch (err) {
        // the server's calendar check names the day or date at fault: show it beside the spans
        if (err && err.field && String(err.field).startsWith('document')) spanError.value = err.message;
        errs.handle(err);
      } finally {
        saving.value = false;
      }
    }
    async function remove(row) {
      if (!(await confirmDanger(t('calendars.confirmDelete', { name: row.name })))) return;
      try {
        await api.del(`/calendars/${row.id}`);
        showSuccess(t('common.deleted'));
        load();
      } catch (err) {
        showError(err);
      }
    }
    async function loadPreview() {
      preview.loading = true;
      preview.error = '';
      try {
        preview.days = await api.get(`/calendars/${preview.row.id}/preview`, { from: preview.from, days: 7 });
      } catch (err) {
        preview.error = errorText(err);
        preview.days = [];
      } finally {
        preview.loading = false;
      }
    }
    function openPreview(row) {
      Object.assign(preview, { open: true, row, from: todayIso(), days: [] });
      loadPreview();
    }
    onMounted(load);
    return {
      t, rows, loading, error, manage, dialog, editing, saving, formRef, form, rules, spanError, preview, DAYS,
      OFFSETS, KIND_TAG, load, open, addSpan, copyToWeekdays, submit, remove, openPreview, loadPreview, summary,
      offsetLabel, fmtDateTime, fieldErrors: errs.fieldErrors,
    };
  },
  template: `
    <div class="sb-page" data-test="page-calendars">
      <page-header :title="t('menu.calendars')" :subtitle="t('calendars.subtitle')">
        <el-button :icon="$icons.Refresh" @click="load">{{ t('common.refresh') }}</el-button>
        <el-button v-if="manage" type="primary" :icon="$icons.Plus" data-test="calendar-create" @click="open(null)">
          {{ t('calendars.create') }}</el-button>
      </page-header>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <el-card shadow="never" class="sb-card">
        <el-table v-loading="loading" :data="rows" row-key="id" border stripe data-test="calendars-table"
                  :empty-text="t('calendars.empty')">
          <el-table-column :label="t('calendars.name')" min-width="140">
            <template #default="{ row }"><span class="sb-strong" :data-test="'calendar-row-' + row.name">{{ row.name }}</span>
              <div v-if="row.description" class="sb-muted sb-small">{{ row.description }}</div></template>
          </el-table-column>
          <el-table-column :label="t('calendars.hours')" min-width="280">
            <template #default="{ row }">{{ summary(row.document) || t('calendars.alwaysClosed') }}</template>
          </el-table-column>
          <el-table-column :label="t('calendars.offset')" width="110">
            <template #default="{ row }">{{ offsetLabel(row.document.utc_offset_minutes || 0) }}</template>
          </el-table-column>
          <el-table-column :label="t('calendars.holidays')" width="100">
            <template #default="{ row }">{{ (row.document.holidays || []).length }}</template>
          </el-table-column>
          <el-table-column :label="t('calendars.workdays')" width="110">
            <template #default="{ row }">{{ (row.document.workdays || []).length }}</template>
          </el-table-column>
          <el-table-column :label="t('common.actions')" width="200" fixed="right">
            <template #default="{ row }">
              <el-button link type="primary" :data-test="'calendar-preview-' + row.name" @click="openPreview(row)">
                {{ t('calendars.preview') }}</el-button>
              <template v-if="manage">
                <el-button link type="primary" :data-test="'calendar-edit-' + row.name" @click="open(row)">{{ t('common.edit') }}</el-button>
                <el-button link type="danger" :data-test="'calendar-delete-' + row.name" @click="remove(row)">{{ t('common.delete') }}</el-button>
              </template>
            </template>
          </el-table-column>
        </el-table>
      </el-card>

      <el-dialog v-model="dialog" :title="editing ? t('calendars.edit') : t('calendars.create')" width="760px"
                 :close-on-click-modal="false" append-to-body>
        <el-form ref="formRef" :model="form" :rules="rules" label-width="auto" data-test="calendar-form" @submit.prevent="submit">
          <el-row :gutter="12">
            <el-col :span="12">
              <el-form-item :label="t('calendars.name')" prop="name" :error="fieldErrors.name">
                <el-input v-model="form.name" maxlength="64" placeholder="standard" data-test="calendar-name" />
              </el-form-item>
            </el-col>
            <el-col :span="12">
              <el-form-item :label="t('calendars.offset')">
                <el-select v-model="form.utc_offset_minutes" filterable class="sb-full" data-test="calendar-offset">
                  <el-option v-for="m in OFFSETS" :key="m" :value="m" :label="offsetLabel(m)" />
                </el-select>
              </el-form-item>
            </el-col>
          </el-row>
          <el-form-item :label="t('calendars.description')" prop="description" :error="fieldErrors.description">
            <el-input v-model="form.description" maxlength="200" data-test="calendar-description" />
          </el-form-item>
          <el-divider content-position="left">{{ t('calendars.weekly') }}</el-divider>
          <el-alert v-if="spanError" :title="spanError" type="error" show-icon :closable="false" class="sb-mb"
                    data-test="calendar-span-error" />
          <div v-for="day in DAYS" :key="day" class="sb-toolbar" :data-test="'calendar-day-' + day">
            <span class="sb-strong" style="width: 56px">{{ t('calendars.day.' + day) }}</span>
            <span v-if="!form.weekly[day].length" class="sb-muted">{{ t('calendars.closed') }}</span>
            <span v-for="(span, i) in form.weekly[day]" :key="i" class="sb-tags" style="align-items: center">
              <el-input v-model="span.from" size="small" maxlength="5" placeholder="09:00" style="width: 70px"
                        :data-test="'calendar-' + day + '-' + i + '-from'" />
              <span>-</span>
              <el-input v-model="span.to" size="small" maxlength="5" placeholder="18:00" style="width: 70px"
                        :data-test="'calendar-' + day + '-' + i + '-to'" />
              <el-button size="small" text type="danger" :icon="$icons.Close" @click="form.weekly[day].splice(i, 1)" />
            </span>
            <el-button size="small" :icon="$icons.Plus" :data-test="'calendar-add-span-' + day" @click="addSpan(day)" />
            <el-button v-if="day === 'mon' && form.weekly.mon.length" size="small" text @click="copyToWeekdays('mon')">
              {{ t('calendars.copyToWeekdays') }}</el-button>
          </div>
          <div class="sb-form-hint sb-mb">{{ t('calendars.spanHint') }}</div>
          <el-divider content-position="left">{{ t('calendars.exceptions') }}</el-divider>
          <el-form-item :label="t('calendars.holidays')" :error="fieldErrors.holidays">
            <el-date-picker v-model="form.holidays" type="dates" value-format="YYYY-MM-DD" class="sb-full"
                            :placeholder="t('calendars.pickDates')" data-test="calendar-holidays" />
            <div class="sb-form-hint">{{ t('calendars.holidaysHint') }}</div>
          </el-form-item>
          <el-form-item :label="t('calendars.workdays')" :error="fieldErrors.workdays">
            <el-date-picker v-model="form.workdays" type="dates" value-format="YYYY-MM-DD" class="sb-full"
                            :placeholder="t('calendars.pickDates')" data-test="calendar-workdays" />
            <div class="sb-form-hint">{{ t('calendars.workdaysHint') }}</div>
          </el-form-item>
        </el-form>
        <template #footer>
          <el-button @click="dialog = false">{{ t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="saving" data-test="calendar-save" @click="submit">{{ t('common.save') }}</el-button>
        </template>
      </el-dialog>

      <el-dialog v-model="preview.open" :title="preview.row ? t('calendars.previewTitle', { name: preview.row.name }) : ''"
                 width="620px" append-to-body>
        <div class="sb-toolbar">
          <span class="sb-muted">{{ t('calendars.previewFrom') }}</span>
          <el-date-picker v-model="preview.from" type="date" value-format="YYYY-MM-DD" :clearable="false"
                          data-test="calendar-preview-from" @change="loadPreview" />
        </div>
        <el-alert v-if="preview.error" :title="preview.error" type="error" show-icon :closable="false" class="sb-mb" />
        <el-table v-loading="preview.loading" :data="preview.days" border size="small" data-test="calendar-preview">
          <el-table-column :label="t('calendars.date')" width="150">
            <template #default="{ row }">{{ row.date }} {{ t('calendars.day.' + row.weekday) }}</template>
          </el-table-column>
          <el-table-column :label="t('calendars.dayKind')" width="120">
            <template #default="{ row }"><el-tag size="small" :type="KIND_TAG[row.kind] || 'info'">
              {{ t('calendars.kind.' + row.kind) }}</el-tag></template>
          </el-table-column>
          <el-table-column :label="t('calendars.openSpans')">
            <template #default="{ row }">
              <span :data-test="'calendar-preview-' + row.date">{{ row.spans.length ? row.spans.join(', ') : t('calendars.closed') }}</span>
            </template>
          </el-table-column>
        </el-table>
      </el-dialog>
    </div>`,
};
