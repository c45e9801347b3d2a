// The agents of a queue and their skill (1-10; higher skill is preferred by the "highest skill" strategy and kept
// when a queue widens). Staff are picked from the staff list; the whole list is saved at once.
import { ref, computed, watch } from 'vue';
import { api, getAll } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import { errorText, showSuccess } from '../util.js';

export default {
  name: 'QueueMembers',
  props: {
    modelValue: { type: Boolean, default: false },
    queue: { type: Object, default: null },
  },
  emits: ['update:modelValue', 'saved'],
  setup(props, { emit }) {
    const members = ref([]);
    const staff = ref([]);
    const pick = ref(null);
    const loading = ref(false);
    const saving = ref(false);
    const error = ref('');
    const manage = computed(() => can('queue.manage'));
    const candidates = computed(() => {
      const taken = new Set(members.value.map((m) => m.staff_id));
      return staff.value.filter((s) => !taken.has(s.id));
    });

    watch(
      () => props.modelValue,
      async (open) => {
        if (!open || !props.queue) return;
        error.value = '';
        pick.value = null;
        loading.value = true;
        try {
          const [list, people] = await Promise.all([
            api.get(`/queues/${props.queue.id}/members`),
            can('staff.read') && manage.value ? getAll('/staff') : Promise.resolve([]),
          ]);
          members.value = (list || []).map((m) => ({ ...m }));
          staff.value = people;
        } catch (err) {
          error.value = errorText(err);
        } finally {
          loading.value = false;
        }
      },
    );
    function add() {
      const s = staff.value.find((x) => x.id === pick.value);
      if (!s) return;
      members.value.push({ staff_id: s.id, employee_id: s.employee_id, name: s.name, extension: s.extension, skill: 5 });
      pick.value = null;
    }
    function remove(i) {
      members.value.splice(i, 1);
    }
    function close() {
      emit('update:modelValue', false);
    }
    async function save() {
      saving.value = true;
      error.value = '';
      try {
        await api.put(`/queues/${props.queue.id}/members`, members.value.map((m) => ({ staff_id: m.staff_id, skill: m.skill })));
        showSuccess(t('common.saved'));
        emit('saved');
        close();
      } catch (err) {
        error.value = errorText(err);
      } finally {
        saving.value = false;
      }
    }
    const label = (s) => `${s.name} (${s.employee_id}${s.extension ? ' · ' + s.extension : ''})`;
    return { t, members, candidates, pick, loading, saving, error, manage, add, remove, close, save, label };
  },
  template: `
    <el-dialog :model-value="modelValue" :title="queue ? t('queues.membersOf', { name: queue.display_name || queue.name }) : ''"
               width="640px" :close-on-click-modal="false" append-to-body @close="close">
      <div data-test="queue-members">
        <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb"
                  data-test="queue-members-error" />
        <div v-if="manage" class="sb-toolbar">
          <el-select v-model="pick" filterable clearable style="flex: 1" :placeholder="t('queues.pickStaff')"
                     :no-data-text="t('common.noData')" data-test="queue-member-pick">
            <el-option v-for="s in candidates" :key="s.id" :value="s.id" :label="label(s)" />
          </el-select>
          <el-button type="primary" plain :icon="$icons.Plus" :disabled="!pick" data-test="queue-member-add" @click="add">
            {{ t('common.add') }}</el-button>
        </div>
        <el-table v-loading="loading" :data="members" border size="small" :empty-text="t('queues.noMembers')"
                  data-test="queue-members-table">
          <el-table-column :label="t('staff.name')" min-width="140">
            <template #default="{ row }"><span :data-test="'queue-member-' + row.employee_id">{{ row.name }}</span>
              <span class="sb-muted"> · {{ row.employee_id }}</span></template>
          </el-table-column>
          <el-table-column :label="t('staff.extension')" width="100">
            <template #default="{ row }">{{ row.extension || '—' }}</template>
          </el-table-column>
          <el-table-column :label="t('queues.skill')" width="150">
            <template #default="{ row }">
              <el-input-number v-model="row.skill" :min="1" :max="10" size="small" :disabled="!manage"
                               :data-test="'queue-member-skill-' + row.employee_id" />
            </template>
          </el-table-column>
          <el-table-column v-if="manage" width="70">
            <template #default="{ $index }">
              <el-button link type="danger" :icon="$icons.Delete" @click="remove($index)" />
            </template>
          </el-table-column>
        </el-table>
        <div class="sb-form-hint">{{ t('queues.skillHint') }}</div>
      </div>
      <template #footer>
        <el-button @click="close">{{ t('common.close') }}</el-button>
        <el-button v-if="manage" type="primary" :loading="saving" data-test="queue-members-save" @click="save">
          {{ t('common.save') }}</el-button>
      </template>
    </el-dialog>`,
};
