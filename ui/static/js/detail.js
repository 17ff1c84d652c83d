// Incident detail: facts, timeline, assigned units, the nearest available
// units of each type the response plan needs (one click "Kirim" each, or the
// whole plan at once), the activity log with a note box, an edit of category
// and priority, cancel and reopen with a reason, and closing with a
// disposition (asked twice when no unit arrived or units are still out).

import * as api from './api.js';
import { t, label, has, wib, duration, DISPOSITIONS } from './i18n.js';
import { catalog, categories } from './catalog.js';
import { categoryIcon, unitIcon } from './icons.js';
import { escapeHTML, elapsed } from './dom.js';

const REC_PER_TYPE = 3;

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
    this.messages = null; // the incident's messages with its units, newest first
    el.addEventListener('click', (e) => this.click(e));
    el.addEventListener('submit', (e) => {
      e.preventDefault();
      const f = e.target;
      if (f.classList.contains('close-form')) this.closeIncident();
      else if (f.classList.contains('note-form')) this.addNote(f);
      else if (f.classList.contains('edit-form')) this.edit(f);
      else if (f.classList.contains('reason-form')) this.cancelOrReopen(f);
      else if (f.classList.contains('msg-form')) this.sendMessage(f);
    });
    // Enter saves a note, Shift+Enter starts a new line.
    el.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' || e.shiftKey || e.isComposing || e.target.name !== 'note') return;
      e.preventDefault();
      e.target.form.requestSubmit();
    });
  }

  open(id) {
    this.id = id;
    this.recs = null;
    this.log = null;
    this.planMissing = null;
    this.messages = null;
    this.el.hidden = false;
    this.render();
    this.loadRecs();
    this.loadLog();
    this.loadMessages();
    this.el.querySelector('.panel-close')?.focus();
  }

  close() {
    if (!this.id) return;
    this.id = null;
    this.el.hidden = true;
    this.el.innerHTML = '';
    this.h.closed();
  }

  incident() { return this.id ? this.store.incidents.get(this.id) : null; }

  /** update re-renders after a store change; unit changes refresh the recommendations. */
  update(kinds) {
    if (!this.id) return;
    if (kinds.has('incidents') || kinds.has('units') || kinds.has('snapshot')) this.render();
    if (kinds.has('incidents') || kinds.has('snapshot')) this.reloadLogSoon();
    if ((kinds.has('units') || kinds.has('snapshot')) && Date.now() - this.recsAt > 1500) this.loadRecs();
  }

  async loadRecs() {
    const id = this.id;
    const inc = this.incident();
    if (!inc) return;
    this.recsAt = Date.now();
    const needs = (this.cfg.plan && this.cfg.plan[inc.category]) || [];
    const types = needs.length ? needs : [{ type: '', count: 1 }];
    try {
      const lists = await Promise.all(types.map((n) =>
        api.get(`/api/v1/incidents/${encodeURIComponent(id)}/recommendations?limit=${REC_PER_TYPE}${n.type ? '&type=' + n.type : ''}`)));
      if (this.id !== id) return;
      this.recs = types.map((n, k) => ({ type: n.type, need: n.count, list: lists[k] || [] }));
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
    } catch (err) {
      if (this.id !== id || err.status === 404) return;
      this.h.toast(t('error.generic', { msg: err.message }), 'error');
      return;
    }
    this.render();
  }

  render() {
    const inc = this.incident();
    if (!inc) {
      this.el.innerHTML = `<header class="panel-head"><h2>${escapeHTML(t('detail.notFound'))}</h2>${this.closeButton()}</header>`;
      return;
    }
    const active = inc.assignments.filter((a) => !a.cleared_at);
    const focused = document.activeElement && this.el.contains(document.activeElement) ? document.activeElement.dataset.focusKey : null;
    // What the dispatcher typed or chose survives the re-render a live change makes.
    const kept = [...this.el.querySelectorAll('[data-focus-key]')].filter((f) => 'value' in f && f.tagName !== 'BUTTON')
      .map((f) => [f.dataset.focusKey, f.type === 'checkbox' ? f.checked : f.value]);
    const closed = inc.status === 'closed';
    this.el.innerHTML = `
      <header class="panel-head p${Math.min(inc.priority, 4)}">
        <span class="cat-ico big">${categoryIcon(inc.category)}</span>
        <div class="head-text">
          <h2>${escapeHTML(label('cat', inc.category))}</h2>
          <div class="sub"><span class="prio">${escapeHTML(label('priority', inc.priority))}</span> · <span class="ist ist-${inc.status}">${escapeHTML(label('istatus', inc.status))}</span></div>
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
        </dl>
        ${this.planMissingHTML()}
        <h3>${escapeHTML(t('detail.recommend'))}</h3>
        ${this.recsHTML(inc)}
        <h3>${escapeHTML(t('detail.assigned'))}</h3>
        ${active.length === 0 && inc.assignments.length === 0 ? `<p class="muted">${escapeHTML(t('detail.noneAssigned'))}</p>` : ''}
        <ul class="assigned">${inc.assignments.map((a) => `
          <li class="${a.cleared_at ? 'cleared' : ''}">${unitIcon(a.type)}<b>${escapeHTML(a.callsign)}</b>
            <span class="pill us-${a.cleared_at ? 'cleared' : a.status}">${escapeHTML(label('ustatus', a.status))}</span>
            <span class="times">${escapeHTML(wib(a.dispatched_at))}${a.onscene_at ? ' → ' + escapeHTML(wib(a.onscene_at)) : ''}</span>
            ${ackHTML(a)}</li>`).join('')}
        </ul>
        <h3>${escapeHTML(t('detail.messages'))}</h3>
        ${this.messagesHTML()}
        ${closed || active.length === 0 ? '' : `<form class="msg-form">
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
        <h3>${escapeHTML(t('detail.log'))}</h3>
        ${this.logHTML()}
        <form class="note-form">
          <label>${escapeHTML(t('detail.noteLabel'))}
            <textarea name="note" rows="2" maxlength="4000" data-focus-key="note" placeholder="${escapeHTML(t('detail.notePlaceholder'))}"></textarea>
          </label>
          <div class="note-row">
            <label class="check"><input type="checkbox" name="internal" data-focus-key="internal"> ${escapeHTML(t('detail.noteInternal'))}</label>
            <button type="submit" class="btn" data-focus-key="note-save">${escapeHTML(t('detail.noteSave'))}</button>
          </div>
        </form>
        ${closed ? '' : this.editHTML(inc)}
        <form class="reason-form" data-verb="${closed ? 'reopen' : 'cancel'}">
          <label>${escapeHTML(t('detail.reason'))}
            <input name="reason" maxlength="500" data-focus-key="reason-${closed ? 'reopen' : 'cancel'}">
          </label>
          <button type="submit" class="btn ${closed ? 'go' : 'danger'}" data-focus-key="${closed ? 'reopen' : 'cancel'}">${escapeHTML(t(closed ? 'detail.reopen' : 'detail.cancelIncident'))}</button>
        </form>
        ${closed ? '' : `<form class="close-form">
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
        ${e.text ? `<p class="text">${escapeHTML(e.text)}</p>` : ''}
        ${fields ? `<p class="fields">${fields}</p>` : ''}</li>`;
    }).join('')}</ol>`;
  }

  editHTML(inc) {
    const cats = categories.map((c) => `<option value="${c}"${c === inc.category ? ' selected' : ''}>${escapeHTML(label('cat', c))}</option>`).join('');
    const prios = catalog.priorities.map((p) => `<option value="${p}"${p === inc.priority ? ' selected' : ''}>${escapeHTML(label('priority', p))}</option>`).join('');
    return `<details class="edit"><summary>${escapeHTML(t('detail.edit'))}</summary>
      <form class="edit-form">
        <label>${escapeHTML(t('detail.category'))}<select name="category" data-focus-key="edit-category">${cats}</select></label>
        <label>${escapeHTML(t('detail.priority'))}<select name="priority" data-focus-key="edit-priority">${prios}</select></label>
        <button type="submit" class="btn" data-focus-key="edit-save">${escapeHTML(t('detail.save'))}</button>
      </form></details>`;
  }

  planMissingHTML() {
    if (!this.planMissing || this.planMissing.length === 0) return '';
    return `<div class="plan-missing" role="status">${escapeHTML(t('detail.planMissing'))}
      ${this.planMissing.map((n) => `<span class="need">${unitIcon(n.type)} ${escapeHTML(label('utype', n.type))} ×${n.count}</span>`).join(' ')}</div>`;
  }

  closeButton() {
    return `<button type="button" class="panel-close" data-action="close" data-focus-key="close" title="${escapeHTML(t('detail.close'))}" aria-label="${escapeHTML(t('detail.close'))}">×</button>`;
  }

  recsHTML(inc) {
    if (!this.recs) return '<p class="muted">…</p>';
    const rows = [];
    for (const g of this.recs) {
      if (g.type) rows.push(`<li class="rec-type">${unitIcon(g.type)} ${escapeHTML(label('utype', g.type))} ×${g.need}</li>`);
      if (g.list.length === 0) rows.push(`<li class="muted">${escapeHTML(t('detail.noRecommend'))}</li>`);
      for (const r of g.list) {
        rows.push(`<li class="rec"><b>${escapeHTML(r.callsign)}</b>
          <span class="eta">${escapeHTML(t('detail.eta', { m: Math.max(1, Math.round(r.eta_s / 60)) }))}</span>
          <span class="dist">${escapeHTML(t('detail.km', { km: (r.distance_m / 1000).toFixed(1) }))}</span>
          <button type="button" class="btn go" data-action="dispatch" data-unit="${escapeHTML(r.unit_id)}" data-callsign="${escapeHTML(r.callsign)}" data-focus-key="d-${escapeHTML(r.unit_id)}">${escapeHTML(t('detail.dispatch'))}</button></li>`);
      }
    }
    const plan = inc.status !== 'closed'
      ? `<button type="button" class="btn go wide" data-action="plan" data-focus-key="plan">${escapeHTML(t('detail.dispatchPlan'))}</button>` : '';
    return `<ul class="recs">${rows.join('')}</ul>${plan}`;
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
      case 'plan':
        await this.act(b, () => api.post(`/api/v1/incidents/${encodeURIComponent(id)}/assignments`, { auto: true }), null);
        return;
    }
  }

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
    if (form.elements.category.value !== inc.category) body.category = form.elements.category.value;
    if (Number(form.elements.priority.value) !== inc.priority) body.priority = Number(form.elements.priority.value);
    if (Object.keys(body).length === 0) return;
    let res = null;
    const ok = await this.act(form.querySelector('button'), async () => {
      res = await api.patch(`/api/v1/incidents/${encodeURIComponent(id)}`, body);
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
      return true;
    } catch (err) {
      this.h.toast(t('error.generic', { msg: err.message }), 'error');
      return false;
    } finally {
      this.busy = false;
      button.disabled = false;
      this.loadRecs();
    }
  }
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
