// Language switch (zh-CN / English). Signed in, the choice is saved to the profile.
import { computed } from 'vue';
import { i18nState, LOCALES, t } from '../i18n.js';
import { changeLocale } from '../session.js';
import { showError } from '../util.js';

export default {
  name: 'LangSwitch',
  setup() {
    const current = computed(() => LOCALES.find((l) => l.code === i18nState.locale) || LOCALES[0]);
    async function choose(code) {
      try {
        await changeLocale(code);
      } catch (err) {
        showError(err);
      }
    }
    return { LOCALES, current, choose, t, i18nState };
  },
  template: `
    <el-dropdown trigger="click" class="sb-lang" @command="choose">
      <span class="sb-lang-trigger" data-test="lang-switch" :title="t('layout.language')">
        {{ current.label }}
        <el-icon><component :is="$icons.ArrowDown" /></el-icon>
      </span>
      <template #dropdown>
        <el-dropdown-menu>
          <el-dropdown-item v-for="l in LOCALES" :key="l.code" :command="l.code"
                            :data-test="'lang-' + l.code" :disabled="l.code === i18nState.locale">
            {{ l.label }}
          </el-dropdown-item>
        </el-dropdown-menu>
      </template>
    </el-dropdown>`,
};
