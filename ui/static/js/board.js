// The unit board: units grouped by type (each type is one agency's task
// force), with status and current incident; a busy unit links to its
// incident.

import { t, label } from './i18n.js';
import { catalog } from './catalog.js';
import { unitIcon } from './icons.js';
import { escapeHTML } from './dom.js';

export class Board {
  constructor(el, store, onOpen) {
    this.el = el;
    this.store = store;
    el.addEventListener('click', (e) => {
      const b = e.target.closest('[data-incident]');
      if (b && b.dataset.incident) onOpen(b.dataset.incident);
    });
  }

  render() {
    const groups = new Map(catalog.unit_types.map((ty) => [ty, []]));
    for (const u of this.store.units.values()) {
      if (!groups.has(u.type)) groups.set(u.type, []);
      groups.get(u.type).push(u);
    }
    let html = '';
    for (const [type, units] of groups) {
      if (units.length === 0) continue;
      units.sort((a, b) => a.callsign.localeCompare(b.callsign, undefined, { numeric: true }));
      const free = units.filter((u) => u.status === 'available').length;
      html += `<section class="ugroup"><h3>${unitIcon(type)}<span>${escapeHTML(label('utype', type))}</span>
        <small>${escapeHTML(t('board.summary', { free, n: units.length }))}</small></h3><ul class="chips">`;
      for (const u of units) {
        const inc = u.incident_id ? this.store.incidents.get(u.incident_id) : null;
        const incTxt = inc ? inc.number.replace(/^.*-(\d+)$/, '#$1') : '';
        html += `<li><button type="button" class="chip us-${u.status}" data-unit="${escapeHTML(u.id)}" data-incident="${escapeHTML(u.incident_id || '')}"
          title="${escapeHTML(`${u.callsign} · ${label('ustatus', u.status)}${inc ? ' · ' + inc.number : ''}`)}">
          <b>${escapeHTML(u.callsign)}</b><span class="ust">${escapeHTML(label('ustatus', u.status))}</span>${incTxt ? `<span class="uinc">${escapeHTML(incTxt)}</span>` : ''}
        </button></li>`;
      }
      html += '</ul></section>';
    }
    this.el.innerHTML = html;
  }
}
