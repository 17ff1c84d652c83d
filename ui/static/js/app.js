// The dispatcher console: wires the live feed, the store and the views.
// It must run unattended on a video wall for weeks: every failure is
// retried, and a new server version reloads the page by itself.

import './gate.js'; // log in first
import { watchOutage } from './outage.js';
import * as api from './api.js';
import { t, label, lang, setLang, onLangChange, translateDOM, wib, wibDate, duration } from './i18n.js';
import { LiveFeed } from './live.js';
import { Store } from './store.js';
import { Queue } from './queue.js';
import { Board } from './board.js';
import { Detail } from './detail.js';
import { UnitRoutes } from './routes.js';
import { CreateForm } from './create.js';
import { CameraWall } from './camwall.js';
import { History } from './history.js';
import { isOpen as dialogOpen } from './dialog.js';
import { Help, actionFor } from './keys.js';
import { isWaiting } from './store.js';
import { AlertSound } from './alertsound.js';
import { AlertBar } from './alerts.js';
import { CoverageBoard } from './coverage.js';
import { MoveUpPanel } from './moveups.js';
import { $ } from './dom.js';

watchOutage(); // the banner when the server is gone, the login page when the session is

const store = new Store();
let cfg;
let wallMap = null;
let selected = null;
let camwall = null;
let history = null;

async function loadConfig() {
  for (let wait = 500; ; wait = Math.min(wait * 2, 10000)) {
    try {
      return await api.get('/api/v1/config');
    } catch {
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

// MAX_TOASTS is how many toasts show at once, the newest: a burst (a dozen
// dispatches nobody acknowledged) piled up over the console, and over a
// phone's whole screen; each is gone after seconds anyway.
const MAX_TOASTS = 4;

function toast(msg, kind = 'ok') {
  const el = document.createElement('div');
  el.className = `toast ${kind}`;
  el.textContent = msg;
  const box = $('#toasts');
  box.append(el);
  while (box.children.length > MAX_TOASTS) box.firstElementChild.remove();
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

// The header's counters are filters too: waiting shows only the incidents
// waiting for a unit, active shows all of them, available only the free units.
function renderCounts() {
  let waiting = 0;
  for (const i of store.incidents.values()) if (isWaiting(i)) waiting++;
  let free = 0;
  for (const u of store.units.values()) if (u.status === 'available') free++;
  $('#c-active').textContent = t('count.active', { n: store.incidents.size });
  $('#c-waiting').textContent = t('count.waiting', { n: waiting });
  $('#c-waiting').classList.toggle('alert', waiting > 0);
  $('#c-available').textContent = t('count.available', { n: free });
  if (queue) {
    $('#c-waiting').classList.toggle('on', queue.filter.status === 'new');
    $('#c-active').classList.toggle('on', !queue.filtered);
    $('#c-waiting').title = t('count.waitingTitle');
    $('#c-active').title = t('count.activeTitle');
    $('#c-available').title = t('count.availableTitle');
  }
  if (board) $('#c-available').classList.toggle('on', board.onlyAvailable);
}

function tickClock() {
  const now = new Date();
  $('#now-time').textContent = wib(now);
  $('#now-date').textContent = wibDate(now);
}

function showView(view) {
  $('#grid').dataset.view = view;
  for (const b of document.querySelectorAll('.tabs button')) b.classList.toggle('active', b.dataset.view === view);
  // On the wall the history takes the map's column; the tabs of a phone show it alone.
  document.body.classList.toggle('history-open', view === 'history');
  $('#history-btn').setAttribute('aria-pressed', String(view === 'history'));
  if (view === 'history') history.show();
  if (view !== 'history' && wallMap) setTimeout(() => wallMap.invalidate(), 0);
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
    // A click on the map moves the open incident after "Pick on the map", else starts a report there.
    pick: (latlng) => (detail.picking ? detail.picked(latlng) : create.open(latlng)),
  });
  if (!cfg.tiles) $('#layers [data-layer=basemap]').closest('label').hidden = true;
  $('#layers').addEventListener('change', (e) => {
    if (e.target.dataset.layer) wallMap.toggle(e.target.dataset.layer, e.target.checked);
  });
  wallMap.render(new Set(['incidents', 'units', 'cameras']));
  unitRoutes = new UnitRoutes(store, (routes) => wallMap && wallMap.setUnitRoutes(routes));
  unitRoutes.update();
  loadDistricts(create);
}

async function loadDistricts(create) {
  for (let wait = 1000; ; wait = Math.min(wait * 2, 30000)) {
    try {
      const gj = await api.get('/api/v1/districts');
      if (wallMap) wallMap.setDistricts(gj);
      create.setDistricts(gj);
      history.setDistricts(gj);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

// tickArrivals counts down each assigned unit's arrival in the detail
// panel, from its route's ETA.
function tickArrivals() {
  const now = Date.now();
  for (const el of document.querySelectorAll('#detail .eta-live')) {
    const r = unitRoutes && unitRoutes.routes.get(el.dataset.unit);
    el.textContent = r ? t('detail.etaLive', { t: duration((r.arriveAt - now) / 1000) }) : '';
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
let board;
let unitRoutes = null; // the routes of units on their way, once the map is up

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
    hoverRec: (rec) => wallMap && wallMap.showRecRoute(rec ? rec.route : null, rec && rec.method === 'straight'),
    closed: () => {
      if (wallMap) wallMap.showRecRoute(null);
      selected = null;
      document.body.classList.remove('detail-open');
      queue.select(null);
      if (wallMap) wallMap.select(null);
      camwall.close();
    },
    toast,
  });
  history = new History($('#history'), (id) => openIncident(id, detail, create), toast);
  queue = new Queue($('#queue'), $('#queue-filters'), store, cfg, (id) => openIncident(id, detail, create), () => renderCounts());
  board = new Board($('#board'), $('#unit-menu'), store, {
    open: (id) => openIncident(id, detail, create),
    openIncident: () => detail.id,
    toast,
  });
  const help = new Help($('#help'));
  const sound = new AlertSound(() => alertBar.renderSound());
  const alertBar = new AlertBar($('#alerts'), store, sound, { open: (id) => openIncident(id, detail, create), toast });
  const coverage = new CoverageBoard($('#coverage'));
  const moveUps = new MoveUpPanel($('#moveups'), { toast });

  store.subscribe((kinds) => {
    if (kinds.has('incidents') || kinds.has('units')) queue.render();
    if (kinds.has('units') || kinds.has('incidents')) board.render();
    if (kinds.has('alerts') || kinds.has('incidents') || kinds.has('units')) alertBar.render();
    if (kinds.has('units')) { coverage.changed(); moveUps.changed(); }
    if (wallMap) wallMap.render(kinds);
    if (unitRoutes && (kinds.has('units') || kinds.has('positions') || kinds.has('incidents') || kinds.has('snapshot'))) unitRoutes.update();
    detail.update(kinds);
    renderCounts();
  });
  onLangChange(() => {
    $('#lang-btn').textContent = t('app.lang');
    $('#lang-btn').title = t('app.langTitle');
    queue.filtersHTML = '';
    queue.render();
    board.render();
    alertBar.render();
    coverage.render();
    moveUps.render();
    renderCounts();
    if (help.open) help.show();
    if (detail.id) detail.render();
    if (create.isOpen) { create.hide(); create.open(); }
    history.relabel();
    camwall.relabel();
    setConn($('#conn').dataset.state || 'connecting');
  });

  $('#lang-btn').addEventListener('click', () => setLang(lang() === 'id' ? 'en' : 'id'));
  $('#new-btn').addEventListener('click', () => {
    if ($('#new-btn').hidden) return; // a role that may not create incidents (the N key)
    detail.close();
    document.body.classList.add('create-open');
    create.open();
  });
  for (const b of document.querySelectorAll('.tabs button')) b.addEventListener('click', () => showView(b.dataset.view));
  $('#history-btn').addEventListener('click', () => showView($('#grid').dataset.view === 'history' ? 'queue' : 'history'));
  $('#c-waiting').addEventListener('click', () => {
    queue.setFilter({ status: queue.filter.status === 'new' ? '' : 'new' });
    showView('queue');
    $('#queue').scrollTop = 0;
  });
  $('#c-active').addEventListener('click', () => {
    queue.setFilter({ status: '', agency: '', category: '', district: '' });
    showView('queue');
  });
  $('#c-available').addEventListener('click', () => {
    board.toggleAvailable();
    renderCounts();
    showView('units');
  });
  $('#help-btn').addEventListener('click', () => help.toggle());
  // Every dispatcher action has a key (keys.js lists them for the "?" overlay).
  const actions = {
    help: () => help.toggle(),
    new: () => $('#new-btn').click(),
    next: () => queue.step(1),
    prev: () => queue.step(-1),
    waiting: () => $('#c-waiting').click(),
    available: () => $('#c-available').click(),
    filters: () => $('#queue-filters select')?.focus(),
    unitSearch: () => detail.focusUnitSearch(),
    plan: () => detail.el.querySelector('[data-action=plan]')?.click(),
    board: () => { showView('units'); $('#board .chip')?.focus(); },
    history: () => $('#history-btn').click(),
    note: () => detail.el.querySelector('textarea[name=note]')?.focus(),
    edit: () => {
      const d = detail.el.querySelector('details.edit');
      if (d) { d.open = true; d.querySelector('select')?.focus(); }
    },
    cancel: () => detail.el.querySelector('.reason-form input')?.focus(),
    closeIncident: () => detail.el.querySelector('select[name=disposition]')?.focus(),
    lang: () => $('#lang-btn').click(),
  };
  document.addEventListener('keydown', (e) => {
    if (dialogOpen()) return; // the question on screen has the keys
    const typing = e.target.closest('input, select, textarea');
    if (e.key === 'Escape') {
      if (help.open) help.hide();
      else if (board.unitID) board.closeMenu();
      else if (!create.isOpen && detail.id) detail.close();
      return;
    }
    if (typing || create.isOpen) return;
    if (help.open && e.key !== '?') return;
    if (board.unitID && board.key(e.key)) { e.preventDefault(); return; }
    const action = actionFor(e);
    if (action && actions[action]) {
      e.preventDefault();
      actions[action]();
    }
  });

  const feed = new LiveFeed({
    snapshot: (m) => { store.applySnapshot(m); alertBar.load(); },
    event: (m) => {
      store.applyEvent(m.event, m.data);
      // A new P1 sounds on every console at once, before any timer.
      if (m.event === 'incident.created' && m.data && m.data.priority === 1) sound.play('newP1');
      paged(m, detail);
    },
    state: setConn,
  });
  // For the browser tests and for anyone debugging a wall from its console.
  window.cc112 = { store, feed, camwall, history, queue, board, sound, get selected() { return selected; }, get routes() { return unitRoutes && unitRoutes.routes; }, label };
  feed.start();

  showView('queue');
  tickClock();
  setInterval(() => {
    tickClock();
    queue.tick();
    board.tick();
    alertBar.tick();
    if (wallMap && unitRoutes && unitRoutes.routes.size) wallMap.renderUnits(); // the arrival countdowns
    tickArrivals();
  }, 1000);
  renderCounts();
  alertBar.render();
  coverage.refresh();
  moveUps.refresh();
  await startMap(create, detail);
}

main();
