// The incident queue: highest priority first, then newest. Each row has a
// clock running since received_at that turns amber at 5 minutes and red at
// the response target, until a unit is on scene (then it stops and shows the
// response time).

import { t, label, duration } from './i18n.js';
import { categoryIcon } from './icons.js';
import { escapeHTML, elapsed } from './dom.js';

export const AMBER_S = 300;

export class Queue {
  constructor(el, store, targetS, onOpen) {
    this.el = el;
    this.store = store;
    this.targetS = targetS;
    this.onOpen = onOpen;
    this.selected = null;
    el.addEventListener('click', (e) => {
      const row = e.target.closest('[data-id]');
      if (row) this.onOpen(row.dataset.id);
    });
  }

  render() {
    const list = this.store.sortedIncidents();
    if (list.length === 0) {
      this.el.innerHTML = `<li class="empty">${escapeHTML(t('queue.empty'))}</li>`;
      return;
    }
    this.el.innerHTML = list.map((inc) => {
      const where = [inc.district, inc.address].filter(Boolean).join(' · ');
      return `<li><button type="button" class="inc-row p${Math.min(inc.priority, 4)}${inc.id === this.selected ? ' selected' : ''}" data-id="${escapeHTML(inc.id)}">
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
    for (const b of this.el.querySelectorAll('.inc-row')) b.classList.toggle('selected', b.dataset.id === id);
  }
}

/** clockClass: amber from 5 minutes, red from the target; a stopped clock keeps its verdict. */
export function clockClass(s, targetS, stopped) {
  const c = s >= targetS ? 'late' : s >= AMBER_S ? 'warn' : 'ok';
  return stopped ? `${c} stopped` : c;
}
