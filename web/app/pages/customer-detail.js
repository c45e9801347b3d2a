// A customer's 360 view: profile and classification, numbers with their region, addresses, custom fields, assets
// (vehicles with VIN and plate...), and the contact timeline (calls from the call records, tickets, callbacks,
// campaigns, notes) with a note box.
import { ref, computed, onMounted, watch } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import { fmtDateTime, errorText, showError, showSuccess, confirmDanger, useFieldErrors } from '../util.js';
import PageHeader from '../components/page-header.js';
import TimelineRecording from '../components/timeline-recording.js';
import CustomerDialog, { labelOf } from './customer-dialog.js';
import TicketCreateDialog from './ticket-create-dialog.js';
import { EMPTY_VOCABULARY } from './customers.js';

const EMPTY_ASSET = { kind: 'vehicle', model: '', serial: '', plate: '', bought_on: '', notes: '' };

function duration(ms) {
  const s = Math.round((ms || 0) / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export default {
  name: 'CustomerDetailPage',
  components: { PageHeader, CustomerDialog, TicketCreateDialog, TimelineRecording },
  setup() {
    const route = useRoute();
    const router = useRouter();
    const customer = ref(null);
    const assets = ref([]);
    const timeline = ref([]);
    const vocabulary = ref({ ...EMPTY_VOCABULARY });
    const error = ref('');
    const loading = ref(false);
    const editing = ref(false);
    const openingTicket = ref(false);
    const ticketCustomer = computed(() => customer.value && {
      id: customer.value.id,
      name: customer.value.name,
      phone: customer.value.phones && customer.value.phones.length ? customer.value.phones[0].number : '',
    });
    const note = ref('');
    const savingNote = ref(false);
    const assetDialog = ref(false);
    const asset = ref({ ...EMPTY_ASSET });
    const assetId = ref(null);
    const assetErrs = useFieldErrors();
    const id = computed(() => route.params.id);

    async function load() {
      loading.value = true;
      error.value = '';
      try {
        const [c, a, tl] = await Promise.all([
          api.get(`/customers/${id.value}`),
          api.get(`/customers/${id.value}/assets`),
          api.get(`/customers/${id.value}/timeline`, { limit: 100 }),
        ]);
        customer.value = c;
        assets.value = a;
        timeline.value = tl;
      } catch (err) {
        error.value = errorText(err);
        customer.value = null;
      } finally {
        loading.value = false;
      }
    }
    async function addNote() {
      if (!note.value.trim()) return;
      savingNote.value = true;
      try {
        await api.post(`/customers/${id.value}/notes`, { text: note.value.trim() });
        note.value = '';
        load();
      } catch (err) {
        showError(err);
      } finally {
        savingNote.value = false;
      }
    }
    async function remove() {
      if (!(await confirmDanger(t('customers.confirmDelete', { name: customer.value.name })))) return;
      try {
        await api.del(`/customers/${id.value}`);
        showSuccess(t('common.deleted'));
        router.push('/customers');
      } catch (err) {
        showError(err);
      }
    }
    function openAsset(row) {
      assetErrs.clear();
      assetId.value = row ? row.id : null;
      asset.value = row ? { ...EMPTY_ASSET, ...row, bought_on: row.bought_on || '' } : { ...EMPTY_ASSET };
      assetDialog.value = true;
    }
    async function saveAsset() {
      assetErrs.clear();
      const a = asset.value;
      const body = {
        kind: a.kind, model: a.model, serial: a.serial, plate: a.plate, bought_on: a.bought_on || null, notes: a.notes,
      };
      try {
        if (assetId.value) await api.put(`/customers/${id.value}/assets/${assetId.value}`, body);
        else await api.post(`/customers/${id.value}/assets`, body);
        assetDialog.value = false;
        showSuccess(t('common.saved'));
        load();
      } catch (err) {
        assetErrs.handle(err);
      }
    }
    async function removeAsset(row) {
      if (!(await confirmDanger(t('customers.confirmDeleteAsset')))) return;
      try {
        await api.del(`/customers/${id.value}/assets/${row.id}`);
        load();
      } catch (err) {
        showError(err);
      }
    }
    const customValues = computed(() => (vocabulary.value.fields || [])
      .filter((f) => customer.value && customer.value.custom_fields[f.key] !== undefined)
      .map((f) => {
        const v = customer.value.custom_fields[f.key];
        const shown = f.kind === 'choice' ? labelOf(vocabulary.value.field_choices[f.dictionary_type], v) : v;
        return { key: f.key, label: f.label, value: shown };
      }));

    function ticketCreated(ticket) {
      showSuccess(t('tickets.created_ok', { serial: ticket.serial }));
      router.push(`/tickets/${ticket.id}`);
    }

    watch(id, (now) => now && load());
    onMounted(async () => {
      load();
      try {
        vocabulary.value = await api.get('/customer-vocabulary');
      } catch {
        vocabulary.value = { ...EMPTY_VOCABULARY };
      }
    });
    return {
      t, can, customer, assets, timeline, vocabulary, error, loading, editing, openingTicket, ticketCustomer,
      ticketCreated, note, savingNote, assetDialog, asset,
      assetId, customValues, load, addNote, remove, openAsset, saveAsset, removeAsset, labelOf, fmtDateTime,
      duration, assetErrors: assetErrs.fieldErrors,
    };
  },
  template: `
    <div class="sb-page" data-test="page-customer-detail" v-loading="loading">
      <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="sb-mb" />
      <template v-if="customer">
        <page-header :title="customer.name" :subtitle="'#' + customer.id + (customer.province ? ' · ' + customer.province + ' ' + customer.city : '')">
          <el-tag :type="customer.level === 'vip' ? 'warning' : 'info'" data-test="customer-level-tag">{{ labelOf(vocabulary.levels, customer.level) }}</el-tag>
          <el-tag type="success">{{ t('customers.lifecycleValue.' + customer.lifecycle) }}</el-tag>
          <el-button :icon="$icons.Back" @click="$router.push('/customers')">{{ t('customers.backToList') }}</el-button>
          <el-button v-if="can('ticket.create')" :icon="$icons.Plus" data-test="customer-new-ticket" @click="openingTicket = true">{{ t('tickets.newTicket') }}</el-button>
          <el-button v-if="can('customer.update')" type="primary" :icon="$icons.Edit" data-test="customer-edit" @click="editing = true">{{ t('common.edit') }}</el-button>
          <el-button v-if="can('customer.delete')" type="danger" plain :icon="$icons.Delete" data-test="customer-delete" @click="remove">{{ t('common.delete') }}</el-button>
        </page-header>
        <div class="sb-customer-grid">
          <div>
            <el-card shadow="never" class="sb-card sb-mb" data-test="customer-profile">
              <template #header>{{ t('customers.profile') }}</template>
              <el-descriptions :column="1" border size="small">
                <el-descriptions-item :label="t('customers.phones')">
                  <div v-for="p in customer.phones" :key="p.e164" class="sb-mono-text" :data-test="'customer-phone-' + p.e164">
                    {{ p.number }} <span class="sb-muted">· {{ t('customers.phoneLabel.' + p.label) }} · {{ p.e164 }}</span>
                  </div>
                </el-descriptions-item>
                <el-descriptions-item :label="t('customers.emails')">{{ customer.emails.map((e) => e.email).join(', ') || '—' }}</el-descriptions-item>
                <el-descriptions-item :label="t('customers.gender')">{{ t('customers.genderValue.' + customer.gender) }}</el-descriptions-item>
                <el-descriptions-item :label="t('customers.birthDate')">{{ customer.birth_date || '—' }}</el-descriptions-item>
                <el-descriptions-item :label="t('customers.idCard')"><span class="sb-mono-text">{{ customer.id_card || '—' }}</span></el-descriptions-item>
                <el-descriptions-item :label="t('customers.occupation')">{{ customer.occupation || '—' }}</el-descriptions-item>
                <el-descriptions-item :label="t('customers.education')">{{ customer.education ? labelOf(vocabulary.educations, customer.education) : '—' }}</el-descriptions-item>
                <el-descriptions-item :label="t('customers.maritalStatus')">{{ customer.marital_status ? labelOf(vocabulary.marital_statuses, customer.marital_status) : '—' }}</el-descriptions-item>
                <el-descriptions-item :label="t('customers.addresses')">
                  <div v-for="(a, i) in customer.addresses" :key="i">{{ t('customers.addressLabel.' + a.label) }}: {{ a.province }} {{ a.city }} {{ a.detail }}</div>
                  <span v-if="!customer.addresses.length">—</span>
                </el-descriptions-item>
                <el-descriptions-item v-for="f in customValues" :key="f.key" :label="f.label">{{ f.value }}</el-descriptions-item>
                <el-descriptions-item :label="t('customers.source')">{{ customer.source || '—' }}</el-descriptions-item>
                <el-descriptions-item :label="t('customers.owner')">{{ customer.owner_name || '—' }} <span class="sb-muted">{{ customer.department_name }}</span></el-descriptions-item>
                <el-descriptions-item :label="t('customers.lastContact')">{{ customer.last_contact_at ? fmtDateTime(customer.last_contact_at) : t('customers.never') }}</el-descriptions-item>
                <el-descriptions-item :label="t('customers.notes')">{{ customer.notes || '—' }}</el-descriptions-item>
              </el-descriptions>
            </el-card>
            <el-card shadow="never" class="sb-card sb-mb" data-test="customer-assets">
              <template #header>
                <div class="sb-row" style="justify-content: space-between">
                  <span>{{ t('customers.assets') }}</span>
                  <el-button v-if="can('customer.update')" link type="primary" :icon="$icons.Plus" data-test="customer-add-asset" @click="openAsset(null)">{{ t('customers.addAsset') }}</el-button>
                </div>
              </template>
              <el-table :data="assets" size="small" :empty-text="t('customers.noAssets')">
                <el-table-column :label="t('customers.assetKind')" width="90"><template #default="{ row }">{{ labelOf(vocabulary.asset_kinds, row.kind) }}</template></el-table-column>
                <el-table-column prop="model" :label="t('customers.model')" min-width="110" />
                <el-table-column :label="t('customers.serial')" min-width="150"><template #default="{ row }"><span class="sb-mono-text">{{ row.serial }}</span></template></el-table-column>
                <el-table-column prop="plate" :label="t('customers.plate')" width="100" />
                <el-table-column prop="bought_on" :label="t('customers.boughtOn')" width="100" />
                <el-table-column v-if="can('customer.update')" width="90">
                  <template #default="{ row }">
                    <el-button link type="primary" :icon="$icons.Edit" @click="openAsset(row)" />
                    <el-button link type="danger" :icon="$icons.Delete" @click="removeAsset(row)" />
                  </template>
                </el-table-column>
              </el-table>
            </el-card>
          </div>
          <el-card shadow="never" class="sb-card" data-test="customer-timeline">
            <template #header>{{ t('customers.timeline') }}</template>
            <div v-if="can('customer.update')" class="sb-row sb-mb">
              <el-input v-model="note" maxlength="2000" :placeholder="t('customers.notePlaceholder')" data-test="customer-note" @keyup.enter="addNote" />
              <el-button type="primary" :loading="savingNote" data-test="customer-add-note" @click="addNote">{{ t('customers.addNote') }}</el-button>
            </div>
            <el-empty v-if="!timeline.length" :description="t('customers.noTimeline')" />
            <el-timeline v-else>
              <el-timeline-item v-for="(e, i) in timeline" :key="i" :timestamp="fmtDateTime(e.occurred_at)" placement="top"
                                :data-test="'timeline-' + e.kind">
                <strong>{{ t('customers.kind.' + e.kind) }}</strong>
                <template v-if="e.call">
                  · {{ t('customers.direction.' + e.call.direction) }} · {{ e.call.number }}
                  · {{ t('customers.disposition.' + e.call.disposition) }}<span v-if="e.call.talk_ms"> · {{ duration(e.call.talk_ms) }}</span>
                  <span v-if="e.staff" class="sb-muted"> · {{ t('customers.agentExt', { ext: e.staff }) }}</span>
                  <timeline-recording v-if="e.call.recording_id" :recording-id="e.call.recording_id" />
                </template>
                <template v-else>
                  <span v-if="e.ref_id" class="sb-mono-text"> · {{ e.ref_id }}</span>
                  <div>{{ e.summary }}</div>
                  <div v-if="e.staff" class="sb-muted">{{ e.staff }}</div>
                </template>
              </el-timeline-item>
            </el-timeline>
          </el-card>
        </div>
        <customer-dialog v-model="editing" :customer="customer" :vocabulary="vocabulary" @saved="load" />
        <ticket-create-dialog v-model="openingTicket" :customer="ticketCustomer" @created="ticketCreated" />
        <el-dialog v-model="assetDialog" :title="assetId ? t('customers.editAsset') : t('customers.addAsset')" width="520px" append-to-body>
          <el-form label-width="auto" data-test="asset-form" @submit.prevent="saveAsset">
            <el-form-item :label="t('customers.assetKind')" :error="assetErrors.kind">
              <el-select v-model="asset.kind" class="sb-full">
                <el-option v-for="k in vocabulary.asset_kinds" :key="k.code" :value="k.code" :label="k.label" />
              </el-select>
            </el-form-item>
            <el-form-item :label="t('customers.model')" :error="assetErrors.model"><el-input v-model="asset.model" maxlength="100" data-test="asset-model" /></el-form-item>
            <el-form-item :label="t('customers.serial')" :error="assetErrors.serial"><el-input v-model="asset.serial" maxlength="40" data-test="asset-serial" /></el-form-item>
            <el-form-item :label="t('customers.plate')" :error="assetErrors.plate"><el-input v-model="asset.plate" maxlength="20" data-test="asset-plate" /></el-form-item>
            <el-form-item :label="t('customers.boughtOn')" :error="assetErrors.bought_on">
              <el-date-picker v-model="asset.bought_on" type="date" value-format="YYYY-MM-DD" clearable />
            </el-form-item>
            <el-form-item :label="t('customers.notes')" :error="assetErrors.notes"><el-input v-model="asset.notes" maxlength="1000" /></el-form-item>
          </el-form>
          <template #footer>
            <el-button @click="assetDialog = false">{{ t('common.cancel') }}</el-button>
            <el-button type="primary" data-test="asset-save" @click="saveAsset">{{ t('common.save') }}</el-button>
          </template>
        </el-dialog>
      </template>
    </div>`,
};
