// Follow-me to the agent's own mobile (MISSION G8), on the agent desktop: off, ring the mobile too when the desk
// phone is not answered within a delay (or at once when no desk phone is registered), or always together.
// The mobile is the one on the staff record; without one follow-me cannot be turned on.
import { ref, reactive, onMounted } from 'vue';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { errorText, showSuccess } from '../util.js';

const MODES = ['off', 'no_answer', 'always'];

export default {
  name: 'FollowMeCard',
  setup() {
    const form = reactive({ mode: 'off', delay_s: 15 });
    const mobile = ref('');
    const loaded = ref(false);
    const saving = ref(false);
    const error = ref('');
    const fieldError = reactive({ mode: '', delay_s: '' });

    function show(setting) {
      form.mode = setting.mode;
      form.delay_s = setting.delay_s;
      mobile.value = setting.mobile || '';
    }
    async function load() {
      try {
        show(await api.get('/agents/me/follow-me'));
        loaded.value = true;
        error.value = '';
      } catch (err) {
        error.value = errorText(err);
      }
    }
    async function save() {
      Object.assign(fieldError, { mode: '', delay_s: '' });
      error.value = '';
      saving.value = true;
      try {
        show(await api.put('/agents/me/follow-me', { mode: form.mode, delay_s: form.delay_s }));
        showSuccess(t('followMe.saved'));
      } catch (err) {
        const field = err && err.field;
        if (field === 'mode' || field === 'delay_s') fieldError[field] = errorText(err);
        else error.value = errorText(err);
      } finally {
        saving.value = false;
      }
    }
    onMounted(load);
    return { t, MODES, form, mobile, loaded, saving, error, fieldError, save };
  },
  template: `
    <el-card shadow="never" class="sb-card sb-mb" data-test="desk-follow-me">
      <template #header>{{ t('followMe.title') }}</template>
      <el-alert v-if="error" :title="error" type="error" :closable="false" show-icon data-test="follow-me-error" />
      <el-form v-if="loaded" label-width="auto" @submit.prevent="save">
        <el-form-item :label="t('followMe.mode')" :error="fieldError.mode">
          <el-radio-group v-model="form.mode" data-test="follow-me-mode">
            <el-radio-button v-for="m in MODES" :key="m" :value="m" :data-test="'follow-me-mode-' + m">
              {{ t('followMe.modes.' + m) }}</el-radio-button>
          </el-radio-group>
        </el-form-item>
        <el-form-item v-if="form.mode === 'no_answer'" :label="t('followMe.delay')" :error="fieldError.delay_s">
          <el-input-number v-model="form.delay_s" :min="0" :max="120" :step="5" data-test="follow-me-delay" />
          <span class="sb-muted" style="margin-left: 8px">{{ t('followMe.seconds') }}</span>
        </el-form-item>
        <div class="sb-muted sb-small sb-mb" data-test="follow-me-mobile">
          {{ mobile ? t('followMe.mobileIs', { mobile }) : t('followMe.noMobile') }}</div>
        <el-button type="primary" :loading="saving" data-test="follow-me-save" @click="save">{{ t('common.save') }}</el-button>
      </el-form>
    </el-card>`,
};
