// The server's catalogue of stable codes (GET /api/v1/catalog): which
// incident categories (with their default priority), priorities, unit
// types and statuses exist, in display order. Pages keep only the labels,
// in i18n.js keyed by code. Loaded once, before the page's code runs.

import './gate.js'; // a session first
import { get } from './api.js';

async function load() {
  for (let wait = 500; ; wait = Math.min(wait * 2, 10000)) {
    try {
      return await get('/api/v1/catalog');
    } catch {
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

export const catalog = await load();

/** categories are the incident category codes the engine accepts, in display order. */
export const categories = catalog.incident_categories.map((c) => c.code);

/** defaultPriority is the priority the intake forms preselect for category code (undefined if unknown). */
export function defaultPriority(code) {
  const c = catalog.incident_categories.find((x) => x.code === code);
  return c && c.priority;
}
