// The unit board: units grouped by type (each type is one agency's task
// force), with status, current incident, time in status and position age.
// A click on a unit opens its control menu: status on the crew's behalf
// (a radio report), release from its incident, move it to the incident
// open in the detail panel, out of service with a reason and back.

import * as api from './api.js';
import { t, label } from './i18n.js';
import { catalog } from './catalog.js';
import { unitIcon } from './icons.js';
import { escapeHTML, elapsed } from './dom.js';
import { can } from './gate.js';

// A position older than this is stale: the tracker may be off.
export const STALE_POSITION_S = 300;
const ON_BEHALF = ['enroute', 'onscene', 'available'];

export class Board {
  /**
   * @param el the board
   * @param menuEl the unit control menu
   * @param store the Store
   * @param h handlers: open(incidentID), openIncident() → the id open in the detail panel or null, toast(msg, kind)
   */
  constructor(el, menuEl, store, h) {
    this.el = el;
    this.menuEl = menuEl;
    this.store = store;
    this.h = h;
    this.unitID = null; // the unit whose menu is open
    this.onlyAvailable = false;
    this.busy = false;
    el.addEventListener('click', (e) => {
      const b = e.target.closest('[data-unit]');
      if (b) this.openMenu(b.dataset.unit);
    });
    menuEl.addEventListener('click', (e) => this.click(e));
    menuEl.addEventListener('submit', (e) => { e.preventDefault(); });
    menuEl.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') { e.stopPropagation(); this.closeMenu(); }
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
      const shown = this.onlyAvailable ? units.filter((u) => u.status === 'available') : units;
      html += `<section class="ugroup"><h3>${unitIcon(type)}<span>${escapeHTML(label('utype', type))}</span>
        <small>${escapeHTML(t('board.summary', { free, n: units.length }))}</small></h3><ul class="chips">`;
      for (const u of shown) {
        const inc = u.incident_id ? this.store.incidents.get(u.incident_id) : null;
        const incTxt = inc ? inc.number.replace(/^.*-(\d+)$/, '#$1') : '';
        const title = [u.callsign, label('ustatus', u.status), inc ? inc.number : '', u.out_of_service,
          u.status_by ? t('unit.statusBy', { by: u.status_by }) : ''].filter(Boolean).join(' · ');
        html += `<li><button type="button" class="chip us-${u.status}${u.id === this.unitID ? ' open' : ''}" data-unit="${escapeHTML(u.id)}" data-incident="${escapeHTML(u.incident_id || '')}"
          title="${escapeHTML(title)}">
          <b>${escapeHTML(u.callsign)}</b><span class="ust">${escapeHTML(label('ustatus', u.status))}</span>${incTxt ? `<span class="uinc">${escapeHTML(incTxt)}</span>` : ''}
          <span class="uage"><span data-since="${escapeHTML(u.status_at || '')}"></span> · <span class="upos" data-pos="${escapeHTML(u.position_at || '')}"></span></span>
        </button></li>`;
      }
      html += '</ul></section>';
    }
    this.el.innerHTML = html;
    this.tick();
    if (this.unitID) this.renderMenu();
  }

  /** tick updates the ages only: it runs every second. */
  tick() {
    for (const el of this.el.querySelectorAll('[data-since]')) el.textContent = el.dataset.since ? shortAge(elapsed(el.dataset.since)) : '';
    for (const el of this.el.querySelectorAll('[data-pos]')) {
      const s = el.dataset.pos ? elapsed(el.dataset.pos) : Infinity;
      el.textContent = t('unit.posAge', { age: Number.isFinite(s) ? shortAge(s) : '—' });
      el.classList.toggle('stale', s >= STALE_POSITION_S);
    }
    const ages = this.menuEl.querySelectorAll('[data-menu-since]');
    for (const el of ages) el.textContent = shortAge(elapsed(el.dataset.menuSince));
  }

  /** toggleAvailable shows only the available units (the header's counter), or all again. */
  toggleAvailable() {
    this.onlyAvailable = !this.onlyAvailable;
    this.render();
    return this.onlyAvailable;
  }

  openMenu(id) {
    if (!this.store.units.has(id)) return;
    // Only for users the server lets control units (dispatchers).
    if (!can('POST', '/api/v1/units/{id}/status') && !can('POST', '/api/v1/units/{id}/service')) return;
    this.unitID = id;
    this.menuEl.hidden = false;
    this.render();
    this.menuEl.querySelector('button:not([disabled])')?.focus();
  }

  closeMenu() {
    if (!this.unitID) return;
    const id = this.unitID;
    this.unitID = null;
    this.menuEl.hidden = true;
    this.menuEl.innerHTML = '';
    this.render();
    this.el.querySelector(`[data-unit="${CSS.escape(id)}"]`)?.focus();
  }

  renderMenu() {
    const u = this.store.units.get(this.unitID);
    if (!u) { this.closeMenu(); return; }
    const inc = u.incident_id ? this.store.incidents.get(u.incident_id) : null;
    const openID = this.h.openIncident();
    const target = openID && openID !== u.incident_id ? this.store.incidents.get(openID) : null;
    const focused = this.menuEl.contains(document.activeElement) ? document.activeElement.dataset.key : null;
    const reason = this.menuEl.querySelector('input[name=reason]')?.value ?? '';
    const btn = (action, text, key, cls = '', extra = '') =>
      `<button type="button" class="btn ${cls}" data-action="${action}" data-key="${escapeHTML(action + extra)}"${extra ? ` data-status="${extra}"` : ''}>${key ? `<kbd>${key}</kbd> ` : ''}${escapeHTML(text)}</button>`;
    const statuses = u.incident_id ? ON_BEHALF : ['available', 'offduty'];
    this.menuEl.innerHTML = `
      <header class="menu-head us-${u.status}">${unitIcon(u.type)}<b>${escapeHTML(u.callsign)}</b>
        <span class="muted">${escapeHTML(label('agency', u.agency))}</span>
        <button type="button" class="panel-close" data-action="close" title="${escapeHTML(t('detail.close'))}" aria-label="${escapeHTML(t('detail.close'))}">×</button></header>
      <p class="menu-state"><span class="pill us-${u.status}">${escapeHTML(label('ustatus', u.status))}</span>
        <span data-menu-since="${escapeHTML(u.status_at)}"></span>
        ${u.status_by ? `<span class="muted">${escapeHTML(t('unit.statusBy', { by: u.status_by }))}</span>` : ''}
        ${u.out_of_service ? `<span class="oos">${escapeHTML(t('unit.outOfServiceWhy', { reason: u.out_of_service }))}</span>` : ''}</p>
      ${inc ? `<p><button type="button" class="link" data-action="open-incident">${escapeHTML(inc.number)} · ${escapeHTML(label('cat', inc.category))}</button></p>` : ''}
      <h4>${escapeHTML(t('unit.onBehalf'))}</h4>
      <div class="menu-row">${statuses.filter((s) => s !== u.status).map((s, k) => btn('status', label('ustatus', s), String(k + 1), '', s)).join('')}</div>
      <label class="menu-reason">${escapeHTML(t('unit.reason'))}<input name="reason" maxlength="500" data-key="reason" value="${escapeHTML(reason)}"></label>
      <div class="menu-row">
        ${inc ? btn('release', t('unit.release'), 'R', 'danger') : ''}
        ${target && u.incident_id ? btn('divert', t('unit.divert', { number: target.number }), 'M', 'go') : ''}
        ${!u.incident_id && u.status !== 'offduty' ? btn('out', t('unit.outOfService'), 'O', 'danger') : ''}
        ${!u.incident_id && u.status === 'offduty' ? btn('in', t('unit.inService'), 'I', 'go') : ''}
      </div>`;
    this.tick();
    if (focused) this.menuEl.querySelector(`[data-key="${focused}"]`)?.focus();
  }

  /** key runs a menu shortcut (1-3 status, R release, M move, O out of, I in service); true when used. */
  key(k) {
    if (!this.unitID || this.menuEl.hidden) return false;
    const sel = /^[1-9]$/.test(k) ? `[data-action=status]:nth-of-type(${k})` : { r: '[data-action=release]', m: '[data-action=divert]', o: '[data-action=out]', i: '[data-action=in]' }[k.toLowerCase()];
    const b = sel && this.menuEl.querySelector(sel);
    if (!b) return false;
    b.click();
    return true;
  }

  async click(e) {
    const b = e.target.closest('[data-action]');
    if (!b || this.busy) return;
    const u = this.store.units.get(this.unitID);
    if (!u) return;
    const reason = this.menuEl.querySelector('input[name=reason]')?.value.trim() || '';
    const unit = encodeURIComponent(u.id);
    switch (b.dataset.action) {
      case 'close': this.closeMenu(); return;
      case 'open-incident': this.h.open(u.incident_id); return;
      case 'status':
        await this.act(b, () => api.post(`/api/v1/units/${unit}/status`, { status: b.dataset.status }),
          t('unit.statusOk', { callsign: u.callsign, status: label('ustatus', b.dataset.status) }));
        return;
      case 'release': {
        const body = reason ? { reason } : {};
        await this.act(b, () => api.del(`/api/v1/incidents/${encodeURIComponent(u.incident_id)}/assignments/${unit}`, body),
          t('unit.releasedOk', { callsign: u.callsign }));
        return;
      }
      case 'divert': {
        const to = this.h.openIncident();
        await this.act(b, () => api.post(`/api/v1/incidents/${encodeURIComponent(to)}/assignments`, { unit_id: u.id, divert: true, reason }),
          t('unit.divertedOk', { callsign: u.callsign }));
        return;
      }
      case 'out':
        if (!reason) {
          this.h.toast(t('unit.reasonNeeded'), 'error');
          this.menuEl.querySelector('input[name=reason]')?.focus();
          return;
        }
        await this.act(b, () => api.post(`/api/v1/units/${unit}/service`, { in_service: false, reason }), t('unit.outOk', { callsign: u.callsign }));
        return;
      case 'in':
        await this.act(b, () => api.post(`/api/v1/units/${unit}/service`, { in_service: true }), t('unit.inOk', { callsign: u.callsign }));
    }
  }

  async act(button, call, okMsg) {
    this.busy = true;
    button.disabled = true;
    try {
      await call();
      this.h.toast(okMsg, 'ok');
      const r = this.menuEl.querySelector('input[name=reason]');
      if (r) r.value = '';
    } catch (err) {
      this.h.toast(t('error.generic', { msg: err.message }), 'error');
    } finally {
      this.busy = false;
      button.disabled = false;
    }
  }
}

/** shortAge is a short age for a crowded board: 45 s, 12 min, 3 h. */
export function shortAge(s) {
  s = Math.max(0, Math.floor(s));
  if (s < 60) return t('age.s', { n: s });
  if (s < 3600) return t('age.m', { n: Math.floor(s / 60) });
  return t('age.h', { n: Math.floor(s / 3600) });
}
