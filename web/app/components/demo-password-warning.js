// Warning banner while SIP extensions still use the published demo passwords
// (GET /system/warnings). Pages that change SIP passwords dispatch WARNINGS_CHANGED.
import { ref, computed, onMounted, onBeforeUnmount } from 'vue';
import { useRouter } from 'vue-router';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../session.js';

export const WARNINGS_CHANGED = 'sb:warnings-changed';
const REFRESH_MS = 5 * 60 * 1000;

export default {
  name: 'DemoPasswordWarning',
  setup() {
    const router = useRouter();
    const warning = ref(null);
    let timer = null;

    async function refresh() {
      try {
        const list = await api.get('/system/warnings');
        warning.value = (list || []).find((w) => w.code === 'demo_sip_passwords') || null;
      } catch {
        // a banner must never break the page
      }
    }
    const text = computed(() => {
      const list = (warning.value && warning.value.extensions) || [];
      return list.length ? t('warnings.demoPasswords', { list: list.join(', ') }) : t('warnings.demoPasswordsNoList');
    });
    const canFix = computed(() => can('extension.manage'));
    function fix() {
      router.push('/extensions');
    }
    onMounted(() => {
      refresh();
      timer = setInterval(refresh, REFRESH_MS);
      window.addEventListener(WARNINGS_CHANGED, refresh);
    });
    onBeforeUnmount(() => {
      clearInterval(timer);
      window.removeEventListener(WARNINGS_CHANGED, refresh);
    });
    return { t, warning, text, canFix, fix };
  },
  template: `
    <div v-if="warning" class="sb-warning-bar" role="alert" data-test="demo-password-warning">
      <el-icon class="sb-warning-icon"><component :is="$icons.WarningFilled" /></el-icon>
      <span class="sb-warning-text">{{ text }}</span>
      <el-button v-if="canFix" size="small" type="danger" plain data-test="demo-password-fix" @click="fix">
        {{ t('warnings.fix') }}</el-button>
    </div>`,
};
