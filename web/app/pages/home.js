// Home: welcome, the user's account at a glance, shortcuts and active announcements.
import { ref, computed, onMounted } from 'vue';
import { api } from '../api.js';
import { session } from '../session.js';
import { t } from '../i18n.js';
import { visibleMenu } from '../menu.js';
import { fmtDateTime, errorText } from '../util.js';

export default {
  name: 'HomePage',
  setup() {
    const announcements = ref([]);
    const loading = ref(true);
    const error = ref('');
    const user = computed(() => session.user || {});
    const shortcuts = computed(() =>
      visibleMenu()
        .flatMap((g) => g.items)
        .filter((i) => i.name !== 'home'),
    );
    const greeting = computed(() => {
      const h = new Date().getHours();
      if (h < 12) return t('home.morning');
      if (h < 18) return t('home.afternoon');
      return t('home.evening');
    });

    async function load() {
      loading.value = true;
      error.value = '';
      try {
        const res = await api.get('/announcements/active');
        announcements.value = (res && res.items) || [];
      } catch (err) {
        error.value = errorText(err);
      } finally {
        loading.value = false;
      }
    }
    onMounted(load);
    return { t, user, shortcuts, greeting, announcements, loading, error, load, fmtDateTime };
  },
  template: `
    <div class="sb-page" data-test="page-home">
      <el-card shadow="never" class="sb-welcome">
        <div class="sb-welcome-row">
          <div>
            <h2 class="sb-welcome-title" data-test="welcome">{{ greeting }}, {{ user.name }}</h2>
            <div class="sb-welcome-meta">
              <span>{{ t('staff.employeeId') }}: {{ user.employee_id }}</span>
              <span v-if="user.department_name">{{ t('staff.department') }}: {{ user.department_name }}</span>
              <span v-if="user.extension">{{ t('staff.extension') }}: {{ user.extension }}</span>
            </div>
            <div class="sb-welcome-roles">
              <el-tag v-for="r in user.roles || []" :key="r.id" size="small" effect="plain">{{ r.name }}</el-tag>
            </div>
          </div>
        </div>
      </el-card>

      <el-row :gutter="16">
        <el-col :xs="24" :md="14">
          <el-card shadow="never" class="sb-card">
            <template #header>
              <div class="sb-card-header">
                <span>{{ t('home.announcements') }}</span>
                <el-button text :icon="$icons.Refresh" data-test="home-refresh" @click="load">
                  {{ t('common.refresh') }}
                </el-button>
              </div>
            </template>
            <div v-loading="loading" class="sb-min-h">
              <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" />
              <el-empty v-else-if="!loading && !announcements.length" :description="t('home.noAnnouncements')"
                        :image-size="80" />
              <div v-for="a in announcements" :key="a.id" class="sb-announcement" data-test="home-announcement">
                <div class="sb-announcement-title">{{ a.title }}</div>
                <div class="sb-announcement-meta">
                  {{ fmtDateTime(a.starts_at) }} — {{ fmtDateTime(a.ends_at) }}
                  <span v-if="a.created_by_name"> · {{ a.created_by_name }}</span>
                </div>
                <div class="sb-pre-wrap">{{ a.body }}</div>
              </div>
            </div>
          </el-card>
        </el-col>
        <el-col :xs="24" :md="10">
          <el-card shadow="never" class="sb-card">
            <template #header>{{ t('home.shortcuts') }}</template>
            <div class="sb-shortcuts">
              <router-link v-for="s in shortcuts" :key="s.path" :to="s.path" class="sb-shortcut"
                           :data-test="'shortcut-' + s.name">
                <el-icon :size="20"><component :is="$icons[s.icon]" /></el-icon>
                <span>{{ t('menu.' + s.name) }}</span>
              </router-link>
            </div>
          </el-card>
        </el-col>
      </el-row>
    </div>`,
};
