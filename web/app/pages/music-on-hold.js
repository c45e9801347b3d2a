// Music on hold: classes (a folder of WAV files each) on the left, the chosen class's files on the right with play
// and delete; upload into a class, or create a class by uploading its first file under a new name.
import { ref, reactive, computed, onMounted, watch } from 'vue';
import { api, apiUrl } from '../api.js';
import { t } from '../i18n.js';
import {
  errorText, showError, showSuccess, confirmDanger, useFieldErrors, validateForm, required,
} from '../util.js';
import PageHeader from '../components/page-header.js';
import MediaPlayer, { fmtDuration, fmtBytes } from './media-player.js';
import AudioFilePicker, { baseName } from './audio-file-picker.js';

const enc = encodeURIComponent;
const DEFAULT_CLASS = 'default';
const NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** A file name the server takes (letters, digits, - and _), made from the picked file's name. */
function safeName(fileName) {
  return baseName(fileName).replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 64);
}

const nameRule = {
  trigger: 'blur',
  validator: (_r, v, cb) => cb(!v || NAME_RE.test(v.trim()) ? undefined : new Error(t('moh.badName'))),
};

export default {
  name: 'MusicOnHoldPage',
  components: { PageHeader, MediaPlayer, AudioFilePicker },
  setup() {
    const classes = ref([]);
    const loading = ref(false);
    const error = ref('');
    const selectedName = ref('');
    const playing = ref(null); // {cls, file}
    const dialog = ref(false);
    const newClass = ref(false);
    const formRef = ref(null);
    const form = reactive({ cls: '', name: '' });
    const file = ref(null);
    const uploadError = ref('');
    const saving = ref(false);
    const errs = useFieldErrors();
    const selected = computed(() => classes.value.find((c) => c.name === selectedName.value) || null);
    const rules = computed(() => ({
      cls: [required('moh.class'), nameRule, {
        trigger: 'blur',
        validator: (_r, v, cb) => cb(newClass.value && classes.value.some((c) => c.name === (v || '').trim())
          ? new Error(t('moh.classExists', { name: v })) : undefined),
      }],
      name: [required('moh.fileName'), nameRule],
    }));
    const totalMs = (cls) => (cls.files || []).reduce((sum, f) => sum + (f.duration_ms || 0), 0);

    async function load() {
      loading.value = true;
      error.value = '';
      try {
        const res = await api.get('/music-classes');
        classes.value = Array.isArray(res) ? res : (res && res.items) || [];
        if (!selected.value) selectedName.value = classes.value.length ? classes.value[0].name : '';
      } catch (err) {
        error.value = errorText(err);
      } finally {
        loading.value = false;
      }
    }
    function open(asNewClass) {
      newClass.value = asNewClass;
      Object.assign(form, { cls: asNewClass ? '' : selectedName.value, name: '' });
      file.value = null;
      uploadError.value = '';
      errs.clear();
      dialog.value = true;
      setTimeout(() => formRef.value && formRef.value.clearValidate(), 0);
    }
    watch(file, (f) => {
      uploadError.value = '';
      if (f && !form.name) form.name = safeName(f.name);
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
      const cls = form.cls.trim();
      try {
        await api.upload(`/music-classes/${enc(cls)}/files`, file.value, { name: form.name.trim() });
        showSuccess(t('media.uploaded'));
        dialog.value = false;
        selectedName.value = cls;
        load();
      } catch (err) {
        // the server's own words about the file (not a WAV, too long ...)
        uploadError.value = errorText(err);
        if (err && err.field) errs.fieldErrors[String(err.field) === 'class' ? 'cls' : String(err.field)] = err.message;
      } finally {
        saving.value = false;
      }
    }
    async function remove(f) {
      const cls = selectedName.value;
      const last = cls !== DEFAULT_CLASS && selected.value && selected.value.files.length === 1;
      const message = last ? t('moh.confirmDeleteLast', { name: f.name, cls }) : t('moh.confirmDelete', { name: f.name });
      if (!(await confirmDanger(message))) return;
      try {
        await api.del(`/music-classes/${enc(cls)}/files/${enc(f.name)}`);
        if (playing.value && playing.value.cls === cls && playing.value.file.name === f.name) playing.value = null;
        showSuccess(t('common.deleted'));
        load();
      } catch (err) {
        showError(err);
      }
    }
    const audioUrl = (p) => apiUrl(`/music-classes/${enc(p.cls)}/files/${enc(p.file.name)}/audio`);
    onMounted(load);
    return {
      t, classes, loading, error, selectedName, selected, playing, dialog, newClass, formRef, form, file, uploadError,
      saving, rules, fieldErrors: errs.fieldErrors, totalMs, load, open, submit, remove, audioUrl, fmtDuration,
      fmtBytes, DEFAULT_CLASS,
    };
  },
  template: `
    <div class="sb-page" data-test="page-music-on-hold">
      <page-header :title="t('menu.music-on-hold')" :subtitle="t('moh.subtitle')">
        <el-button :icon="$icons.Refresh" @click="load">{{ t('common.refresh') }}</el-button>
      </page-header>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <div class="sb-split" v-loading="loading">
        <el-card shadow="never" class="sb-card sb-split-left">
          <div class="sb-card-header sb-mb">
            <span class="sb-strong">{{ t('moh.classes') }}</span>
            <el-button type="primary" size="small" :icon="$icons.Plus" data-test="moh-class-create"
                       @click="open(true)">{{ t('moh.createClass') }}</el-button>
          </div>
          <el-empty v-if="!classes.length" :description="t('moh.noClasses')" :image-size="60" />
          <div v-for="c in classes" :key="c.name" class="sb-list-item" :class="{ active: c.name === selectedName }"
               :data-test="'moh-class-' + c.name" @click="selectedName = c.name">
            <div>
              <div class="sb-strong">{{ c.name }}</div>
              <div class="sb-muted sb-small">{{ t('moh.fileCount', { n: (c.files || []).length }) }} · {{ fmtDuration(totalMs(c)) }}</div>
            </div>
          </div>
        </el-card>
        <el-card shadow="never" class="sb-card sb-split-right">
          <template v-if="selected">
            <div class="sb-card-header sb-mb">
              <span class="sb-strong" data-test="moh-selected-class">{{ selected.name }}</span>
              <el-button type="primary" :icon="$icons.Upload" data-test="moh-file-upload" @click="open(false)">
                {{ t('moh.uploadFile') }}</el-button>
            </div>
            <media-player v-if="playing" :src="audioUrl(playing)" :title="playing.file.name"
                          :subtitle="playing.cls + ' · ' + fmtDuration(playing.file.duration_ms)" @close="playing = null" />
            <el-alert v-if="selected.name === DEFAULT_CLASS && !(selected.files || []).length" type="info"
                      :title="t('moh.builtinHint')" show-icon :closable="false" class="sb-mb" />
            <el-table :data="selected.files || []" row-key="name" border stripe data-test="moh-files-table"
                      :empty-text="t('moh.noFiles')">
              <el-table-column :label="t('moh.fileName')" min-width="200">
                <template #default="{ row }"><span class="sb-strong" :data-test="'moh-file-' + row.name">{{ row.name }}</span></template>
              </el-table-column>
              <el-table-column :label="t('media.duration')" width="100">
                <template #default="{ row }"><span :data-test="'moh-duration-' + row.name">{{ fmtDuration(row.duration_ms) }}</span></template>
              </el-table-column>
              <el-table-column :label="t('media.size')" width="100">
                <template #default="{ row }">{{ fmtBytes(row.size_bytes) }}</template>
              </el-table-column>
              <el-table-column :label="t('common.actions')" width="150" fixed="right">
                <template #default="{ row }">
                  <el-button link type="primary" :icon="$icons.VideoPlay" :data-test="'moh-play-' + row.name"
                             @click="playing = { cls: selected.name, file: row }">{{ t('media.play') }}</el-button>
                  <el-button link type="danger" :data-test="'moh-delete-' + row.name" @click="remove(row)">
                    {{ t('common.delete') }}</el-button>
                </template>
              </el-table-column>
            </el-table>
          </template>
          <el-empty v-else :description="t('moh.pickClass')" />
        </el-card>
      </div>
      <el-dialog v-model="dialog" :title="newClass ? t('moh.createClass') : t('moh.uploadFile')" width="560px"
                 :close-on-click-modal="false" append-to-body>
        <el-form ref="formRef" :model="form" :rules="rules" label-width="auto" data-test="moh-form"
                 @submit.prevent="submit">
          <el-form-item :label="t('moh.class')" prop="cls" :error="fieldErrors.cls">
            <el-input v-model="form.cls" maxlength="64" :disabled="!newClass" data-test="moh-class-name" />
            <div v-if="newClass" class="sb-form-hint">{{ t('moh.newClassHint') }}</div>
          </el-form-item>
          <el-form-item :label="t('media.file')" :error="fieldErrors.file">
            <audio-file-picker v-model="file" data-test="moh-file" />
          </el-form-item>
          <el-form-item :label="t('moh.fileName')" prop="name" :error="fieldErrors.name">
            <el-input v-model="form.name" maxlength="64" data-test="moh-file-name" />
          </el-form-item>
        </el-form>
        <el-alert v-if="uploadError" :title="uploadError" type="error" show-icon :closable="false"
                  data-test="moh-upload-error" />
        <template #footer>
          <el-button data-test="moh-cancel" @click="dialog = false">{{ t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="saving" data-test="moh-save" @click="submit">{{ t('media.uploadAction') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
