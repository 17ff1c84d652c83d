// Incident detail: facts, timeline, assigned units, the nearest available
// units of each type the response plan needs (one click "Kirim" each, or the
// whole plan at once), and closing with a disposition.

import * as api from './api.js';
import { t, label, wib, duration, DISPOSITIONS } from './i18n.js';
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
    el.addEventListener('click', (e) => this.click(e));
    el.addEventListener('submit', (e) => { e.preventDefault(); this.closeIncident(); });
  }

  open(id) {
    this.id = id;
    this.recs = null;
    this.el.hidden = false;
    this.render();
    this.loadRecs();
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

  render() {
    const inc = this.incident();
    if (!inc) {
      this.el.innerHTML = `<header class="panel-head"><h2>${escapeHTML(t('detail.notFound'))}</h2>${this.closeButton()}</header>`;
      return;
    }
    const active = inc.assignments.filter((a) => !a.cleared_at);
    const focused = document.activeElement && this.el.contains(document.activeElement) ? document.activeElement.dataset.focusKey : null;
    const disp = this.el.querySelector('select[name=disposition]')?.value;
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
        <h3>${escapeHTML(t('detail.recommend'))}</h3>
        ${this.recsHTML(inc)}
        <h3>${escapeHTML(t('detail.assigned'))}</h3>
        ${active.length === 0 && inc.assignments.length === 0 ? `<p class="muted">${escapeHTML(t('detail.noneAssigned'))}</p>` : ''}
        <ul class="assigned">${inc.assignments.map((a) => `
          <li class="${a.cleared_at ? 'cleared' : ''}">${unitIcon(a.type)}<b>${escapeHTML(a.callsign)}</b>
            <span class="pill us-${a.cleared_at ? 'cleared' : a.status}">${escapeHTML(label('ustatus', a.status))}</span>
            <span class="times">${escapeHTML(wib(a.dispatched_at))}${a.onscene_at ? ' → ' + escapeHTML(wib(a.onscene_at)) : ''}</span></li>`).join('')}
        </ul>
        <h3>${escapeHTML(t('detail.timeline'))}</h3>
        <ol class="timeline">
          ${step(t('detail.received'), inc.received_at, inc.received_at)}
          ${step(t('detail.dispatched'), inc.dispatched_at, inc.received_at)}
          ${step(t('detail.enroute'), inc.enroute_at, inc.received_at)}
          ${step(t('detail.onscene'), inc.onscene_at, inc.received_at, this.cfg.target_s)}
          ${step(t('detail.closed'), inc.closed_at, inc.received_at)}
        </ol>
        <form class="close-form">
          <label>${escapeHTML(t('detail.disposition'))}
            <select name="disposition" data-focus-key="disposition">${DISPOSITIONS.map((d) => `<option value="${d}">${escapeHTML(label('disp', d))}</option>`).join('')}</select>
          </label>
          <button type="submit" class="btn danger" data-focus-key="close-incident">${escapeHTML(t('detail.closeIncident'))}</button>
        </form>
      </div>`;
    if (disp) this.el.querySelector('select[name=disposition]').value = disp;
    if (focused) this.el.querySelector(`[data-focus-key="${focused}"]`)?.focus();
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

  async closeIncident() {
    const id = this.id;
    const sel = this.el.querySelector('select[name=disposition]');
    const btn = this.el.querySelector('.close-form button');
    if (!id || !sel) return;
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
