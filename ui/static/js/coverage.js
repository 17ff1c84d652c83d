// The coverage board: per district group, each agency's units available
// now against the minimum the city set (GET /api/v1/coverage); a cell
// below its minimum is red. It refreshes when units change, at most every
// few seconds, and every half minute anyway.

import * as api from './api.js';
import { t, label } from './i18n.js';
import { escapeHTML } from './dom.js';

export class CoverageBoard {
  constructor(el) {
    this.el = el;
    this.data = null;
    this.timer = 0;
    setInterval(() => this.refresh(), 30000);
  }

  /** changed asks for a refresh soon (units moved between statuses). */
  changed() {
    if (this.timer) return;
    this.timer = setTimeout(() => { this.timer = 0; this.refresh(); }, 3000);
  }

  async refresh() {
    try {
      this.data = await api.get('/api/v1/coverage');
      this.render();
    } catch { /* the next refresh */ }
  }

  render() {
    const d = this.data;
    if (!d || d.groups.length === 0) { this.el.hidden = true; return; }
    this.el.hidden = false;
    const agencies = [...new Set(d.rows.filter((r) => r.minimum > 0).map((r) => r.agency))].sort();
    const cell = new Map(d.rows.map((r) => [`${r.group}\u0000${r.agency}`, r]));
    let html = `<h2>${escapeHTML(t('cover.title'))}</h2><table class="cover"><thead><tr><th></th>${agencies.map((a) => `<th>${escapeHTML(label('agency', a))}</th>`).join('')}</tr></thead><tbody>`;
    for (const g of d.groups) {
      html += `<tr><th>${escapeHTML(g.name)}</th>`;
      for (const a of agencies) {
        const r = cell.get(`${g.name}\u0000${a}`) || { available: 0, minimum: 0, below: false };
        html += `<td class="${r.below ? 'below' : r.minimum > 0 ? 'ok' : ''}" title="${escapeHTML(t('cover.cell', { agency: label('agency', a), n: r.available, min: r.minimum }))}">${r.available}<small>/${r.minimum}</small></td>`;
      }
      html += '</tr>';
    }
    this.el.innerHTML = html + '</tbody></table>';
  }
}
