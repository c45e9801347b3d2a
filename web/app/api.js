// Fetch wrapper for /api/v1: JSON in and out, same-origin cookies, CSRF header on
// every state-changing request, and API errors turned into thrown ApiError values.

const BASE = '/api/v1';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let csrfToken = '';
let unauthorizedHandler = null;

/** An error answered by the server: `{error: {code, message, field}}`. */
export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message || code || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = code || '';
    this.field = field || '';
  }
}

export function setCsrfToken(token) {
  csrfToken = token || '';
}

/** Called with the error when a request (other than login / me) answers 401. */
export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

function buildQuery(params) {
  if (!params) return '';
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

async function parseError(res) {
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  const e = body && body.error ? body.error : {};
  return new ApiError(res.status, e.code, e.message || res.statusText, e.field);
}

/** The URL of an API path, e.g. for <audio src> or a download link (the session is a cookie). */
export function apiUrl(path, query) {
  return BASE + path + buildQuery(query);
}

/**
 * request('GET', '/staff', {query: {page: 1}}) or request('POST', '/staff', {body: {...}}).
 * `raw` (a File or Blob) is sent as the body as is, with its own type, instead of JSON.
 * Resolves with the parsed JSON (or null for 204).
 */
export async function request(method, path, { query, body, raw, quiet401 = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (raw !== undefined) headers['Content-Type'] = raw.type || 'application/octet-stream';
  if (UNSAFE.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res;
  try {
    res = await fetch(BASE + path + buildQuery(query), {
      method,
      headers,
      credentials: 'same-origin',
      body: raw !== undefined ? raw : body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (cause) {
    throw new ApiError(0, 'network', cause && cause.message ? cause.message : 'network error');
  }
  if (!res.ok) {
    const err = await parseError(res);
    if (res.status === 401 && !quiet401 && unauthorizedHandler) unauthorizedHandler(err);
    throw err;
  }
  if (res.status === 204) return null;
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

export const api = {
  get: (path, query, opts) => request('GET', path, { ...opts, query }),
  post: (path, body, opts) => request('POST', path, { ...opts, body: body ?? {} }),
  put: (path, body, opts) => request('PUT', path, { ...opts, body: body ?? {} }),
  patch: (path, body, opts) => request('PATCH', path, { ...opts, body: body ?? {} }),
  del: (path, opts) => request('DELETE', path, opts),
  /** POST a file as the raw request body, parameters in the query string. */
  upload: (path, file, query, opts) => request('POST', path, { ...opts, query, raw: file }),
};

/** Fetch every page of a list endpoint (used for small reference lists). */
export async function getAll(path, query = {}) {
  const perPage = 1000;
  let page = 1;
  const items = [];
  for (;;) {
    const res = await api.get(path, { ...query, page, per_page: perPage });
    const batch = (res && res.items) || [];
    items.push(...batch);
    const total = res && typeof res.total === 'number' ? res.total : items.length;
    if (batch.length < perPage || items.length >= total) break;
    page += 1;
  }
  return items;
}
