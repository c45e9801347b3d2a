// Create / edit a SIP trunk. The password is write-only: empty keeps the stored one, and
// "remove" clears it.
import { ref, reactive, computed, watch } from 'vue';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { useFieldErrors, validateForm, required, maxLen, showSuccess } from '../util.js';
import TagInput from '../components/tag-input.js';

const EMPTY = {
  name: '', host: '', port: 5060, transport: 'udp', inbound_addresses: [], register: false, username: '',
  password: '', clear_password: false, register_expires: 3600, max_channels: 0, caller_id: '', enabled: true,
  record_calls: false,
};

export default {
  name: 'TrunkDialog',
  components: { TagInput },
  props: {
    modelValue: { type: Boolean, default: false },
    trunk: { type: Object, default: null }, // null: create
  },
  emits: ['update:modelValue', 'saved'],
  setup(props, { emit }) {
    const formRef = ref(null);
    const form = reactive({ ...EMPTY, inbound_addresses: [] });
    const saving = ref(false);
    const errs = useFieldErrors();
    const isEdit = computed(() => !!props.trunk);
    const rules = computed(() => ({
      name: [required('trunks.name'), maxLen(64)],
      host: [required('trunks.host'), maxLen(253)],
      username: form.register ? [required('trunks.username'), maxLen(64)] : [maxLen(64)],
      caller_id: [{
        trigger: 'blur',
        validator: (_r, v, cb) => cb(!v || /^\+?[0-9*#]{1,32}$/.test(v) ? undefined : new Error(t('validation.digits'))),
      }],
    }));

    watch(
      () => props.modelValue,
      (open) => {
        if (!open) return;
        errs.clear();
        Object.assign(form, EMPTY, { inbound_addresses: [] });
        const tr = props.trunk;
        if (tr) {
          Object.assign(form, {
            name: tr.name, host: tr.host, port: tr.port, transport: tr.transport,
            inbound_addresses: [...(tr.inbound_addresses || [])], register: tr.register, username: tr.username || '',
            register_expires: tr.register_expires, max_channels: tr.max_channels, caller_id: tr.caller_id || '',
            enabled: tr.enabled !== false, record_calls: tr.record_calls === true,
          });
        }
        setTimeout(() => formRef.value && formRef.value.clearValidate(), 0);
      },
    );

    function close() {
      emit('update:modelValue', false);
    }
    async function submit() {
      errs.clear();
      if (!(await validateForm(formRef.value))) return;
      saving.value = true;
      const body = {
        name: form.name.trim(), host: form.host.trim(), port: form.port, transport: form.transport,
        inbound_addresses: form.inbound_addresses, register: form.register, username: form.username.trim(),
        register_expires: form.register_expires, max_channels: form.max_channels, caller_id: form.caller_id.trim(),
        enabled: form.enabled, record_calls: form.record_calls,
      };
      if (form.password) body.password = form.password;
      else if (form.clear_password) body.password = '';
      try {
        const saved = isEdit.value
          ? await api.put(`/trunks/${props.trunk.id}`, body)
          : await api.post('/trunks', body);
        showSuccess(t('common.saved'));
        emit('saved', saved);
        close();
      } catch (err) {
        errs.handle(err);
      } finally {
        saving.value = false;
      }
    }
    return { t, formRef, form, rules, saving, isEdit, close, submit, fieldErrors: errs.fieldErrors };
  },
  template: `
    <el-dialog :model-value="modelValue" :title="isEdit ? t('trunks.edit') : t('trunks.create')" width="680px"
               :close-on-click-modal="false" append-to-body @close="close">
      <el-form ref="formRef" :model="form" :rules="rules" label-width="auto" data-test="trunk-form" @submit.prevent="submit">
        <el-form-item :label="t('trunks.name')" prop="name" :error="fieldErrors.name">
          <el-input v-model="form.name" maxlength="64" data-test="trunk-name" />
        </el-form-item>
        <el-form-item :label="t('trunks.host')" prop="host" :error="fieldErrors.host">
          <el-input v-model="form.host" maxlength="253" placeholder="sip.carrier.example" data-test="trunk-host" />
        </el-form-item>
        <el-row :gutter="12">
          <el-col :span="12">
            <el-form-item :label="t('trunks.port')" :error="fieldErrors.port">
              <el-input-number v-model="form.port" :min="1" :max="65535" :controls="false" class="sb-full"
                               data-test="trunk-port" />
            </el-form-item>
          </el-col>
          <el-col :span="12">
            <el-form-item :label="t('trunks.transport')" :error="fieldErrors.transport" data-test="trunk-transport">
              <el-select v-model="form.transport" class="sb-full">
                <el-option value="udp" label="UDP" /><el-option value="tcp" label="TCP" />
              </el-select>
            </el-form-item>
          </el-col>
        </el-row>
        <el-form-item :label="t('trunks.inboundAddresses')" :error="fieldErrors.inbound_addresses"
                      data-test="trunk-inbound-addresses">
          <tag-input v-model="form.inbound_addresses" :maxlength="43" :placeholder="t('trunks.inboundHint')" />
        </el-form-item>
        <el-form-item :label="t('trunks.register')" :error="fieldErrors.register">
          <el-switch v-model="form.register" data-test="trunk-register" />
        </el-form-item>
        <el-row :gutter="12">
          <el-col :span="12">
            <el-form-item :label="t('trunks.username')" prop="username" :error="fieldErrors.username">
              <el-input v-model="form.username" maxlength="64" autocomplete="off" data-test="trunk-username" />
            </el-form-item>
          </el-col>
          <el-col :span="12">
            <el-form-item :label="t('trunks.password')" :error="fieldErrors.password">
              <el-input v-model="form.password" type="password" show-password maxlength="128" autocomplete="new-password"
                        :placeholder="isEdit && trunk.has_password ? t('trunks.passwordKeep') : ''"
                        :disabled="form.clear_password" data-test="trunk-password" />
              <el-checkbox v-if="isEdit && trunk.has_password" v-model="form.clear_password" class="sb-small">
                {{ t('trunks.clearPassword') }}</el-checkbox>
            </el-form-item>
          </el-col>
        </el-row>
        <el-row :gutter="12">
          <el-col :span="12">
            <el-form-item :label="t('trunks.registerExpires')" :error="fieldErrors.register_expires">
              <el-input-number v-model="form.register_expires" :min="60" :max="86400" :step="60" class="sb-full" />
            </el-form-item>
          </el-col>
          <el-col :span="12">
            <el-form-item :label="t('trunks.maxChannels')" :error="fieldErrors.max_channels">
              <el-input-number v-model="form.max_channels" :min="0" :max="100000" class="sb-full"
                               data-test="trunk-max-channels" />
              <div class="sb-form-hint">{{ t('trunks.unlimited') }}</div>
            </el-form-item>
          </el-col>
        </el-row>
        <el-form-item :label="t('trunks.callerId')" prop="caller_id" :error="fieldErrors.caller_id">
          <el-input v-model="form.caller_id" maxlength="32" data-test="trunk-caller-id" />
        </el-form-item>
        <el-form-item :label="t('trunks.enabled')" :error="fieldErrors.enabled">
          <el-switch v-model="form.enabled" data-test="trunk-enabled" />
        </el-form-item>
        <el-form-item :label="t('trunks.recordCalls')" :error="fieldErrors.record_calls">
          <el-switch v-model="form.record_calls" data-test="trunk-record-calls" />
          <div class="sb-form-hint sb-ml">{{ t('trunks.recordCallsHint') }}</div>
        </el-form-item>
      </el-form>
      <template #footer>
        <el-button @click="close">{{ t('common.cancel') }}</el-button>
        <el-button type="primary" :loading="saving" data-test="trunk-save" @click="submit">{{ t('common.save') }}</el-button>
      </template>
    </el-dialog>`,
};
