// The visible-string check of languages.mjs: every word a page shows must
// come from the one catalogue (ui/static/js/i18n.js) in the page's language,
// or be data the server sent the page. The rule for data: any string value
// of a JSON answer or a live frame the page received (callsigns, addresses,
// names, numbers), except error envelopes (their English message is for
// the API) and bare lowercase codes (a status shown as "enroute" is a
// missing label, not data), and the text of <time> elements (an instant
// formatted by Intl in the page's language). What is left of a text once its catalogue
// phrases and its data are taken out may hold no word of two letters.
import { messages } from '../../ui/static/js/i18n.js';

// collect gathers the strings the page shows: visible text nodes, the
// title, placeholder, aria-label and alt of visible elements, and the
// document's title. Runs in the page.
export function collect() {
  const out = [];
  const visible = (el) => el && el.checkVisibility && el.checkVisibility({ visibilityProperty: true, opacityProperty: true });
  const norm = (s) => s.replace(/\s+/g, ' ').trim();
  if (document.title) out.push({ text: norm(document.title), where: 'title' });
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const p = n.parentElement;
    if (!p || ['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE'].includes(p.tagName) || !visible(p)) continue;
    if (p.closest('time')) continue; // an instant the page formatted (Intl, in the page's language): data
    if (p.closest('.leaflet-control-attribution, .leaflet-tile-pane, .leaflet-marker-pane .tick, [data-i18n-skip]')) continue;
    const text = norm(n.data);
    if (text) out.push({ text, where: p.tagName.toLowerCase() + (p.id ? '#' + p.id : p.className && typeof p.className === 'string' ? '.' + p.className.split(' ')[0] : '') });
  }
  for (const el of document.body.querySelectorAll('[title], [placeholder], [aria-label], [alt]')) {
    if (!visible(el)) continue;
    for (const a of ['title', 'placeholder', 'aria-label', 'alt']) {
      const v = el.getAttribute(a);
      if (v && norm(v)) out.push({ text: norm(v), where: `${el.tagName.toLowerCase()}[${a}]` });
    }
  }
  for (const el of document.body.querySelectorAll('input[type=submit], input[type=button]')) {
    if (visible(el) && el.value) out.push({ text: norm(el.value), where: 'input[value]' });
  }
  return out;
}

// watchData records the strings of every JSON answer and live frame the
// page receives, as the data the page may show.
export function watchData(page) {
  const data = new Set();
  const add = (v, key) => {
    if (typeof v === 'string') {
      if (key !== 'username' && /^[a-z0-9_]+$/.test(v)) return; // a code: shown through its label
      const s = v.replace(/\s+/g, ' ').trim();
      if (s.length >= 2) data.add(s);
    } else if (Array.isArray(v)) {
      for (const x of v) add(x, key);
    } else if (v && typeof v === 'object') {
      if (v.error && typeof v.error === 'object' && 'code' in v.error) return; // an error envelope
      for (const [k, x] of Object.entries(v)) add(x, k);
    }
  };
  page.on('response', async (res) => {
    if (!(res.headers()['content-type'] || '').includes('json')) return;
    try { add(await res.json()); } catch { /* not JSON after all, or gone */ }
  });
  page.on('websocket', (ws) => ws.on('framereceived', (f) => {
    try { add(JSON.parse(f.payload)); } catch { /* binary video */ }
  }));
  return data;
}

// phrases are the literal pieces of a language's catalogue values (a
// value's {name} placeholders split it), longest first.
function phrases(lang) {
  const set = new Set();
  for (const v of Object.values(messages[lang])) {
    for (const piece of v.split(/\{\w+\}/)) {
      const s = piece.replace(/\s+/g, ' ').trim();
      if (/\p{L}/u.test(s)) set.add(s);
    }
  }
  return [...set].sort((a, b) => b.length - a.length).map(whole);
}
const byLang = { id: phrases('id'), en: phrases('en') };

// whole matches s as whole words (not "on" inside "Tonight").
function whole(s) {
  const esc = s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return { s, re: new RegExp(`(?<!\\p{L})${esc}(?!\\p{L})`, 'gu') };
}

// strays returns the shown strings that are neither catalogue phrases of
// lang nor data.
export function strays(shown, lang, data) {
  // Both orders: a street's name may hold a catalogue word ("Surabaya
  // Pusat"), a catalogue phrase a user name ("Dasbor supervisor").
  const facts = [...data].sort((a, b) => b.length - a.length).map(whole);
  const orders = [[...facts, ...byLang[lang]], [...byLang[lang], ...facts]];
  const left = (text, known) => {
    let rest = text;
    for (const k of known) {
      if (!/\p{L}{2,}/u.test(rest)) break;
      if (rest.includes(k.s)) rest = rest.replace(k.re, ' ');
    }
    return rest.replace(/\s+/g, ' ').trim();
  };
  const bad = [];
  for (const { text, where } of shown) {
    const rests = orders.map((o) => left(text, o));
    if (rests.every((r) => /\p{L}{2,}/u.test(r))) bad.push(`${where}: "${text}" (left: "${rests[0]}")`);
  }
  return [...new Set(bad)];
}
