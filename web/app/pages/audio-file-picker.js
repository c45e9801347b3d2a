// Picks one WAV file to upload (v-model: File or null). Nothing is sent here; the page posts the file itself.
import { ref, watch } from 'vue';
import { t } from '../i18n.js';

/** "welcome.wav" -> "welcome" (a default name for the upload). */
export function baseName(fileName) {
  return String(fileName || '').replace(/\.[^.]*$/, '');
}

export default {
  name: 'AudioFilePicker',
  props: { modelValue: { type: Object, default: null } },
  emits: ['update:modelValue'],
  setup(props, { emit }) {
    const files = ref([]);
    watch(
      () => props.modelValue,
      (f) => {
        if (!f) files.value = [];
      },
    );
    function onChange(_file, list) {
      // keep only the last choice
      files.value = list.slice(-1);
      emit('update:modelValue', files.value.length ? files.value[0].raw : null);
    }
    function onRemove() {
      files.value = [];
      emit('update:modelValue', null);
    }
    return { t, files, onChange, onRemove };
  },
  template: `
    <div class="sb-full">
      <el-upload v-model:file-list="files" :auto-upload="false" :multiple="false" accept=".wav,audio/wav,audio/x-wav"
                 :on-change="onChange" :on-remove="onRemove">
        <template #trigger>
          <el-button :icon="$icons.Upload">{{ t('media.chooseFile') }}</el-button>
        </template>
        <template #tip><div class="sb-form-hint">{{ t('media.fileHint') }}</div></template>
      </el-upload>
    </div>`,
};
