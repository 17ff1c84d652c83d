// The console's keyboard: every dispatcher action has a key, listed once
// here; the handler and the help overlay ("?") both read this list, so the
// overlay cannot drift from what the keys do.

import { t } from './i18n.js';
import { escapeHTML } from './dom.js';

/** KEYS: [key as shown, action name, the key values that run it]. */
export const KEYS = [
  ['?', 'help', ['?']],
  ['N', 'new', ['n', 'N']],
  ['J / ↓', 'next', ['j', 'J', 'ArrowDown']],
  ['K / ↑', 'prev', ['k', 'K', 'ArrowUp']],
  ['W', 'waiting', ['w', 'W']],
  ['F', 'filters', ['f', 'F']],
  ['/', 'unitSearch', ['/']],
  ['A', 'plan', ['a', 'A']],
  ['U', 'board', ['u', 'U']],
  ['H', 'history', ['h', 'H']],
  ['V', 'available', ['v', 'V']],
  ['T', 'note', ['t', 'T']],
  ['E', 'edit', ['e', 'E']],
  ['X', 'cancel', ['x', 'X']],
  ['C', 'closeIncident', ['c', 'C']],
  ['L', 'lang', ['l', 'L']],
  ['Esc', 'close', []],
];

/** UNIT_KEYS are the unit menu's keys (shown in the overlay, handled by the board). */
export const UNIT_KEYS = [['1 2 3', 'unitStatus'], ['R', 'unitRelease'], ['M', 'unitDivert'], ['O', 'unitOut'], ['I', 'unitIn']];

/** actionFor is the action of a key press outside a text field, or ''. */
export function actionFor(e) {
  if (e.ctrlKey || e.metaKey || e.altKey) return '';
  for (const [, action, values] of KEYS) if (values.includes(e.key)) return action;
  return '';
}

export class Help {
  constructor(el) {
    this.el = el;
    el.addEventListener('click', (e) => { if (e.target === el || e.target.closest('[data-action=close-help]')) this.hide(); });
  }

  get open() { return !this.el.hidden; }

  toggle() { if (this.open) this.hide(); else this.show(); }

  show() {
    const row = ([key, action]) => `<tr><td><kbd>${escapeHTML(key)}</kbd></td><td>${escapeHTML(t(`keys.${action}`))}</td></tr>`;
    this.el.innerHTML = `<div class="help-box">
      <header><h2 id="help-title">${escapeHTML(t('keys.title'))}</h2>
        <button type="button" class="panel-close" data-action="close-help" aria-label="${escapeHTML(t('detail.close'))}">×</button></header>
      <div class="help-cols">
        <table><tbody>${KEYS.map(row).join('')}</tbody></table>
        <div><h3>${escapeHTML(t('keys.unitMenu'))}</h3><table><tbody>${UNIT_KEYS.map(row).join('')}</tbody></table>
          <h3>${escapeHTML(t('keys.typeahead'))}</h3><table><tbody>${[['↑ ↓', 'taMove'], ['Enter', 'taSend']].map(row).join('')}</tbody></table></div>
      </div></div>`;
    this.el.hidden = false;
    this.el.querySelector('[data-action=close-help]').focus();
  }

  hide() {
    this.el.hidden = true;
    this.el.innerHTML = '';
  }
}
