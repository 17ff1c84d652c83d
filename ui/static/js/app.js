// The dispatcher console: wires the live feed, the store and the views.
// It must run unattended on a video wall for weeks: every failure is
// retried, and a new server version reloads the page by itself.

import './gate.js'; // log in first
import * as api from './api.js';
import { t, label, lang, setLang, onLangChange, translateDOM, wib, wibDate } from './i18n.js';
import { LiveFeed } from './live.js';
import { Store } from './store.js';
import { Queue } from './queue.js';
import { Board } from './board.js';
import { Detail } from './detail.js';
import { CreateForm } from './create.js';
import { CameraWall } from './camwall.js';
import { $ } from './dom.js';

const store = new Store();
let cfg;
let wallMap = null;
let selected = null;
let camwall = null;

async function loadConfig() {
  for (let wait = 500; ; wait = Math.min(wait * 2, 10000)) {
    try {
      return await api.get('/api/v1/config');
    } catch {
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

function toast(msg, kind = 'ok') {
  const el = document.createElement('div');
  el.className = `toast ${kind}`;
  el.textContent = msg;
  $('#toasts').append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}

// paged tells the dispatcher what paging brings: a unit's message, loud;
// a dispatch nobody acknowledged in time, louder.
function paged(m, detail) {
  const d = m.data;
  if (!d) return;
  const unit = (id) => (window.cc112 && window.cc112.store.units.get(id)) || null;
  if (m.event === 'message.created') {
    detail.message(d);
    if (d.from_unit) {
      const u = unit(d.from_unit);
      toast(t('msg.fromUnit', { unit: u ? u.callsign : d.from_unit, text: d.canned ? label('canned', d.canned) : d.text }), 'warn');
    }
  } else if (m.event === 'page.ack_overdue') {
    toast(t('page.overdue', { unit: d.callsign, n: d.number }), 'error');
  }
}

function setConn(state, detail) {
  const el = $('#conn');
  el.className = `conn ${state}`;
  const txt = state === 'offline' ? t('conn.offline', { s: Math.ceil((detail?.retryInMs || 0) / 1000) }) : t(`conn.${state}`);
  el.querySelector('.txt').textContent = txt;
  el.dataset.state = state;
  if (state === 'live') checkVersion();
}

// checkVersion reloads the page when the server's console files changed
// (an upgrade): the wall must never need someone to press F5.
async function checkVersion() {
  try {
    const c = await api.get('/api/v1/config');
    if (c.version !== cfg.version) location.reload();
  } catch { /* next time */ }
}

function renderCounts() {
  let waiting = 0;
  for (const i of store.incidents.values()) if (i.status === 'new') waiting++;
  let free = 0;
  for (const u of store.units.values()) if (u.status === 'available') free++;
  $('#c-active').textContent = t('count.active', { n: store.incidents.size });
  $('#c-waiting').textContent = t('count.waiting', { n: waiting });
  $('#c-waiting').classList.toggle('alert', waiting > 0);
  $('#c-available').textContent = t('count.available', { n: free });
}

function tickClock() {
  const now = new Date();
  $('#now-time').textContent = wib(now);
  $('#now-date').textContent = wibDate(now);
}

function showView(view) {
  $('#grid').dataset.view = view;
  for (const b of document.querySelectorAll('.tabs button')) b.classList.toggle('active', b.dataset.view === view);
  if (view === 'map' && wallMap) setTimeout(() => wallMap.invalidate(), 0);
}

async function startMap(create, detail) {
  const msg = $('#map-msg');
  if (!cfg.map_available) {
    msg.textContent = t('map.unavailable');
    msg.hidden = false;
    return;
  }
  let L;
  try {
    L = await import('../vendor/leaflet/leaflet.js');
  } catch (err) {
    console.error('leaflet', err);
    msg.textContent = t('map.unavailable');
    msg.hidden = false;
    return;
  }
  wallMap = new (await import('./map.js')).WallMap(L, $('#map'), cfg, store, {
    incident: (id) => openIncident(id, detail, create),
    camera: (id) => { const c = store.cameras.get(id); if (c) camwall.showCamera(c, selected); },
    pick: (latlng) => create.open(latlng),
  });
  if (!cfg.tiles) $('#layers [data-layer=basemap]').closest('label').hidden = true;
  $('#layers').addEventListener('change', (e) => {
    if (e.target.dataset.layer) wallMap.toggle(e.target.dataset.layer, e.target.checked);
  });
  wallMap.render(new Set(['incidents', 'units', 'cameras']));
  loadDistricts(create);
}

async function loadDistricts(create) {
  for (let wait = 1000; ; wait = Math.min(wait * 2, 30000)) {
    try {
      const gj = await api.get('/api/v1/districts');
      if (wallMap) wallMap.setDistricts(gj);
      create.setDistricts(gj);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

function openIncident(id, detail, create) {
  if (create.isOpen) return; // a click on the map while reporting picks a place
  selected = id;
  detail.open(id);
  document.body.classList.add('detail-open');
  queue.select(id);
  if (wallMap) wallMap.select(id);
  const inc = store.incidents.get(id);
  if (inc) camwall.showIncident(inc);
}

let queue;

async function main() {
  cfg = await loadConfig();
  document.documentElement.lang = lang();
  translateDOM(document);
  $('#lang-btn').textContent = t('app.lang');
  $('#lang-btn').title = t('app.langTitle');

  camwall = new CameraWall($('#camwall'));
  const create = new CreateForm($('#create'), {
    picked: (p) => wallMap && wallMap.showPick(p ? [p.lat, p.lon] : null),
    done: (inc) => {
      document.body.classList.remove('create-open');
      if (inc) openIncident(inc.id, detail, create);
      else $('#new-btn').focus();
    },
    toast,
  });
  const detail = new Detail($('#detail'), store, cfg, {
    closed: () => {
      selected = null;
      document.body.classList.remove('detail-open');
      queue.select(null);
      if (wallMap) wallMap.select(null);
      camwall.close();
    },
    toast,
  });
  queue = new Queue($('#queue'), store, cfg.target_s, (id) => openIncident(id, detail, create));
  const board = new Board($('#board'), store, (id) => openIncident(id, detail, create));

  store.subscribe((kinds) => {
    if (kinds.has('incidents')) queue.render();
    if (kinds.has('units') || kinds.has('incidents')) board.render();
    if (wallMap) wallMap.render(kinds);
    detail.update(kinds);
    renderCounts();
  });
  onLangChange(() => {
    $('#lang-btn').textContent = t('app.lang');
    $('#lang-btn').title = t('app.langTitle');
    queue.render();
    board.render();
    renderCounts();
    if (detail.id) detail.render();
    if (create.isOpen) { create.hide(); create.open(); }
    setConn($('#conn').dataset.state || 'connecting');
  });

  $('#lang-btn').addEventListener('click', () => setLang(lang() === 'id' ? 'en' : 'id'));
  $('#new-btn').addEventListener('click', () => {
    detail.close();
    document.body.classList.add('create-open');
    create.open();
  });
  for (const b of document.querySelectorAll('.tabs button')) b.addEventListener('click', () => showView(b.dataset.view));
  document.addEventListener('keydown', (e) => {
    const typing = e.target.closest('input, select, textarea');
    if (e.key === 'Escape' && !create.isOpen && detail.id) { detail.close(); return; }
    if (!typing && (e.key === 'n' || e.key === 'N') && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      $('#new-btn').click();
    }
  });

  const feed = new LiveFeed({
    snapshot: (m) => store.applySnapshot(m),
    event: (m) => {
      store.applyEvent(m.event, m.data);
      paged(m, detail);
    },
    state: setConn,
  });
  // For the browser tests and for anyone debugging a wall from its console.
  window.cc112 = { store, feed, camwall, get selected() { return selected; }, label };
  feed.start();

  showView('queue');
  tickClock();
  setInterval(() => { tickClock(); queue.tick(); }, 1000);
  renderCounts();
  await startMap(create, detail);
}

main();
