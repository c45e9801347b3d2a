// Sign-in page: employee ID + password. Shows the server's message on 401 / 423.
import { ref, reactive } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { login } from '../session.js';
import { t } from '../i18n.js';
import { errorText, validateForm, required } from '../util.js';
import LangSwitch from '../components/lang-switch.js';

export default {
  name: 'LoginPage',
  components: { LangSwitch },
  setup() {
    const route = useRoute();
    const router = useRouter();
    const formRef = ref(null);
    const form = reactive({ employee_id: '', password: '' });
    const loading = ref(false);
    const error = ref('');
    const locked = ref(false);
    const rules = {
      employee_id: [required('login.employeeId')],
      password: [required('login.password')],
    };

    async function submit() {
      error.value = '';
      locked.value = false;
      if (!(await validateForm(formRef.value))) return;
      loading.value = true;
      try {
        await login(form.employee_id.trim(), form.password);
        const target = typeof route.query.redirect === 'string' ? route.query.redirect : '/';
        router.replace(target.startsWith('/') && !target.startsWith('/login') ? target : '/');
      } catch (err) {
        locked.value = err.status === 423;
        error.value = errorText(err);
        form.password = '';
      } finally {
        loading.value = false;
      }
    }
    return { t, formRef, form, rules, loading, error, locked, submit };
  },
  template: `
    <div class="sb-login">
      <div class="sb-login-lang"><lang-switch /></div>
      <div class="sb-login-card">
        <div class="sb-login-brand">
          <img src="/favicon.svg" alt="" class="sb-login-logo">
          <div>
            <div class="sb-login-title">{{ t('app.name') }}</div>
            <div class="sb-login-subtitle">{{ t('login.subtitle') }}</div>
          </div>
        </div>
        <el-alert v-if="error" :title="error" :type="locked ? 'warning' : 'error'" show-icon :closable="false"
                  class="sb-login-error" data-test="login-error" />
        <el-form ref="formRef" :model="form" :rules="rules" label-position="top" size="large"
                 data-test="login-form" @submit.prevent="submit">
          <el-form-item :label="t('login.employeeId')" prop="employee_id">
            <el-input v-model="form.employee_id" autocomplete="username" autofocus
                      :placeholder="t('login.employeeIdPlaceholder')" data-test="login-employee-id"
                      :prefix-icon="$icons.User" />
          </el-form-item>
          <el-form-item :label="t('login.password')" prop="password">
            <el-input v-model="form.password" type="password" show-password autocomplete="current-password"
                      :placeholder="t('login.passwordPlaceholder')" data-test="login-password"
                      :prefix-icon="$icons.Lock" />
          </el-form-item>
          <el-button type="primary" native-type="submit" :loading="loading" class="sb-login-submit"
                     data-test="login-submit">{{ t('login.submit') }}</el-button>
        </el-form>
        <div class="sb-login-hint">{{ t('login.hint') }}</div>
      </div>
    </div>`,
};
