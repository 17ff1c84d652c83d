// The incident queue, in the order a dispatcher works (Store.sortedIncidents:
// waiting for a unit first, the longest wait on top). Each row has a clock
// running since received_at that turns amber at 5 minutes and red at the
// response target, until a unit is on scene (then it stops and shows the
// response time). Filters by status, agency, category and district; a long
// queue switches to one-line rows so that a wall shows every waiting call.

import { t, label, duration } from './i18n.js';
import { categoryIcon } from './icons.js';
import { categories } from './catalog.js';
import { escapeHTML, elapsed } from './dom.js';
import { isWaiting } from './store.js';

export const AMBER_S = 300;
// COMPACT_FROM is the queue length from which rows take one line each.
export const COMPACT_FROM = 12;
const STATUSES = ['new', 'dispatched', 'enroute', 'onscene'];

export class Queue {
  /**
   * @param el the <ul> of rows
   * @param filtersEl the filter bar (selects with data-filter)
   * @param store the Store
   * @param cfg the server's config (target_s, plan)
   * @param onOpen called with an incident id to open
   * @param onFilter called when the filters change
   */
  constructor(el, filtersEl, store, cfg, onOpen, onFilter = () => {}) {
    this.el = el;
    this.filtersEl = filtersEl;
    this.store = store;
    this.targetS = cfg.target_s;
    this.plan = cfg.plan || {};
    this.onOpen = onOpen;
    this.onFilter = onFilter;
    this.selected = null;
    this.filter = { status: '', agency: '', category: '', district: '' };
    el.addEventListener('click', (e) => {
      const row = e.target.closest('[data-id]');
      if (row) this.onOpen(row.dataset.id);
    });
    filtersEl.addEventListener('change', (e) => {
      const f = e.target.dataset.filter;
      if (f) this.setFilter({ [f]: e.target.value });
    });
    filtersEl.addEventListener('click', (e) => {
      if (e.target.closest('[data-action=clear-filters]')) this.setFilter({ status: '', agency: '', category: '', district: '' });
    });
  }

  /** setFilter changes some filters ({status: 'new'} shows the waiting ones) and redraws. */
  setFilter(f) {
    Object.assign(this.filter, f);
    this.render();
    this.onFilter(this.filter);
  }

  get filtered() { return Object.values(this.filter).some(Boolean); }

  /** agencies an incident belongs to: those of its working units and of the unit types its plan needs. */
  agenciesOf(inc) {
    const out = new Set(inc.assignments.filter((a) => !a.cleared_at).map((a) => a.agency));
    const types = new Set((this.plan[inc.category] || []).map((n) => n.type));
    for (const u of this.store.units.values()) if (types.has(u.type)) out.add(u.agency);
    return out;
  }

  matches(inc) {
    const f = this.filter;
    return (!f.status || inc.status === f.status) && (!f.category || inc.category === f.category) &&
      (!f.district || inc.district === f.district) && (!f.agency || this.agenciesOf(inc).has(f.agency));
  }

  /** visible is the list as the queue shows it: sorted, then filtered. */
  visible() { return this.store.sortedIncidents().filter((inc) => this.matches(inc)); }

  renderFilters() {
    const agencies = [...new Set([...this.store.units.values()].map((u) => u.agency))].sort();
    const districts = [...new Set([...this.store.incidents.values()].map((i) => i.district).filter(Boolean)
      .concat(this.filter.district ? [this.filter.district] : []))].sort();
    const opts = (name, values, text) => {
      const cur = this.filter[name];
      return `<select data-filter="${name}" aria-label="${escapeHTML(t(`filter.${name}`))}" class="${cur ? 'on' : ''}">
        <option value="">${escapeHTML(t(`filter.${name}All`))}</option>
        ${values.map((v) => `<option value="${escapeHTML(v)}"${v === cur ? ' selected' : ''}>${escapeHTML(text(v))}</option>`).join('')}</select>`;
    };
    const html = opts('status', STATUSES, (v) => label('istatus', v)) +
      opts('agency', agencies, (v) => label('agency', v)) +
      opts('category', categories, (v) => label('cat', v)) +
      opts('district', districts, (v) => v) +
      `<button type="button" class="btn clear" data-action="clear-filters" title="${escapeHTML(t('filter.clear'))}"${this.filtered ? '' : ' hidden'}>×</button>`;
    // Redraw only when something changed: a redraw closes an open dropdown.
    if (html !== this.filtersHTML) {
      const focused = document.activeElement?.dataset?.filter;
      this.filtersEl.innerHTML = html;
      this.filtersHTML = html;
      if (focused) this.filtersEl.querySelector(`[data-filter=${focused}]`)?.focus();
    }
  }

  render() {
    this.renderFilters();
    const all = this.store.incidents.size;
    const list = this.visible();
    this.el.classList.toggle('compact', list.length >= COMPACT_FROM);
    if (list.length === 0) {
      this.el.innerHTML = `<li class="empty">${escapeHTML(t(all && this.filtered ? 'queue.noneFiltered' : 'queue.empty'))}</li>`;
      return;
    }
    this.el.innerHTML = list.map((inc) => {
      const where = [inc.district, inc.address].filter(Boolean).join(' · ');
      const waiting = isWaiting(inc);
      return `<li><button type="button" class="inc-row p${Math.min(inc.priority, 4)}${waiting ? ' waiting' : ''}${inc.id === this.selected ? ' selected' : ''}" data-id="${escapeHTML(inc.id)}">
        <span class="prio">P${inc.priority}</span>
        <span class="cat-ico">${categoryIcon(inc.category)}</span>
        <span class="inc-main">
          <span class="inc-cat">${escapeHTML(label('cat', inc.category))}</span>
          <span class="inc-where">${escapeHTML(where)}</span>
          <span class="inc-meta"><span class="ist ist-${inc.status}">${escapeHTML(label('istatus', inc.status))}</span> · <span class="inc-num">${escapeHTML(inc.number)}</span></span>
        </span>
        <span class="clock" data-received="${escapeHTML(inc.received_at)}" data-onscene="${escapeHTML(inc.onscene_at || '')}"></span>
      </button></li>`;
    }).join('');
    this.tick();
  }

  /** tick updates the clocks only: it runs every second. */
  tick() {
    for (const el of this.el.querySelectorAll('.clock')) {
      const onscene = el.dataset.onscene;
      const s = elapsed(el.dataset.received, onscene || undefined);
      el.textContent = duration(s);
      el.className = 'clock ' + clockClass(s, this.targetS, !!onscene);
    }
  }

  select(id) {
    this.selected = id;
    for (const b of this.el.querySelectorAll('.inc-row')) {
      b.classList.toggle('selected', b.dataset.id === id);
      if (b.dataset.id === id) b.scrollIntoView({ block: 'nearest' });
    }
  }

  /** step opens the next (+1) or previous (-1) incident of the queue as shown. */
  step(dir) {
    const ids = [...this.el.querySelectorAll('.inc-row')].map((b) => b.dataset.id);
    if (ids.length === 0) return;
    const k = ids.indexOf(this.selected);
    const next = k < 0 ? (dir > 0 ? 0 : ids.length - 1) : Math.min(ids.length - 1, Math.max(0, k + dir));
    this.onOpen(ids[next]);
  }
}

/** clockClass: amber from 5 minutes, red from the target; a stopped clock keeps its verdict. */
export function clockClass(s, targetS, stopped) {
  const c = s >= targetS ? 'late' : s >= AMBER_S ? 'warn' : 'ok';
  return stopped ? `${c} stopped` : c;
}
