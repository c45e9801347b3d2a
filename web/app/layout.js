// The signed-in shell: side menu (filtered by permission), top bar, warning and notice bars, page.
import { ref, computed } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { session, logout, can } from './session.js';
import { t } from './i18n.js';
import { visibleMenu } from './menu.js';
import { showError } from './util.js';
import NoticeBar from './components/notice-bar.js';
import DemoPasswordWarning from './components/demo-password-warning.js';
import NoPermission from './components/no-permission.js';
import LangSwitch from './components/lang-switch.js';
import NotificationBell from './components/notification-bell.js';

const COLLAPSE_KEY = 'switchboard.menuCollapsed';

export default {
  name: 'AppLayout',
  components: { NoticeBar, DemoPasswordWarning, NoPermission, LangSwitch, NotificationBell },
  setup() {
    const route = useRoute();
    const router = useRouter();
    const collapsed = ref(localStorage.getItem(COLLAPSE_KEY) === '1');
    const menu = computed(() => visibleMenu());
    const activePath = computed(() => route.path);
    const denied = computed(() => !can(route.meta.perm));
    const user = computed(() => session.user || {});
    const initials = computed(() => (user.value.name || user.value.employee_id || '?').slice(0, 1));

    function toggle() {
      collapsed.value = !collapsed.value;
      localStorage.setItem(COLLAPSE_KEY, collapsed.value ? '1' : '0');
    }
    function go(path) {
      if (path !== route.path) router.push(path);
    }
    async function onUserCommand(cmd) {
      if (cmd === 'profile') router.push('/profile');
      if (cmd === 'logout') {
        try {
          await logout();
        } catch (err) {
          showError(err);
        }
        router.replace({ name: 'login' });
      }
    }
    return { t, collapsed, menu, activePath, denied, user, initials, toggle, go, onUserCommand, route };
  },
  template: `
    <el-container class="sb-shell">
      <el-aside :width="collapsed ? '64px' : '224px'" class="sb-aside">
        <div class="sb-brand" :class="{ collapsed }">
          <img src="/favicon.svg" alt="" class="sb-brand-logo">
          <span v-if="!collapsed" class="sb-brand-name">{{ t('app.short') }}</span>
        </div>
        <el-scrollbar class="sb-menu-scroll">
          <el-menu :default-active="activePath" :collapse="collapsed" :collapse-transition="false"
                   class="sb-menu" data-test="side-menu" @select="go">
            <el-menu-item-group v-for="g in menu" :key="g.key">
              <template #title><span v-if="!collapsed">{{ t('menuGroup.' + g.key) }}</span></template>
              <el-menu-item v-for="i in g.items" :key="i.path" :index="i.path" :data-test="'menu-' + i.name">
                <el-icon><component :is="$icons[i.icon]" /></el-icon>
                <template #title>{{ t('menu.' + i.name) }}</template>
              </el-menu-item>
            </el-menu-item-group>
          </el-menu>
        </el-scrollbar>
      </el-aside>
      <el-container class="sb-main-col">
        <el-header class="sb-header" height="56px">
          <el-button text class="sb-collapse" data-test="menu-toggle" :aria-label="t('layout.toggleMenu')"
                     @click="toggle">
            <el-icon :size="18"><component :is="collapsed ? $icons.Expand : $icons.Fold" /></el-icon>
          </el-button>
          <span class="sb-header-title" data-test="page-title">{{ t(route.meta.title || 'app.name') }}</span>
          <div class="sb-header-spacer"></div>
          <notification-bell />
          <lang-switch />
          <el-dropdown trigger="click" @command="onUserCommand">
            <span class="sb-user" data-test="user-menu">
              <el-avatar :size="28" class="sb-user-avatar">{{ initials }}</el-avatar>
              <span class="sb-user-name" data-test="user-name">{{ user.name }}</span>
              <el-icon><component :is="$icons.ArrowDown" /></el-icon>
            </span>
            <template #dropdown>
              <el-dropdown-menu>
                <el-dropdown-item disabled>
                  {{ user.employee_id }}<template v-if="user.department_name"> · {{ user.department_name }}</template>
                </el-dropdown-item>
                <el-dropdown-item command="profile" divided data-test="user-profile" :icon="$icons.User">
                  {{ t('menu.profile') }}
                </el-dropdown-item>
                <el-dropdown-item command="logout" data-test="sign-out" :icon="$icons.SwitchButton">
                  {{ t('layout.signOut') }}
                </el-dropdown-item>
              </el-dropdown-menu>
            </template>
          </el-dropdown>
        </el-header>
        <demo-password-warning />
        <notice-bar />
        <el-main class="sb-main">
          <no-permission v-if="denied" />
          <router-view v-else :key="route.path" />
        </el-main>
      </el-container>
    </el-container>`,
};
