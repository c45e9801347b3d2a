// Small helpers shared by the pages: dates, trees, error display, confirmations.
import { reactive } from 'vue';
import { ElMessage, ElMessageBox } from 'element-plus';
import { t } from './i18n.js';

const pad = (n) => String(n).padStart(2, '0');

/** RFC 3339 -> "YYYY-MM-DD HH:mm:ss" in the browser's time zone ('' for empty). */
export function fmtDateTime(value) {
  if (!value) return '';
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(
    d.getMinutes(),
  )}:${pad(d.getSeconds())}`;
}

/** Date (or empty) -> RFC 3339 UTC string (or null). */
export function toRfc3339(value) {
  if (!value) return null;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** RFC 3339 string -> Date (or null), for date pickers. */
export function toDate(value) {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * Flat list with parent_id -> tree of `{...item, children: []}`, sorted by
 * `sort_order` then `name`/`label`. Items whose parent is missing become roots.
 */
export function buildTree(list, { sortKey = 'sort_order', labelKey = 'name' } = {}) {
  const byId = new Map();
  for (const item of list) byId.set(item.id, { ...item, children: [] });
  const roots = [];
  for (const node of byId.values()) {
    const parent = node.parent_id != null ? byId.get(node.parent_id) : null;
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  const cmp = (a, b) =>
    (a[sortKey] ?? 0) - (b[sortKey] ?? 0) ||
    String(a[labelKey] ?? '').localeCompare(String(b[labelKey] ?? ''));
  const sortRec = (nodes) => {
    nodes.sort(cmp);
    for (const n of nodes) sortRec(n.children);
    return nodes;
  };
  return sortRec(roots);
}

/** Ids of `id` and everything below it in a tree built by buildTree. */
export function subtreeIds(tree, id) {
  const out = new Set();
  const walk = (nodes, inside) => {
    for (const n of nodes) {
      const hit = inside || n.id === id;
      if (hit) out.add(n.id);
      walk(n.children || [], hit);
    }
  };
  walk(tree, false);
  return out;
}

/** Remove empty `children` arrays so tables and tree selects show no expand arrow. */
export function pruneEmptyChildren(nodes) {
  return nodes.map((n) => {
    const children = n.children && n.children.length ? pruneEmptyChildren(n.children) : undefined;
    const copy = { ...n };
    if (children) copy.children = children;
    else delete copy.children;
    return copy;
  });
}

/** The message to show for an error thrown by api.js (or anything else). */
export function errorText(err) {
  if (!err) return t('common.unknownError');
  if (err.status === 0) return t('common.networkError');
  return err.message || t('common.unknownError');
}

/** Show an error as a toast. */
export function showError(err) {
  ElMessage({ type: 'error', message: errorText(err), grouping: true, showClose: true });
}

export function showSuccess(message) {
  ElMessage({ type: 'success', message, grouping: true });
}

/**
 * Per-field server errors for a form: bind `:error="fieldErrors.x"` on el-form-item,
 * call `handle(err)` in the catch block, `clear()` before submitting.
 */
export function useFieldErrors() {
  const fieldErrors = reactive({});
  const clear = () => {
    for (const k of Object.keys(fieldErrors)) delete fieldErrors[k];
  };
  const handle = (err) => {
    // "extensions[0]" or "address.city" belong to the form item of the top-level field
    if (err && err.field) fieldErrors[String(err.field).split(/[[.]/)[0]] = err.message;
    showError(err);
  };
  return { fieldErrors, clear, handle };
}

/** Ask before a destructive action; resolves true when confirmed. */
export async function confirmDanger(message, title) {
  try {
    await ElMessageBox.confirm(message, title || t('common.confirmTitle'), {
      type: 'warning',
      confirmButtonText: t('common.confirm'),
      cancelButtonText: t('common.cancel'),
      confirmButtonClass: 'el-button--danger',
      customClass: 'sb-confirm',
    });
    return true;
  } catch {
    return false;
  }
}

/** Validate an Element Plus form; resolves true when valid. */
export async function validateForm(formRef) {
  if (!formRef) return true;
  try {
    await formRef.validate();
    return true;
  } catch {
    return false;
  }
}

/** A required-field rule with a translated message. */
export const required = (labelKey) => ({
  required: true,
  trigger: 'blur',
  validator: (_rule, value, cb) => {
    const empty = value == null || (typeof value === 'string' && value.trim() === '') ||
      (Array.isArray(value) && value.length === 0);
    cb(empty ? new Error(t('validation.required', { field: t(labelKey) })) : undefined);
  },
});

/** Max length rule. */
export const maxLen = (n) => ({
  trigger: 'blur',
  validator: (_rule, value, cb) => {
    cb(value && String(value).length > n ? new Error(t('validation.maxLength', { n })) : undefined);
  },
});

export const emailRule = {
  trigger: 'blur',
  validator: (_rule, value, cb) => {
    cb(value && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value) ? new Error(t('validation.email')) : undefined);
  },
};

export const mobileRule = {
  trigger: 'blur',
  validator: (_rule, value, cb) => {
    cb(value && !/^\+?[0-9][0-9 -]{4,19}$/.test(value) ? new Error(t('validation.mobile')) : undefined);
  },
};

export const digitsRule = {
  trigger: 'blur',
  validator: (_rule, value, cb) => {
    cb(value && !/^[0-9*#]{1,16}$/.test(value) ? new Error(t('validation.digits')) : undefined);
  },
};

/** Minimum password length the console asks for (the server may ask for more). */
export const MIN_PASSWORD = 8;

export const passwordLengthRule = {
  trigger: 'blur',
  validator: (_rule, value, cb) => {
    cb(value && value.length < MIN_PASSWORD ? new Error(t('validation.minLength', { n: MIN_PASSWORD })) : undefined);
  },
};
