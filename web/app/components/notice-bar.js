// Scrolling notice bar with the active announcements (GET /announcements/active).
import { ref, computed, onMounted, onBeforeUnmount } from 'vue';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { fmtDateTime } from '../util.js';

export const ANNOUNCEMENTS_CHANGED = 'sb:announcements-changed';
const REFRESH_MS = 5 * 60 * 1000;

export default {
  name: 'NoticeBar',
  setup() {
    const items = ref([]);
    const open = ref(null);
    let timer = null;

    async function refresh() {
      try {
        const res = await api.get('/announcements/active');
        items.value = (res && res.items) || [];
      } catch {
        // the notice bar is decoration: never interrupt the page for it
      }
    }
    // ~8 characters per second, at least 15 s per pass
    const duration = computed(() => {
      const chars = items.value.reduce((n, a) => n + a.title.length + 8, 0);
      return `${Math.max(15, Math.round(chars / 8))}s`;
    });

    onMounted(() => {
      refresh();
      timer = setInterval(refresh, REFRESH_MS);
      window.addEventListener(ANNOUNCEMENTS_CHANGED, refresh);
    });
    onBeforeUnmount(() => {
      clearInterval(timer);
      window.removeEventListener(ANNOUNCEMENTS_CHANGED, refresh);
    });
    return { items, open, duration, t, fmtDateTime };
  },
  template: `
    <div v-if="items.length" class="sb-notice" data-test="notice-bar">
      <el-icon class="sb-notice-icon"><component :is="$icons.Bell" /></el-icon>
      <div class="sb-notice-track">
        <div class="sb-notice-scroll" :style="{ animationDuration: duration }">
          <button v-for="a in items" :key="a.id" type="button" class="sb-notice-item"
                  :data-test="'notice-' + a.id" @click="open = a">{{ a.title }}</button>
        </div>
      </div>
      <el-dialog :model-value="!!open" :title="open ? open.title : ''" width="560px" @close="open = null"
                 append-to-body>
        <template v-if="open">
          <div class="sb-notice-meta">
            {{ t('announcements.period') }}: {{ fmtDateTime(open.starts_at) }} — {{ fmtDateTime(open.ends_at) }}
            <span v-if="open.created_by_name"> · {{ open.created_by_name }}</span>
          </div>
          <div class="sb-pre-wrap">{{ open.body }}</div>
        </template>
      </el-dialog>
    </div>`,
};
