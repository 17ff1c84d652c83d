// Incident detail: facts, timeline, assigned units (each released with one
// click, the last with a reason), the nearest available units of each type
// the response plan needs (one click "Kirim" each, or the whole plan at
// once), any other unit by callsign (a type-ahead with its ETA; a unit busy
// elsewhere is moved here), the activity log with a note box, an edit of
// category, priority, location (typed, searched or picked on the map),
// address, description and caller, a merge into another open incident,
// cancel and reopen with a reason, and closing with a disposition (asked
// twice when no unit arrived or units are still out). A closed incident
// (opened from the history) is read from the server and shown read-only
// with its log; it can be reopened.

import * as api from './api.js';
import { t, label, has, wib, duration, DISPOSITIONS } from './i18n.js';
import { catalog, categories } from './catalog.js';
import { categoryIcon, unitIcon } from './icons.js';
import { escapeHTML, elapsed } from './dom.js';
import { askReason } from './dialog.js';
import { can } from './gate.js';
import { Evidence } from './evidence.js';

// What this user may do to an incident (the server's route table): the
// panel offers nothing the server would refuse.
const may = {
  dispatch: can('POST', '/api/v1/incidents/{id}/assignments'),
  alarm: can('POST', '/api/v1/incidents/{id}/alarm'),
  release: can('DELETE', '/api/v1/incidents/{id}/assignments/{unit}'),
  message: can('POST', '/api/v1/messages'),
  note: can('POST', '/api/v1/incidents/{id}/notes'),
  edit: can('PATCH', '/api/v1/incidents/{id}'),
  merge: can('POST', '/api/v1/incidents/{id}/merge'),
  cancel: can('POST', '/api/v1/incidents/{id}/cancel'),
  reopen: can('POST', '/api/v1/incidents/{id}/reopen'),
  close: can('POST', '/api/v1/incidents/{id}/close'),
};

const REC_PER_TYPE = 3;
const TYPEAHEAD = 8;

export class Detail {
  /**
   * @param el the panel
   * @param store the Store
   * @param cfg the server's config (plan, target_s)
   * @param h handlers: closed() when the panel closes, toast(msg, kind)
   */
  constructor(el, store, cfg, h) {
    this.el = el;
    this.store = store;
    this.cfg = cfg;
    this.h = h;
    this.id = null;
    this.recs = null; // [{type, need, list}]
    this.recsAt = 0;
    this.busy = false;
    this.log = null; // the server's activity log of the open incident
    this.logTimer = 0;
    this.planMissing = null; // [{type, count}] after a change of category
    this.unmet = null; // [{type|capability, count}] the plan's dispatch could not fill
    this.record = null; // the server's copy: closed incidents are not in the store
    this.places = null; // the location search's answer in the edit form
    this.picking = false; // the next map click moves the incident
    this.ta = { q: '', results: [], index: 0, timer: 0 }; // the unit type-ahead
    this.messages = null; // the incident's messages with its units, newest first
    // What the nearest cameras saw (evidence.js), drawn inside the panel.
    this.evidence = new Evidence({ changed: () => this.render(), toast: (msg, kind) => this.h.toast(msg, kind) });
    el.addEventListener('click', (e) => { if (!this.evidence.click(e, this.incident())) this.click(e); });
    el.addEventListener('input', (e) => { if (e.target.name === 'unit-q') this.searchSoon(e.target.value); });
    this.hovered = null; // the recommendation whose route the map shows
    // The route of the recommendation under the pointer (or focused by
    // keyboard) is drawn on the map.
    const hover = (e) => {
      const row = e.target.closest && e.target.closest('.rec[data-rec]');
      const rec = row ? this.recByKey(row.dataset.rec) : null;
      if (rec !== this.hovered) { this.hovered = rec; this.h.hoverRec && this.h.hoverRec(rec); }
    };
    el.addEventListener('mouseover', hover);
    el.addEventListener('focusin', hover);
    el.addEventListener('mouseleave', () => { this.hovered = null; this.h.hoverRec && this.h.hoverRec(null); });
    el.addEventListener('submit', (e) => {
      e.preventDefault();
      const f = e.target;
      if (f.classList.contains('close-form')) this.closeIncident();
      else if (f.classList.contains('note-form')) this.addNote(f);
      else if (f.classList.contains('edit-form')) this.edit(f);
      else if (f.classList.contains('reason-form')) this.cancelOrReopen(f);
      else if (f.classList.contains('merge-form')) this.merge(f);
      else if (f.classList.contains('msg-form')) this.sendMessage(f);
    });
    // Enter saves a note, Shift+Enter starts a new line.
    el.addEventListener('keydown', (e) => {
      if (e.target.name === 'unit-q') { this.typeaheadKey(e); return; }
      if (e.key !== 'Enter' || e.shiftKey || e.isComposing || e.target.name !== 'note') return;
      e.preventDefault();
      e.target.form.requestSubmit();
    });
  }

  open(id) {
    this.id = id;
    this.recs = null;
    this.log = null;
    this.record = null;
    this.places = null;
    this.picking = false;
    this.planMissing = null;
    this.unmet = null;
    this.ta = { q: '', results: [], index: 0, timer: 0 };
    this.messages = null;
    this.el.hidden = false;
    // What was typed for the incident shown before must not carry over.
    this.el.innerHTML = '';
    this.render();
    this.loadRecs();
    this.loadLog();
    this.loadMessages();
    const inc = this.incident();
    if (inc) this.evidence.open(inc);
    this.el.querySelector('.panel-close')?.focus();
  }

  close() {
    if (!this.id) return;
    this.id = null;
    this.el.hidden = true;
    this.el.innerHTML = '';
    this.h.closed();
  }

  incident() {
    if (!this.id) return null;
    return this.store.incidents.get(this.id) || (this.record && this.record.id === this.id ? this.record : null);
  }

  /** update re-renders after a store change; unit changes refresh the recommendations. */
  update(kinds) {
    if (!this.id) return;
    if (kinds.has('incidents') || kinds.has('units') || kinds.has('snapshot')) this.render();
    if (kinds.has('incidents') || kinds.has('snapshot')) this.reloadLogSoon();
    if (kinds.has('incidents') || kinds.has('snapshot')) this.evidence.refresh(this.incident());
    if ((kinds.has('units') || kinds.has('snapshot')) && Date.now() - this.recsAt > 1500) this.loadRecs();
  }

  async loadRecs() {
    const id = this.id;
    const inc = this.incident();
    if (!inc || inc.status === 'closed') return;
    this.recsAt = Date.now();
    try {
      // The needs at the incident's alarm level (type or capability) are
      // the server's: the plan and the levels are configured there.
      const plan = await api.get(`/api/v1/incidents/${encodeURIComponent(id)}/plan`);
      const types = plan.needs.length ? plan.needs : [{ type: '', count: 1 }];
      const lists = await Promise.all(types.map((n) =>
        api.get(`/api/v1/incidents/${encodeURIComponent(id)}/recommendations?route=1&limit=${REC_PER_TYPE}${n.type ? '&type=' + n.type : ''}${n.capability ? '&capability=' + encodeURIComponent(n.capability) : ''}`)));
      if (this.id !== id) return;
      this.recs = types.map((n, k) => ({ type: n.type || '', capability: n.capability || '', need: n.count, list: lists[k] || [] }));
    } catch (err) {
      if (this.id !== id) return;
      this.recs = [];
      this.h.toast(t('error.generic', { msg: err.message }), 'error');
    }
    this.render();
  }

  // The log is the server's (one home for it): read again shortly after a
  // change, one request for a burst of them.
  reloadLogSoon() {
    clearTimeout(this.logTimer);
    this.logTimer = setTimeout(() => this.loadLog(), 250);
  }

  async loadLog() {
    const id = this.id;
    if (!id) return;
    try {
      const full = await api.get(`/api/v1/incidents/${encodeURIComponent(id)}`);
      if (this.id !== id) return;
      this.log = full.log || [];
      const first = !this.record;
      this.record = full;
      if (first && this.evidence.id !== id) this.evidence.open(full); // a closed incident: not in the store
      if (first && full.status !== 'closed' && !this.recs) this.loadRecs();
    } catch (err) {
      if (this.id !== id) return;
      this.log = this.log || [];
      if (err.status !== 404) this.h.toast(t('error.generic', { msg: err.message }), 'error');
    }
    this.render();
  }

  render() {
    const inc = this.incident();
    if (!inc) {
      const what = this.log ? escapeHTML(t('detail.notFound')) : '…';
      this.el.innerHTML = `<header class="panel-head"><h2>${what}</h2>${this.closeButton()}</header>`;
      return;
    }
    const active = inc.assignments.filter((a) => !a.cleared_at);
    const focused = document.activeElement && this.el.contains(document.activeElement) ? document.activeElement.dataset.focusKey : null;
    // What the dispatcher typed or chose survives the re-render a live change makes.
    const kept = [...this.el.querySelectorAll('[data-focus-key]')].filter((f) => 'value' in f && f.tagName !== 'BUTTON')
      .map((f) => [f.dataset.focusKey, f.type === 'checkbox' ? f.checked : f.value]);
    const opened = [...this.el.querySelectorAll('details[open][data-keep]')].map((d) => d.dataset.keep);
    const closed = inc.status === 'closed';
    this.el.innerHTML = `
      <header class="panel-head p${Math.min(inc.priority, 4)}">
        <span class="cat-ico big">${categoryIcon(inc.category)}</span>
        <div class="head-text">
          <h2>${escapeHTML(label('cat', inc.category))}</h2>
          <div class="sub"><span class="prio">${escapeHTML(label('priority', inc.priority))}</span> · <span class="ist ist-${inc.status}">${escapeHTML(label('istatus', inc.status))}</span>${inc.alarm_level >= 2 ? ` · <span class="alarm-badge">${escapeHTML(t('detail.alarmLevel', { n: inc.alarm_level }))}</span>` : ''}</div>
          <div class="sub inc-num">${escapeHTML(inc.number)}</div>
        </div>
        ${this.closeButton()}
      </header>
      <div class="panel-body">
        <dl class="facts">
          ${fact(t('detail.district'), inc.district)}
          ${fact(t('detail.address'), inc.address)}
          ${fact(t('detail.caller'), inc.caller ? [inc.caller.name, inc.caller.phone].filter(Boolean).join(' · ') : '')}
          ${fact(t('detail.source'), label('src', inc.source))}
          ${fact(t('detail.description'), inc.description)}
          ${fact(t('detail.outOfArea'), inc.out_of_area ? [t('detail.outOfAreaKm', { km: (inc.out_of_area.distance_m / 1000).toFixed(1) }), inc.out_of_area.reason].filter(Boolean).join(' · ') : '')}
          ${fact(t('detail.outcome'), closed ? dispositionText(inc.disposition) : '')}
          ${fact(t('detail.mergedInto'), inc.merged_into ? this.numberOf(inc.merged_into) : '')}
        </dl>
        ${closed ? `<p class="read-only" role="note">${escapeHTML(t('detail.readOnly'))}</p>` : `
        ${may.dispatch ? this.planMissingHTML() : ''}
        ${may.alarm ? this.alarmHTML(inc) : ''}
        ${!may.dispatch ? '' : `<h3>${escapeHTML(t('detail.recommend'))}</h3>
        ${this.recsHTML(inc)}
        ${this.typeaheadHTML()}`}`}
        <h3>${escapeHTML(t('detail.assigned'))}</h3>
        ${active.length === 0 && inc.assignments.length === 0 ? `<p class="muted">${escapeHTML(t('detail.noneAssigned'))}</p>` : ''}
        <ul class="assigned">${inc.assignments.map((a) => `
          <li class="${a.cleared_at ? 'cleared' : ''}">${unitIcon(a.type)}<b>${escapeHTML(a.callsign)}</b>
            <span class="pill us-${a.cleared_at ? 'cleared' : a.status}">${escapeHTML(label('ustatus', a.status))}</span>
            ${!a.cleared_at && (a.status === 'dispatched' || a.status === 'enroute') ? `<span class="eta-live" data-unit="${escapeHTML(a.unit_id)}"></span>` : ''}
            <span class="times">${escapeHTML(wib(a.dispatched_at))}${a.onscene_at ? ' → ' + escapeHTML(wib(a.onscene_at)) : ''}</span>
            ${a.cleared_at || !may.release ? '' : `<button type="button" class="btn small" data-action="release" data-unit="${escapeHTML(a.unit_id)}" data-callsign="${escapeHTML(a.callsign)}" data-focus-key="r-${escapeHTML(a.unit_id)}" title="${escapeHTML(t('detail.releaseTitle'))}">${escapeHTML(t('detail.release'))}</button>`}
            ${ackHTML(a)}</li>`).join('')}
        </ul>
        ${active.length && may.release ? `<label class="unit-reason">${escapeHTML(t('detail.unitReason'))}<input name="unit-reason" maxlength="500" data-focus-key="unit-reason"></label>` : ''}
        <h3>${escapeHTML(t('detail.messages'))}</h3>
        ${this.messagesHTML()}
        ${closed || active.length === 0 || !may.message ? '' : `<form class="msg-form">
          <input name="text" maxlength="1000" autocomplete="off" data-focus-key="msg" placeholder="${escapeHTML(t('detail.msgPlaceholder'))}">
          <button type="submit" class="btn" data-focus-key="msg-send">${escapeHTML(t('detail.msgSend'))}</button>
        </form>`}
        <h3>${escapeHTML(t('detail.timeline'))}</h3>
        <ol class="timeline">
          ${step(t('detail.received'), inc.received_at, inc.received_at)}
          ${step(t('detail.dispatched'), inc.dispatched_at, inc.received_at)}
          ${step(t('detail.enroute'), inc.enroute_at, inc.received_at)}
          ${step(t('detail.onscene'), inc.onscene_at, inc.received_at, this.cfg.target_s)}
          ${step(t('detail.closed'), inc.closed_at, inc.received_at)}
        </ol>
        ${this.evidence.html(inc)}
        <h3>${escapeHTML(t('detail.log'))}</h3>
        ${this.logHTML()}
        ${closed || !may.note ? '' : `<form class="note-form">
          <label>${escapeHTML(t('detail.noteLabel'))}
            <textarea name="note" rows="2" maxlength="4000" data-focus-key="note" placeholder="${escapeHTML(t('detail.notePlaceholder'))}"></textarea>
          </label>
          <div class="note-row">
            <label class="check"><input type="checkbox" name="internal" data-focus-key="internal"> ${escapeHTML(t('detail.noteInternal'))}</label>
            <button type="submit" class="btn" data-focus-key="note-save">${escapeHTML(t('detail.noteSave'))}</button>
          </div>
        </form>`}
        ${closed || !may.edit ? '' : this.editHTML(inc)}
        ${closed || !may.merge ? '' : this.mergeHTML(inc)}
        ${!(closed ? may.reopen : may.cancel) ? '' : `<form class="reason-form" data-verb="${closed ? 'reopen' : 'cancel'}">
          <label>${escapeHTML(t('detail.reason'))}
            <input name="reason" maxlength="500" data-focus-key="reason-${closed ? 'reopen' : 'cancel'}">
          </label>
          <button type="submit" class="btn ${closed ? 'go' : 'danger'}" data-focus-key="${closed ? 'reopen' : 'cancel'}">${escapeHTML(t(closed ? 'detail.reopen' : 'detail.cancelIncident'))}</button>
        </form>`}
        ${closed || !may.close ? '' : `<form class="close-form">
          <label>${escapeHTML(t('detail.disposition'))}
            <select name="disposition" data-focus-key="disposition">${DISPOSITIONS.map((d) => `<option value="${d}">${escapeHTML(label('disp', d))}</option>`).join('')}</select>
          </label>
          <button type="submit" class="btn danger" data-focus-key="close-incident">${escapeHTML(t('detail.closeIncident'))}</button>
        </form>`}
      </div>`;
    for (const [key, v] of kept) {
      const f = this.el.querySelector(`[data-focus-key="${key}"]`);
      if (!f) continue;
      if (f.type === 'checkbox') f.checked = v; else f.value = v;
    }
    for (const k of opened) { const d = this.el.querySelector(`details[data-keep="${k}"]`); if (d) d.open = true; }
    if (focused) this.el.querySelector(`[data-focus-key="${focused}"]`)?.focus();
  }

  // The incident's messages: to its units, and from its units while on it.
  async loadMessages() {
    const id = this.id;
    if (!id) return;
    try {
      const page = await api.get('/api/v1/messages?limit=100');
      if (this.id !== id) return;
      this.messages = page.items.filter((m) => m.to_incident === id);
    } catch (err) {
      if (this.id !== id) return;
      this.messages = [];
    }
    this.render();
  }

  /** message hears a message.created from the live feed. */
  message(m) {
    if (this.id && m.to_incident === this.id) this.loadMessages();
  }

  messagesHTML() {
    if (!this.messages) return '<p class="muted">…</p>';
    if (this.messages.length === 0) return `<p class="muted">${escapeHTML(t('detail.noMessages'))}</p>`;
    return `<ol class="messages">${this.messages.map((m) => {
      const who = m.from_unit ? this.callsign(m.from_unit) : `${t('detail.msgCenter')} · ${m.from}`;
      const text = m.canned ? label('canned', m.canned) : m.text;
      return `<li class="${m.from_unit ? 'from-unit' : 'to-unit'}"><span class="at">${escapeHTML(wib(m.at))}</span>
        <span class="who">${escapeHTML(who)}</span><p class="text">${escapeHTML(text)}</p></li>`;
    }).join('')}</ol>`;
  }

  callsign(unitID) {
    const u = this.store.units.get(unitID);
    return u ? u.callsign : unitID;
  }

  async sendMessage(form) {
    const id = this.id;
    const text = form.elements.text.value.trim();
    if (!id || !text) return;
    const ok = await this.act(form.querySelector('button'), () => api.post('/api/v1/messages', { to_incident: id, text }), t('detail.msgSent'));
    if (ok && this.id === id) {
      const box = this.el.querySelector('input[name=text]');
      if (box) box.value = '';
      this.loadMessages();
    }
  }

  logHTML() {
    if (!this.log) return '<p class="muted">…</p>';
    if (this.log.length === 0) return `<p class="muted">${escapeHTML(t('detail.noLog'))}</p>`;
    // A unit's step already says the incident's (same event, same instant):
    // one line for both. Newest first: what just happened is what counts.
    const byUnit = new Set(this.log.filter((e) => e.unit_id).map((e) => `${e.event}@${e.at}`));
    const lines = this.log.filter((e) => e.unit_id || !byUnit.has(`${e.event}@${e.at}`));
    return `<ol class="activity">${lines.reverse().map((e) => {
      const what = has(`log.${e.event}`) ? t(`log.${e.event}`) : e.event;
      const who = [e.callsign, e.by].filter(Boolean).join(' · ');
      const fields = (e.fields || []).map((f) => f.from || f.to
        ? `${escapeHTML(f.field)}: ${escapeHTML(fieldValue(f.field, f.from))} → ${escapeHTML(fieldValue(f.field, f.to))}`
        : escapeHTML(f.field)).join('; ');
      return `<li class="log-${escapeHTML(e.event)}${e.internal ? ' internal' : ''}">
        <span class="at">${escapeHTML(wib(e.at))}</span>
        <span class="what">${escapeHTML(what)}${e.internal ? ` <span class="tag">${escapeHTML(t('detail.internal'))}</span>` : ''}</span>
        <span class="who">${escapeHTML(who)}</span>
        ${e.text ? `<p class="text">${escapeHTML(logText(e.text))}</p>` : ''}
        ${fields ? `<p class="fields">${fields}</p>` : ''}</li>`;
    }).join('')}</ol>`;
  }

  editHTML(inc) {
    const cats = categories.map((c) => `<option value="${c}"${c === inc.category ? ' selected' : ''}>${escapeHTML(label('cat', c))}</option>`).join('');
    const prios = catalog.priorities.map((p) => `<option value="${p}"${p === inc.priority ? ' selected' : ''}>${escapeHTML(label('priority', p))}</option>`).join('');
    const c = inc.caller || {};
    const places = this.places === null ? '' : this.places.length === 0
      ? `<p class="muted">${escapeHTML(t('detail.geoNone'))}</p>`
      : `<ul class="geo-list">${this.places.map((p, k) => `<li><button type="button" class="btn link${p.out_of_area ? ' outside' : ''}" data-action="place" data-place="${k}" data-focus-key="place-${k}">
          <b>${escapeHTML(p.name)}</b> <span class="muted">${escapeHTML([label('place', p.kind), p.kelurahan, p.district].filter(Boolean).join(' · '))}</span>
          ${p.out_of_area ? `<span class="area-badge">⚠ ${escapeHTML(t('area.badge'))}</span>` : ''}</button></li>`).join('')}</ul>`;
    return `<details class="edit" data-keep="edit"><summary>${escapeHTML(t('detail.edit'))}</summary>
      <form class="edit-form">
        <div class="row2">
          <label>${escapeHTML(t('detail.category'))}<select name="category" data-focus-key="edit-category">${cats}</select></label>
          <label>${escapeHTML(t('detail.priority'))}<select name="priority" data-focus-key="edit-priority">${prios}</select></label>
        </div>
        <label>${escapeHTML(t('detail.location'))}
          <span class="loc-row"><input name="location" data-focus-key="edit-location" value="${escapeHTML(pointText(inc.location))}" placeholder="${escapeHTML(t('detail.locationHint'))}" autocomplete="off">
          <button type="button" class="btn" data-action="find" data-focus-key="edit-find">${escapeHTML(t('detail.findPlace'))}</button>
          <button type="button" class="btn${this.picking ? ' go' : ''}" data-action="pick" data-focus-key="edit-pick">${escapeHTML(t('detail.pickOnMap'))}</button></span></label>
        ${places}
        <label>${escapeHTML(t('detail.address'))}<input name="address" maxlength="300" data-focus-key="edit-address" value="${escapeHTML(inc.address || '')}"></label>
        <label>${escapeHTML(t('detail.description'))}<textarea name="description" rows="2" maxlength="4000" data-focus-key="edit-description">${escapeHTML(inc.description || '')}</textarea></label>
        <div class="row2">
          <label>${escapeHTML(t('detail.callerName'))}<input name="caller_name" maxlength="200" data-focus-key="edit-caller-name" value="${escapeHTML(c.name || '')}"></label>
          <label>${escapeHTML(t('detail.callerPhone'))}<input name="caller_phone" inputmode="tel" maxlength="30" data-focus-key="edit-caller-phone" value="${escapeHTML(c.phone || '')}"></label>
        </div>
        <button type="submit" class="btn" data-focus-key="edit-save">${escapeHTML(t('detail.save'))}</button>
      </form></details>`;
  }

  mergeHTML(inc) {
    const others = [...this.store.incidents.values()].filter((o) => o.id !== inc.id && o.status !== 'closed')
      .sort((a, b) => Date.parse(b.received_at) - Date.parse(a.received_at));
    const body = others.length === 0 ? `<p class="muted">${escapeHTML(t('detail.noMergeTarget'))}</p>` : `<form class="merge-form">
        <label>${escapeHTML(t('detail.mergeInto'))}<select name="into" data-focus-key="merge-into">${others.map((o) =>
          `<option value="${escapeHTML(o.id)}">${escapeHTML([o.number, label('cat', o.category), o.address || o.district].filter(Boolean).join(' · '))}</option>`).join('')}</select></label>
        <button type="submit" class="btn danger" data-focus-key="merge">${escapeHTML(t('detail.mergeBtn'))}</button></form>`;
    return `<details class="edit" data-keep="merge"><summary>${escapeHTML(t('detail.merge'))}</summary>${body}</details>`;
  }

  // numberOf is an incident's number when this console knows it, else its id.
  numberOf(id) {
    const o = this.store.incidents.get(id);
    return o ? o.number : id;
  }

  /** picked takes the map click that moves the incident (after "Pick on the map"). */
  picked(latlng) {
    this.picking = false;
    const box = this.el.querySelector('input[name=location]');
    if (box) box.value = pointText({ lat: latlng.lat, lon: latlng.lng });
    this.render();
    this.el.querySelector('input[name=location]')?.focus();
  }

  planMissingHTML() {
    const blocks = [];
    if (this.planMissing && this.planMissing.length) blocks.push([t('detail.planMissing'), this.planMissing]);
    if (this.unmet && this.unmet.length) blocks.push([t('detail.unmet'), this.unmet]);
    return blocks.map(([text, needs]) => `<div class="plan-missing" role="status">${escapeHTML(text)}
      ${needs.map((n) => `<span class="need">${needHTML(n)} ×${n.count}</span>`).join(' ')}</div>`).join('');
  }

  // alarmHTML is the incident's alarm level and the control that raises it
  // one level (to 3 at most): the extra needs are then recommended.
  alarmHTML(inc) {
    const level = inc.alarm_level || 1;
    const next = level < 3 ? `<button type="button" class="btn warn" data-action="alarm" data-level="${level + 1}" data-focus-key="alarm">${escapeHTML(t('detail.raiseAlarm', { n: level + 1 }))}</button>` : '';
    return `<div class="alarm-row"><span class="alarm-now lvl${level}">${escapeHTML(t('detail.alarmLevel', { n: level }))}</span>${next}</div>`;
  }

  typeaheadHTML() {
    const rows = this.ta.results.map((r, k) => `<li class="ta-row${k === this.ta.index ? ' active' : ''}${r.incident ? ' busy' : ''}" role="option" aria-selected="${k === this.ta.index}">
        ${unitIcon(r.type)}<b>${escapeHTML(r.callsign)}</b>
        <span class="eta">${r.eta_s !== undefined ? escapeHTML(t('detail.eta', { m: Math.max(1, Math.round(r.eta_s / 60)) })) : escapeHTML(r.incident)}</span>
        <span class="dist">${r.distance_m !== undefined ? escapeHTML(t('detail.km', { km: (r.distance_m / 1000).toFixed(1) })) : escapeHTML(label('ustatus', r.status))}</span>
        <button type="button" class="btn ${r.incident ? '' : 'go'}" data-action="${r.incident ? 'divert' : 'dispatch'}" data-unit="${escapeHTML(r.unit_id)}" data-callsign="${escapeHTML(r.callsign)}" data-focus-key="ta-${escapeHTML(r.unit_id)}">${escapeHTML(t(r.incident ? 'detail.divert' : 'detail.dispatch'))}</button></li>`).join('');
    const none = this.ta.q && this.ta.results.length === 0 && !this.ta.timer ? `<li class="muted">${escapeHTML(t('detail.noUnitFound'))}</li>` : '';
    return `<h3>${escapeHTML(t('detail.anyUnit'))}</h3>
      <div class="typeahead"><input name="unit-q" autocomplete="off" maxlength="40" data-focus-key="unit-q" role="combobox"
        aria-label="${escapeHTML(t('detail.anyUnit'))}" placeholder="${escapeHTML(t('detail.unitSearch'))}">
      <ul class="ta-results" role="listbox">${rows}${none}</ul></div>`;
  }

  searchSoon(q) {
    clearTimeout(this.ta.timer);
    this.ta.q = q.trim();
    this.ta.timer = setTimeout(() => { this.ta.timer = 0; this.search(); }, 150);
  }

  // search asks the recommender for the available units whose callsign
  // matches (their ETA by its method) and adds the matching units busy on
  // other incidents, which can be moved here.
  async search() {
    const id = this.id, q = this.ta.q;
    if (!id) return;
    if (!q) { this.ta.results = []; this.render(); return; }
    let recs = [];
    try {
      recs = await api.get(`/api/v1/incidents/${encodeURIComponent(id)}/recommendations?limit=${TYPEAHEAD}&callsign=${encodeURIComponent(q)}`);
    } catch (err) {
      this.h.toast(t('error.generic', { msg: err.message }), 'error');
    }
    if (this.id !== id || this.ta.q !== q) return;
    const busy = [...this.store.units.values()]
      .filter((u) => u.incident_id && u.incident_id !== id && u.callsign.toLowerCase().includes(q.toLowerCase()))
      .slice(0, Math.max(0, TYPEAHEAD - recs.length))
      .map((u) => ({ unit_id: u.id, callsign: u.callsign, type: u.type, status: u.status,
        incident: (this.store.incidents.get(u.incident_id)?.number || '').replace(/^.*-(\d+)$/, '#$1') }));
    this.ta.results = recs.concat(busy);
    this.ta.index = 0;
    this.render();
  }

  typeaheadKey(e) {
    const n = this.ta.results.length;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (!n) return;
      this.ta.index = (this.ta.index + (e.key === 'ArrowDown' ? 1 : n - 1)) % n;
      this.render();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const r = this.ta.results[this.ta.index];
      if (r) this.el.querySelector(`[data-focus-key="ta-${CSS.escape(r.unit_id)}"]`)?.click();
    } else if (e.key === 'Escape' && this.ta.q) {
      e.preventDefault();
      e.stopPropagation();
      e.target.value = '';
      this.ta = { q: '', results: [], index: 0, timer: 0 };
      this.render();
    }
  }

  /** focusUnitSearch puts the cursor in the type-ahead (the "/" key). */
  focusUnitSearch() { this.el.querySelector('input[name=unit-q]')?.focus(); }

  closeButton() {
    return `<button type="button" class="panel-close" data-action="close" data-focus-key="close" title="${escapeHTML(t('detail.close'))}" aria-label="${escapeHTML(t('detail.close'))}">×</button>`;
  }

  recsHTML(inc) {
    if (!this.recs) return '<p class="muted">…</p>';
    const rows = [];
    for (const g of this.recs) {
      if (g.type || g.capability) rows.push(`<li class="rec-type">${needHTML(g)} ×${g.need}</li>`);
      if (g.list.length === 0) rows.push(`<li class="muted">${escapeHTML(t('detail.noRecommend'))}</li>`);
      for (const r of g.list) {
        const key = `${g.type || g.capability}/${r.unit_id}`;
        const divert = r.divert_from ? this.store.incidents.get(r.divert_from) : null;
        const flags = [
          r.method === 'straight' ? `<span class="flag straight" title="${escapeHTML(t('detail.straightTitle'))}">${escapeHTML(t('detail.straight'))}</span>` : '',
          r.stale ? `<span class="flag stale">${escapeHTML(r.position_age_s != null ? t('detail.stale', { m: Math.round(r.position_age_s / 60) }) : t('detail.noFix'))}</span>` : '',
          r.divert_from ? `<span class="flag divert">${escapeHTML(t('detail.divertFrom', { n: divert ? divert.number : r.divert_from, p: r.divert_priority, s: label('ustatus', r.divert_status) }))}</span>` : '',
        ].join('');
        const action = r.divert_from ? 'divert' : 'dispatch';
        rows.push(`<li class="rec${r.divert_from ? ' divert' : ''}" data-rec="${escapeHTML(key)}" tabindex="-1"><b>${escapeHTML(r.callsign)}</b>
          <span class="eta">${escapeHTML(t('detail.eta', { m: Math.max(1, Math.round(r.eta_s / 60)) }))}</span>
          <span class="dist">${escapeHTML(t('detail.km', { km: (r.distance_m / 1000).toFixed(1) }))}</span>
          <button type="button" class="btn ${r.divert_from ? 'warn' : 'go'}" data-action="${action}" data-unit="${escapeHTML(r.unit_id)}" data-callsign="${escapeHTML(r.callsign)}" data-focus-key="d-${escapeHTML(r.unit_id)}">${escapeHTML(t(r.divert_from ? 'detail.divert' : 'detail.dispatch'))}</button>
          ${flags ? `<span class="flags">${flags}</span>` : ''}</li>`);
      }
    }
    const plan = inc.status !== 'closed'
      ? `<button type="button" class="btn go wide" data-action="plan" data-focus-key="plan">${escapeHTML(t('detail.dispatchPlan'))}</button>` : '';
    return `<ul class="recs">${rows.join('')}</ul>${plan}`;
  }

  recByKey(key) {
    for (const g of this.recs || []) {
      for (const r of g.list) if (`${g.type || g.capability}/${r.unit_id}` === key) return r;
    }
    return null;
  }

  async click(e) {
    const b = e.target.closest('[data-action]');
    if (!b || this.busy) return;
    const id = this.id;
    switch (b.dataset.action) {
      case 'close':
        this.close();
        return;
      case 'dispatch':
        await this.act(b, () => api.post(`/api/v1/incidents/${encodeURIComponent(id)}/assignments`, { unit_id: b.dataset.unit }),
          t('detail.dispatchedOk', { callsign: b.dataset.callsign }));
        return;
      case 'divert':
        await this.act(b, () => api.post(`/api/v1/incidents/${encodeURIComponent(id)}/assignments`,
          { unit_id: b.dataset.unit, divert: true, reason: t('detail.divertReason') }),
        t('detail.divertedOk', { callsign: b.dataset.callsign }));
        return;
      case 'plan': {
        let res = null;
        const ok = await this.act(b, async () => { res = await api.post(`/api/v1/incidents/${encodeURIComponent(id)}/assignments`, { auto: true }); }, null);
        if (ok && this.id === id) { this.unmet = (res && res.missing) || []; this.render(); }
        return;
      }
      case 'alarm': {
        const level = Number(b.dataset.level);
        const ok = await this.act(b, () => api.post(`/api/v1/incidents/${encodeURIComponent(id)}/alarm`, { level }), t('detail.alarmRaised', { n: level }));
        if (ok && this.id === id) { this.unmet = null; this.loadLog(); }
        return;
      }
      case 'find': {
        const q = this.el.querySelector('input[name=location]').value.trim().slice(0, 100);
        if (!q) return;
        try { this.places = await api.get(`/api/v1/geocode?q=${encodeURIComponent(q)}&limit=5`); } catch { this.places = []; }
        if (this.id === id) this.render();
        return;
      }
      case 'place': {
        const p = this.places && this.places[Number(b.dataset.place)];
        if (!p) return;
        this.el.querySelector('input[name=location]').value = pointText(p.location);
        if (p.kind !== 'coordinates') this.el.querySelector('input[name=address]').value = [p.name, p.kelurahan, p.district].filter(Boolean).join(', ');
        this.places = null;
        this.render();
        return;
      }
      case 'pick':
        this.picking = !this.picking;
        if (this.picking) this.h.toast(t('detail.pickHint'), 'ok');
        this.render();
        return;
      case 'divert':
        await this.act(b, () => api.post(`/api/v1/incidents/${encodeURIComponent(id)}/assignments`,
          { unit_id: b.dataset.unit, divert: true, reason: this.unitReason() }), t('unit.divertedOk', { callsign: b.dataset.callsign }));
        return;
      case 'release': {
        const reason = this.unitReason();
        await this.act(b, () => api.del(`/api/v1/incidents/${encodeURIComponent(id)}/assignments/${encodeURIComponent(b.dataset.unit)}`,
          reason ? { reason } : {}), t('unit.releasedOk', { callsign: b.dataset.callsign }));
        return;
      }
    }
  }

  unitReason() { return this.el.querySelector('input[name=unit-reason]')?.value.trim() || ''; }

  async addNote(form) {
    const id = this.id;
    const text = form.elements.note.value;
    if (!id || !text.trim()) return;
    const ok = await this.act(form.querySelector('button'), () => api.post(`/api/v1/incidents/${encodeURIComponent(id)}/notes`,
      { text, internal: form.elements.internal.checked }), t('detail.noteSaved'));
    if (ok && this.id === id) {
      // The form may have been drawn again meanwhile: clear the one on the page.
      const box = this.el.querySelector('textarea[name=note]');
      if (box) box.value = '';
      this.loadLog();
    }
  }

  // edit sends the fields that changed; a new category answers the plan's
  // missing units, shown above the recommendations with the plan button.
  async edit(form) {
    const id = this.id;
    const inc = this.incident();
    if (!id || !inc) return;
    const body = {};
    const el = form.elements;
    if (el.category.value !== inc.category) body.category = el.category.value;
    if (Number(el.priority.value) !== inc.priority) body.priority = Number(el.priority.value);
    const p = parsePoint(el.location.value);
    if (!p) {
      this.h.toast(t('detail.badLocation'), 'error');
      el.location.focus();
      return;
    }
    if (Math.abs(p.lat - inc.location.lat) > 1e-6 || Math.abs(p.lon - inc.location.lon) > 1e-6) body.location = p;
    if (el.address.value.trim() !== (inc.address || '')) body.address = el.address.value.trim();
    if (el.description.value.trim() !== (inc.description || '')) body.description = el.description.value.trim();
    {
      const c = inc.caller || {};
      const name = el.caller_name.value.trim(), phone = el.caller_phone.value.trim();
      if (name !== (c.name || '') || phone !== (c.phone || '')) body.caller = { name, phone, nik: c.nik || '' };
    }
    if (Object.keys(body).length === 0) return;
    let res = null;
    const send = () => api.patch(`/api/v1/incidents/${encodeURIComponent(id)}`, body);
    const ok = await this.act(form.querySelector('button[type=submit]'), async () => {
      try {
        res = await send();
      } catch (err) {
        if (err.code !== 'out_of_area') throw err;
        // A location far outside the city is saved only with a reason.
        const km = (/([\d.]+) km/.exec(err.detail) || [])[1] || '?';
        const reason = await askReason(() => ({ title: t('area.title'), message: t('area.message', { km }), label: t('area.label'), ok: t('area.ok') }));
        if (!reason) throw Object.assign(new Error(t('area.title')), { quiet: true });
        body.confirm_out_of_area = reason;
        res = await send();
      }
    }, t('detail.edited'));
    if (ok && this.id === id) {
      if (body.category) this.planMissing = (res && res.plan_missing) || [];
      this.render();
      this.loadLog();
    }
  }

  async cancelOrReopen(form) {
    const id = this.id;
    const verb = form.dataset.verb;
    const reason = form.elements.reason.value.trim();
    if (!id) return;
    if (!reason) {
      this.h.toast(t('detail.reasonNeeded'), 'error');
      form.elements.reason.focus();
      return;
    }
    const ok = await this.act(form.querySelector('button'), () => api.post(`/api/v1/incidents/${encodeURIComponent(id)}/${verb}`, { reason }),
      t(verb === 'reopen' ? 'detail.reopenedOk' : 'detail.cancelledOk'));
    if (ok && verb === 'cancel') this.close();
    if (ok && verb === 'reopen') { this.record = null; this.loadLog(); }
  }

  // merge closes this incident into the one chosen: its callers, notes and
  // units move there; the console then shows the one that stays.
  async merge(form) {
    const id = this.id;
    const inc = this.incident();
    const into = form.elements.into.value;
    if (!id || !inc || !into) return;
    if (!window.confirm(t('detail.mergeConfirm', { a: inc.number, b: this.numberOf(into) }))) return;
    const ok = await this.act(form.querySelector('button'), () => api.post(`/api/v1/incidents/${encodeURIComponent(id)}/merge`, { into }),
      t('detail.mergedOk', { number: this.numberOf(into) }));
    if (ok && this.id === id) this.open(into);
  }

  // closeQuestion is why closing now deserves a second look, or '' when
  // it does not: no unit arrived, or units are still assigned.
  closeQuestion(inc) {
    const why = [];
    if (!inc.onscene_at) why.push(t('detail.confirmNoArrival'));
    const out = inc.assignments.filter((a) => !a.cleared_at).map((a) => a.callsign);
    if (out.length) why.push(t('detail.confirmAssigned', { units: out.join(', ') }));
    return why.length ? `${why.join('\n')}\n${t('detail.confirmClose')}` : '';
  }

  async closeIncident() {
    const id = this.id;
    const sel = this.el.querySelector('select[name=disposition]');
    const btn = this.el.querySelector('.close-form button');
    const inc = this.incident();
    if (!id || !sel || !inc) return;
    const question = this.closeQuestion(inc);
    if (question && !window.confirm(question)) return;
    const ok = await this.act(btn, () => api.post(`/api/v1/incidents/${encodeURIComponent(id)}/close`, { disposition: sel.value }), null);
    if (ok) this.close();
  }

  // act runs one API call with the button disabled; the live feed brings
  // the result to every console, this one included.
  async act(button, call, okMsg) {
    this.busy = true;
    button.disabled = true;
    try {
      await call();
      if (okMsg) this.h.toast(okMsg, 'ok');
      this.recsAt = 0;
      if (button.dataset.focusKey?.startsWith('ta-') || button.dataset.action === 'release') {
        this.ta = { q: '', results: [], index: 0, timer: 0 };
        for (const f of this.el.querySelectorAll('input[name=unit-q], input[name=unit-reason]')) f.value = '';
        this.render();
      }
      return true;
    } catch (err) {
      if (!err.quiet) this.h.toast(t('error.generic', { msg: err.message }), 'error');
      return false;
    } finally {
      this.busy = false;
      button.disabled = false;
      this.loadRecs();
    }
  }
}

// needHTML names a need: a unit type with its icon, or a capability.
function needHTML(n) {
  if (n.capability) return `<span class="cap">${escapeHTML(label('cap', n.capability))}</span>`;
  return `${unitIcon(n.type)} ${escapeHTML(label('utype', n.type))}`;
}

// logText is a log line's text in the page's language where the server
// wrote a fixed prefix (an edit's out-of-area confirmation).
function logText(s) {
  const prefix = 'outside the service area: ';
  return s.startsWith(prefix) ? `${t('detail.outOfArea')}: ${s.slice(prefix.length)}` : s;
}

// dispositionText is a closed incident's outcome in the page's language:
// a code from the close form, or a cancel's reason.
function dispositionText(d) {
  if (!d) return '';
  if (d.startsWith('cancelled: ')) return `${t('log.cancelled')}: ${d.slice('cancelled: '.length)}`;
  return label('disp', d);
}

// pointText writes a location as the edit form's "lat, lon".
function pointText(p) { return `${p.lat.toFixed(6)}, ${p.lon.toFixed(6)}`; }

// parsePoint reads "lat, lon" (a comma, spaces or both between), or null.
function parsePoint(s) {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*[,;\s]\s*(-?\d+(?:\.\d+)?)\s*$/.exec(s || '');
  if (!m) return null;
  const lat = Number(m[1]), lon = Number(m[2]);
  return Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? { lat, lon } : null;
}

// fieldValue shows an edited field's value as the dispatcher reads it.
// ackHTML says whether the unit acknowledged (TERIMA) its dispatch.
function ackHTML(a) {
  if (a.acknowledged_at) return `<span class="ack ok">✔ ${escapeHTML(t('detail.acked', { at: wib(a.acknowledged_at) }))}</span>`;
  if (a.cleared_at || a.status !== 'dispatched') return '';
  return `<span class="ack no">${escapeHTML(t('detail.notAcked'))}</span>`;
}

function fieldValue(field, v) {
  if (v === undefined || v === '') return '—';
  if (field === 'category') return label('cat', v);
  if (field === 'priority') return label('priority', v);
  return v;
}

function fact(name, value) {
  if (!value) return '';
  return `<dt>${escapeHTML(name)}</dt><dd>${escapeHTML(value)}</dd>`;
}

function step(name, at, from, targetS) {
  if (!at) return `<li class="todo"><span>${escapeHTML(name)}</span><span>—</span></li>`;
  const d = elapsed(from, at);
  const late = targetS && d > targetS ? ' late' : '';
  return `<li class="done${late}"><span>${escapeHTML(name)}</span><span class="at">${escapeHTML(wib(at))}</span><span class="rel">+${escapeHTML(duration(d))}</span></li>`;
}
