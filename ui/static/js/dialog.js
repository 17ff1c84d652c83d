// Modal questions the staff pages ask before a consequential step: a
// reason (an out-of-area location, ending a call) or a choice between a
// few answers (a hand pin against the caller's AML fix). One <dialog> at a
// time, keyboard first: the first field has the focus, Enter answers, Esc
// (or the cancel button) answers null and changes nothing.

import { t, onLangChange } from './i18n.js';
import { escapeHTML } from './dom.js';

// open is the question on screen: redrawn in the new language when the
// language changes (what was typed stays).
let open = null;
onLangChange(() => {
  if (!open) return;
  const typed = [...open.d.querySelectorAll('input[name]')].map((f) => [f.name, f.value]);
  open.d.innerHTML = open.html();
  for (const [name, v] of typed) {
    const box = open.d.querySelector(`input[name="${name}"]`);
    if (box && v) box.value = v;
  }
});

function show(html, onSubmit) {
  const d = document.createElement('dialog');
  d.className = 'ask';
  d.innerHTML = html();
  document.body.append(d);
  open = { d, html };
  return new Promise((resolve) => {
    let answer = null;
    d.addEventListener('submit', (e) => {
      e.preventDefault();
      const v = onSubmit(d, e.submitter);
      if (v === undefined) return; // not answered yet (an empty reason)
      answer = v;
      d.close();
    });
    d.addEventListener('click', (e) => { if (e.target.closest('[data-cancel]')) d.close(); });
    d.addEventListener('close', () => {
      if (open && open.d === d) open = null;
      d.remove();
      resolve(answer);
    });
    d.showModal();
    d.querySelector('[autofocus]')?.focus();
  });
}

/**
 * askReason asks for a reason (required): the text, or null when cancelled.
 * opts: {title, message, label, ok, danger}, or a function giving them (in
 * the language of the moment)
 */
export function askReason(opts) {
  const o = () => (typeof opts === 'function' ? opts() : opts);
  return show(() => `<form method="dialog" novalidate>
      <h2>${escapeHTML(o().title)}</h2>
      ${o().message ? `<p class="ask-msg">${escapeHTML(o().message)}</p>` : ''}
      <label>${escapeHTML(o().label || t('dialog.reason'))}
        <input name="reason" maxlength="500" autocomplete="off" autofocus required></label>
      <p class="ask-err" hidden>${escapeHTML(t('dialog.reasonNeeded'))}</p>
      <div class="ask-actions">
        <button type="button" class="btn" data-cancel>${escapeHTML(t('dialog.cancel'))}</button>
        <button type="submit" class="btn ${o().danger ? 'danger' : 'go'}">${escapeHTML(o().ok || t('dialog.ok'))}</button>
      </div></form>`, (d) => {
    const v = d.querySelector('[name=reason]').value.trim();
    if (!v) {
      d.querySelector('.ask-err').hidden = false;
      d.querySelector('[name=reason]').focus();
      return undefined;
    }
    return v;
  });
}

/**
 * choose offers a few answers: the value of the one chosen, or null.
 * opts: {title, message, options: [{value, label, hint}]}, or a function
 * giving them
 */
export function choose(opts) {
  const o = () => (typeof opts === 'function' ? opts() : opts);
  return show(() => `<form method="dialog" novalidate>
      <h2>${escapeHTML(o().title)}</h2>
      ${o().message ? `<p class="ask-msg">${escapeHTML(o().message)}</p>` : ''}
      <div class="ask-choices">${o().options.map((o, k) => `
        <button type="submit" class="btn${k === 0 ? ' go' : ''}" value="${escapeHTML(o.value)}"${k === 0 ? ' autofocus' : ''}>
          <b>${escapeHTML(o.label)}</b>${o.hint ? `<small>${escapeHTML(o.hint)}</small>` : ''}</button>`).join('')}
      </div>
      <div class="ask-actions"><button type="button" class="btn" data-cancel>${escapeHTML(t('dialog.cancel'))}</button></div>
    </form>`, (_d, submitter) => (submitter ? submitter.value : undefined));
}

/**
 * askFields asks for a few values at once (a time range and a reason): an
 * object of the fields' values by name, or null when cancelled. The server
 * judges them; opts.error (its translated answer to a first try) is shown
 * above the buttons.
 * opts: {title, message, error, ok, fields: [{name, label, value, hint}]},
 * or a function giving them
 */
export function askFields(opts) {
  const o = () => (typeof opts === 'function' ? opts() : opts);
  return show(() => `<form method="dialog" novalidate>
      <h2>${escapeHTML(o().title)}</h2>
      ${o().message ? `<p class="ask-msg">${escapeHTML(o().message)}</p>` : ''}
      ${o().fields.map((f, k) => `<label>${escapeHTML(f.label)}
        <input name="${escapeHTML(f.name)}" maxlength="500"
          value="${escapeHTML(f.value || '')}" autocomplete="off"${k === 0 ? ' autofocus' : ''}>
        ${f.hint ? `<small class="ask-hint">${escapeHTML(f.hint)}</small>` : ''}</label>`).join('')}
      <p class="ask-err" role="alert"${o().error ? '' : ' hidden'}>${escapeHTML(o().error || '')}</p>
      <div class="ask-actions">
        <button type="button" class="btn" data-cancel>${escapeHTML(t('dialog.cancel'))}</button>
        <button type="submit" class="btn go">${escapeHTML(o().ok || t('dialog.ok'))}</button>
      </div></form>`, (d) => Object.fromEntries([...d.querySelectorAll('input[name]')].map((f) => [f.name, f.value.trim()])));
}

/** isOpen reports whether a question is on screen (page shortcuts wait). */
export function isOpen() { return !!document.querySelector('dialog.ask[open]'); }
