// Side-menu entries and the permission each one needs (null: every signed-in user; a list: any one of them).
import { can } from './session.js';

export const MENU_GROUPS = [
  {
    key: 'workspace',
    items: [
      { name: 'home', path: '/', perm: null, icon: 'HomeFilled' },
      { name: 'profile', path: '/profile', perm: null, icon: 'User' },
    ],
  },
  {
    key: 'organisation',
    items: [
      { name: 'departments', path: '/departments', perm: 'department.read', icon: 'OfficeBuilding' },
      { name: 'staff', path: '/staff', perm: 'staff.read', icon: 'Avatar' },
      { name: 'roles', path: '/roles', perm: 'role.read', icon: 'Lock' },
      { name: 'extension-groups', path: '/extension-groups', perm: 'extension_group.read', icon: 'Phone' },
    ],
  },
  {
    key: 'telephony',
    items: [
      { name: 'extensions', path: '/extensions', perm: 'extension.read', icon: 'Iphone' },
      { name: 'trunks', path: '/trunks', perm: 'trunk.read', icon: 'Connection' },
      { name: 'inbound-routes', path: '/inbound-routes', perm: 'trunk.read', icon: 'Download' },
      { name: 'outbound-routes', path: '/outbound-routes', perm: 'trunk.read', icon: 'Upload' },
      { name: 'cdrs', path: '/cdrs', perm: 'cdr.read', icon: 'Tickets' },
      { name: 'recordings', path: '/recordings', perm: 'recording.read', icon: 'Microphone' },
      { name: 'live-calls', path: '/live-calls', perm: 'call.read', icon: 'PhoneFilled' },
      { name: 'prompts', path: '/prompts', perm: 'prompt.manage', icon: 'ChatLineRound' },
      { name: 'music-on-hold', path: '/music-on-hold', perm: 'prompt.manage', icon: 'Headset' },
      { name: 'sip-bans', path: '/sip-bans', perm: 'sip_security.manage', icon: 'CircleClose' },
    ],
  },
  {
    key: 'contact-center',
    items: [
      { name: 'ivr-flows', path: '/ivr-flows', perm: 'ivr.read', icon: 'Connection' },
      { name: 'calendars', path: '/calendars', perm: 'ivr.read', icon: 'Calendar' },
      { name: 'queues', path: '/queues', perm: 'queue.read', icon: 'Headset' },
      { name: 'agent-desktop', path: '/agent-desktop', perm: 'agent.work', icon: 'Headset' },
      { name: 'wallboard', path: '/wallboard', perm: 'agent.supervise', icon: 'DataBoard' },
      { name: 'agents', path: '/agents', perm: ['agent.work', 'agent.supervise'], icon: 'Avatar' },
      { name: 'blacklist', path: '/blacklist', perm: 'blacklist.manage', icon: 'CircleClose' },
      { name: 'voicemail', path: '/voicemail', perm: 'voicemail.read', icon: 'Message' },
      { name: 'surveys', path: '/surveys', perm: 'survey.read', icon: 'Check' },
    ],
  },
  {
    key: 'service-desk',
    items: [
      { name: 'customers', path: '/customers', perm: 'customer.read', icon: 'User' },
      { name: 'customer-fields', path: '/customer-fields', perm: 'customer.manage', icon: 'Collection' },
      { name: 'callbacks', path: '/callbacks', perm: 'callback.work', icon: 'Phone' },
      { name: 'callback-lists', path: '/callback-lists', perm: 'callback.manage', icon: 'Tickets' },
      { name: 'campaigns', path: '/campaigns', perm: 'campaign.read', icon: 'Calendar' },
    ],
  },
  {
    key: 'tickets',
    items: [
      { name: 'tickets', path: '/tickets', perm: 'ticket.read', icon: 'Tickets' },
      { name: 'ticket-board', path: '/tickets/board', perm: 'ticket.read', icon: 'Collection' },
      { name: 'ticket-sla', path: '/ticket-sla', perm: 'ticket.read', icon: 'Calendar' },
      { name: 'ticket-stats', path: '/ticket-stats', perm: 'ticket.read', icon: 'Document' },
    ],
  },
  {
    key: 'system',
    items: [
      { name: 'dictionary', path: '/dictionary', perm: 'dictionary.manage', icon: 'Collection' },
      { name: 'announcements', path: '/announcements', perm: 'announcement.manage', icon: 'Bell' },
      { name: 'audit', path: '/audit', perm: 'audit.read', icon: 'Document' },
      { name: 'api-tokens', path: '/api-tokens', perm: 'api_token.manage', icon: 'Key' },
      { name: 'webhooks', path: '/webhooks', perm: 'webhook.manage', icon: 'Connection' },
    ],
  },
  {
    key: 'knowledge',
    items: [
      { name: 'knowledge', path: '/knowledge', perm: 'knowledge.read', icon: 'Search' },
      { name: 'knowledge-study', path: '/knowledge/study', perm: 'knowledge.read', icon: 'Document' },
      { name: 'knowledge-drafts', path: '/knowledge/drafts', perm: 'knowledge.write', icon: 'Edit' },
      { name: 'knowledge-review', path: '/knowledge/review', perm: 'knowledge.review', icon: 'Check' },
      { name: 'knowledge-categories', path: '/knowledge/categories', perm: 'knowledge.manage', icon: 'Collection' },
      { name: 'knowledge-stats', path: '/knowledge/stats', perm: 'knowledge.review', icon: 'Tickets' },
    ],
  },
];

const allowed = (perm) => (Array.isArray(perm) ? perm.some((p) => can(p)) : can(perm));

/** The groups and entries the signed-in user may see. */
export function visibleMenu() {
  return MENU_GROUPS.map((g) => ({ ...g, items: g.items.filter((i) => allowed(i.perm)) })).filter(
    (g) => g.items.length > 0,
  );
}
