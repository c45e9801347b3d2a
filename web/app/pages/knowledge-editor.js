// Writing an article or FAQ entry: title, kind, category and a rich-text body (a contenteditable editor with a
// small toolbar; images are uploaded and inserted where the cursor was). The server cleans the HTML it stores.
// Saving makes a new version; the actions the article's state allows (submit; for reviewers publish, send back
// with a note, unpublish) come from the server, with the review note and every step of the history.
import { ref, reactive, computed, onMounted, nextTick } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { errorText, fmtDateTime, showSuccess } from '../util.js';
import PageHeader from '../components/page-header.js';
import { CategorySelect, loadKbCategories, stateTag } from './knowledge-common.js';

const TOOLS = [
  { key: 'bold', icon: 'B', command: 'bold' },
  { key: 'italic', icon: 'I', command: 'italic' },
  { key: 'underline', icon: 'U', command: 'underline' },
  { key: 'heading', icon: 'H', command: 'formatBlock', value: 'h3' },
  { key: 'paragraph', icon: '¶', command: 'formatBlock', value: 'p' },
  { key: 'bullets', icon: '•', command: 'insertUnorderedList' },
  { key: 'numbers', icon: '1.', command: 'insertOrderedList' },
];

export default {
  name: 'KnowledgeEditorPage',
  components: { PageHeader, CategorySelect },
  setup() {
    const route = useRoute();
    const router = useRouter();
    const form = reactive({ title: '', kind: 'article', category_id: null, position: 0 });
    const detail = ref(null);
    const error = ref('');
    const fieldError = reactive({ field: '', message: '' });
    const saving = ref(false);
    const editor = ref(null);
    const fileInput = ref(null);
    const review = reactive({ open: false, note: '', error: '' });
    let savedRange = null;
    // What the server last stored, as the page shows it: submit saves first only when it differs.
    let savedSnapshot = '';
    const snapshot = () => JSON.stringify([form.title, form.kind, form.category_id, form.position,
      editor.value ? editor.value.innerHTML : '']);
    const id = computed(() => (route.params.id && route.params.id !== 'new' ? route.params.id : null));
    const article = computed(() => (detail.value ? detail.value.article : null));
    const actions = computed(() => (detail.value ? detail.value.actions : ['edit']));
    const editable = computed(() => actions.value.includes('edit'));

    function fill(d) {
      detail.value = d;
      const a = d.article;
      Object.assign(form, { title: a.title, kind: a.kind, category_id: a.category_id, position: a.position });
      nextTick(() => {
        if (editor.value) editor.value.innerHTML = a.body;
        savedSnapshot = snapshot();
      });
    }
    async function load() {
      if (!id.value) return;
      try {
        fill(await api.get(`/knowledge/drafts/${id.value}`));
      } catch (err) {
        error.value = errorText(err);
      }
    }
    function rememberSelection() {
      const sel = window.getSelection();
      if (sel && sel.rangeCount && editor.value && editor.value.contains(sel.anchorNode)) {
        savedRange = sel.getRangeAt(0).cloneRange();
      }
    }
    function restoreSelection() {
      editor.value.focus();
      if (savedRange) {
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(savedRange);
      }
    }
    function tool(item) {
      restoreSelection();
      document.execCommand(item.command, false, item.value || null);
      rememberSelection();
    }
    function link() {
      const url = window.prompt(t('knowledge.linkPrompt'), 'https://');
      if (!url) return;
      restoreSelection();
      document.execCommand('createLink', false, url);
    }
    async function imageChosen(ev) {
      const file = ev.target.files && ev.target.files[0];
      ev.target.value = '';
      if (!file) return;
      try {
        const up = await api.upload('/knowledge/images', file);
        restoreSelection();
        document.execCommand('insertImage', false, up.url);
      } catch (err) {
        error.value = errorText(err);
      }
    }
    async function save() {
      saving.value = true;
      error.value = '';
      fieldError.field = '';
      const body = { ...form, body: editor.value ? editor.value.innerHTML : '' };
      try {
        if (id.value) {
          fill(await api.put(`/knowledge/drafts/${id.value}`, body));
        } else {
          const created = await api.post('/knowledge/drafts', body);
          router.replace(`/knowledge/drafts/${created.id}`);
          fill(await api.get(`/knowledge/drafts/${created.id}`));
        }
        showSuccess(t('knowledge.saved'));
        return true;
      } catch (err) {
        fieldError.field = err.field || '';
        error.value = errorText(err);
        return false;
      } finally {
        saving.value = false;
      }
    }
    async function submit() {
      if (editable.value && snapshot() !== savedSnapshot && !(await save())) return;
      try {
        fill(await api.post(`/knowledge/drafts/${article.value.id}/submit`, {}));
        showSuccess(t('knowledge.submitted'));
      } catch (err) {
        error.value = errorText(err);
      }
    }
    async function act(action, note) {
      try {
        fill(await api.post(`/knowledge/drafts/${article.value.id}/review`, { action, note }));
        showSuccess(t(`knowledge.done.${action}`));
        review.open = false;
      } catch (err) {
        if (review.open) review.error = errorText(err);
        else error.value = errorText(err);
      }
    }
    onMounted(async () => {
      try {
        await loadKbCategories();
      } catch (err) {
        error.value = errorText(err);
      }
      await load();
    });
    return { t, form, detail, article, actions, editable, error, fieldError, saving, editor, fileInput, review,
      TOOLS, tool, link, imageChosen, rememberSelection, save, submit, act, stateTag, fmtDateTime };
  },
  template: `
    <div class="sb-page" data-test="page-knowledge-editor">
      <page-header :title="article ? article.title : t('knowledge.newArticle')"
                   :subtitle="article ? t('knowledge.versionOf', { v: article.version }) : ''">
        <el-tag v-if="article" :type="stateTag(article.state)" data-test="kb-state">
          {{ t('knowledge.state.' + article.state) }}</el-tag>
        <el-button v-if="editable" type="primary" :loading="saving" class="sb-ml" data-test="kb-save"
                   @click="save">{{ t('common.save') }}</el-button>
        <el-button v-if="article && actions.includes('submit')" type="success" data-test="kb-submit"
                   @click="submit">{{ t('knowledge.submit') }}</el-button>
        <el-button v-if="actions.includes('publish')" type="success" data-test="kb-publish"
                   @click="act('publish')">{{ t('knowledge.publish') }}</el-button>
        <el-button v-if="actions.includes('send_back')" type="warning" data-test="kb-send-back"
                   @click="review.open = true; review.note = ''; review.error = ''">{{ t('knowledge.sendBack') }}</el-button>
        <el-button v-if="actions.includes('unpublish')" type="danger" plain data-test="kb-unpublish"
                   @click="act('unpublish')">{{ t('knowledge.unpublish') }}</el-button>
      </page-header>
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" data-test="kb-error" />
      <el-alert v-if="article && article.review_note" :title="t('knowledge.reviewNote') + ': ' + article.review_note"
                type="warning" show-icon :closable="false" class="sb-mb" data-test="kb-review-note" />
      <el-card shadow="never" class="sb-card sb-mb">
        <el-form label-width="100px" :disabled="!editable">
          <el-form-item :label="t('knowledge.fieldTitle')" :error="fieldError.field === 'title' ? error : ''">
            <el-input v-model="form.title" maxlength="200" data-test="kb-title" />
          </el-form-item>
          <el-form-item :label="t('knowledge.kind')">
            <el-radio-group v-model="form.kind">
              <el-radio value="article">{{ t('knowledge.kinds.article') }}</el-radio>
              <el-radio value="faq">{{ t('knowledge.kinds.faq') }}</el-radio>
            </el-radio-group>
          </el-form-item>
          <el-form-item :label="t('knowledge.category')" :error="fieldError.field === 'category_id' ? error : ''">
            <category-select v-model="form.category_id" />
            <span class="sb-ml sb-muted">{{ t('knowledge.position') }}</span>
            <el-input-number v-model="form.position" :min="0" :max="1000000" class="sb-ml" />
          </el-form-item>
        </el-form>
        <div class="kb-toolbar" v-if="editable">
          <el-button-group>
            <el-button v-for="item in TOOLS" :key="item.key" size="small" :title="t('knowledge.tools.' + item.key)"
                       @mousedown.prevent @click="tool(item)">{{ item.icon }}</el-button>
            <el-button size="small" :title="t('knowledge.tools.link')" @mousedown.prevent @click="link">{{ t('knowledge.tools.link') }}</el-button>
            <el-button size="small" :title="t('knowledge.tools.image')" data-test="kb-image-button"
                       @mousedown.prevent @click="fileInput.click()">{{ t('knowledge.tools.image') }}</el-button>
          </el-button-group>
          <input ref="fileInput" type="file" accept="image/png,image/jpeg,image/gif,image/webp" style="display: none"
                 data-test="kb-image-input" @change="imageChosen" />
        </div>
        <div ref="editor" class="kb-editor kb-body" :contenteditable="editable" data-test="kb-editor"
             :data-placeholder="form.kind === 'faq' ? t('knowledge.answerHint') : t('knowledge.bodyHint')"
             @keyup="rememberSelection" @mouseup="rememberSelection" @blur="rememberSelection"></div>
      </el-card>
      <el-card v-if="detail" shadow="never" class="sb-card" :header="t('knowledge.history')">
        <el-timeline>
          <el-timeline-item v-for="(h, i) in detail.history" :key="i" :timestamp="fmtDateTime(h.at)">
            {{ t('knowledge.steps.' + h.step) }} · v{{ h.version }} · {{ h.actor_name || '-' }}
            <span v-if="h.note" class="sb-muted">— {{ h.note }}</span>
          </el-timeline-item>
        </el-timeline>
      </el-card>
      <el-dialog v-model="review.open" :title="t('knowledge.sendBack')" width="480px">
        <el-alert v-if="review.error" :title="review.error" type="error" :closable="false" class="sb-mb" />
        <el-input v-model="review.note" type="textarea" :rows="4" :placeholder="t('knowledge.sendBackHint')"
                  data-test="kb-send-back-note" />
        <template #footer>
          <el-button @click="review.open = false">{{ t('common.cancel') }}</el-button>
          <el-button type="warning" data-test="kb-send-back-confirm" @click="act('send_back', review.note)">
            {{ t('knowledge.sendBack') }}</el-button>
        </template>
      </el-dialog>
    </div>`,
};
