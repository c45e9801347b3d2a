// Voice flow editor: the current version's nodes as cards (add, remove, rename, change type; branches chosen from
// the flow's node ids) or as raw JSON; "publish new version" with a note. The server validates the document: its
// message is shown and the node it names is highlighted. The version history can show any version and restore it
// as a new version.
import { ref, reactive, computed, onMounted, nextTick } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { api, getAll } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import { fmtDateTime, errorText, showError, showSuccess, confirmDanger } from '../util.js';
import PageHeader from '../components/page-header.js';
import FlowNodeCard from './flow-node-card.js';
import {
  TYPE_NAMES, NODE_TYPES, newNode, freshId, renameNode, referencesTo, branchesOf, normalizeDocument, cleanDocument,
  nodeNamedIn,
} from './flow-model.js';

const stringify = (doc) => JSON.stringify(cleanDocument(doc), null, 2);

export default {
  name: 'IvrFlowEditorPage',
  components: { PageHeader, FlowNodeCard },
  setup() {
    const route = useRoute();
    const router = useRouter();
    const flowId = Number(route.params.id);
    const manage = computed(() => can('ivr.manage'));
    const flow = ref(null);
    const doc = ref(null);
    const saved = ref('');
    const loading = ref(false);
    const loadError = ref('');
    const tab = ref('nodes');
    const jsonText = ref('');
    const jsonError = ref('');
    const newType = ref('menu');
    const publish = reactive({ open: false, note: '', saving: false });
    const failure = reactive({ message: '', node: '' });
    const versions = ref([]);
    const versionsLoading = ref(false);
    const viewing = ref(null);
    const refs = reactive({ prompts: [], queues: [], calendars: [], flows: [] });

    const nodeIds = computed(() => (doc.value ? Object.keys(doc.value.nodes) : []));
    const dirty = computed(() => !!doc.value && stringify(doc.value) !== saved.value);

    async function loadRefs() {
      const names = async (path, perm) => {
        if (perm && !can(perm)) return [];
        try {
          return (await getAll(path)).map((x) => x.name);
        } catch {
          return [];
        }
      };
      const [prompts, queues, calendars, flows] = await Promise.all([
        names('/prompts', 'prompt.manage'), names('/queues', 'queue.read'), names('/calendars', 'ivr.read'),
        names('/ivr/flows', 'ivr.read'),
      ]);
      Object.assign(refs, { prompts, queues, calendars, flows: flows.filter((n) => !flow.value || n !== flow.value.name) });
    }
    async function load() {
      loading.value = true;
      loadError.value = '';
      try {
        const res = await api.get(`/ivr/flows/${flowId}`);
        flow.value = res;
        doc.value = normalizeDocument(res.document);
        saved.value = stringify(doc.value);
        jsonText.value = saved.value;
      } catch (err) {
        loadError.value = errorText(err);
      } finally {
        loading.value = false;
      }
    }
    async function loadVersions() {
      versionsLoading.value = true;
      try {
        versions.value = await api.get(`/ivr/flows/${flowId}/versions`);
      } catch (err) {
        showError(err);
      } finally {
        versionsLoading.value = false;
      }
    }

    /** Leaving the JSON tab adopts what was typed; a syntax error keeps the admin there. */
    function adoptJson() {
      try {
        doc.value = normalizeDocument(JSON.parse(jsonText.value));
        jsonError.value = '';
        return true;
      } catch (err) {
        jsonError.value = t('flows.badJson', { error: err.message });
        return false;
      }
    }
    function beforeLeave(next, current) {
      if (current === 'json' && doc.value) return adoptJson();
      if (next === 'json' && doc.value) {
        jsonText.value = stringify(doc.value);
        jsonError.value = '';
      }
      if (next === 'versions') loadVersions();
      return true;
    }

    function addNode() {
      const id = freshId(doc.value, newType.value);
      doc.value.nodes[id] = newNode(newType.value);
      if (!doc.value.start) doc.value.start = id;
      nextTick(() => scrollToNode(id));
    }
    function rename(from, to) {
      if (!renameNode(doc.value, from, to)) showError({ message: t('flows.nodeExists', { id: to }) });
      else if (failure.node === from) failure.node = to;
    }
    async function removeNode(id) {
      const refsTo = referencesTo(doc.value, id);
      const message = refsTo.length
        ? t('flows.confirmRemoveUsed', { id, refs: refsTo.join(', ') })
        : t('flows.confirmRemove', { id });
      if (!(await confirmDanger(message))) return;
      const nodes = { ...doc.value.nodes };
      delete nodes[id];
      doc.value.nodes = nodes;
      if (doc.value.start === id) doc.value.start = Object.keys(nodes)[0] || '';
    }
    function changeType(id, type) {
      const old = doc.value.nodes[id];
      const fresh = newNode(type);
      // keep what both types have (prompts, next ...), so switching play <-> menu loses little
      for (const f of NODE_TYPES[type]) if (f.key in old && f.key !== 'type') fresh[f.key] = old[f.key];
      doc.value.nodes[id] = fresh;
    }
    function scrollToNode(id) {
      const el = document.querySelector(`[data-test="flow-node-${CSS.escape(id)}"]`);
      if (el) el.scrollIntoView({ behavior: 'smooth', block: 'center' });
    }

    function openPublish() {
      if (tab.value === 'json' && !adoptJson()) return;
      publish.note = '';
      publish.open = true;
    }
    async function sendVersion(document, note) {
      failure.message = '';
      failure.node = '';
      try {
        const res = await api.post(`/ivr/flows/${flowId}/versions`, { document, note });
        showSuccess(t('flows.published', { version: res.version }));
        return true;
      } catch (err) {
        failure.message = errorText(err);
        failure.node = err.node || nodeNamedIn(err.message);
        if (err.status !== 422) showError(err);
        return false;
      }
    }
    async function submitPublish() {
      publish.saving = true;
      try {
        const ok = await sendVersion(cleanDocument(doc.value), publish.note.trim());
        publish.open = false;
        if (ok) {
          await load();
          if (tab.value === 'versions') loadVersions();
        } else if (failure.node && doc.value.nodes[failure.node]) {
          tab.value = 'nodes';
          nextTick(() => scrollToNode(failure.node));
        }
      } finally {
        publish.saving = false;
      }
    }
    async function view(row) {
      try {
        viewing.value = await api.get(`/ivr/flows/${flowId}/versions/${row.version}`);
      } catch (err) {
        showError(err);
      }
    }
    async function restore(row) {
      if (dirty.value && !(await confirmDanger(t('flows.confirmDiscard')))) return;
      if (!(await confirmDanger(t('flows.confirmRestore', { version: row.version })))) return;
      try {
        const version = await api.get(`/ivr/flows/${flowId}/versions/${row.version}`);
        if (await sendVersion(version.document, t('flows.restoredNote', { version: row.version }))) {
          await load();
          loadVersions();
        }
      } catch (err) {
        showError(err);
      }
    }
    async function revert() {
      if (!(await confirmDanger(t('flows.confirmDiscard')))) return;
      doc.value = normalizeDocument(JSON.parse(saved.value));
      jsonText.value = saved.value;
      failure.message = '';
      failure.node = '';
    }
    const branchCount = (node) => branchesOf(node).length;

    onMounted(async () => {
      await load();
      loadRefs();
    });
    return {
      t, route, router, manage, flow, doc, loading, loadError, tab, jsonText, jsonError, newType, publish, failure,
      versions, versionsLoading, viewing, refs, nodeIds, dirty, TYPE_NAMES, load, beforeLeave, addNode, rename,
      removeNode, changeType, openPublish, submitPublish, view, restore, revert, fmtDateTime, branchCount,
    };
  },
  template: `
    <div class="sb-page" data-test="page-ivr-flow-editor">
      <page-header :title="flow ? flow.name : t('menu.ivr-flow-editor')"
                   :subtitle="flow ? t('flows.editorSubtitle', { version: flow.current_version, number: flow.number || '—' }) : ''">
        <el-tag v-if="dirty" type="warning" data-test="flow-dirty">{{ t('flows.unsaved') }}</el-tag>
        <el-button data-test="flow-back" @click="router.push('/ivr-flows')">{{ t('flows.back') }}</el-button>
        <el-button v-if="manage && dirty" :icon="$icons.RefreshLeft" data-test="flow-revert" @click="revert">
          {{ t('flows.revert') }}</el-button>
        <el-button v-if="manage" type="primary" :icon="$icons.Upload" :disabled="!doc" data-test="flow-publish"
                   @click="openPublish">{{ t('flows.publish') }}</el-button>
      </page-header>
      <el-alert v-if="loadError" :title="loadError" type="error" show-icon :closable="false" class="sb-mb" />
      <el-alert v-if="failure.message" type="error" show-icon class="sb-mb" data-test="flow-publish-error"
                :title="t('flows.rejected')" :description="failure.message" @close="failure.message = ''; failure.node = ''" />
      <el-card v-if="doc" v-loading="loading" shadow="never" class="sb-card">
        <el-tabs v-model="tab" :before-leave="beforeLeave" data-test="flow-tabs">
          <el-tab-pane :label="t('flows.tabNodes')" name="nodes">
            <div class="sb-toolbar">
              <span class="sb-muted">{{ t('flows.startNode') }}</span>
              <el-select v-model="doc.start" filterable style="width: 200px" :disabled="!manage" data-test="flow-start">
                <el-option v-for="n in nodeIds" :key="n" :value="n" :label="n" />
              </el-select>
              <span class="sb-muted sb-ml">{{ t('flows.flowLanguage') }}</span>
              <el-select v-model="doc.language" style="width: 120px" :disabled="!manage" data-test="flow-language">
                <el-option value="zh" label="中文" /><el-option value="en" label="English" />
              </el-select>
              <template v-if="manage">
                <span class="sb-header-spacer" style="flex: 1"></span>
                <el-select v-model="newType" style="width: 160px" data-test="flow-new-type">
                  <el-option v-for="ty in TYPE_NAMES" :key="ty" :value="ty" :label="t('flows.type.' + ty)" />
                </el-select>
                <el-button type="primary" plain :icon="$icons.Plus" data-test="flow-add-node" @click="addNode">
                  {{ t('flows.addNode') }}</el-button>
              </template>
            </div>
            <el-empty v-if="!nodeIds.length" :description="t('flows.noNodes')" />
            <flow-node-card v-for="id in nodeIds" :key="id" :id="id" :node="doc.nodes[id]" :node-ids="nodeIds"
                            :is-start="doc.start === id" :refs="refs" :readonly="!manage"
                            :error="failure.node === id ? failure.message : ''"
                            @rename="rename(id, $event)" @remove="removeNode(id)" @make-start="doc.start = id"
                            @change-type="changeType(id, $event)" />
          </el-tab-pane>
          <el-tab-pane :label="t('flows.tabJson')" name="json">
            <el-alert v-if="jsonError" :title="jsonError" type="error" show-icon :closable="false" class="sb-mb"
                      data-test="flow-json-error" />
            <el-input v-model="jsonText" type="textarea" :autosize="{ minRows: 16, maxRows: 40 }" :readonly="!manage"
                      spellcheck="false" class="sb-mono" style="font-family: ui-monospace, Menlo, Consolas, monospace"
                      data-test="flow-json" />
            <div class="sb-form-hint">{{ t('flows.jsonHint') }}</div>
          </el-tab-pane>
          <el-tab-pane :label="t('flows.tabVersions')" name="versions">
            <el-table v-loading="versionsLoading" :data="versions" row-key="version" border stripe
                      data-test="flow-versions" :empty-text="t('common.noData')">
              <el-table-column :label="t('flows.version')" width="110">
                <template #default="{ row }">
                  <span :data-test="'flow-version-' + row.version">v{{ row.version }}</span>
                  <el-tag v-if="flow && row.version === flow.current_version" size="small" type="success" class="sb-ml">
                    {{ t('flows.current') }}</el-tag>
                </template>
              </el-table-column>
              <el-table-column prop="note" :label="t('flows.note')" min-width="200" show-overflow-tooltip />
              <el-table-column :label="t('flows.publishedAt')" width="170">
                <template #default="{ row }">{{ fmtDateTime(row.created_at) }}</template>
              </el-table-column>
              <el-table-column prop="created_by" :label="t('flows.publishedBy')" width="140" />
              <el-table-column :label="t('common.actions')" width="220" fixed="right">
                <template #default="{ row }">
                  <el-button link type="primary" :data-test="'flow-version-view-' + row.version" @click="view(row)">
                    {{ t('common.view') }}</el-button>
                  <el-button v-if="manage && flow && row.version !== flow.current_version" link type="primary"
                             :data-test="'flow-version-restore-' + row.version" @click="restore(row)">
                    {{ t('flows.restore') }}</el-button>
                </template>
              </el-table-column>
            </el-table>
          </el-tab-pane>
        </el-tabs>
      </el-card>

      <el-dialog v-model="publish.open" :title="t('flows.publish')" width="520px" append-to-body :close-on-click-modal="false">
        <el-form label-width="auto" data-test="flow-publish-form" @submit.prevent="submitPublish">
          <el-form-item :label="t('flows.note')">
            <el-input v-model="publish.note" maxlength="200" show-word-limit :placeholder="t('flows.noteHint')"
                      data-test="flow-publish-note" />
          </el-form-item>
          <div class="sb-form-hint">{{ t('flows.publishHint') }}</div>
        </el-form>
        <template #footer>
          <el-button @click="publish.open = false">{{ t('common.cancel') }}</el-button>
          <el-button type="primary" :loading="publish.saving" data-test="flow-publish-confirm" @click="submitPublish">
            {{ t('flows.publish') }}</el-button>
        </template>
      </el-dialog>

      <el-dialog :model-value="!!viewing" :title="viewing ? t('flows.versionTitle', { version: viewing.version }) : ''"
                 width="760px" append-to-body @close="viewing = null">
        <div v-if="viewing" data-test="flow-version-dialog">
          <div class="sb-muted sb-small sb-mb">{{ fmtDateTime(viewing.created_at) }} · {{ viewing.created_by }}
            <template v-if="viewing.note"> · {{ viewing.note }}</template></div>
          <pre class="sb-json" style="max-height: 520px">{{ JSON.stringify(viewing.document, null, 2) }}</pre>
        </div>
      </el-dialog>
    </div>`,
};
