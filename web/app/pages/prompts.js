// Voice prompts: WAV files the IVR and queues play. List with duration, play in the page, upload (the server
// checks the file and its message is shown as is), delete.
import { ref, reactive, computed, onMounted, watch } from 'vue';
import { api, apiUrl, getAll } from '../api.js';
import { t } from '../i18n.js';
import {
  fmtDateTime, errorText, showError, showSuccess, confirmDanger, useFieldErrors, validateForm, required, maxLen,
} from '../util.js';
import PageHeader from '../components/page-header.js';
import MediaPlayer, { fmtDuration, fmtBytes } from './media-player.js';
import AudioFilePicker, { baseName } from './audio-file-picker.js';

const EMPTY = { name: '', description: '' };

export default {
  name: 'PromptsPage',
  components: { PageHeader, MediaPlayer, AudioFilePicker },
  setup() {
    const rows = ref([]);
    const loading = ref(false);
    const error = ref('');
    const search = ref('');
    const playing = ref(null);
    const dialog = ref(false);
    const formRef = ref(null);
    const form = reactive({ ...EMPTY });
    const file = ref(null);
    const uploadError = ref('');
    const saving = ref(false);
    const errs = useFieldErrors();
    const rules = computed(() => ({ name: [required('prompts.name'), maxLen(64)], description: [maxLen(200)] }));
    const filtered = computed(() => {
      const q = search.value.trim().toLowerCase();
      if (!q) return rows.value;
      return rows.value.filter((r) => `${r.name} ${r.description || ''}`.toLowerCase().includes(q));
    });

    async function load() {
      loading.value = true;
      error.value = '';
      try {
        rows.value = await getAll('/prompts');
      } catch (err) {
        error.value = errorText(err);
      } finally {
        loading.value = false;
      }
    }
    function open() {
      Object.assign(form, EMPTY);
      file.value = null;
      uploadError.value = '';
      errs.clear();
      dialog.value = true;
      setTimeout(() => formRef.value && formRef.value.clearValidate(), 0);
    }
    watch(file, (f) => {
      uploadError.value = '';
      if (f && !form.name) form.name = baseName(f.name);
    });
    async function submit() {
      errs.clear();
      uploadError.value = '';
      if (!(await validateForm(formRef.value))) return;
      if (!file.value) {
        uploadError.value = t('media.pickFile');
        return;
      }
      saving.value = true;
      try {
        await api.upload('/prompts', file.value, { name: form.name.trim(), description: form.description.trim() });
        showSuccess(t('media.uploaded'));
        dialog.value = false;
        load();
      } catch (err) {
        // the server names what is wrong with the file (not a WAV, empty, too long ...): show it as is
        uploadError.value = errorText(err);
        if (err && err.field) errs.fieldErrors[String(err.field)] = err.message;
      } finally {
        saving.value = false;
      }
    }
    async function remove(row) {
      if (!(await confirmDanger(t('prompts.confirmDelete', { name: row.name })))) return;
      try {
        await api.del(`/prompts/${row.id}`);
        if (playing.value && playing.value.id === row.id) playing.value = null;
        showSuccess(t('common.deleted'));
        load();
      } catch (err) {
        showError(err);
      }
    }
    const audioUrl = (row) => apiUrl(`/prompts/${row.id}/audio`);
    onMounted(load);
    return {
      t, rows, filtered, loading, error, search, playing, dialog, formRef, form, file, uploadError, saving, rules,
      fieldErrors: errs.fieldErrors, load, open, submit, remove, audioUrl, fmtDateTime, fmtDuration, fmtBytes,
    };
  },
  template: `
    <div class="sb-page" data-test="page-prompts">
      <page-header :title="t('menu.prompts')" :subtitle="t('prompts.subtitle')">
        <el-input v-model="search" clearable :placeholder="t('prompts.search')" :prefix-icon="$icons.Search"
                  class="sb-search" data-test="prompts-search" />
        <el-button :icon="$icons.Refresh" @click="load">{{ t('common.refresh') }}</el-button>
        <el-button type="primary" :icon="$icons.Upload" data-test="prompt-upload" @click="open">
          {{ t('prompts.upload') }}</el-button>
      </page-header>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <el-card shadow="never" class="sb-card">
        <media-player v-if="playing" :src="audioUrl(playing)" :title="playing.name"
                      :subtitle="fmtDuration(playing.duration_ms)" @close="playing = null" />
        <el-table v-loading="loading" :data="filtered" row-key="id" border stripe data-test="prompts-table"
                  :empty-text="search ? t('common.noMatch') : t('prompts.empty')">
          <el-table-column :label="t('prompts.name')" min-width="160">
            <template #default="{ row }"><span class="sb-strong" :data-test="'prompt-row-' + row.name">{{ row.name }}</span></template>
          </el-table-column>
          <el-table-column prop="description" :label="t('prompts.description')" min-width="200" show-overflow-tooltip />
          <el-table-column :label="t('media.duration')" width="100">
            <template #default="{ row }"><span :data-test="'prompt-duration-' + row.name">{{ fmtDuration(row.duration_ms) }}</span></template>
          </el-table-column>
          <el-table-column :label="t('media.size')" width="100">
            <template #default="{ row }">{{ fmtBytes(row.size_bytes) }}</template>
          </el-table-column>
          <el-table-column :label="t('media.uploadedAt')" width="170">
            <template #default="{ row }">{{ fmtDateTime(row.created_at) }}</template>
          </el-table-column>
          <el-table-column prop="created_by" :label="t('media.uploadedBy')" width="110" />
          <el-table-column :label="t('common.actions')" width="150" fixed="right">
            <template #default="{ row }">
              <el-button link type="primary" :icon="$icons.VideoPlay" :data-test="'prompt-play-' + row.name"
                         @click="playing = row">{{ t('media.play') }}</el-button>
              <el-button link type="danger" :data-test="'prompt-delete-' + row.name" @click="remove(row)">
                {{ t('common.delete') }}</el-button>
            </template>
          </el-table-column>
        </el-table>
      </el-card>
      <el-dialog v-model="dialog" :title="t('prompts.upload')" width="560px" :close-on-click-modal="false" append-to-body>
        <el-form ref="formRef" :model="form" :rules="rules" label-width="auto" data-test="prompt-form"
                 @submit.prevent="submit">
          <el-form-item :label="t('media.file')" :error="fieldErrors.file">
            <audio-file-picker v-model="file" data-test="prompt-file" />
          </el-form-item>
          <el-form-item :label="t('prompts.name')" prop="name" :error="fieldErrors.name">
            <el-input v-model="form.name" maxlength="64" data-test="prompt-name" />
          </el-form-item>
          <el-form-item :label="t('prompts.description')" prop="description" :error="fieldErrors.description">
            <el-input v-model="form.description" maxlength="200" data-test="prompt-description" />
          </el-form-item>
        </el-form>
        <el-alert v-if="uploadError" :title="uploadError" type="error" show-icon :closable="false"
                  data-test="prompt-upload-error" />
        <template #footer>
          <el-button data-test="prompt-cancel" @click="dialog = false">{{ t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="saving" data-test="prompt-save" @click="submit">{{ t('media.uploadAction') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
