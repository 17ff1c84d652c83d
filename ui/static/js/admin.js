// The admin's city page: units, stations, agencies and response plans,
// added, edited and retired live (each change one journaled event on the
// server), and a city pack loaded into the running city: its difference
// first, then applied as one change.

import { me } from './gate.js'; // log in first
import * as api from './api.js';
import { t, label, wireLangSwitch } from './i18n.js';
import { $ } from './dom.js';

const ROLES = ['admin'];

let city = { agencies: [], stations: [], units: [], plans: [] };
let categories = []; // every category a plan may have (the server's)
let UNIT_TYPES = []; // the unit types (the server's)
const editing = { units: null, stations: null, agencies: null, plans: null };
let fresh = null; // the key of the entry just saved, highlighted once

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

function say(text, ok = false) {
  const m = $('#msg');
  m.textContent = text;
  m.classList.toggle('ok', ok);
  m.hidden = !text;
}

async function load() {
  city = await api.get('/api/v1/admin/city');
  categories = city.categories;
  UNIT_TYPES = city.unit_types;
  render();
}

// needsText writes a level's needs as the form takes them: fire×2, ladder.
function needsText(needs) {
  return (needs || []).map((n) => (n.type || n.capability) + (n.count > 1 ? `×${n.count}` : '')).join(', ');
}

// parseNeeds reads "fire×2, ladder" (× or x or *): a unit type or else a capability.
function parseNeeds(text) {
  const out = [];
  for (const part of text.split(',')) {
    const s = part.trim();
    if (!s) continue;
    const m = s.match(/^([a-z0-9_.-]+)\s*(?:[×x*]\s*(\d+))?$/i);
    if (!m) throw new Error(t('admin.badNeed', { need: s }));
    const name = m[1].toLowerCase();
    const n = { count: m[2] ? Number(m[2]) : 1 };
    if (UNIT_TYPES.includes(name)) n.type = name; else n.capability = name;
    out.push(n);
  }
  return out;
}

function options(select, list, value, text) {
  const keep = select.value;
  select.replaceChildren(...list.map((x) => el('option', { value: value(x), textContent: text(x) })));
  if (list.some((x) => value(x) === keep)) select.value = keep;
}

function rowButtons(kind, key, retire) {
  return el('td', {},
    el('button', { type: 'button', textContent: t('admin.edit'), 'data-edit': kind, 'data-key': key }),
    el('button', { type: 'button', className: 'danger', textContent: t(retire), 'data-remove': kind, 'data-key': key }));
}

function render() {
  const agencyName = (code) => (city.agencies.find((a) => a.code === code) || {}).name || code;
  const stationName = (id) => (city.stations.find((s) => s.id === id) || {}).name || id;
  for (const f of ['#unit-form', '#station-form']) {
    options($(`${f} [name=agency]`), city.agencies, (a) => a.code, (a) => `${a.name} (${a.code})`);
  }
  options($('#unit-form [name=type]'), UNIT_TYPES, (x) => x, (x) => label('utype', x));
  options($('#unit-form [name=station]'), city.stations, (s) => s.id, (s) => s.name);
  options($('#plan-form [name=category]'), categories, (c) => c, (c) => label('cat', c));

  const units = [...city.units].sort((a, b) => a.callsign.localeCompare(b.callsign, undefined, { numeric: true }));
  $('#units-list').replaceChildren(...units.map((u) => el('tr', { class: fresh === `units/${u.id}` ? 'fresh' : '', 'data-unit': u.id },
    el('td', {}, el('strong', { textContent: u.callsign })),
    el('td', { textContent: label('utype', u.type) }),
    el('td', { textContent: agencyName(u.agency) }),
    el('td', { textContent: stationName(u.station) }),
    el('td', {}, ...(u.capabilities || []).map((c) => el('span', { class: 'chip', textContent: c }))),
    el('td', { textContent: label('ustatus', u.status) }),
    rowButtons('units', u.id, 'admin.retire'))));
  $('#stations-list').replaceChildren(...city.stations.map((s) => el('tr', { class: fresh === `stations/${s.id}` ? 'fresh' : '' },
    el('td', { textContent: s.id }), el('td', { textContent: s.name }), el('td', { textContent: agencyName(s.agency) }),
    el('td', { textContent: `${s.location.lat.toFixed(5)}, ${s.location.lon.toFixed(5)}` }),
    rowButtons('stations', s.id, 'admin.remove'))));
  $('#agencies-list').replaceChildren(...city.agencies.map((a) => el('tr', { class: fresh === `agencies/${a.code}` ? 'fresh' : '' },
    el('td', { textContent: a.code }), el('td', { textContent: a.name }), el('td', { textContent: a.phone || '' }),
    el('td', { textContent: a.complaint_team || '' }), rowButtons('agencies', a.code, 'admin.remove'))));
  $('#plans-list').replaceChildren(...city.plans.map((p) => el('tr', { class: fresh === `plans/${p.category}` ? 'fresh' : '' },
    el('td', { textContent: label('cat', p.category) }),
    ...p.levels.map((l) => el('td', { textContent: needsText(l) })),
    rowButtons('plans', p.category, 'admin.remove'))));
  for (const kind of Object.keys(editing)) formTitle(kind);
  document.querySelector('tr.fresh')?.scrollIntoView({ block: 'nearest' });
}

const FORMS = { units: '#unit-form', stations: '#station-form', agencies: '#agency-form', plans: '#plan-form' };
const TITLES = { units: 'admin.unitForm', stations: 'admin.stationForm', agencies: 'admin.agencyForm', plans: 'admin.planForm' };

function formTitle(kind) {
  const h = $(`${FORMS[kind]} h2`);
  h.textContent = editing[kind] ? t('admin.editing', { key: editing[kind] }) : t(TITLES[kind]);
  const keyField = $(`${FORMS[kind]} [name=${kind === 'agencies' ? 'code' : kind === 'plans' ? 'category' : 'id'}]`);
  if (keyField) keyField.disabled = !!editing[kind];
}

function edit(kind, key) {
  const f = $(FORMS[kind]);
  editing[kind] = key;
  if (kind === 'units') {
    const u = city.units.find((x) => x.id === key);
    f.elements.callsign.value = u.callsign; f.elements.id.value = u.id; f.elements.type.value = u.type;
    f.elements.agency.value = u.agency; f.elements.station.value = u.station; f.elements.capabilities.value = (u.capabilities || []).join(';');
  } else if (kind === 'stations') {
    const s = city.stations.find((x) => x.id === key);
    f.elements.id.value = s.id; f.elements.name.value = s.name; f.elements.agency.value = s.agency;
    f.elements.lat.value = s.location.lat; f.elements.lon.value = s.location.lon;
  } else if (kind === 'agencies') {
    const a = city.agencies.find((x) => x.code === key);
    f.elements.code.value = a.code; f.elements.name.value = a.name; f.elements.phone.value = a.phone || '';
    f.elements.complaint_team.value = a.complaint_team || '';
  } else {
    const p = city.plans.find((x) => x.category === key);
    f.elements.category.value = p.category;
    ['l1', 'l2', 'l3'].forEach((n, i) => { f.elements[n].value = needsText(p.levels[i]); });
  }
  formTitle(kind);
  f.scrollIntoView({ block: 'nearest' });
}

// body reads a form into the API's fields.
function body(kind, f) {
  const v = (n) => f.elements[n].value.trim();
  switch (kind) {
    case 'units': {
      const b = { callsign: v('callsign'), type: v('type'), agency: v('agency'), station: v('station'),
        capabilities: v('capabilities').split(';').map((c) => c.trim()).filter(Boolean) };
      if (!editing.units && v('id')) b.id = v('id');
      return b;
    }
    case 'stations':
      return { id: v('id'), name: v('name'), agency: v('agency'), location: { lat: Number(v('lat')), lon: Number(v('lon')) } };
    case 'agencies':
      return { code: v('code'), name: v('name'), phone: v('phone'), complaint_team: v('complaint_team') };
    default:
      return { category: v('category'), levels: [parseNeeds(v('l1')), parseNeeds(v('l2')), parseNeeds(v('l3'))] };
  }
}

function wireForm(kind) {
  const f = $(FORMS[kind]);
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    say('');
    let b;
    try { b = body(kind, f); } catch (err) { say(err.message); return; }
    const key = editing[kind];
    try {
      let saved;
      if (key) {
        delete b.id; delete b.code; delete b.category;
        saved = await api.patch(`/api/v1/admin/${kind}/${encodeURIComponent(key)}`, b);
      } else {
        saved = await api.post(`/api/v1/admin/${kind}`, b);
      }
      fresh = `${kind}/${saved.id || saved.code || saved.category}`;
      say(t('admin.saved'), true);
      editing[kind] = null;
      f.reset();
      await load();
    } catch (err) {
      say(api.errorText(err));
    }
  });
  f.addEventListener('reset', () => { editing[kind] = null; setTimeout(() => formTitle(kind)); });
}

async function remove(kind, key) {
  let body = {};
  if (kind === 'units') { // a retirement says why, for the journal
    const reason = prompt(t('admin.retireReason', { key }));
    if (!reason || !reason.trim()) return;
    body = { reason: reason.trim() };
  } else if (!confirm(t('admin.confirmRemove', { key }))) {
    return;
  }
  try {
    await api.del(`/api/v1/admin/${kind}/${encodeURIComponent(key)}`, body);
    say(t(kind === 'units' ? 'admin.retired' : 'admin.removed', { key }), true);
    await load();
  } catch (err) {
    say(api.errorText(err));
  }
}

// The pack: read the chosen files, show the difference, apply it.
let packFiles = null;

async function readFiles(input) {
  const files = {};
  for (const f of input.files) files[f.name] = await f.text();
  return files;
}

// changes names what an edit changes: "name: old → new; …".
function changes(before, after) {
  const show = (k, v) => (k === 'levels' ? v.map(needsText).join(' | ')
    : Array.isArray(v) ? v.join(';') : v && typeof v === 'object' ? JSON.stringify(v) : String(v ?? ''));
  const out = [];
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) out.push(`${k}: ${show(k, before[k])} → ${show(k, after[k])}`);
  }
  return out.length ? ` (${out.join('; ')})` : '';
}

function showDiff(change, applied) {
  const out = $('#pack-result');
  const parts = [];
  const sections = [['agencies', 'admin.agencies', (x) => x.code], ['stations', 'admin.stations', (x) => x.id],
    ['units', 'admin.units', (x) => x.callsign || x.id], ['plans', 'admin.plans', (x) => label('cat', x.category)]];
  let n = 0;
  for (const [k, title, name] of sections) {
    const list = change[k] || [];
    if (!list.length) continue;
    n += list.length;
    parts.push(el('h3', { textContent: `${t(title)} (${list.length})` }));
    parts.push(el('ul', {}, ...list.map((c) => {
      const kind = !c.before ? 'add' : !c.after ? 'del' : 'chg';
      return el('li', { class: kind, textContent: `${t(`admin.diff.${kind}`)}: ${name(c.after || c.before)}${kind === 'chg' ? changes(c.before, c.after) : ''}` });
    })));
  }
  const head = el('p', { textContent: n === 0 ? t('admin.noDiff') : t(applied ? 'admin.applied' : 'admin.diffCount', { n }) });
  out.replaceChildren(head, ...parts);
  out.dataset.state = applied ? 'applied' : 'diff'; // what the browser test waits for
  return n;
}

function wirePack() {
  const f = $('#pack-form');
  const apply = $('#pack-apply');
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    say('');
    apply.disabled = true;
    packFiles = await readFiles(f.elements.files);
    try {
      const change = await api.post('/api/v1/admin/city/diff', { files: packFiles });
      apply.disabled = showDiff(change, false) === 0;
    } catch (err) {
      $('#pack-result').replaceChildren();
      say(api.errorText(err));
    }
  });
  apply.addEventListener('click', async () => {
    apply.disabled = true;
    try {
      const change = await api.post('/api/v1/admin/city/apply', { files: packFiles });
      showDiff(change, true);
      await load();
    } catch (err) {
      say(api.errorText(err));
    }
  });
}

function wireTabs() {
  for (const b of document.querySelectorAll('.tabs button')) {
    b.addEventListener('click', () => {
      for (const x of document.querySelectorAll('.tabs button')) x.setAttribute('aria-pressed', String(x === b));
      for (const p of document.querySelectorAll('[data-pane]')) p.hidden = p.dataset.pane !== b.dataset.tab;
    });
  }
  $('#main').addEventListener('click', (ev) => {
    const e = ev.target.closest('button[data-edit]');
    if (e) edit(e.dataset.edit, e.dataset.key);
    const r = ev.target.closest('button[data-remove]');
    if (r) remove(r.dataset.remove, r.dataset.key);
  });
}

async function start() {
  const u = me;
  if (!u) {
    $('#denied').textContent = t('admin.noServer');
    $('#denied').hidden = false;
    return;
  }
  if (!ROLES.includes(u.role)) {
    $('#denied').textContent = t('admin.denied', { user: u.username, role: u.role });
    $('#denied').hidden = false;
    $('#main').hidden = true;
    return;
  }
  wireTabs();
  for (const kind of Object.keys(FORMS)) wireForm(kind);
  wirePack();
  wireLangSwitch(render);
  await load();
}

start();
