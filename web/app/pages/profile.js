// My profile: edit name / mobile / e-mail, change own password, an agent's phone sign-in PIN.
import { ref, reactive, computed } from 'vue';
import { api } from '../api.js';
import { session, saveProfile, can } from '../session.js';
import { t } from '../i18n.js';
import {
  useFieldErrors, validateForm, required, maxLen, emailRule, mobileRule, showSuccess, passwordLengthRule,
} from '../util.js';

export default {
  name: 'ProfilePage',
  setup() {
    const user = computed(() => session.user || {});
    const profileRef = ref(null);
    const profile = reactive({
      name: user.value.name || '',
      mobile: user.value.mobile || '',
      email: user.value.email || '',
    });
    const savingProfile = ref(false);
    const profileErrors = useFieldErrors();
    const profileRules = {
      name: [required('staff.name'), maxLen(64)],
      mobile: [mobileRule],
      email: [emailRule],
    };

    async function submitProfile() {
      profileErrors.clear();
      if (!(await validateForm(profileRef.value))) return;
      savingProfile.value = true;
      try {
        await saveProfile({
          name: profile.name.trim(),
          mobile: profile.mobile.trim() || null,
          email: profile.email.trim() || null,
        });
        showSuccess(t('common.saved'));
      } catch (err) {
        profileErrors.handle(err);
      } finally {
        savingProfile.value = false;
      }
    }

    const pwRef = ref(null);
    const pw = reactive({ current_password: '', new_password: '', confirm: '' });
    const savingPw = ref(false);
    const pwErrors = useFieldErrors();
    const pwRules = {
      current_password: [required('profile.currentPassword')],
      new_password: [required('profile.newPassword'), passwordLengthRule],
      confirm: [
        required('profile.confirmPassword'),
        {
          trigger: 'blur',
          validator: (_r, v, cb) => cb(v !== pw.new_password ? new Error(t('validation.passwordMismatch')) : undefined),
        },
      ],
    };

    async function submitPassword() {
      pwErrors.clear();
      if (!(await validateForm(pwRef.value))) return;
      savingPw.value = true;
      try {
        await api.post('/auth/password', {
          current_password: pw.current_password,
          new_password: pw.new_password,
        });
        pw.current_password = '';
        pw.new_password = '';
        pw.confirm = '';
        pwRef.value && pwRef.value.clearValidate();
        showSuccess(t('profile.passwordChanged'));
      } catch (err) {
        pwErrors.handle(err);
      } finally {
        savingPw.value = false;
      }
    }

    const pinRef = ref(null);
    const pinForm = reactive({ pin: '', current_password: '' });
    const savingPin = ref(false);
    const pinErrors = useFieldErrors();
    const pinRules = {
      pin: [
        required('profile.pin'),
        {
          trigger: 'blur',
          validator: (_r, v, cb) => cb(v && !/^[0-9]{4,8}$/.test(v) ? new Error(t('staff.agentPinRule')) : undefined),
        },
      ],
      current_password: [required('profile.currentPassword')],
    };
    const isAgent = computed(() => can('agent.work'));

    async function submitPin() {
      pinErrors.clear();
      if (!(await validateForm(pinRef.value))) return;
      savingPin.value = true;
      try {
        await api.put('/agents/me/pin', { pin: pinForm.pin, current_password: pinForm.current_password });
        pinForm.pin = '';
        pinForm.current_password = '';
        pinRef.value && pinRef.value.clearValidate();
        showSuccess(t('profile.pinSaved'));
      } catch (err) {
        pinErrors.handle(err);
      } finally {
        savingPin.value = false;
      }
    }

    return {
      pinRef, pinForm, pinRules, savingPin, submitPin, pinErrors: pinErrors.fieldErrors, isAgent,
      t, user, profileRef, profile, profileRules, savingProfile, submitProfile,
      profileErrors: profileErrors.fieldErrors,
      pwRef, pw, pwRules, savingPw, submitPassword, pwErrors: pwErrors.fieldErrors,
    };
  },
  template: `
    <div class="sb-page" data-test="page-profile">
      <el-row :gutter="16">
        <el-col :xs="24" :lg="12">
          <el-card shadow="never" class="sb-card">
            <template #header>{{ t('profile.details') }}</template>
            <el-form ref="profileRef" :model="profile" :rules="profileRules" label-width="auto"
                     data-test="profile-form" @submit.prevent="submitProfile">
              <el-form-item :label="t('staff.employeeId')">
                <el-input :model-value="user.employee_id" disabled />
              </el-form-item>
              <el-form-item :label="t('staff.department')">
                <el-input :model-value="user.department_name || t('common.none')" disabled />
              </el-form-item>
              <el-form-item :label="t('staff.roles')">
                <div class="sb-tags">
                  <el-tag v-for="r in user.roles || []" :key="r.id" effect="plain">{{ r.name }}</el-tag>
                  <span v-if="!(user.roles || []).length" class="sb-muted">{{ t('common.none') }}</span>
                </div>
              </el-form-item>
              <el-form-item :label="t('staff.name')" prop="name" :error="profileErrors.name">
                <el-input v-model="profile.name" maxlength="64" data-test="profile-name" />
              </el-form-item>
              <el-form-item :label="t('staff.mobile')" prop="mobile" :error="profileErrors.mobile">
                <el-input v-model="profile.mobile" maxlength="20" data-test="profile-mobile" />
              </el-form-item>
              <el-form-item :label="t('staff.email')" prop="email" :error="profileErrors.email">
                <el-input v-model="profile.email" maxlength="128" data-test="profile-email" />
              </el-form-item>
              <el-form-item>
                <el-button type="primary" native-type="submit" :loading="savingProfile"
                           data-test="profile-save">{{ t('common.save') }}</el-button>
              </el-form-item>
            </el-form>
          </el-card>
        </el-col>
        <el-col :xs="24" :lg="12">
          <el-card shadow="never" class="sb-card">
            <template #header>{{ t('profile.changePassword') }}</template>
            <el-form ref="pwRef" :model="pw" :rules="pwRules" label-width="auto" data-test="password-form"
                     @submit.prevent="submitPassword">
              <input type="text" name="username" autocomplete="username" :value="user.employee_id" hidden>
              <el-form-item :label="t('profile.currentPassword')" prop="current_password"
                            :error="pwErrors.current_password">
                <el-input v-model="pw.current_password" type="password" show-password
                          autocomplete="current-password" data-test="password-current" />
              </el-form-item>
              <el-form-item :label="t('profile.newPassword')" prop="new_password" :error="pwErrors.new_password">
                <el-input v-model="pw.new_password" type="password" show-password autocomplete="new-password"
                          data-test="password-new" />
              </el-form-item>
              <el-form-item :label="t('profile.confirmPassword')" prop="confirm">
                <el-input v-model="pw.confirm" type="password" show-password autocomplete="new-password"
                          data-test="password-confirm" />
              </el-form-item>
              <el-form-item>
                <el-button type="primary" native-type="submit" :loading="savingPw"
                           data-test="password-save">{{ t('profile.changePassword') }}</el-button>
              </el-form-item>
            </el-form>
          </el-card>
          <el-card v-if="isAgent" shadow="never" class="sb-card" data-test="pin-card">
            <template #header>{{ t('profile.agentPin') }}</template>
            <p class="sb-muted">{{ t('profile.agentPinHelp') }}</p>
            <el-form ref="pinRef" :model="pinForm" :rules="pinRules" label-width="auto" data-test="pin-form"
                     @submit.prevent="submitPin">
              <el-form-item :label="t('profile.pin')" prop="pin" :error="pinErrors.pin">
                <el-input v-model="pinForm.pin" type="password" show-password maxlength="8" inputmode="numeric"
                          autocomplete="off" data-test="pin-new" />
              </el-form-item>
              <el-form-item :label="t('profile.currentPassword')" prop="current_password"
                            :error="pinErrors.current_password">
                <el-input v-model="pinForm.current_password" type="password" show-password
                          autocomplete="current-password" data-test="pin-current-password" />
              </el-form-item>
              <el-form-item>
                <el-button type="primary" native-type="submit" :loading="savingPin"
                           data-test="pin-save">{{ t('profile.savePin') }}</el-button>
              </el-form-item>
            </el-form>
          </el-card>
        </el-col>
      </el-row>
    </div>`,
};
