// The signed-in user (`Me`), the CSRF token and permission checks.
import { reactive } from 'vue';
import { api, setCsrfToken } from './api.js';
import { applyLocale, normalizeLocale, i18nState } from './i18n.js';

export const session = reactive({
  user: null, // Me
  checked: false, // GET /auth/me has answered at least once
});

function adopt(user, csrf) {
  if (csrf) setCsrfToken(csrf);
  session.user = user;
  session.checked = true;
  const loc = normalizeLocale(user && user.locale);
  if (loc) applyLocale(loc);
}

/** Ask the server who we are; resolves with the user or null. */
export async function loadSession() {
  try {
    const me = await api.get('/auth/me', undefined, { quiet401: true });
    const { csrf_token: csrf, ...user } = me;
    adopt(user, csrf);
  } catch (err) {
    if (err.status !== 401) throw err;
    clearSession();
  }
  return session.user;
}

export async function login(employeeId, password) {
  const res = await api.post(
    '/auth/login',
    { employee_id: employeeId, password },
    { quiet401: true },
  );
  adopt(res.user, res.csrf_token);
  return res.user;
}

export async function logout() {
  try {
    await api.post('/auth/logout', undefined, { quiet401: true });
  } finally {
    clearSession();
  }
}

export function clearSession() {
  setCsrfToken('');
  session.user = null;
  session.checked = true;
}

/** True when the signed-in user holds the function permission `code`. */
export function can(code) {
  if (!code) return true;
  const perms = session.user && session.user.permissions;
  return Array.isArray(perms) && perms.includes(code);
}

/** PUT /auth/me with the profile fields (the server answers with Me). */
export async function saveProfile(fields) {
  const u = session.user;
  const body = {
    name: u.name,
    mobile: u.mobile ?? null,
    email: u.email ?? null,
    locale: u.locale || i18nState.locale,
    ...fields,
  };
  const me = await api.put('/auth/me', body);
  session.user = { ...session.user, ...me };
  return session.user;
}

/** Switch the language; when signed in, also store it on the user's profile. */
export async function changeLocale(locale) {
  const loc = normalizeLocale(locale) || 'zh-CN';
  applyLocale(loc);
  if (session.user && session.user.locale !== loc) {
    await saveProfile({ locale: loc });
  }
}
