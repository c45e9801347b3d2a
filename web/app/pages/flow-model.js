// The voice-flow document as the editor sees it: which fields each node type has (and which of them lead to other
// nodes), prompt items, condition tests, and the document operations (add, rename, remove a node) that keep the
// branches pointing at the right ids. The server (sb-ivr) is the judge of validity; this only helps the admin.

/** Field kinds: prompts (list of prompt items), node (a branch), choices (digit -> node), rules (condition),
 *  int, text, bool, method, map (name -> template), target (transfer), mailbox (voicemail), digits (survey keys),
 *  queue, flow (names of other objects). `optional` fields are left out of the document when empty. */
export const NODE_TYPES = {
  play: [
    { key: 'prompts', kind: 'prompts' },
    { key: 'barge_in', kind: 'bool', optional: true },
    { key: 'next', kind: 'node' },
  ],
  menu: [
    { key: 'prompts', kind: 'prompts' },
    { key: 'choices', kind: 'choices' },
    { key: 'timeout_ms', kind: 'int', optional: true, min: 500, max: 60000, placeholder: 5000 },
    { key: 'retries', kind: 'int', optional: true, min: 0, max: 10, placeholder: 2 },
    { key: 'invalid_prompts', kind: 'prompts', optional: true },
    { key: 'timeout_prompts', kind: 'prompts', optional: true },
    { key: 'on_failure', kind: 'node' },
  ],
  collect: [
    { key: 'prompts', kind: 'prompts' },
    { key: 'variable', kind: 'text' },
    { key: 'min_digits', kind: 'int', optional: true, min: 1, max: 32, placeholder: 1 },
    { key: 'max_digits', kind: 'int', min: 1, max: 32 },
    { key: 'terminator', kind: 'text', optional: true, placeholder: '#' },
    { key: 'timeout_ms', kind: 'int', optional: true, min: 500, max: 60000, placeholder: 5000 },
    { key: 'inter_digit_ms', kind: 'int', optional: true, min: 500, max: 60000, placeholder: 3000 },
    { key: 'retries', kind: 'int', optional: true, min: 0, max: 10, placeholder: 2 },
    { key: 'invalid_prompts', kind: 'prompts', optional: true },
    { key: 'next', kind: 'node' },
    { key: 'on_failure', kind: 'node' },
  ],
  condition: [
    { key: 'rules', kind: 'rules' },
    { key: 'otherwise', kind: 'node' },
  ],
  lookup: [
    { key: 'url', kind: 'text' },
    { key: 'method', kind: 'method', optional: true },
    { key: 'params', kind: 'map', optional: true },
    { key: 'result_prefix', kind: 'text', optional: true, placeholder: 'lookup' },
    { key: 'timeout_ms', kind: 'int', optional: true, min: 100, max: 30000, placeholder: 3000 },
    { key: 'next', kind: 'node' },
    { key: 'on_error', kind: 'node' },
  ],
  verify_member: [
    { key: 'member_prompts', kind: 'prompts' },
    { key: 'pin_prompts', kind: 'prompts' },
    { key: 'url', kind: 'text' },
    { key: 'member_variable', kind: 'text', optional: true, placeholder: 'member' },
    { key: 'attempts', kind: 'int', optional: true, min: 1, max: 10, placeholder: 3 },
    { key: 'max_digits', kind: 'int', optional: true, min: 1, max: 32, placeholder: 12 },
    { key: 'next', kind: 'node' },
    { key: 'on_failure', kind: 'node' },
  ],
  set_variable: [
    { key: 'name', kind: 'text' },
    { key: 'value', kind: 'text' },
    { key: 'next', kind: 'node' },
  ],
  queue: [
    { key: 'queue', kind: 'queue' },
    { key: 'priority', kind: 'int', optional: true, min: 0, max: 9, placeholder: 0 },
    { key: 'data', kind: 'map', optional: true },
    { key: 'on_overflow', kind: 'node', optional: true },
  ],
  transfer: [
    { key: 'target', kind: 'target' },
    { key: 'on_failure', kind: 'node', optional: true },
  ],
  voicemail: [
    { key: 'mailbox', kind: 'mailbox' },
    { key: 'prompts', kind: 'prompts', optional: true },
    { key: 'max_seconds', kind: 'int', optional: true, min: 5, max: 600, placeholder: 120 },
  ],
  survey: [
    { key: 'question', kind: 'text' },
    { key: 'prompts', kind: 'prompts' },
    { key: 'choices', kind: 'digits' },
    { key: 'timeout_ms', kind: 'int', optional: true, min: 500, max: 60000, placeholder: 5000 },
    { key: 'retries', kind: 'int', optional: true, min: 0, max: 10, placeholder: 1 },
    { key: 'thanks_prompts', kind: 'prompts', optional: true },
    { key: 'next', kind: 'node', optional: true },
  ],
  subflow: [
    { key: 'flow', kind: 'flow' },
    { key: 'next', kind: 'node' },
  ],
  return: [],
  hangup: [{ key: 'prompts', kind: 'prompts', optional: true }],
};

export const TYPE_NAMES = Object.keys(NODE_TYPES);

/** Prompt item kinds: `{"prompt": name}`, `{"builtin": name}`, `{"tts": text, "language"?}`, ... */
export const PROMPT_KINDS = ['prompt', 'builtin', 'tts', 'say_digits', 'say_number', 'silence_ms'];

/** Condition tests: `{"work_time": calendar}` ... and the two variable tests `{"variable", "equals"|"matches"}`. */
export const TEST_KINDS = [
  'work_time', 'off_time', 'holiday', 'caller_matches', 'dialled_matches', 'variable_equals', 'variable_matches',
];

export const TARGET_KINDS = ['extension', 'agent', 'number'];
export const MAILBOX_KINDS = ['queue', 'agent'];
export const DIGIT_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '*', '#'];

/** A prompt item as {kind, value, language} for the form. */
export function promptToForm(item) {
  if (!item || typeof item !== 'object') return { kind: 'builtin', value: '', language: '' };
  const kind = PROMPT_KINDS.find((k) => k in item) || Object.keys(item)[0] || 'builtin';
  return { kind, value: item[kind] ?? '', language: item.language || '' };
}

/** The form's prompt item back to the document's shape. */
export function promptFromForm({ kind, value, language }) {
  if (kind === 'silence_ms') return { silence_ms: Number(value) || 0 };
  const item = { [kind]: value == null ? '' : String(value) };
  if (kind === 'tts' && language) item.language = language;
  return item;
}

/** A condition rule's test as {kind, a, b} (b: the value of a variable test). */
export function testToForm(when) {
  const w = when && typeof when === 'object' ? when : {};
  if ('variable' in w) {
    return 'matches' in w
      ? { kind: 'variable_matches', a: w.variable ?? '', b: w.matches ?? '' }
      : { kind: 'variable_equals', a: w.variable ?? '', b: w.equals ?? '' };
  }
  const kind = TEST_KINDS.find((k) => k in w) || 'work_time';
  return { kind, a: w[kind] ?? '', b: '' };
}

export function testFromForm({ kind, a, b }) {
  if (kind === 'variable_equals') return { variable: a, equals: b };
  if (kind === 'variable_matches') return { variable: a, matches: b };
  return { [kind]: a };
}

/** Which one-key object (`{"extension": "1003"}`) and its value. */
export function oneKeyToForm(obj, kinds) {
  const o = obj && typeof obj === 'object' ? obj : {};
  const kind = kinds.find((k) => k in o) || kinds[0];
  return { kind, value: o[kind] ?? '' };
}

/** Every branch of a node: [{path, target}] where path says where it sits (for rename and display). */
export function branchesOf(node) {
  const out = [];
  if (!node || typeof node !== 'object') return out;
  // keys and rules first, fallbacks last: the order a caller meets them
  if (node.type === 'menu' && node.choices && typeof node.choices === 'object') {
    for (const [digit, target] of Object.entries(node.choices)) {
      if (typeof target === 'string' && target) out.push({ path: ['choices', digit], target });
    }
  }
  if (Array.isArray(node.rules)) {
    node.rules.forEach((rule, i) => {
      if (rule && typeof rule.next === 'string' && rule.next) out.push({ path: ['rules', i, 'next'], target: rule.next });
    });
  }
  for (const key of ['next', 'on_overflow', 'on_error', 'otherwise', 'on_failure']) {
    if (typeof node[key] === 'string' && node[key]) out.push({ path: [key], target: node[key] });
  }
  return out;
}

function setPath(obj, path, value) {
  let o = obj;
  for (let i = 0; i < path.length - 1; i += 1) o = o[path[i]];
  o[path[path.length - 1]] = value;
}

/** Node ids: letters, digits, `_` and `-`, starting with a letter (what the server accepts as a key). */
export const NODE_ID_RE = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** A fresh node of `type` with the fields it needs (branches left empty for the admin to choose). */
export function newNode(type) {
  const node = { type };
  for (const f of NODE_TYPES[type] || []) {
    if (f.optional) continue;
    if (f.kind === 'prompts') node[f.key] = [];
    else if (f.kind === 'choices') node[f.key] = {};
    else if (f.kind === 'rules') node[f.key] = [];
    else if (f.kind === 'digits') node[f.key] = ['1', '2', '3'];
    else if (f.kind === 'target') node[f.key] = { extension: '' };
    else if (f.kind === 'mailbox') node[f.key] = { queue: '' };
    else if (f.kind === 'int') node[f.key] = 4;
    else node[f.key] = '';
  }
  return node;
}

/** A unique id like `menu2` for a new node of `type`. */
export function freshId(doc, type) {
  const base = type.replace(/_/g, '-');
  for (let i = 1; ; i += 1) {
    const id = i === 1 ? base : `${base}${i}`;
    if (!(id in doc.nodes)) return id;
  }
}

/** Rename a node and every branch (and `start`) that leads to it; keeps the nodes' order. */
export function renameNode(doc, from, to) {
  if (from === to || !(from in doc.nodes) || to in doc.nodes) return false;
  const nodes = {};
  for (const [id, node] of Object.entries(doc.nodes)) nodes[id === from ? to : id] = node;
  for (const node of Object.values(nodes)) {
    for (const b of branchesOf(node)) if (b.target === from) setPath(node, b.path, to);
  }
  doc.nodes = nodes;
  if (doc.start === from) doc.start = to;
  return true;
}

/** Branches elsewhere that lead to `id`, as "node.field" strings (to warn before removing it). */
export function referencesTo(doc, id) {
  const refs = [];
  for (const [nid, node] of Object.entries(doc.nodes)) {
    if (nid === id) continue;
    for (const b of branchesOf(node)) if (b.target === id) refs.push(`${nid}.${b.path.join('.')}`);
  }
  if (doc.start === id) refs.push('start');
  return refs;
}

/** The document a new flow starts with: a greeting and a goodbye, valid as it is. */
export function starterDocument() {
  return {
    language: 'zh',
    start: 'greeting',
    nodes: {
      greeting: { type: 'play', prompts: [{ builtin: 'welcome' }], next: 'bye' },
      bye: { type: 'hangup', prompts: [{ builtin: 'goodbye' }] },
    },
  };
}

/** A document from the server or the JSON tab, shaped so the form can edit it (unknown fields are kept). */
export function normalizeDocument(raw) {
  const doc = raw && typeof raw === 'object' && !Array.isArray(raw) ? JSON.parse(JSON.stringify(raw)) : {};
  if (!doc.nodes || typeof doc.nodes !== 'object' || Array.isArray(doc.nodes)) doc.nodes = {};
  if (typeof doc.start !== 'string') doc.start = Object.keys(doc.nodes)[0] || '';
  if (!doc.language) doc.language = 'zh';
  doc.nodes = inReadingOrder(doc);
  return doc;
}

/** The nodes as the caller meets them: from `start`, branch by branch (a stored document comes back sorted by id,
 *  which reads badly); nodes nothing reaches come last. */
function inReadingOrder(doc) {
  const seen = new Set();
  const order = [];
  const queue = doc.start in doc.nodes ? [doc.start] : [];
  while (queue.length) {
    const id = queue.shift();
    if (seen.has(id) || !(id in doc.nodes)) continue;
    seen.add(id);
    order.push(id);
    for (const b of branchesOf(doc.nodes[id])) if (!seen.has(b.target)) queue.push(b.target);
  }
  for (const id of Object.keys(doc.nodes)) if (!seen.has(id)) order.push(id);
  const nodes = {};
  for (const id of order) nodes[id] = doc.nodes[id];
  return nodes;
}

/** The document to send: optional fields that are empty are left out so the server applies its defaults. */
export function cleanDocument(doc) {
  const out = JSON.parse(JSON.stringify(doc));
  for (const node of Object.values(out.nodes || {})) {
    for (const f of NODE_TYPES[node.type] || []) {
      if (!f.optional) continue;
      const v = node[f.key];
      const empty = v === null || v === undefined || v === '' ||
        (Array.isArray(v) && v.length === 0) ||
        (f.kind === 'map' && v && typeof v === 'object' && Object.keys(v).length === 0) ||
        (f.kind === 'bool' && v === false);
      if (empty) delete node[f.key];
    }
  }
  return out;
}

/** `node "menu": ...` -> "menu": the server names the node first in its message. */
export function nodeNamedIn(message) {
  const m = /node "([^"]+)"/.exec(message || '');
  return m ? m[1] : '';
}
