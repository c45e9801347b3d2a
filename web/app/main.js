// Entry point: create the Vue app with Element Plus, the router and the root component.
import { createApp, watchEffect } from 'vue';
import ElementPlus, { ElMessage } from 'element-plus';
import { router } from './router.js';
import { onUnauthorized } from './api.js';
import { session, clearSession } from './session.js';
import { t, elementLocale } from './i18n.js';
import { icons } from './icons.js';

const Root = {
  name: 'SwitchboardConsole',
  setup() {
    return { elementLocale };
  },
  template: `
    <el-config-provider :locale="elementLocale">
      <router-view />
    </el-config-provider>`,
};

// A request answered 401 while signed in: the session has ended (expired or revoked).
onUnauthorized(() => {
  if (!session.user) return;
  clearSession();
  ElMessage({ type: 'warning', message: t('login.sessionExpired'), grouping: true });
  const current = router.currentRoute.value;
  if (current.name !== 'login') {
    router.replace({ name: 'login', query: { redirect: current.fullPath } });
  }
});

const app = createApp(Root);
app.config.globalProperties.$icons = icons;
app.config.errorHandler = (err) => {
  // keep the console usable; report the problem where developers look for it
  console.error(err);
};
app.use(ElementPlus);
app.use(router);
app.mount('#app');

// the window title follows the page and the language
watchEffect(() => {
  const route = router.currentRoute.value;
  const page = route.meta && route.meta.title ? t(route.meta.title) : '';
  document.title = page ? `${page} · ${t('app.short')}` : t('app.name');
});
