// The console's history: GET /api/v1/incidents with the same filters
// (status, category, agency, district, priority, received window in WIB,
// text over number, address, caller phone and notes), a page at a time
// ("load more" follows next_cursor). A row opens the incident in the
// detail panel: a closed one read-only with its whole log.

import * as api from './api.js';
import { t, label, wibDayTime, fromWIBInput } from './i18n.js';
import { catalog, categories } from './catalog.js';
import { categoryIcon } from './icons.js';
import { escapeHTML } from './dom.js';

const PAGE = 50;

export class History {
  /**
   * @param el the pane
   * @param open open(id): show an incident in the detail panel
   * @param toast toast(msg, kind)
   */
  constructor(el, open, toast) {
    this.el = el;
    this.openIncident = open;
    this.toast = toast;
    this.items = [];
    this.next = '';
    this.query = null; // the filters of the list shown
    this.districts = [];
    this.loading = false;
    this.selected = null;
    el.addEventListener('submit', (e) => { e.preventDefault(); this.search(); });
    el.addEventListener('click', (e) => {
      if (e.target.closest('[data-action=more]')) { this.more(); return; }
      const row = e.target.closest('[data-id]');
      if (row) this.choose(row.dataset.id);
    });
    el.addEventListener('keydown', (e) => {
      const row = e.target.closest('tr[data-id]');
      if (row && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); this.choose(row.dataset.id); }
    });
  }

  setDistricts(gj) {
    this.districts = gj.features.map((f) => f.properties.name).filter(Boolean).sort();
    if (this.el.querySelector('form')) this.renderForm(); // drawn once first shown
  }

  /** relabel draws the pane again in the current language, if it was shown. */
  relabel() {
    if (this.el.querySelector('form')) this.renderForm();
  }

  /** show draws the pane and, the first time, lists the newest closed incidents. */
  show() {
    if (!this.el.querySelector('form')) this.renderForm();
    if (!this.query) this.search();
  }

  choose(id) {
    this.selected = id;
    for (const r of this.el.querySelectorAll('tr[data-id]')) r.classList.toggle('sel', r.dataset.id === id);
    this.openIncident(id);
  }

  renderForm() {
    const f = this.el.querySelector('form');
    const kept = f ? Object.fromEntries(new FormData(f)) : { status: 'closed' };
    const opt = (v, text, cur) => `<option value="${escapeHTML(v)}"${String(cur ?? '') === String(v) ? ' selected' : ''}>${escapeHTML(text)}</option>`;
    const any = t('hist.any');
    this.el.innerHTML = `
      <h2>${escapeHTML(t('hist.title'))}</h2>
      <form class="hist-form" role="search">
        <label class="wide">${escapeHTML(t('hist.q'))}<input name="q" maxlength="200" value="${escapeHTML(kept.q || '')}" autocomplete="off"></label>
        <label>${escapeHTML(t('hist.status'))}<select name="status">
          ${opt('closed', t('hist.closed'), kept.status)}${opt('all', t('hist.all'), kept.status)}${opt('active', t('hist.active'), kept.status)}</select></label>
        <label>${escapeHTML(t('hist.category'))}<select name="category">${opt('', any, kept.category)}${categories.map((c) => opt(c, label('cat', c), kept.category)).join('')}</select></label>
        <label>${escapeHTML(t('hist.priority'))}<select name="priority">${opt('', any, kept.priority)}${catalog.priorities.map((p) => opt(p, label('priority', p), kept.priority)).join('')}</select></label>
        <label>${escapeHTML(t('hist.agency'))}<select name="agency">${opt('', any, kept.agency)}${catalog.agencies.map((a) => opt(a, label('agency', a), kept.agency)).join('')}</select></label>
        <label>${escapeHTML(t('hist.district'))}<select name="district">${opt('', any, kept.district)}${this.districts.map((d) => opt(d, d, kept.district)).join('')}</select></label>
        <label>${escapeHTML(t('hist.from'))}<input type="datetime-local" name="from" value="${escapeHTML(kept.from || '')}"></label>
        <label>${escapeHTML(t('hist.to'))}<input type="datetime-local" name="to" value="${escapeHTML(kept.to || '')}"></label>
        <button type="submit" class="btn go">${escapeHTML(t('hist.search'))}</button>
      </form>
      <div class="hist-list"></div>`;
    this.renderList();
  }

  renderList() {
    const box = this.el.querySelector('.hist-list');
    if (!box) return;
    if (!this.query) { box.innerHTML = '<p class="muted">…</p>'; return; }
    if (this.items.length === 0 && !this.loading) { box.innerHTML = `<p class="muted hist-none">${escapeHTML(t('hist.none'))}</p>`; return; }
    box.innerHTML = `
      <p class="muted hist-count">${escapeHTML(t(this.next ? 'hist.countMore' : 'hist.count', { n: this.items.length }))}</p>
      <table class="hist-table">
        <thead><tr><th>${escapeHTML(t('hist.number'))}</th><th>${escapeHTML(t('hist.received'))}</th><th>${escapeHTML(t('hist.category'))}</th>
          <th>${escapeHTML(t('hist.place'))}</th><th>${escapeHTML(t('hist.status'))}</th></tr></thead>
        <tbody>${this.items.map((i) => `
          <tr data-id="${escapeHTML(i.id)}" tabindex="0" class="p${Math.min(i.priority, 4)}${i.id === this.selected ? ' sel' : ''}">
            <td class="num">${escapeHTML(i.number)}</td>
            <td class="at">${escapeHTML(wibDayTime(i.received_at))}</td>
            <td><span class="cat-ico">${categoryIcon(i.category)}</span> ${escapeHTML(label('cat', i.category))}</td>
            <td>${escapeHTML([i.address, i.district].filter(Boolean).join(' · '))}</td>
            <td><span class="ist ist-${escapeHTML(i.status)}">${escapeHTML(label('istatus', i.status))}</span>${i.cancelled ? ` <small class="muted">${escapeHTML(t('hist.cancelled'))}</small>` : ''}</td>
          </tr>`).join('')}</tbody>
      </table>
      ${this.next ? `<button type="button" class="btn wide" data-action="more"${this.loading ? ' disabled' : ''}>${escapeHTML(t('hist.more'))}</button>` : ''}`;
  }

  // params turns the form into the API's query; times are WIB wall clock.
  params() {
    const f = new FormData(this.el.querySelector('form'));
    const q = new URLSearchParams();
    for (const k of ['q', 'status', 'category', 'priority', 'agency', 'district']) {
      const v = String(f.get(k) || '').trim();
      if (v) q.set(k, v);
    }
    for (const k of ['from', 'to']) {
      const at = fromWIBInput(String(f.get(k) || ''));
      if (at) q.set(k, at.toISOString());
    }
    q.set('limit', String(PAGE));
    return q;
  }

  async search() {
    this.query = this.params();
    this.items = [];
    this.next = '';
    await this.load();
  }

  async more() {
    if (!this.next || this.loading) return;
    await this.load();
  }

  async load() {
    const q = new URLSearchParams(this.query);
    if (this.next) q.set('cursor', this.next);
    const query = this.query;
    this.loading = true;
    this.renderList();
    try {
      const page = await api.get(`/api/v1/incidents?${q}`);
      if (query !== this.query) return; // a newer search answers
      this.items.push(...page.items);
      this.next = page.next_cursor || '';
    } catch (err) {
      this.toast(t('error.generic', { msg: err.message }), 'error');
    } finally {
      if (query === this.query) {
        this.loading = false;
        this.renderList();
      }
    }
  }
}
