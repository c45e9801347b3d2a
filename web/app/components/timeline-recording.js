// A call's recording on a contact timeline (MISSION C4): a Play button for readers with recording.read that opens an
// in-page player on the recording's audio (the session cookie authorises it; each listen is audited by the server).
import { ref } from 'vue';
import { t } from '../i18n.js';
import { can } from '../session.js';

export default {
  name: 'TimelineRecording',
  props: { recordingId: { type: Number, required: true } },
  setup() {
    const open = ref(false);
    return { t, can, open };
  },
  template: `
    <span v-if="can('recording.read')" data-test="timeline-recording" :data-recording="recordingId">
      <el-button v-if="!open" link type="primary" size="small" data-test="timeline-recording-play" @click="open = true">
        {{ t('recordings.play') }}</el-button>
      <audio v-else controls autoplay preload="none" style="height: 32px; vertical-align: middle"
             :src="'/api/v1/recordings/' + recordingId + '/audio'" />
    </span>`,
};
