// The alert bar under the header: open alerts, loudest and oldest first,
// each with its age and an acknowledge button. Every console sounds the
// alerts nobody has acknowledged yet (alertsound.js); an acknowledgement
// on any console silences them all (alert.acknowledged on the live feed).

import * as api from './api.js';
import { t, label, duration } from './i18n.js';
import { escapeHTML } from './dom.js';
import { catalog } from './catalog.js';

const rank = (a) => catalog.alert_severities.indexOf(a.severity);

export class AlertBar {
  constructor(el, store, sound, { open, toast }) {
    this.el = el;
    this.store = store;
    this.sound = sound;
    this.toast = toast;
    el.addEventListener('click', async (e) => {
      const ack = e.target.closest('[data-ack]');
      if (ack) {
        ack.disabled = true;
        try {
          this.store.applyEvent('alert.acknowledged', await api.post(`/api/v1/alerts/${encodeURIComponent(ack.dataset.ack)}/ack`, {}));
        } catch (err) {
          ack.disabled = false;
          this.toast(api.errorText(err), 'error');
        }
        return;
      }
      const inc = e.target.closest('[data-incident]');
      if (inc && inc.dataset.incident) open(inc.dataset.incident);
    });
  }

  /** load fetches the open alerts (after a snapshot: alerts are not in it). */
  async load() {
    for (let wait = 1000; ; wait = Math.min(wait * 2, 15000)) {
      try {
        const items = [];
        let cursor = '';
        do {
          const page = await api.get(`/api/v1/alerts?state=open&limit=500${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`);
          items.push(...page.items);
          cursor = page.next_cursor || '';
        } while (cursor);
        this.store.setAlerts(items);
        return;
      } catch {
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  sorted() {
    return [...this.store.alerts.values()].sort((a, b) =>
      (!!a.acknowledged_at - !!b.acknowledged_at) || (rank(a) - rank(b)) || (Date.parse(a.raised_at) - Date.parse(b.raised_at)) || a.id.localeCompare(b.id));
  }

  what(a) {
    switch (a.kind) {
      case 'no_unit_type': return t('alert.kind.no_unit_type', { type: label('utype', a.unit_type) });
      case 'coverage_low': return t('alert.kind.coverage_low', { agency: label('agency', a.agency) });
      default: return label('alert.kind', a.kind);
    }
  }

  subject(a) {
    const parts = [];
    const inc = a.incident_id ? this.store.incidents.get(a.incident_id) : null;
    if (inc) parts.push(`${inc.number.replace(/^.*-(\d+)$/, '#$1')} ${label('cat', inc.category)}`);
    const unit = a.unit_id ? this.store.units.get(a.unit_id) : null;
    if (unit) parts.push(unit.callsign);
    if (a.group) parts.push(a.group);
    return parts.join(' · ');
  }

  render() {
    const list = this.sorted();
    const waiting = list.filter((a) => !a.acknowledged_at).length;
    this.el.classList.toggle('has-waiting', waiting > 0);
    let html = `<div class="alerts-head"><h2>${escapeHTML(t('alert.title'))} <span class="alerts-n">${list.length}</span></h2>
      <span class="alerts-sound"></span></div>`;
    if (list.length === 0) {
      html += `<p class="alerts-none">${escapeHTML(t('alert.none'))}</p>`;
    } else {
      html += '<ul class="alerts-list">' + list.map((a) => `<li class="alert-row sev-${escapeHTML(a.severity)}${a.acknowledged_at ? ' acked' : ''}" data-alert="${escapeHTML(a.id)}">
        <span class="sev">${escapeHTML(label('alert.sev', a.severity))}</span>
        <button type="button" class="alert-what" data-incident="${escapeHTML(a.incident_id || '')}">
          <b>${escapeHTML(this.what(a))}</b><span class="alert-subj">${escapeHTML(this.subject(a))}</span></button>
        <span class="alert-age" data-since="${escapeHTML(a.raised_at)}"></span>
        ${a.acknowledged_at
          ? `<span class="alert-by">${escapeHTML(t('alert.acked', { by: a.acknowledged_by }))}</span>`
          : `<button type="button" class="btn ack" data-ack="${escapeHTML(a.id)}" title="${escapeHTML(t('alert.ackTitle'))}">${escapeHTML(t('alert.ack'))}</button>`}
      </li>`).join('') + '</ul>';
    }
    // Redrawn only when it changed (ages tick in place): a click on Ack
    // must not land on a row replaced under the pointer.
    if (html !== this.html) {
      this.html = html;
      this.el.innerHTML = html;
    }
    this.renderSound();
    this.tick();
  }

  /** renderSound shows whether the browser lets the console sound (it
   * changes on the first click: the list must not be redrawn under it). */
  renderSound() {
    const el = this.el.querySelector('.alerts-sound');
    if (!el) return;
    const on = this.sound.on ? 'on' : 'off';
    el.className = `alerts-sound ${on}`;
    el.dataset.sound = on;
    el.textContent = on === 'on' ? t('alert.soundOn') : t('alert.soundOff');
  }

  /** tick updates the ages and sounds what is still waiting (every second). */
  tick() {
    const now = Date.now();
    for (const el of this.el.querySelectorAll('[data-since]')) el.textContent = duration((now - Date.parse(el.dataset.since)) / 1000);
    const waiting = new Set();
    for (const a of this.store.alerts.values()) if (!a.acknowledged_at) waiting.add(a.severity);
    this.sound.tick(waiting);
  }
}
