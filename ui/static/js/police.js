// The police viewer: the camera map and a grid of live video, read only.
// The server removes callers' identities from every answer to this role
// and refuses every change; this page offers none. Each video view is
// recorded server-side with its reason (or incident), so the officer
// chooses a reason before the first camera plays.

import { me } from './gate.js'; // log in first
import { watchOutage } from './outage.js';
import * as api from './api.js';
import { t, label, wib, wibDayTime, wireLangSwitch } from './i18n.js';
import { catalog } from './catalog.js';
import { LiveFeed } from './live.js';
import { Store } from './store.js';
import { playCamera, liveUrl } from './camera-player.js';
import { $ } from './dom.js';
import { Evidence } from './evidence.js';

watchOutage(); // the banner when the server is gone, the login page when the session is

const narrow = window.matchMedia('(max-width: 900px)');

const store = new Store();
let wallMap = null;
let selected = null; // the incident whose cameras the grid shows
let touched = false; // the officer moved the map: stop fitting the city

// CameraGrid plays up to size cameras; a new one replaces the oldest.
class CameraGrid {
  constructor(el) {
    this.el = el;
    this.size = 4;
    this.tiles = []; // oldest first: {cam, params, player, fig}
    el.addEventListener('click', (e) => {
      const b = e.target.closest('button[data-remove]');
      if (b) this.remove(b.dataset.remove);
    });
  }

  has(id) { return this.tiles.some((tile) => tile.cam.id === id); }

  /** add plays cam with the audit params ({reason} or {incident}). */
  add(cam, params, note) {
    if (this.has(cam.id)) this.remove(cam.id);
    while (this.tiles.length >= this.size) this.drop(this.tiles[0]);
    const fig = document.createElement('figure');
    fig.className = 'cam-tile';
    fig.dataset.camera = cam.id;
    const video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.autoplay = true;
    const cap = document.createElement('figcaption');
    const name = document.createElement('span');
    name.className = 'cam-name';
    name.textContent = cam.name;
    const why = document.createElement('small');
    why.textContent = note;
    cap.append(name, why);
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'tile-close';
    close.dataset.remove = cam.id;
    close.title = t('police.closeVideo');
    close.setAttribute('aria-label', t('police.closeVideoOf', { name: cam.name }));
    close.textContent = '✕';
    fig.append(video, cap, close);
    this.el.append(fig);
    const tile = { cam, params, fig, player: playCamera(video, liveUrl(cam.id, params)) };
    this.tiles.push(tile);
    this.changed();
  }

  drop(tile) {
    tile.player.close(); // the server ends the recorded view
    tile.fig.remove();
    this.tiles = this.tiles.filter((x) => x !== tile);
  }

  remove(id) {
    const tile = this.tiles.find((x) => x.cam.id === id);
    if (tile) this.drop(tile);
    this.changed();
  }

  clear() {
    for (const tile of [...this.tiles]) this.drop(tile);
    this.changed();
  }

  setSize(n) {
    this.size = n;
    while (this.tiles.length > n) this.drop(this.tiles[0]);
    this.el.className = `camgrid size-${n}`;
    this.changed();
  }

  changed() {
    $('#cams-empty').hidden = this.tiles.length > 0;
    $('#tab-cams').textContent = this.tiles.length ? `(${this.tiles.length})` : '';
    if (wallMap) wallMap.highlight(this.tiles.map((tile) => tile.cam.id));
  }
}

const grid = new CameraGrid($('#camgrid'));
let pending = null; // a camera clicked before a reason was given

function reason() {
  const v = $('#reason').value;
  return v === 'other' ? $('#reason-text').value.trim() : v;
}

// What the chosen incident's nearest cameras recorded, and its exports
// (evidence.js): the officer replays and exports with a reason or case number.
const evidence = new Evidence({ changed: renderEvidence, toast: (msg) => say(msg) });

function renderEvidence() {
  const inc = selected && store.incidents.get(selected);
  const el = $('#evidence');
  el.hidden = !inc;
  el.innerHTML = inc ? evidence.html(inc) : '';
}

function say(text) {
  const el = $('#cams-msg');
  el.textContent = text || '';
  el.hidden = !text;
}

function showView(view) {
  $('#grid').dataset.view = view;
  for (const b of document.querySelectorAll('.tabs button')) b.classList.toggle('active', b.dataset.view === view);
  if (view === 'map' && wallMap) setTimeout(() => wallMap.invalidate(), 0);
}

// watchCamera is a click on a camera dot: it plays once there is a reason.
function watchCamera(id) {
  const cam = store.cameras.get(id);
  if (!cam) return;
  if (!cam.has_video) { say(`${cam.name}: ${t('cam.noVideo')}`); return; }
  const r = reason();
  if (!r) {
    pending = id;
    say(t('police.needReason', { name: cam.name }));
    if (narrow.matches) showView('cams');
    $('#reason').classList.add('need');
    $('#reason').focus();
    return;
  }
  pending = null;
  say('');
  grid.add(cam, { reason: r }, r);
  if (narrow.matches) showView('cams');
}

function reasonChanged() {
  $('#reason-text').hidden = $('#reason').value !== 'other';
  if ($('#reason').value === 'other') $('#reason-text').focus();
  if (reason()) $('#reason').classList.remove('need');
  if (pending && reason()) watchCamera(pending);
}

// openIncident fills the grid with the incident's nearest online cameras;
// each view is recorded against the incident.
async function openIncident(id) {
  const inc = store.incidents.get(id);
  if (!inc) return;
  selected = id;
  touched = true;
  renderIncidents();
  evidence.open(inc);
  renderEvidence();
  if (wallMap) wallMap.select(id);
  pending = null;
  say('');
  const q = `lat=${inc.location.lat}&lon=${inc.location.lon}&limit=${grid.size}&status=online`;
  let cams;
  try {
    cams = (await api.get(`/api/v1/cameras/nearest?${q}`)).filter((c) => c.has_video);
  } catch (err) {
    say(t('police.nearestFailed', { msg: err.message }));
    return;
  }
  if (selected !== id) return; // another incident was chosen meanwhile
  grid.clear();
  if (!cams.length) say(t('police.noneNear', { number: inc.number }));
  for (const c of cams.reverse()) { // nearest last: it is the newest tile, kept longest
    grid.add(c, { incident: inc.id }, `${t('unit.incident')} ${inc.number} · ${Math.round(c.distance_m)} m`);
  }
  if (narrow.matches) showView('cams');
}

function renderIncidents() {
  const list = $('#incidents');
  const incs = store.sortedIncidents();
  list.replaceChildren(...incs.map((i) => {
    const li = document.createElement('li');
    const b = document.createElement('button'); // opens cameras: a view, not a change
    b.type = 'button';
    b.className = `inc p${Math.min(i.priority, 4)}${i.id === selected ? ' selected' : ''}`;
    b.dataset.incident = i.id;
    const top = document.createElement('span');
    top.className = 'inc-top';
    const num = document.createElement('b');
    num.textContent = i.number;
    const st = document.createElement('span');
    st.className = 'ist ist-' + i.status;
    st.textContent = label('istatus', i.status);
    const when = document.createElement('time');
    when.textContent = wibDayTime(i.received_at);
    top.append(num, when);
    const cat = document.createElement('span');
    cat.className = 'inc-cat';
    cat.textContent = label('cat', i.category) + ' ';
    cat.append(st);
    const where = document.createElement('span');
    where.className = 'inc-where';
    where.textContent = [i.district, i.address].filter(Boolean).join(' · ') || '–';
    b.append(top, cat, where);
    li.append(b);
    return li;
  }));
  $('#inc-count').textContent = `(${incs.length})`;
  $('#tab-inc').textContent = `(${incs.length})`;
}

function renderLegend() {
  const n = Object.fromEntries(catalog.camera_statuses.map((s) => [s, 0]));
  for (const c of store.cameras.values()) n[c.status in n ? c.status : 'unknown']++;
  $('#legend').replaceChildren(...Object.keys(n).map((k) => {
    const s = document.createElement('span');
    s.className = 'lg ' + k;
    s.dataset.status = k;
    s.textContent = `${n[k]} ${label('cstatus', k)}`;
    return s;
  }));
}

function setConn(state, detail) {
  const el = $('#conn');
  el.dataset.state = state;
  el.querySelector('.txt').textContent = state === 'offline'
    ? t('conn.offline', { s: Math.ceil((detail?.retryInMs || 0) / 1000) }) : t(`conn.${state}`);
}

async function startMap() {
  const msg = $('#map-msg');
  let cfg;
  for (let wait = 500; ; wait = Math.min(wait * 2, 10000)) {
    try { cfg = await api.get('/api/v1/config'); break; } catch { await new Promise((r) => setTimeout(r, wait)); }
  }
  let L;
  try {
    if (!cfg.map_available) throw new Error('map files missing');
    L = await import('../vendor/leaflet/leaflet.js');
  } catch (err) {
    console.error('leaflet', err);
    msg.textContent = t('police.noMap');
    msg.hidden = false;
    return;
  }
  const { WallMap } = await import('./map.js');
  wallMap = new WallMap(L, $('#map'), cfg, store, {
    incident: openIncident,
    camera: watchCamera,
    pick: () => {}, // the police create nothing
  }, { cameraRadius: 7 });
  wallMap.toggle('units', false);
  window.cc112.map = wallMap;
  // highlight rings the cameras playing in the grid.
  const rings = L.layerGroup().addTo(wallMap.map);
  wallMap.highlight = (ids) => {
    rings.clearLayers();
    for (const id of ids) {
      const c = store.cameras.get(id);
      if (c) L.circleMarker([c.location.lat, c.location.lon], { radius: 12, weight: 3, color: '#7cc4ff', fill: false, interactive: false }).addTo(rings);
    }
  };
  wallMap.render(new Set(['incidents', 'cameras']));
  // Until the officer pans, zooms or opens an incident, the whole city
  // stays in view whatever size the pane takes (a phone lays out late).
  for (const ev of ['mousedown', 'touchstart', 'wheel', 'keydown']) $('#map').addEventListener(ev, () => { touched = true; }, { passive: true });
  new ResizeObserver(() => {
    wallMap.invalidate();
    if (!touched) wallMap.fit();
  }).observe($('#map'));
  for (let wait = 1000; ; wait = Math.min(wait * 2, 30000)) {
    try { wallMap.setDistricts(await api.get('/api/v1/districts')); return; } catch { await new Promise((r) => setTimeout(r, wait)); }
  }
}

function start(u) {
  wireLangSwitch(() => {
    renderIncidents();
    renderLegend();
    renderEvidence();
    if ($('#conn').dataset.state) setConn($('#conn').dataset.state);
  });
  if (!u) {
    $('#denied').textContent = t('police.noServer');
    $('#denied').hidden = false;
    $('#grid').hidden = true;
    return;
  }

  for (const b of document.querySelectorAll('.tabs button')) b.addEventListener('click', () => showView(b.dataset.view));
  for (const b of document.querySelectorAll('.size button')) {
    b.addEventListener('click', () => {
      grid.setSize(Number(b.dataset.size));
      for (const x of document.querySelectorAll('.size button')) x.setAttribute('aria-pressed', String(x === b));
    });
  }
  $('#reason').addEventListener('change', reasonChanged);
  $('#reason-text').addEventListener('change', reasonChanged);
  $('#evidence').addEventListener('click', (e) => evidence.click(e, selected && store.incidents.get(selected)));
  $('#incidents').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-incident]');
    if (b) openIncident(b.dataset.incident);
  });
  store.subscribe((kinds) => {
    if (kinds.has('incidents')) {
      renderIncidents();
      evidence.refresh(selected && store.incidents.get(selected));
    }
    if (kinds.has('cameras')) renderLegend();
    if (wallMap) wallMap.render(kinds);
  });
  const feed = new LiveFeed({
    snapshot: (m) => store.applySnapshot(m),
    event: (m) => store.applyEvent(m.event, m.data),
    state: setConn,
  });
  window.cc112 = { store, feed, grid }; // for the browser tests
  feed.start();
  const tick = () => { $('#now-time').textContent = wib(new Date()); };
  tick();
  setInterval(tick, 1000);
  showView('map');
  grid.changed();
  startMap();
}

start(me);
