// Shared by the recordings, prompts and music-on-hold pages: an in-page player bar (<audio controls> on an API
// URL; the session cookie authorises it) and the duration / size formats.
import { t } from '../i18n.js';

/** Milliseconds -> "m:ss" (or "h:mm:ss"). */
export function fmtDuration(ms) {
  const s = Math.round((ms || 0) / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** Bytes -> "12.3 MB" (binary multiples, as disks are reported). */
export function fmtBytes(n) {
  if (n == null) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = Number(n);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** Save the file at an API URL (the server answers with Content-Disposition: attachment). */
export function downloadFile(url) {
  const a = document.createElement('a');
  a.href = url;
  a.download = '';
  document.body.appendChild(a);
  a.click();
  a.remove();
}

export default {
  name: 'MediaPlayer',
  props: {
    src: { type: String, required: true },
    title: { type: String, default: '' },
    subtitle: { type: String, default: '' },
  },
  emits: ['close'],
  setup() {
    return { t };
  },
  template: `
    <div class="sb-card-header sb-mb" data-test="media-player">
      <div>
        <div class="sb-strong">{{ title }}</div>
        <div v-if="subtitle" class="sb-muted sb-small">{{ subtitle }}</div>
      </div>
      <div class="sb-page-actions">
        <audio :key="src" :src="src" controls autoplay preload="auto" data-test="media-audio"></audio>
        <el-button :icon="$icons.Close" circle :title="t('common.close')" data-test="media-player-close"
                   @click="$emit('close')" />
      </div>
    </div>`,
};
