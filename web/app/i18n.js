// Translations: zh-CN and en. `t('staff.title')` reads the current language reactively,
// so templates re-render when the language changes.
import { reactive, computed } from 'vue';
import elZhCn from 'element-plus/locale/zh-cn';
import elEn from 'element-plus/locale/en';
import zhCN from './i18n/zh-CN.js';
import en from './i18n/en.js';

export const LOCALES = [
  { code: 'zh-CN', label: '简体中文' },
  { code: 'en', label: 'English' },
];

const STORAGE_KEY = 'switchboard.locale';
const dictionaries = { 'zh-CN': zhCN, en };
const elementLocales = { 'zh-CN': elZhCn, en: elEn };

export function normalizeLocale(value) {
  if (!value) return null;
  const v = String(value).toLowerCase();
  if (v.startsWith('zh')) return 'zh-CN';
  if (v.startsWith('en')) return 'en';
  return null;
}

function storedLocale() {
  try {
    return normalizeLocale(localStorage.getItem(STORAGE_KEY));
  } catch {
    return null;
  }
}

function initialLocale() {
  return storedLocale() || normalizeLocale(navigator.language) || 'zh-CN';
}

export const i18nState = reactive({ locale: initialLocale() });

/** Element Plus's own locale, for <el-config-provider>. */
export const elementLocale = computed(() => elementLocales[i18nState.locale]);

/** Switch the language locally (and remember it in this browser). */
export function applyLocale(locale) {
  const loc = normalizeLocale(locale) || 'zh-CN';
  i18nState.locale = loc;
  document.documentElement.lang = loc;
  try {
    localStorage.setItem(STORAGE_KEY, loc);
  } catch {
    // storage may be disabled; the choice then lasts for this page only
  }
}

function lookup(dict, key) {
  let node = dict;
  for (const part of key.split('.')) {
    if (node == null || typeof node !== 'object') return undefined;
    node = node[part];
  }
  return typeof node === 'string' ? node : undefined;
}

/** Translate `key`, replacing `{name}` placeholders from `params`. */
export function t(key, params) {
  const text = lookup(dictionaries[i18nState.locale], key) ?? lookup(dictionaries.en, key) ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name) => (params[name] ?? m));
}

/** Translate if the key exists, else return the fallback (e.g. a raw code from the server). */
export function tOr(key, fallback) {
  const text = lookup(dictionaries[i18nState.locale], key) ?? lookup(dictionaries.en, key);
  return text ?? fallback;
}

document.documentElement.lang = i18nState.locale;
