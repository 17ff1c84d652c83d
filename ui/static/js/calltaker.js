// The call-taker's screen: keyboard first. Type the phone number and press
// Enter to start the call; the caller's AML circle appears on the map by
// itself (polled), a click pins the place by hand; likely duplicates are
// offered with one click (Alt+1…3) to link instead of a second incident;
// Ctrl+Enter creates the incident and sends it to the dispatchers' queue.
// Esc never throws a call away: it closes the place list and nothing else;
// a call ends on purpose ("End call", with a reason) or with its incident.

import './gate.js'; // log in first
import { watchOutage } from './outage.js';
import { get, post, newKey, APIError } from './api.js';
import * as offline from './offline-calls.js';
import { $, escapeHTML, colour } from './dom.js';
import { districtLabels, drawOffline } from './offline-map.js';
import { t, label, wib, wireLangSwitch, translateDOM } from './i18n.js';
import { catalog, categories } from './catalog.js';
import { askReason, choose, isOpen as dialogOpen } from './dialog.js';

watchOutage(); // the banner when the server is gone, the login page when the session is

const SURABAYA = [-7.275, 112.72];

let call = null;        // the call being taken
let submitKey = null;   // one Idempotency-Key per incident creation
let map = null, L = null, circle = null, pin = null;
let dups = [];
let places = [], placeTimer = null, placeQuery = '', placeIdx = -1;
let outside = false; // the place pinned last lies outside the service area
let conflictAsked = ''; // the AML fix whose conflict was asked about already
let poll = null;
let state = ['ct.notStarted', 'muted']; // the call badge: message key, class
let note = null; // the last message: [key, vars, kind], shown again on a language switch

function say(text, kind = '') {
  const m = $('#msg');
  m.textContent = text;
  m.className = `msg ${kind}`;
  note = null;
}

// tell says a catalogue message, kept so that a language switch shows it again.
function tell(key, vars, kind) {
  say(t(key, vars), kind);
  note = [key, vars, kind];
}

function setState(key, kind, vars) {
  state = [key, kind, vars];
  const b = $('#call-state');
  b.textContent = t(key, vars);
  b.className = `badge ${kind}`;
}

const unreachable = (err) => !(err instanceof APIError) || err.status === 0 || err.status >= 500;

async function startCall() {
  if (call) return;
  const body = { phone: $('#phone').value, name: $('#name').value, nik: $('#nik').value, channel: $('#channel').value };
  try {
    call = await post('/api/v1/calls', body);
  } catch (err) {
    if (!unreachable(err)) { say(err.message, 'err'); $('#phone').focus(); return; }
    // The server is gone: the call is taken all the same, in the browser.
    call = { id: '', offline: true, body, phone: body.phone, started_at: new Date().toISOString(), location: null };
  }
  try {
    submitKey = newKey();
    $('#phone').value = call.phone;
    setState('ct.active', 'ok', { at: wib(call.started_at) });
    $('#submit').disabled = false;
    $('#end-call').disabled = false;
    tell('ct.started', null, 'ok');
    $('#category').focus();
    showLocation();
    if (call.offline) tell('ct.offlineQueued', { n: offline.pending() }, 'err');
    else poll = setInterval(refresh, 2000);
  } catch (err) {
    say(err.message, 'err');
    $('#phone').focus();
  }
}

async function refresh() {
  if (!call || call.offline) return;
  try {
    const c = await get(`/api/v1/calls/${call.id}`);
    if (!call || c.id !== call.id) return; // ended meanwhile
    const moved = JSON.stringify(c.location) !== JSON.stringify(call.location) ||
      JSON.stringify(c.aml_location) !== JSON.stringify(call.aml_location);
    call = c;
    if (moved) showLocation();
  } catch { /* next poll */ }
}

// fixAge writes seconds as "2 j 5 mnt" (jam, menit).
function fixAge(s) {
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  return h ? t('ct.hoursMinutes', { h, m }) : t('ct.minutes', { m });
}

function showLocation(again = false) {
  const l = call && call.location;
  if (!l) return;
  const src = l.source === 'aml' ? `AML (${l.method || '?'})` : label('locsrc', l.source);
  // An old AML fix (a cached position) is shown, flagged with its age, for
  // the call-taker to judge.
  const age = l.old ? ` · <b class="old-fix">${escapeHTML(t('ct.oldFix', { age: fixAge(l.age_s) }))}</b>` : '';
  const area = outside ? `<br><b class="area-warn">⚠ ${escapeHTML(t('area.warn'))}</b>` : '';
  $('#loc').innerHTML = `${escapeHTML(t('ct.location'))}: <b>${l.lat.toFixed(5)}, ${l.lon.toFixed(5)}</b> ± ${Math.round(l.radius_m)} m · ${escapeHTML(src)} · ${wib(l.at)}${age}${area}`;
  $('#loc').className = l.old ? 'loc old' : outside ? 'loc outside' : 'loc ok';
  showConflict();
  if (again) return; // only the words changed
  if (map) {
    const ll = [l.lat, l.lon];
    if (circle) circle.remove();
    circle = L.circle(ll, { radius: Math.max(l.radius_m, 10), color: colour('focus'), weight: 2, fillOpacity: 0.15 }).addTo(map);
    if (pin) pin.remove();
    pin = L.circleMarker(ll, { radius: 7, color: '#000', fillColor: colour('p1'), fillOpacity: 1, weight: 3 }).addTo(map);
    map.fitBounds(circle.getBounds(), { maxZoom: 17, padding: [30, 30] });
  }
  findDuplicates();
}

// metres between two points (haversine; a few metres off is fine here).
function metres(a, b) {
  const r = Math.PI / 180, dLat = (b.lat - a.lat) * r, dLon = (b.lon - a.lon) * r;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.sin(dLon / 2) ** 2;
  return Math.round(2 * 6371000 * Math.asin(Math.sqrt(h)));
}

// showConflict shows an AML fix that landed away from a pin placed by hand
// (the server keeps it beside the pin) and asks, once per fix, which one
// the incident should take.
function showConflict() {
  const a = call && call.location_conflict && call.aml_location;
  $('#conflict').hidden = !a;
  if (!a) return;
  $('#conflict-msg').textContent = t('ct.conflict');
  const key = `${a.lat},${a.lon},${a.at}`;
  if (conflictAsked !== key && !dialogOpen()) {
    conflictAsked = key;
    chooseLocation();
  }
}

async function chooseLocation() {
  const l = call && call.location, a = call && call.aml_location;
  if (!l || !a) return;
  const fmt = (p) => `${p.lat.toFixed(5)}, ${p.lon.toFixed(5)}`;
  const pick = await choose(() => ({
    title: t('ct.conflict'),
    message: t('ct.conflictMessage', { pin: fmt(l), aml: fmt(a), r: Math.round(a.radius_m), d: metres(l, a) }),
    options: [{ value: 'pin', label: t('ct.keepPin'), hint: t('ct.keepPinHint') },
      { value: 'aml', label: t('ct.useAML'), hint: t('ct.useAMLHint') }],
  }));
  if (!pick || !call) return;
  // Either answer settles the conflict; the call keeps both positions.
  const body = pick === 'aml'
    ? { lat: a.lat, lon: a.lon, radius_m: a.radius_m, source: 'manual' }
    : { lat: l.lat, lon: l.lon, radius_m: l.radius_m, source: l.source === 'address' ? 'address' : 'manual', address: l.address || '' };
  try {
    call = await post(`/api/v1/calls/${call.id}/location`, body);
    if (pick === 'aml') outside = false;
    showLocation();
  } catch (err) { say(err.message, 'err'); }
}

async function findDuplicates() {
  const l = call && call.location;
  if (!l) return;
  try {
    dups = await get(`/api/v1/incidents/duplicates?lat=${l.lat}&lon=${l.lon}&category=${$('#category').value}`);
  } catch { dups = []; }
  $('#dups').hidden = dups.length === 0;
  $('#dup-list').innerHTML = dups.slice(0, 3).map((d, i) => `
    <li><div><b>${escapeHTML(d.number)}</b> ${escapeHTML(label('cat', d.category))}
      <span class="muted">${d.distance_m} m · ${wib(d.received_at)} · ${escapeHTML(t('ct.callers', { n: d.callers }))}</span>
      <div class="muted">${escapeHTML(d.address || d.district || '')}</div></div>
      <button type="button" class="btn link" data-id="${escapeHTML(d.id)}">${escapeHTML(t('ct.link'))} <kbd>Alt+${i + 1}</kbd></button></li>`).join('');
}

// searchPlaces asks the location search as the address is typed (after a
// pause, from three letters): streets, kelurahan, stations, landmarks.
function searchPlaces() {
  clearTimeout(placeTimer);
  const q = $('#address').value.trim().slice(0, 100);
  if (q.length < 3) { placeQuery = ''; showPlaces([]); return; }
  placeTimer = setTimeout(async () => {
    placeQuery = q;
    let found = [];
    try { found = await get(`/api/v1/geocode?q=${encodeURIComponent(q)}&limit=5`); } catch { /* none */ }
    if (placeQuery === q) showPlaces(found); // a later query may have answered first
  }, 250);
}

function showPlaces(list, idx = -1) {
  places = list;
  placeIdx = list.length ? Math.max(-1, Math.min(idx, list.length - 1)) : -1;
  $('#places').hidden = list.length === 0;
  // Typed coordinates outside the service area are marked before anything is saved.
  $('#place-list').innerHTML = list.map((p, i) => `
    <li role="option" aria-selected="${i === placeIdx}"><button type="button" class="btn link${i === placeIdx ? ' active' : ''}${p.out_of_area ? ' outside' : ''}" data-place="${i}" tabindex="-1"><b>${escapeHTML(p.name)}</b>
      <span class="muted">${escapeHTML(label('place', p.kind))} · ${escapeHTML([p.kelurahan, p.district].filter(Boolean).join(', '))}</span>${p.out_of_area ? ` <span class="area-badge">⚠ ${escapeHTML(t('area.badge'))}</span>` : ''}</button></li>`).join('');
}

// choosePlace writes the place into the address and, during a call, pins it.
async function choosePlace(p) {
  $('#address').value = p.kind === 'coordinates' ? $('#address').value : [p.name, p.kelurahan, p.district].filter(Boolean).join(', ');
  placeQuery = '';
  showPlaces([]);
  outside = !!p.out_of_area;
  if (call) await pinAt({ lat: p.location.lat, lng: p.location.lon }, outside);
  $('#notes').focus();
}

// placeKeys moves through the place list from the address box: ↑/↓ choose,
// Enter pins, Esc closes the list (the draft stays).
function placeKeys(e) {
  if (!places.length || e.isComposing) return;
  if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    e.preventDefault();
    const n = places.length, step = e.key === 'ArrowDown' ? 1 : -1;
    showPlaces(places, placeIdx < 0 ? (step > 0 ? 0 : n - 1) : (placeIdx + step + n) % n);
  } else if (e.key === 'Enter' && placeIdx >= 0 && !e.ctrlKey && !e.metaKey) {
    e.preventDefault();
    choosePlace(places[placeIdx]);
  } else if (e.key === 'Escape') {
    e.preventDefault();
    e.stopPropagation();
    placeQuery = '';
    showPlaces([]);
  }
}

async function link(id) {
  if (!call) return;
  try {
    const inc = await post(`/api/v1/incidents/${id}/calls`, { call_id: call.id });
    done('ct.linked', { number: inc.number, n: inc.callers });
  } catch (err) { say(err.message, 'err'); }
}

let submitting = false; // one creation at a time (Ctrl+Enter and the form's submit may both fire)

async function submit() {
  if (!call) { await startCall(); return; }
  if (dialogOpen() || submitting) return;
  submitting = true;
  try { await create(); } finally { submitting = false; }
}

async function create() {
  const body = { call_id: call.id, category: $('#category').value, priority: Number($('#priority').value),
    address: $('#address').value, description: $('#notes').value,
    caller: { name: $('#name').value, nik: $('#nik').value } };
  if (!call.location) { tell('ct.noLocation', null, 'err'); return; }
  if (call.offline) {
    const { call_id: _, ...incident } = body;
    const n = offline.enqueue(call.body, call.pinned || null, incident);
    clearForm();
    setState('ct.done', 'muted');
    tell('ct.offlineQueued', { n }, 'err');
    return;
  }
  try {
    const inc = await post('/api/v1/incidents', body, submitKey);
    done('ct.created', { number: inc.number });
  } catch (err) {
    if (err.code !== 'out_of_area') { say(err.message, 'err'); return; }
    // Far outside the city: a typo sends units hours away. Saved only
    // with a reason, which the journal keeps with who gave it.
    const km = (/([\d.]+) km/.exec(err.detail) || [])[1] || '?';
    const reason = await askReason(() => ({ title: t('area.title'), message: t('area.message', { km }), label: t('area.label'), ok: t('area.ok') }));
    if (!reason || !call) return;
    submitKey = newKey(); // a new request: the refused one is not retried
    try {
      const inc = await post('/api/v1/incidents', { ...body, confirm_out_of_area: reason }, submitKey);
      done('ct.created', { number: inc.number });
    } catch (err2) { say(err2.message, 'err'); }
  }
}

// done: the call became (or joined) an incident, so the report is saved:
// the form is cleared for the next call, the message stays.
function done(key, vars) {
  clearForm();
  setState('ct.done', 'muted');
  tell(key, vars, 'ok');
}

// endCall closes the call on purpose, with a reason (wrong number, prank,
// handled on the phone): the only way a call ends without an incident.
async function endCall() {
  if (!call) return;
  const phone = call.phone;
  const reason = await askReason(() => ({ title: t('ct.endTitle'), message: t('ct.endMessage', { phone }),
    label: t('ct.endLabel'), ok: t('ct.endCall'), danger: true }));
  if (!reason || !call) return;
  try {
    await post(`/api/v1/calls/${call.id}/close`, { reason });
    clearForm();
    setState('ct.done', 'muted');
    tell('ct.ended', { reason }, 'ok');
  } catch (err) { say(err.message, 'err'); }
}

// newCall clears a draft that no call holds; during a call it refuses.
function newCall() {
  if (call) { tell('ct.endFirst', null, 'err'); return; }
  clearForm();
  setState('ct.notStarted', 'muted');
  say('');
}

// The draft survives a reload (and an outage): the form's fields are kept
// in the browser until the call is saved or cleared.
const DRAFT = 'cc112.ct.draft';
const DRAFT_FIELDS = ['phone', 'name', 'nik', 'channel', 'category', 'priority', 'address', 'notes'];
function saveDraft() {
  localStorage.setItem(DRAFT, JSON.stringify(Object.fromEntries(DRAFT_FIELDS.map((f) => [f, $('#' + f).value]))));
}
function restoreDraft() {
  let d = null;
  try { d = JSON.parse(localStorage.getItem(DRAFT) || 'null'); } catch { /* none */ }
  if (!d) return;
  for (const f of DRAFT_FIELDS) if (typeof d[f] === 'string' && d[f]) $('#' + f).value = d[f];
}

// sendKept sends the calls recorded offline, in order, and says so.
async function sendKept() {
  if (!offline.pending()) return;
  const n = await offline.flush();
  const bad = offline.refused();
  if (bad.length) tell('ct.offlineRefused', { n: bad.length, phones: bad.map((e) => e.call.phone).join(', '), why: bad[bad.length - 1].error }, 'err');
  else if (n) tell('ct.offlineSent', { n }, 'ok');
  document.body.dataset.queued = String(offline.pending());
}

function clearForm() {
  clearInterval(poll);
  localStorage.removeItem(DRAFT);
  call = null; dups = []; outside = false; conflictAsked = '';
  $('#call-form').reset();
  $('#dups').hidden = true;
  $('#conflict').hidden = true;
  placeQuery = '';
  showPlaces([]);
  $('#submit').disabled = true;
  $('#end-call').disabled = true;
  waitingLocation();
  if (circle) circle.remove();
  if (pin) pin.remove();
  circle = pin = null;
  $('#phone').focus();
}

// escape never discards anything: it closes the place list, or says how a
// call is ended.
function escape() {
  if (places.length) { placeQuery = ''; showPlaces([]); return; }
  if (call || $('#phone').value || $('#address').value || $('#notes').value) tell('ct.escKept', null, '');
}

async function pinAt(latlng, out = false) {
  if (!call) { tell('ct.startFirst', null, 'err'); return; }
  outside = out;
  if (call.offline) {
    // Kept with the call; sent before its incident when the server is back.
    call.pinned = { lat: latlng.lat, lon: latlng.lng, radius_m: 30, source: 'manual' };
    call.location = { ...call.pinned, at: new Date().toISOString() };
    showLocation();
    return;
  }
  try {
    call = await post(`/api/v1/calls/${call.id}/location`, { lat: latlng.lat, lon: latlng.lng, radius_m: 30, source: 'manual' });
    showLocation();
  } catch (err) { say(err.message, 'err'); }
}

async function initMap() {
  try {
    const cfg = await get('/api/v1/config');
    if (!cfg.map_available) throw new Error('no map');
    L = await import('../vendor/leaflet/leaflet.js');
    map = L.map($('#map'), { minZoom: 10, maxZoom: 19 }).setView(SURABAYA, 12);
    map.attributionControl.setPrefix(false);
    translateDOM($('#map')); // the zoom buttons
    if (cfg.tiles) L.tileLayer(cfg.tiles, { attribution: cfg.tile_attribution, maxZoom: 19 }).addTo(map);
    else $('#map').classList.add('tiles-off'); // the offline layers at full strength
    const gj = await get('/api/v1/districts');
    const outline = L.geoJSON(gj, { style: { className: 'district', weight: 2, fillOpacity: cfg.tiles ? 0.12 : 1 }, interactive: false }).addTo(map);
    // The whole city fills the map on any screen (a fixed zoom leaves it a
    // postage stamp on a 4K one), until a call has a place to show.
    if (!circle && outline.getBounds().isValid()) map.fitBounds(outline.getBounds(), { padding: [8, 8] });
    districtLabels(L, gj).addTo(map);
    drawOffline(L, map);
    map.on('click', (e) => pinAt(e.latlng));
  } catch {
    $('#map-msg').hidden = false;
  }
}

function waitingLocation() {
  $('#loc').textContent = t('ct.waitingLocation');
  $('#loc').className = 'loc muted';
}

// fillSelects lists the server's codes with their labels, keeping what is chosen.
function fillSelects() {
  const fill = (sel, codes, kind) => {
    const v = sel.value;
    sel.innerHTML = codes.map((c) => `<option value="${escapeHTML(c)}">${escapeHTML(label(kind, c))}</option>`).join('');
    if (v) sel.value = v;
  };
  fill($('#category'), categories, 'cat');
  fill($('#channel'), catalog.call_channels, 'src');
  const prio = $('#priority').value;
  fill($('#priority'), catalog.priorities, 'priority');
  // P2, the engine's default, is what a reset form goes back to (marking
  // the default selects it: the chosen priority is put back after, so a
  // language switch during a call keeps it).
  for (const o of $('#priority').options) o.defaultSelected = o.value === '2';
  if (prio) $('#priority').value = prio;
}

function init() {
  fillSelects();
  $('#priority').value = '2';
  restoreDraft();
  $('#call-form').addEventListener('input', saveDraft);
  $('#call-form').addEventListener('change', saveDraft);
  document.body.dataset.queued = String(offline.pending());
  // The server is back when the outage banner goes (outage.js) or the
  // browser says so; a timer covers the rest.
  window.addEventListener('online', sendKept);
  setInterval(sendKept, 3000);
  sendKept();
  wireLangSwitch(() => {
    fillSelects();
    setState(...state);
    if (note) tell(...note);
    if (call && call.location) showLocation(true);
    else if ($('#loc').classList.contains('muted')) waitingLocation();
    if (dups.length) findDuplicates();
    if (places.length) showPlaces(places);
  });
  $('#phone').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { e.preventDefault(); startCall(); }
  });
  $('#call-form').addEventListener('submit', (e) => { e.preventDefault(); submit(); });
  // Enter moves to the next field (never submits half a report).
  $('#call-form').addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || e.ctrlKey || e.metaKey || e.defaultPrevented) return;
    const el = e.target;
    if (el.tagName === 'TEXTAREA' || el.tagName === 'BUTTON') return;
    e.preventDefault();
    const fields = [...$('#call-form').querySelectorAll('input, select, textarea')];
    const next = fields[fields.indexOf(el) + 1];
    if (next) next.focus();
  });
  $('#new-call').addEventListener('click', newCall);
  $('#end-call').addEventListener('click', endCall);
  $('#conflict-btn').addEventListener('click', chooseLocation);
  $('#address').addEventListener('keydown', placeKeys);
  $('#category').addEventListener('change', findDuplicates);
  $('#address').addEventListener('input', searchPlaces);
  $('#place-list').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-place]');
    if (b && places[Number(b.dataset.place)]) choosePlace(places[Number(b.dataset.place)]);
  });
  $('#dup-list').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-id]');
    if (b) link(b.dataset.id);
  });
  document.addEventListener('keydown', (e) => {
    if (dialogOpen()) return; // the question on screen has the keys
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); submit(); }
    else if (e.key === 'Escape') { e.preventDefault(); escape(); }
    else if (e.altKey && ['1', '2', '3'].includes(e.key) && dups[Number(e.key) - 1]) { e.preventDefault(); link(dups[Number(e.key) - 1].id); }
  });
  const tick = () => { $('#now-time').textContent = wib(new Date()); };
  tick();
  setInterval(tick, 1000);
  initMap();
}

init();
