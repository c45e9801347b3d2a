// Shown instead of a page the signed-in user has no permission for.
import { t } from '../i18n.js';

export default {
  name: 'NoPermission',
  setup() {
    return { t };
  },
  template: `
    <div class="sb-page" data-test="no-permission">
      <el-result icon="warning" :title="t('noPermission.title')" :sub-title="t('noPermission.detail')">
        <template #extra>
          <el-button type="primary" data-test="no-permission-home" @click="$router.push('/')">
            {{ t('noPermission.backHome') }}
          </el-button>
        </template>
      </el-result>
    </div>`,
};
