// Hash-based routes (the server only has to serve index.html at /).
import { createRouter, createWebHashHistory } from 'vue-router';
import { session, loadSession } from './session.js';
import Layout from './layout.js';
import LoginPage from './pages/login.js';
import HomePage from './pages/home.js';
import ProfilePage from './pages/profile.js';
import DepartmentsPage from './pages/departments.js';
import StaffPage from './pages/staff.js';
import RolesPage from './pages/roles.js';
import ExtensionGroupsPage from './pages/extension-groups.js';
import DictionaryPage from './pages/dictionary.js';
import AnnouncementsPage from './pages/announcements.js';
import AuditPage from './pages/audit.js';
import ApiTokensPage from './pages/api-tokens.js';
import WebhooksPage from './pages/webhooks.js';
import ExtensionsPage from './pages/extensions.js';
import TrunksPage from './pages/trunks.js';
import InboundRoutesPage from './pages/inbound-routes.js';
import OutboundRoutesPage from './pages/outbound-routes.js';
import CdrsPage from './pages/cdrs.js';
import SipBansPage from './pages/sip-bans.js';
import RecordingsPage from './pages/recordings.js';
import LiveCallsPage from './pages/live-calls.js';
import PromptsPage from './pages/prompts.js';
import MusicOnHoldPage from './pages/music-on-hold.js';
import IvrFlowsPage from './pages/ivr-flows.js';
import IvrFlowEditorPage from './pages/ivr-flow-editor.js';
import CalendarsPage from './pages/calendars.js';
import QueuesPage from './pages/queues.js';
import AgentsPage from './pages/agents.js';
import AgentDesktopPage from './pages/agent-desktop.js';
import WallboardPage from './pages/wallboard.js';
import BlacklistPage from './pages/blacklist.js';
import CustomersPage from './pages/customers.js';
import CustomerDetailPage from './pages/customer-detail.js';
import CustomerFieldsPage from './pages/customer-fields.js';
import VoicemailPage from './pages/voicemail.js';
import SurveysPage from './pages/surveys.js';
import TicketsPage from './pages/tickets.js';
import TicketBoardPage from './pages/ticket-board.js';
import TicketDetailPage from './pages/ticket-detail.js';
import TicketSlaPage from './pages/ticket-sla.js';
import TicketStatsPage from './pages/ticket-stats.js';
import CallbacksPage from './pages/callbacks.js';
import CallbackListsPage from './pages/callback-lists.js';
import CallbackListDetailPage from './pages/callback-list-detail.js';
import CampaignsPage from './pages/campaigns.js';
import CampaignDetailPage from './pages/campaign-detail.js';
import KnowledgePage from './pages/knowledge.js';
import KnowledgeArticlePage from './pages/knowledge-article.js';
import KnowledgeDraftsPage from './pages/knowledge-drafts.js';
import KnowledgeEditorPage from './pages/knowledge-editor.js';
import KnowledgeCategoriesPage from './pages/knowledge-categories.js';
import KnowledgeStatsPage from './pages/knowledge-stats.js';
import KnowledgeStudyPage from './pages/knowledge-study.js';
import CustomerImportPage from './pages/customer-import.js';

const page = (path, name, component, perm = null) => ({
  path,
  name,
  component,
  meta: { perm, title: `menu.${name}` },
});

const routes = [
  { path: '/login', name: 'login', component: LoginPage, meta: { public: true, title: 'login.title' } },
  {
    path: '/',
    component: Layout,
    children: [
      page('', 'home', HomePage),
      page('profile', 'profile', ProfilePage),
      page('departments', 'departments', DepartmentsPage, 'department.read'),
      page('staff', 'staff', StaffPage, 'staff.read'),
      page('roles', 'roles', RolesPage, 'role.read'),
      page('extension-groups', 'extension-groups', ExtensionGroupsPage, 'extension_group.read'),
      page('dictionary', 'dictionary', DictionaryPage, 'dictionary.manage'),
      page('announcements', 'announcements', AnnouncementsPage, 'announcement.manage'),
      page('audit', 'audit', AuditPage, 'audit.read'),
      page('api-tokens', 'api-tokens', ApiTokensPage, 'api_token.manage'),
      page('webhooks', 'webhooks', WebhooksPage, 'webhook.manage'),
      page('extensions', 'extensions', ExtensionsPage, 'extension.read'),
      page('trunks', 'trunks', TrunksPage, 'trunk.read'),
      page('inbound-routes', 'inbound-routes', InboundRoutesPage, 'trunk.read'),
      page('outbound-routes', 'outbound-routes', OutboundRoutesPage, 'trunk.read'),
      page('cdrs', 'cdrs', CdrsPage, 'cdr.read'),
      page('recordings', 'recordings', RecordingsPage, 'recording.read'),
      page('live-calls', 'live-calls', LiveCallsPage, 'call.read'),
      page('prompts', 'prompts', PromptsPage, 'prompt.manage'),
      page('music-on-hold', 'music-on-hold', MusicOnHoldPage, 'prompt.manage'),
      page('sip-bans', 'sip-bans', SipBansPage, 'sip_security.manage'),
      page('ivr-flows', 'ivr-flows', IvrFlowsPage, 'ivr.read'),
      page('ivr-flows/:id(\\d+)', 'ivr-flow-editor', IvrFlowEditorPage, 'ivr.read'),
      page('calendars', 'calendars', CalendarsPage, 'ivr.read'),
      page('queues', 'queues', QueuesPage, 'queue.read'),
      // agent.work or agent.supervise: the page checks, and shows each part to whom it concerns
      page('agents', 'agents', AgentsPage),
      page('agent-desktop', 'agent-desktop', AgentDesktopPage, 'agent.work'),
      page('wallboard', 'wallboard', WallboardPage, 'agent.supervise'),
      page('blacklist', 'blacklist', BlacklistPage, 'blacklist.manage'),
      page('voicemail', 'voicemail', VoicemailPage, 'voicemail.read'),
      page('surveys', 'surveys', SurveysPage, 'survey.read'),
      page('customers', 'customers', CustomersPage, 'customer.read'),
      page('customers/:id(\\d+)', 'customer-detail', CustomerDetailPage, 'customer.read'),
      page('customer-fields', 'customer-fields', CustomerFieldsPage, 'customer.manage'),
      page('tickets', 'tickets', TicketsPage, 'ticket.read'),
      page('tickets/board', 'ticket-board', TicketBoardPage, 'ticket.read'),
      page('tickets/:id(\\d+)', 'ticket-detail', TicketDetailPage, 'ticket.read'),
      page('ticket-sla', 'ticket-sla', TicketSlaPage, 'ticket.read'),
      page('ticket-stats', 'ticket-stats', TicketStatsPage, 'ticket.read'),
      page('callbacks', 'callbacks', CallbacksPage, 'callback.work'),
      page('callback-lists', 'callback-lists', CallbackListsPage, 'callback.manage'),
      page('callback-lists/:id(\\d+)', 'callback-list', CallbackListDetailPage, 'callback.manage'),
      page('campaigns', 'campaigns', CampaignsPage, 'campaign.read'),
      page('campaigns/:id(\\d+)', 'campaign', CampaignDetailPage, 'campaign.read'),
      page('knowledge', 'knowledge', KnowledgePage, 'knowledge.read'),
      page('knowledge/articles/:id(\\d+)', 'knowledge-article', KnowledgeArticlePage, 'knowledge.read'),
      page('knowledge/study', 'knowledge-study', KnowledgeStudyPage, 'knowledge.read'),
      page('knowledge/drafts', 'knowledge-drafts', KnowledgeDraftsPage, 'knowledge.write'),
      page('knowledge/drafts/:id(\\d+|new)', 'knowledge-editor', KnowledgeEditorPage, 'knowledge.write'),
      page('knowledge/review', 'knowledge-review', KnowledgeDraftsPage, 'knowledge.review'),
      page('knowledge/categories', 'knowledge-categories', KnowledgeCategoriesPage, 'knowledge.manage'),
      page('knowledge/stats', 'knowledge-stats', KnowledgeStatsPage, 'knowledge.review'),
      page('customers/import', 'customer-import', CustomerImportPage, 'customer.import'),
    ],
  },
  { path: '/:pathMatch(.*)*', redirect: '/' },
];

export const router = createRouter({ history: createWebHashHistory(), routes });

router.beforeEach(async (to) => {
  if (!session.checked) {
    try {
      await loadSession();
    } catch {
      // server unreachable: fall through to the login page, which reports errors
    }
  }
  if (to.meta.public) {
    if (to.name === 'login' && session.user) return { path: '/' };
    return true;
  }
  if (!session.user) {
    return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
  }
  return true;
});
