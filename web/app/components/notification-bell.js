// The bell in the header: unread notifications (SLA reminders and escalations) polled every minute; opening one
// marks it read and goes to its ticket.
import { ref, onMounted, onUnmounted } from 'vue';
import { useRouter } from 'vue-router';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { fmtDateTime } from '../util.js';

export default {
  name: 'NotificationBell',
  setup() {
    const router = useRouter();
    const items = ref([]);
    const unread = ref(0);
    let timer = null;
    async function load() {
      try {
        const res = await api.get('/notifications', { per_page: 10 });
        items.value = res.items || [];
        unread.value = res.unread || 0;
      } catch {
        // the bell stays as it was; the page shows its own errors
      }
    }
    async function open(n) {
      if (!n.read_at) await api.post(`/notifications/${n.id}/read`).catch(() => {});
      if (n.ticket_id) router.push(`/tickets/${n.ticket_id}`);
      load();
    }
    async function readAll() {
      await api.post('/notifications/read-all').catch(() => {});
      load();
    }
    onMounted(() => {
      load();
      timer = setInterval(load, 60000);
    });
    onUnmounted(() => clearInterval(timer));
    return { t, items, unread, open, readAll, load, fmtDateTime };
  },
  template: `
    <el-popover placement="bottom-end" :width="380" trigger="click" @show="load">
      <template #reference>
        <span class="sb-ml" style="cursor: pointer; margin-right: 12px" data-test="notification-bell">
          <el-badge :value="unread" :hidden="!unread" :max="99">
            <el-icon :size="20"><component :is="$icons.Bell" /></el-icon>
          </el-badge>
        </span>
      </template>
      <div style="display: flex; justify-content: space-between; align-items: center">
        <b>{{ t('notifications.title') }}</b>
        <el-button link type="primary" :disabled="!unread" @click="readAll">{{ t('notifications.markAll') }}</el-button>
      </div>
      <div v-if="!items.length" class="sb-muted">{{ t('notifications.empty') }}</div>
      <div v-for="n in items" :key="n.id" class="sb-small" style="padding: 6px 0; cursor: pointer; border-top: 1px solid #eee"
           :style="{ opacity: n.read_at ? 0.6 : 1 }" :data-test="'notification-' + n.id" @click="open(n)">
        <el-tag size="small" :type="n.kind === 'sla_escalation' ? 'danger' : 'warning'">{{ t('notifications.' + n.kind) }}</el-tag>
        <span class="sb-muted"> {{ fmtDateTime(n.created_at) }}</span>
        <div>{{ n.body }}</div>
      </div>
    </el-popover>`,
};
