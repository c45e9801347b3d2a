// Shared by the callback and campaign pages: the customer filter form that a campaign saves (and a callback list
// adds tasks from), its conversion to the customer search's parameters, call statuses and task state colours.
import { ref, onMounted } from 'vue';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { LIFECYCLES } from './customer-dialog.js';

export const CALL_STATUSES = ['connected', 'busy', 'rejected', 'no_answer', 'unreachable', 'empty_number', 'powered_off'];
export const TASK_STATES = ['pending', 'done', 'failed', 'cancelled'];
const TASK_TAG = { pending: 'warning', done: 'success', failed: 'danger', cancelled: 'info' };
export const taskTag = (s) => TASK_TAG[s] ?? '';
const STAGE_TAG = { planning: 'info', running: 'warning', finished: 'success' };
export const stageTag = (s) => STAGE_TAG[s] ?? '';

export const emptyFilter = () => ({ level: [], lifecycle: [], province: '', city: '', idle_days: null });

/** A filter form's values as the customer search's parameters (empty ones left out). */
export function filterParams(f) {
  const out = {};
  if (f.level && f.level.length) out.level = f.level.join(',');
  if (f.lifecycle && f.lifecycle.length) out.lifecycle = f.lifecycle.join(',');
  if (f.province && f.province.trim()) out.province = f.province.trim();
  if (f.city && f.city.trim()) out.city = f.city.trim();
  if (f.idle_days) out.idle_days = f.idle_days;
  return out;
}

/** A saved filter in words, for lists and headers. */
export function describeFilter(filter) {
  const parts = Object.entries(filter || {}).map(([k, v]) => `${t('outreach.filterKey.' + k)}: ${v}`);
  return parts.length ? parts.join(' · ') : t('outreach.allCustomers');
}

export const percent = (rate) => (rate === null || rate === undefined ? '—' : `${Math.round(rate * 1000) / 10}%`);

/** The customer filter fields (level, life cycle, region, idle days), v-model on an emptyFilter() object. */
export const CustomerFilterForm = {
  name: 'CustomerFilterForm',
  props: { modelValue: { type: Object, required: true }, prefix: { type: String, default: 'filter' } },
  setup() {
    const levels = ref([]);
    onMounted(async () => {
      try {
        levels.value = (await api.get('/customer-vocabulary')).levels || [];
      } catch {
        levels.value = [];
      }
    });
    return { t, levels, LIFECYCLES };
  },
  template: `
    <div class="sb-filters" :data-test="prefix + '-form'">
      <el-form-item :label="t('customers.level')">
        <el-select v-model="modelValue.level" multiple clearable style="width: 200px" :data-test="prefix + '-level'">
          <el-option v-for="l in levels" :key="l.code" :value="l.code" :label="l.label" />
        </el-select>
      </el-form-item>
      <el-form-item :label="t('customers.lifecycle')">
        <el-select v-model="modelValue.lifecycle" multiple clearable style="width: 200px" :data-test="prefix + '-lifecycle'">
          <el-option v-for="l in LIFECYCLES" :key="l" :value="l" :label="t('customers.lifecycleValue.' + l)" />
        </el-select>
      </el-form-item>
      <el-form-item :label="t('customers.province')">
        <el-input v-model="modelValue.province" clearable style="width: 200px" :data-test="prefix + '-province'" />
      </el-form-item>
      <el-form-item :label="t('outreach.city')">
        <el-input v-model="modelValue.city" clearable style="width: 200px" :data-test="prefix + '-city'" />
      </el-form-item>
      <el-form-item :label="t('customers.idleDays')">
        <el-input-number v-model="modelValue.idle_days" :min="1" :max="36500" controls-position="right"
                         style="width: 200px" :data-test="prefix + '-idle-days'" />
      </el-form-item>
    </div>`,
};
