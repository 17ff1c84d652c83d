// Move-up advice: free units the coverage policy would send to another
// station so that kecamatan no free unit reaches in time are covered
// again (GET /api/v1/moveups), one click to send (POST …/relocate; the
// unit's phone hears it on its live feed). Refreshes when units change, at
// most every few seconds, and every half minute anyway.

import * as api from './api.js';
import { t, label } from './i18n.js';
import { escapeHTML } from './dom.js';

const shown = 4; // the best few: a wall panel, not a list to scroll

export class MoveUpPanel {
  constructor(el, { toast }) {
    this.el = el;
    this.toast = toast;
    this.items = [];
    this.timer = 0;
    this.canSend = false;
    api.me().then((u) => { this.canSend = !!u && u.role === 'dispatcher'; this.render(); }).catch(() => {});
    el.addEventListener('click', (ev) => {
      const b = ev.target.closest('button[data-unit]');
      if (b) this.send(b.dataset.unit, b.dataset.post, b);
    });
    setInterval(() => this.refresh(), 30000);
  }

  /** changed asks for a refresh soon (units moved between statuses). */
  changed() {
    if (this.timer) return;
    this.timer = setTimeout(() => { this.timer = 0; this.refresh(); }, 3000);
  }

  async refresh() {
    try {
      this.items = (await api.get('/api/v1/moveups')).items;
      this.render();
    } catch { /* the next refresh */ }
  }

  async send(unitID, postID, button) {
    button.disabled = true;
    try {
      const u = await api.post(`/api/v1/units/${encodeURIComponent(unitID)}/relocate`, { post_id: postID });
      this.toast(t('moveup.sent', { unit: u.callsign, post: u.post.name }));
      this.refresh();
    } catch (err) {
      button.disabled = false;
      this.toast(t('error.generic', { msg: err.message }), 'error');
    }
  }

  render() {
    if (!this.items.length) { this.el.hidden = true; this.el.replaceChildren(); return; }
    this.el.hidden = false;
    let html = `<h2>${escapeHTML(t('moveup.title'))}</h2><ul>`;
    for (const a of this.items.slice(0, shown)) {
      const covers = a.post.covers || [];
      html += `<li><span class="mv-unit">${escapeHTML(a.callsign)}</span> <span class="mv-type">${escapeHTML(label('utype', a.type))}</span>
        → <span class="mv-post">${escapeHTML(a.post.name)}</span>
        <span class="mv-why" title="${escapeHTML(covers.join(', '))}">${escapeHTML(t('moveup.covers', { n: covers.length, names: covers.join(', ') }))}</span>
        ${this.canSend ? `<button type="button" class="btn send" data-unit="${escapeHTML(a.unit_id)}" data-post="${escapeHTML(a.post.id)}">${escapeHTML(t('moveup.send'))}</button>` : ''}</li>`;
    }
    this.el.innerHTML = html + '</ul>';
  }
}
