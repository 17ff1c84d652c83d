// The field unit's phone view: the current assignment with its "Terima"
// (acknowledge), the status buttons, messages with the center, GPS
// reporting, Web Push paging, and a queue that survives network drops (and
// reloads): acknowledgements, status changes, messages and positions are
// stored in localStorage and sent strictly in order, each with its own
// Idempotency-Key, so a retry never applies a change twice. Changes arrive
// through the shared live feed (live.js) and, with the page closed, as
// pushes the service worker (unit-sw.js) shows; polling the assignment
// stays behind them as a safety net.
import { get, post, newKey, retryable, onUnauthenticated, me, wireLogin, logout, errorText } from './api.js';
import { t, label, lang, wib, wireLangSwitch } from './i18n.js';
import { LiveFeed } from './live.js';
import { watchOutage, unwatchOutage } from './outage.js';
import { metres } from './dom.js';

const $ = (id) => document.getElementById(id);
const QUEUE = 'cc112.unit.queue';
const MAX_QUEUED_POSITIONS = 30; // older fixes are worthless once newer ones exist
const POLL_MS = 4000;            // until the live feed is up
const POLL_LIVE_MS = 30000;      // safety net while it is

let user = null;
let unit = null;
let incident = null;
let knownIncident;   // undefined until the first answer: no alarm for what was already there
let knownNumber = '';
let ended = null;    // {key, n}: the loud message of an assignment the center ended or moved
let messages = [];
let hospitals = [];  // the city's, for a transport: [{name, location}]
let here = null;     // the phone's last fix
let lastSent = null; // {lat, lon, at} of the last position queued
let feed = null;
let feedLive = false; // the feed is up: poll only as a safety net
let gps = ['unit.gpsWait']; // the GPS line's message key and values
let pollTimer = 0;
let retryTimer = 0;
let retryDelay = 1000;
let audio = null;

// ---- queue ----------------------------------------------------------------

function loadQueue() {
  try { return JSON.parse(localStorage.getItem(QUEUE)) || []; } catch { return []; }
}
function saveQueue(q) { localStorage.setItem(QUEUE, JSON.stringify(q)); showQueue(q); }

function enqueue(item) {
  const q = loadQueue();
  item.key = newKey();
  q.push(item);
  let positions = q.filter((i) => i.kind === 'position').length;
  for (let i = 0; positions > MAX_QUEUED_POSITIONS && i < q.length; ) {
    if (q[i].kind === 'position') { q.splice(i, 1); positions--; } else i++;
  }
  saveQueue(q);
  flush();
}

let flushing = false;
async function flush() {
  if (flushing) return;
  flushing = true;
  try {
    for (;;) {
      const q = loadQueue();
      if (!q.length) { retryDelay = 1000; return; }
      const it = q[0];
      let answer = null, refused = null;
      try {
        answer = await post(it.path, it.body, it.key);
      } catch (err) {
        if (retryable(err)) { setNet(false); retryLater(); return; }
        setNet(true);
        if (err.status === 401) return; // the login form is up; the queue waits for it
        refused = err; // a change the server will never take: drop it, say why
      }
      setNet(true);
      const rest = loadQueue();
      if (rest.length && rest[0].key === it.key) rest.shift();
      saveQueue(rest);
      if (it.kind === 'status') {
        if (!refused) { unit = answer; render(); } else { showMessage(errorText(refused)); refresh(); }
      } else if (it.kind === 'ack') {
        if (!refused && answer) { incident = answer; render(); } else if (refused) { showMessage(errorText(refused)); refresh(); }
      } else if (it.kind === 'message') {
        if (refused) showMessage(errorText(refused));
        loadMessages();
      }
    }
  } finally {
    flushing = false;
  }
}

function retryLater() {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(flush, retryDelay);
  retryDelay = Math.min(retryDelay * 2, 15000);
}

function showQueue(q = loadQueue()) {
  const statuses = q.filter((i) => i.kind !== 'position').length;
  const positions = q.length - statuses;
  $('queue').textContent = q.length ? t('unit.queue', { s: statuses, p: positions }) : '';
}

// setNet shows the connection as a word and a shape (● / ✕), not a colour only.
function setNet(on) {
  $('net').classList.toggle('off', !on);
  $('net').textContent = (on ? '● ' : '✕ ') + t(on ? 'unit.netOn' : 'unit.netOff');
  $('net').title = t(on ? 'unit.online' : 'unit.offline');
}

function showMessage(text) { $('queue').textContent = text; }

// ---- status ---------------------------------------------------------------

// The order a crew works in: a tap that skips a step asks first.
const ORDER = ['dispatched', 'enroute', 'onscene', 'transporting', 'at_hospital'];
const BUTTON = { enroute: 'unit.enroute', onscene: 'unit.onscene', transporting: 'unit.transporting', at_hospital: 'unit.atHospital' };

function setStatus(status) {
  unlockAudio();
  if (!unit) return;
  const from = ORDER.indexOf(unit.status), to = ORDER.indexOf(status);
  if (from >= 0 && to > from + 1) {
    const skipped = ORDER[to - 1];
    if (!window.confirm(t('unit.confirmSkip', { from: t(BUTTON[skipped]), to: t(BUTTON[status]) }))) return;
  }
  unit.status = status; // shown at once; the queue delivers it
  if (status === 'available') { incident = null; knownIncident = null; }
  render();
  const body = { status };
  if (status === 'transporting' && $('hospital').value) {
    body.hospital = $('hospital').value;
    const h = hospitals.find((x) => x.name === body.hospital);
    if (h) unit.hospital = h;
  }
  enqueue({ kind: 'status', method: 'POST', path: `/api/v1/units/${encodeURIComponent(unit.id)}/status`, body });
}

async function loadHospitals() {
  try { hospitals = await get('/api/v1/hospitals'); } catch { hospitals = []; }
  render();
}

// renderHospitals offers the city's hospitals, nearest first, keeping the
// crew's choice across re-renders.
function renderHospitals(rank) {
  const pick = incident && hospitals.length && rank >= 2 && rank < 3;
  $('hospital-pick').hidden = !pick;
  if (pick) {
    const from = here || incident.location;
    const sorted = hospitals.map((h) => ({ h, m: metres(from, h.location) })).sort((a, b) => a.m - b.m);
    const sel = $('hospital');
    const chosen = sel.value;
    const key = sorted.map((x) => x.h.name).join('|') + lang();
    if (sel.dataset.key !== key) {
      sel.replaceChildren(...sorted.map((x) => {
        const o = document.createElement('option');
        o.value = x.h.name;
        o.textContent = `${x.h.name} · ${x.m < 1000 ? Math.round(x.m) + ' m' : (x.m / 1000).toFixed(1) + ' km'}`;
        return o;
      }));
      sel.dataset.key = key;
      if (chosen && hospitals.some((h) => h.name === chosen)) sel.value = chosen;
    }
  }
  const h = unit.hospital;
  const going = h && (unit.status === 'transporting' || unit.status === 'at_hospital');
  $('dest').hidden = !going;
  if (going) {
    $('dest').textContent = '→ ' + h.name;
    if (unit.status === 'transporting') $('nav').href = navURL(h.location, h.name);
  }
}

// myAssignment is this unit's active assignment on the incident.
function myAssignment() {
  if (!incident || !unit) return null;
  const mine = (incident.assignments || []).filter((a) => a.unit_id === unit.id && !a.cleared_at);
  return mine.length ? mine[mine.length - 1] : null;
}

function acknowledge() {
  unlockAudio();
  const a = myAssignment();
  if (!a || a.acknowledged_at) return;
  a.acknowledged_at = new Date().toISOString(); // shown at once; the queue delivers it
  $('alert').hidden = true;
  render();
  enqueue({ kind: 'ack', method: 'POST', path: '/api/v1/me/assignment/ack', body: {} });
}

// ---- messages ---------------------------------------------------------------

async function loadMessages() {
  if (!unit) return;
  try {
    messages = (await get('/api/v1/messages?limit=20')).items || [];
  } catch { return; }
  renderMessages();
}

function renderMessages() {
  const list = $('msg-list');
  if (!messages.length) {
    const li = document.createElement('li');
    li.className = 'none';
    li.textContent = t('unit.noMessages');
    list.replaceChildren(li);
    return;
  }
  list.replaceChildren(...messages.map((m) => {
    const li = document.createElement('li');
    li.className = m.from_unit ? 'ours' : 'theirs';
    const who = document.createElement('strong');
    who.textContent = `${wib(m.at)} · ${m.from_unit ? t('unit.fromUs') : t('unit.fromCenter')}`;
    const text = document.createElement('span');
    text.textContent = m.canned ? label('canned', m.canned) : m.text;
    li.append(who, text);
    return li;
  }));
}

function sendMessage(body) {
  unlockAudio();
  enqueue({ kind: 'message', method: 'POST', path: '/api/v1/messages', body });
}

// ---- push ---------------------------------------------------------------------

function pushState(key) {
  $('push-state').textContent = key ? t(key) : '';
  document.body.dataset.push = key || '';
}

function keyBytes(b64) {
  const s = atob(b64.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

// subscribePush subscribes this browser to Web Push with the server's key
// and hands the subscription to the server; a subscription made with an
// older key is replaced.
async function subscribePush() {
  const { key } = await get('/api/v1/push/key');
  const reg = await navigator.serviceWorker.ready;
  const want = keyBytes(key);
  let sub = await reg.pushManager.getSubscription();
  const same = (a, b) => a && a.byteLength === b.byteLength && new Uint8Array(a).every((x, i) => x === b[i]);
  if (sub && !same(sub.options && sub.options.applicationServerKey, want)) { await sub.unsubscribe(); sub = null; }
  if (!sub) sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: want });
  await post('/api/v1/me/push', sub.toJSON());
  $('push-on').hidden = true;
  pushState('unit.pushActive');
}

// saveLabels leaves the worker the words of the page's language for the
// notifications it shows: their headings and the category names.
const PUSH_KINDS = ['dispatch', 'moved', 'released', 'cancelled', 'closed', 'note', 'message'];
async function saveLabels() {
  if (!('caches' in window)) return;
  let cats = [];
  try { cats = (await get('/api/v1/catalog')).incident_categories.map((c) => c.code); } catch { return; }
  const l = { push: {}, cat: {} };
  for (const k of PUSH_KINDS) l.push[k] = t('push.' + k);
  for (const c of cats) l.cat[c] = label('cat', c);
  const c = await caches.open('cc112-unit-labels');
  await c.put('/unit/labels', new Response(JSON.stringify(l), { headers: { 'Content-Type': 'application/json' } }));
}

function setupPush() {
  saveLabels();
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) { pushState('unit.pushNone'); return; }
  const go = () => subscribePush().catch((err) => {
    $('push-state').textContent = t('unit.pushFailed', { msg: err.message || String(err) });
    document.body.dataset.push = 'error';
  });
  if (Notification.permission === 'granted') { go(); return; }
  if (Notification.permission === 'denied') { pushState('unit.pushDenied'); return; }
  $('push-on').hidden = false;
  $('push-on').onclick = () => Notification.requestPermission().then((p) => (p === 'granted' ? go() : pushState('unit.pushDenied')));
}

// ---- assignment -----------------------------------------------------------

async function refresh() {
  let a;
  try {
    a = await get('/api/v1/me/assignment');
  } catch (err) {
    if (err.status === 0) setNet(false); // a 401 brought up the login form
    return;
  }
  setNet(true);
  const pending = loadQueue().some((i) => i.kind === 'status');
  const next = a.incident;
  if (next && knownIncident && next.id !== knownIncident) {
    ended = { key: 'unit.moved', n: next.number }; // one loud message: where to go now
    alarm(false);
  } else if (next && knownIncident !== undefined && next.id !== knownIncident) {
    ended = null;
    alarm(true);
  } else if (!next && knownIncident) {
    ended = { key: 'unit.ended', n: knownNumber }; // the center ended it: say so, loudly, once
    alarm(false);
  }
  if (next && knownIncident === undefined && a.unit.status === 'dispatched') alarm(true);
  knownIncident = next ? next.id : null;
  knownNumber = next ? next.number : '';
  if (!pending) { unit = a.unit; incident = next; }
  else { incident = next; unit = unit || a.unit; }
  render();
  if (lastCoords && !lastSent) sendFix(lastCoords);
}

function schedulePoll() {
  clearTimeout(pollTimer);
  pollTimer = setTimeout(async () => { await refresh(); schedulePoll(); },
    feedLive ? POLL_LIVE_MS : POLL_MS);
}

// connectLive follows the live feed (live.js: ordered, resumed after a
// drop, a fresh snapshot after a gap) for changes of this unit and its
// incident; a snapshot, after a reconnect, may hide a missed change, so it
// refreshes too. While the feed is down polling carries on.
function connectLive() {
  if (!('WebSocket' in window) || feed) return;
  feed = new LiveFeed({
    snapshot: () => { if (unit) refresh(); },
    event: (m) => {
      const d = m.data;
      if (m.event === 'message.created' && d && unit && (d.from_unit === unit.id || (d.units || []).includes(unit.id))) {
        loadMessages();
        if (d.from_unit !== unit.id) { if (navigator.vibrate) navigator.vibrate([200, 100, 200]); beep(); }
        return;
      }
      if (unit && d && (d.id === unit.id || (incident && d.id === incident.id))) {
        document.body.dataset.liveChanges = String(Number(document.body.dataset.liveChanges || 0) + 1);
        refresh();
      }
    },
    // data-live tells (tests, and a curious officer's devtools) whether the
    // feed is up and how many changes it brought.
    state: (name) => {
      feedLive = name === 'live';
      // The dot follows the feed: it does not stay "connected" through an outage.
      if (name === 'live' || name === 'offline') setNet(feedLive);
      document.body.dataset.live = feedLive ? 'open' : 'closed';
    },
  });
  feed.start();
}

// alarm rings; newTask also shows "TUGAS BARU" until it is acknowledged
// (never above "no task": render hides it without an assignment).
function alarm(newTask) {
  $('alert').hidden = !newTask;
  if (navigator.vibrate) navigator.vibrate([400, 150, 400, 150, 400]);
  beep();
}

function unlockAudio() {
  if (!audio && window.AudioContext) audio = new AudioContext();
  if (audio && audio.state === 'suspended') audio.resume();
}

function beep() {
  if (!audio) return;
  const at = audio.currentTime;
  for (let i = 0; i < 3; i++) {
    const o = audio.createOscillator();
    const g = audio.createGain();
    o.frequency.value = 880;
    g.gain.setValueAtTime(0.6, at + i * 0.35);
    g.gain.setValueAtTime(0, at + i * 0.35 + 0.22);
    o.connect(g).connect(audio.destination);
    o.start(at + i * 0.35);
    o.stop(at + i * 0.35 + 0.25);
  }
}

// ---- position ---------------------------------------------------------------

let fixTimer = 0;
function onFix(pos) {
  const c = pos.coords;
  here = { lat: c.latitude, lon: c.longitude };
  showGPS('unit.gpsAccuracy', { m: Math.round(c.accuracy) });
  renderDistance();
  loadRoute();
  const moving = (c.speed != null && c.speed > 1.5) || (lastSent && metres(lastSent, here) > 25);
  const every = moving ? 5000 : 60000; // more often when moving
  const wait = lastSent ? lastSent.at + every - Date.now() : 0;
  clearTimeout(fixTimer);
  // Too soon after the last report: send this fix when its time comes,
  // unless a newer one replaces it first.
  if (wait > 0) { fixTimer = setTimeout(() => sendFix(c), wait); return; }
  sendFix(c);
}

let lastCoords = null;
function sendFix(c) {
  lastCoords = c;
  if (!unit) return; // sent once the unit is known (refresh)
  lastSent = { lat: c.latitude, lon: c.longitude, at: Date.now() };
  const body = { lat: c.latitude, lon: c.longitude, accuracy: c.accuracy };
  if (c.speed != null && c.speed >= 0) body.speed = c.speed;
  if (c.heading != null && c.heading >= 0 && c.heading <= 360) body.heading = c.heading;
  enqueue({ kind: 'position', method: 'POST', path: `/api/v1/units/${encodeURIComponent(unit.id)}/position`, body });
}

function showGPS(key, vars) {
  gps = [key, vars];
  $('gps').textContent = t(key, vars);
}

function startGPS() {
  if (!navigator.geolocation) { showGPS('unit.gpsNone'); return; }
  navigator.geolocation.watchPosition(onFix, (e) => showGPS(e.code === 1 ? 'unit.gpsDenied' : 'unit.gpsNoSignal'),
    { enableHighAccuracy: true, maximumAge: 5000, timeout: 30000 });
}

// ---- rendering ----------------------------------------------------------------

// navURL hands the destination to the phone's navigation app: a geo: URI
// (RFC 5870, with the q= label Android apps read), which OsmAnd and Google
// Maps both open.
function navURL(p, place) {
  const ll = `${p.lat},${p.lon}`;
  return `geo:${ll}?q=${ll}(${encodeURIComponent(place || t('unit.place'))})`;
}

// ---- route ------------------------------------------------------------------

const ROUTE_REFRESH_MS = 60000;
const ROUTE_MOVED_M = 150;
let route = null; // {incident, from, at, ans} of the last answer
let routeAsked = 0;

// loadRoute asks the server for the drive from here (or the unit's last
// known position) to the incident, again once the unit moved or the
// answer aged.
async function loadRoute() {
  if (!incident || !unit) { route = null; renderRoute(); return; }
  const from = here || unit.location;
  if (!from) return;
  const now = Date.now();
  const fresh = route && route.incident === incident.id && now - route.at < ROUTE_REFRESH_MS && metres(route.from, from) < ROUTE_MOVED_M;
  if (fresh || now - routeAsked < 5000) return;
  routeAsked = now;
  const inc = incident;
  const q = new URLSearchParams({ from: `${from.lat},${from.lon}`, to: `${inc.location.lat},${inc.location.lon}`, type: unit.type });
  try {
    const ans = await get(`/api/v1/route?${q}`);
    if (incident && incident.id === inc.id) { route = { incident: inc.id, from, at: Date.now(), ans }; renderRoute(); }
  } catch { /* offline: the next fix or poll asks again */ }
}

// renderRoute writes the route's length and time and sketches it: the
// line from the unit (a dot) to the incident (a ring), north up.
function renderRoute() {
  const box = $('route');
  if (!route || !incident || route.incident !== incident.id) { box.hidden = true; return; }
  const a = route.ans;
  box.hidden = false;
  box.classList.toggle('straight', a.method === 'straight');
  $('route-sum').textContent = t(a.method === 'straight' ? 'unit.routeStraight' : 'unit.routeRoad',
    { km: (a.distance_m / 1000).toFixed(1), m: Math.max(1, Math.round(a.duration_s / 60)) });
  const pts = (a.geometry && a.geometry.coordinates) || [];
  const svg = $('route-svg');
  if (pts.length < 2) { svg.replaceChildren(); return; }
  const k = Math.cos(pts[0][1] * Math.PI / 180);
  const xs = pts.map((p) => p[0] * k), ys = pts.map((p) => p[1]);
  const minX = Math.min(...xs), maxX = Math.max(...xs), minY = Math.min(...ys), maxY = Math.max(...ys);
  const W = 320, H = 180, pad = 16;
  const scale = Math.min((W - 2 * pad) / Math.max(maxX - minX, 1e-9), (H - 2 * pad) / Math.max(maxY - minY, 1e-9));
  const ox = (W - (maxX - minX) * scale) / 2, oy = (H - (maxY - minY) * scale) / 2;
  const xy = pts.map((p, i) => [ox + (xs[i] - minX) * scale, H - (oy + (ys[i] - minY) * scale)]);
  const ns = 'http://www.w3.org/2000/svg';
  const el = (name, attrs) => { const e = document.createElementNS(ns, name); for (const [key, v] of Object.entries(attrs)) e.setAttribute(key, v); return e; };
  const [sx, sy] = xy[0], [ex, ey] = xy[xy.length - 1];
  svg.replaceChildren(
    el('polyline', { points: xy.map((p) => p.map((v) => v.toFixed(1)).join(',')).join(' '), class: 'route-line' }),
    el('circle', { cx: sx, cy: sy, r: 8, class: 'route-start' }),
    el('circle', { cx: ex, cy: ey, r: 11, class: 'route-end' }));
}

function renderDistance() {
  if (!incident || !here) { $('distance').textContent = '–'; return; }
  const m = metres(here, incident.location);
  $('distance').textContent = m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(1)} km`;
}

function render() {
  if (!unit) return;
  $('callsign').textContent = unit.callsign || unit.id;
  $('unit-status').textContent = label('ustatus', unit.status);
  $('unit-status').className = `pill us-${unit.status}`;
  $('idle').hidden = !!incident || !!ended;
  // A move-up: the center asked the free unit to wait at another station.
  const post = !incident && !ended && unit.post;
  $('post').hidden = !post;
  if (post) {
    $('post-name').textContent = t('unit.post', { post: post.name });
    $('post-nav').href = navURL(post.location, post.name);
  }
  $('task').hidden = !incident;
  const mine = myAssignment();
  if (!incident || (mine && mine.acknowledged_at)) $('alert').hidden = true;
  $('ended').hidden = !ended;
  if (ended) {
    $('ended').className = 'ended ' + (ended.key === 'unit.moved' ? 'moved' : 'stopped');
    $('ended-title').textContent = t(ended.key, { n: ended.n });
    $('ended-hint').textContent = ended.key === 'unit.ended' ? t('unit.endedHint') : '';
  }
  $('btn-ack').hidden = !(mine && !mine.acknowledged_at);
  $('acked').hidden = !(mine && mine.acknowledged_at);
  if (mine && mine.acknowledged_at) $('acked').textContent = '✔ ' + t('unit.acked', { at: wib(mine.acknowledged_at) });
  const phone = incident && incident.caller && incident.caller.phone;
  $('callback').hidden = !phone;
  if (phone) { $('callback').href = 'tel:' + phone.replace(/[^+0-9]/g, ''); $('callback-number').textContent = phone; }
  if (incident) {
    $('category').textContent = label('cat', incident.category);
    $('priority').textContent = 'P' + incident.priority;
    $('number').textContent = incident.number;
    $('address').textContent = incident.address || `${incident.location.lat.toFixed(5)}, ${incident.location.lon.toFixed(5)}`;
    $('notes').textContent = incident.description || '';
    // The command center's notes (internal ones never reach a unit), newest first.
    $('note-list').replaceChildren(...(incident.notes || []).slice().reverse().map((n) => {
      const li = document.createElement('li');
      const at = wib(n.at);
      li.textContent = `${at} · ${n.text}`;
      return li;
    }));
    $('nav').href = navURL(incident.location, incident.address);
  }
  renderRoute();
  loadRoute();
  renderDistance();
  const s = unit.status;
  const rank = ORDER.indexOf(s);
  for (const st of ['enroute', 'onscene', 'transporting', 'at_hospital']) {
    $('btn-' + st).disabled = !(incident && rank >= 0 && ORDER.indexOf(st) > rank);
    $('btn-' + st).hidden = !incident; // no task, no steps of one
  }
  // Transport is an ambulance's: other units see those two buttons only once
  // they are on scene.
  const ambulance = unit.type === 'ambulance';
  if (!ambulance && rank < 2) { $('btn-transporting').hidden = true; $('btn-at_hospital').hidden = true; }
  renderHospitals(rank);
  $('btn-available').disabled = s === 'available' || s === 'offduty';
  $('btn-offduty').hidden = !(s === 'available' && !incident);
  $('btn-onduty').hidden = s !== 'offduty';
}

function showLogin() {
  unwatchOutage();
  $('main').hidden = true;
  $('login').hidden = false;
}

// showWho names the logged-in crew account, its role and unit (the footer, beside logout).
function showWho() {
  if (user) $('who').textContent = `${user.username} · ${label('role', user.role)} · ${user.unit_id}`;
}

function start(u) {
  user = u;
  $('login').hidden = true;
  $('main').hidden = false;
  showWho();
  showQueue();
  refresh().then(schedulePoll);
  flush();
  startGPS();
  connectLive();
  watchOutage();
  loadMessages();
  loadHospitals();
  setupPush();
}

for (const b of document.querySelectorAll('[data-status]')) {
  b.addEventListener('click', () => setStatus(b.dataset.status));
}
$('btn-ack').addEventListener('click', acknowledge);
$('ended').addEventListener('click', () => { ended = null; render(); });
for (const b of document.querySelectorAll('[data-canned]')) {
  b.addEventListener('click', () => sendMessage({ canned: b.dataset.canned }));
}
$('msg-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('msg-text').value.trim();
  if (!text) return;
  $('msg-text').value = '';
  sendMessage({ text });
});
$('logout').addEventListener('click', () => logout());
// A page with its own login form: an ended session brings it back here.
onUnauthenticated(showLogin);
wireLangSwitch(() => {
  showWho();
  render();
  renderMessages();
  if (unit) saveLabels();
  showQueue();
  showGPS(...gps);
  setNet(!$('net').classList.contains('off'));
});
window.addEventListener('online', flush);
document.addEventListener('pointerdown', unlockAudio, { once: true });
wireLogin(document.querySelector('#login form'), (u) => { unlockAudio(); start(u); }, { here: true });

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/unit/sw.js', { scope: '/unit' }).catch(() => {});
  // A push while the page is open: the worker tells it to look again.
  navigator.serviceWorker.addEventListener('message', (e) => {
    if (!e.data || e.data.type !== 'page' || !unit) return;
    refresh().then(() => {
      if (!e.data.open) return;
      // A tapped notification: the assignment in view, and said so for tests.
      document.body.dataset.opened = (e.data.page && e.data.page.incident_id) || '';
      (incident ? $('task') : $('assignment')).scrollIntoView({ block: 'start' });
    });
    loadMessages();
  });
}

me().then((u) => (u && u.role === 'unit' ? start(u) : showLogin()), showLogin);
