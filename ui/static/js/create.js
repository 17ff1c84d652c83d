// Creating an incident: a form a call-taker can fill without the mouse
// (Enter submits, Esc cancels, fields in reading order); the location comes
// from a map click, typed "lat, lon", or a kecamatan name (its centroid).

import * as api from './api.js';
import { t, label } from './i18n.js';
import { catalog, categories, defaultPriority } from './catalog.js';
import { escapeHTML } from './dom.js';

export class CreateForm {
  /**
   * @param el the panel
   * @param h handlers: picked(latlng|null) to mark the map, done(incident|null), toast(msg, kind)
   */
  constructor(el, h) {
    this.el = el;
    this.h = h;
    this.districts = new Map(); // lower-case name → {name, lat, lon}
    this.key = null;
    this.pick = null;
    el.addEventListener('submit', (e) => { e.preventDefault(); this.submit(); });
    el.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') { e.preventDefault(); this.cancel(); }
    });
    el.addEventListener('click', (e) => { if (e.target.closest('[data-action=cancel]')) this.cancel(); });
    el.addEventListener('change', (e) => {
      if (e.target.name === 'category' && !this.priorityTouched) {
        this.presetPriority();
      }
      if (e.target.name === 'priority') this.priorityTouched = true;
    });
    el.addEventListener('input', (e) => { if (e.target.name === 'location') this.parseLocation(false); });
  }

  get isOpen() { return !this.el.hidden; }

  setDistricts(geojson) {
    for (const f of geojson.features || []) {
      const c = f.properties && f.properties.centroid;
      if (c) this.districts.set(f.properties.name.toLowerCase(), { name: f.properties.name, lat: c[1], lon: c[0] });
    }
  }

  open(latlng) {
    if (!this.isOpen) {
      this.key = api.newKey(); // one key for every retry of this one report
      this.priorityTouched = false;
      this.render();
      this.el.hidden = false;
    }
    if (latlng) this.setLocation(latlng);
    this.form.category.focus();
  }

  render() {
    const cats = categories.map((c) => `<option value="${c}">${escapeHTML(label('cat', c))}</option>`).join('');
    const prios = catalog.priorities.map((p) => `<option value="${p}">${escapeHTML(label('priority', p))}</option>`).join('');
    const names = [...this.districts.values()].map((d) => `<option value="${escapeHTML(d.name)}">`).join('');
    this.el.innerHTML = `
      <form class="create" autocomplete="off" novalidate>
        <header class="panel-head"><h2>${escapeHTML(t('new.title'))}</h2>
          <button type="button" class="panel-close" data-action="cancel" title="${escapeHTML(t('new.cancel'))}" aria-label="${escapeHTML(t('new.cancel'))}">×</button></header>
        <div class="panel-body">
          <label>${escapeHTML(t('new.category'))}<select name="category" required>${cats}</select></label>
          <label>${escapeHTML(t('new.priority'))}<select name="priority">${prios}</select></label>
          <label>${escapeHTML(t('new.location'))}
            <input name="location" list="district-names" required placeholder="${escapeHTML(t('new.locationHint'))}">
            <small class="hint">${escapeHTML(t('map.pick'))}</small></label>
          <datalist id="district-names">${names}</datalist>
          <label>${escapeHTML(t('new.address'))}<input name="address" maxlength="200"></label>
          <div class="row2">
            <label>${escapeHTML(t('new.callerName'))}<input name="caller_name" maxlength="100"></label>
            <label>${escapeHTML(t('new.callerPhone'))}<input name="caller_phone" type="tel" maxlength="30"></label>
          </div>
          <label>${escapeHTML(t('new.description'))}<input name="description" maxlength="500"></label>
          <p class="form-error" role="alert" hidden></p>
          <div class="actions">
            <button type="submit" class="btn go">${escapeHTML(t('new.submit'))}</button>
            <button type="button" class="btn" data-action="cancel">${escapeHTML(t('new.cancel'))}</button>
          </div>
        </div>
      </form>`;
    this.form = this.el.querySelector('form');
    this.presetPriority();
  }

  // presetPriority offers the category's usual priority, one keystroke less
  // in the common cases; the call-taker can always change it.
  presetPriority() {
    const p = defaultPriority(this.form.category.value);
    if (p) this.form.priority.value = String(p);
  }

  setLocation(latlng) {
    this.pick = { lat: round6(latlng.lat), lon: round6(latlng.lng ?? latlng.lon) };
    this.form.location.value = `${this.pick.lat}, ${this.pick.lon}`;
    this.h.picked(this.pick);
    this.error('');
  }

  // parseLocation reads "lat, lon" or a district name; strict says whether
  // to complain when it cannot.
  parseLocation(strict) {
    const v = this.form.location.value.trim();
    const m = v.match(/^(-?\d+(?:\.\d+)?)\s*[,; ]\s*(-?\d+(?:\.\d+)?)$/);
    let p = null;
    if (m) p = { lat: Number(m[1]), lon: Number(m[2]) };
    else if (this.districts.has(v.toLowerCase())) p = { ...this.districts.get(v.toLowerCase()) };
    if (p && Math.abs(p.lat) <= 90 && Math.abs(p.lon) <= 180) {
      this.pick = { lat: p.lat, lon: p.lon };
      this.h.picked(this.pick);
      return this.pick;
    }
    if (strict) this.error(t('new.badLocation'));
    return null;
  }

  error(msg) {
    const el = this.form && this.form.querySelector('.form-error');
    if (!el) return;
    el.textContent = msg;
    el.hidden = !msg;
  }

  async submit() {
    const f = this.form;
    const loc = this.parseLocation(true);
    if (!loc) { f.location.focus(); return; }
    const body = { category: f.category.value, priority: Number(f.priority.value), location: loc, source: 'phone' };
    if (f.address.value.trim()) body.address = f.address.value.trim();
    if (f.description.value.trim()) body.description = f.description.value.trim();
    const caller = { name: f.caller_name.value.trim(), phone: f.caller_phone.value.trim() };
    if (caller.name || caller.phone) body.caller = caller;
    const btn = f.querySelector('button[type=submit]');
    btn.disabled = true;
    try {
      const inc = await api.post('/api/v1/incidents', body, this.key);
      this.h.toast(t('new.created', { number: inc.number }), 'ok');
      this.hide();
      this.h.done(inc);
    } catch (err) {
      this.error(t('error.generic', { msg: err.message }));
      btn.disabled = false;
    }
  }

  cancel() {
    this.hide();
    this.h.done(null);
  }

  hide() {
    this.el.hidden = true;
    this.el.innerHTML = '';
    this.form = null;
    this.pick = null;
    this.h.picked(null);
  }
}

function round6(x) { return Math.round(x * 1e6) / 1e6; }
