// Department list shared by several pages (staff filter, pickers), cached for a short time.
import { getAll } from './api.js';
import { buildTree, pruneEmptyChildren } from './util.js';

let cache = null;
let cachedAt = 0;
const TTL_MS = 30 * 1000;

/** All departments (flat), from cache when fresh unless `force`. */
export async function loadDepartments(force = false) {
  if (!force && cache && Date.now() - cachedAt < TTL_MS) return cache;
  cache = await getAll('/departments');
  cachedAt = Date.now();
  return cache;
}

export function invalidateDepartments() {
  cache = null;
}

/** Tree for pickers and tables (no empty children arrays). */
export function departmentTree(list) {
  return pruneEmptyChildren(buildTree(list || []));
}
