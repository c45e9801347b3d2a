// Shared by the ticket pages: the form options (channels, types with sub-types, departments), state and
// priority tag colours, labels of codes, and the SLA countdown text.
import { reactive } from 'vue';
import { api } from '../api.js';
import { t } from '../i18n.js';

export const STATES = ['new', 'assigned', 'in_progress', 'pending_customer', 'resolved', 'follow_up', 'closed'];
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'];

const STATE_TAG = {
  new: 'info', assigned: 'primary', in_progress: 'warning', pending_customer: '', resolved: 'success',
  follow_up: 'success', closed: 'info',
};
const PRIORITY_TAG = { low: 'info', normal: '', high: 'warning', urgent: 'danger' };
export const stateTag = (s) => STATE_TAG[s] ?? '';
export const priorityTag = (p) => PRIORITY_TAG[p] ?? '';

/** Loaded once per page visit: GET /tickets/options. */
export const options = reactive({ channels: [], types: [], departments: [], field_choices: {}, loaded: false });

export async function loadOptions() {
  const res = await api.get('/tickets/options');
  Object.assign(options, res, { loaded: true });
}

/** The label of a channel, type or sub-type code (the code itself when unknown). */
export function codeLabel(code) {
  if (!code) return '';
  for (const c of options.channels) if (c.code === code) return c.label;
  for (const ty of options.types) {
    if (ty.code === code) return ty.label;
    for (const sub of ty.children || []) if (sub.code === code) return sub.label;
  }
  return code;
}

export const subtypesOf = (typeCode) => (options.types.find((x) => x.code === typeCode) || {}).children || [];

function span(ms) {
  const minutes = Math.round(Math.abs(ms) / 60000);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : `${m}m`;
}

/** { text, type } for the resolution clock of a ticket at `now` (ms). */
export function slaStatus(ticket, now) {
  const sla = ticket.sla || {};
  if (sla.paused_at) return { text: t('tickets.paused'), type: 'info' };
  if (sla.resolved_at) return { text: t('tickets.met'), type: 'success' };
  if (!sla.resolve_due_at) return { text: t('tickets.noSla'), type: 'info' };
  const left = new Date(sla.resolve_due_at).getTime() - now;
  if (left < 0) return { text: t('tickets.lateBy', { t: span(left) }), type: 'danger' };
  return { text: t('tickets.dueIn', { t: span(left) }), type: left < 3600000 ? 'warning' : 'success' };
}
