// The field unit's phone view: the current assignment, three status
// buttons, GPS reporting, and a queue that survives network drops (and
// reloads): status changes and positions are stored in localStorage and
// sent strictly in order, each with its own Idempotency-Key, so a retry
// never applies a change twice. Changes arrive through the shared live
// feed (live.js); polling the assignment stays behind it as a safety net.
import { get, post, newKey, retryable, onUnauthenticated, me, wireLogin, logout, errorText } from './api.js';
import { t, label, wireLangSwitch } from './i18n.js';
import { LiveFeed } from './live.js';

const $ = (id) => document.getElementById(id);
const QUEUE = 'cc112.unit.queue';
const MAX_QUEUED_POSITIONS = 30; // older fixes are worthless once newer ones exist
const POLL_MS = 4000;            // until the live feed is up
const POLL_LIVE_MS = 30000;      // safety net while it is

let user = null;
let unit = null;
let incident = null;
let knownIncident;   // undefined until the first answer: no alarm for what was already there
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
  const statuses = q.filter((i) => i.kind === 'status').length;
  const positions = q.length - statuses;
  $('queue').textContent = q.length ? t('unit.queue', { s: statuses, p: positions }) : '';
}

function setNet(on) {
  $('net').classList.toggle('off', !on);
  $('net').title = t(on ? 'unit.online' : 'unit.offline');
}

function showMessage(text) { $('queue').textContent = text; }

// ---- status ---------------------------------------------------------------

function setStatus(status) {
  unlockAudio();
  if (!unit) return;
  unit.status = status; // shown at once; the queue delivers it
  if (status === 'available') { incident = null; knownIncident = null; }
  render();
  enqueue({ kind: 'status', method: 'POST', path: `/api/v1/units/${encodeURIComponent(unit.id)}/status`, body: { status } });
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
  if (next && knownIncident !== undefined && next.id !== knownIncident) alarm();
  if (next && knownIncident === undefined && a.unit.status === 'dispatched') alarm();
  knownIncident = next ? next.id : null;
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
      if (unit && d && (d.id === unit.id || (incident && d.id === incident.id))) {
        document.body.dataset.liveChanges = String(Number(document.body.dataset.liveChanges || 0) + 1);
        refresh();
      }
    },
    // data-live tells (tests, and a curious officer's devtools) whether the
    // feed is up and how many changes it brought.
    state: (name) => {
      feedLive = name === 'live';
      document.body.dataset.live = feedLive ? 'open' : 'closed';
    },
  });
  feed.start();
}

function alarm() {
  $('alert').hidden = false;
  setTimeout(() => { $('alert').hidden = true; }, 15000);
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

function metres(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371000 * Math.asin(Math.sqrt(h));
}

let fixTimer = 0;
function onFix(pos) {
  const c = pos.coords;
  here = { lat: c.latitude, lon: c.longitude };
  showGPS('unit.gpsAccuracy', { m: Math.round(c.accuracy) });
  renderDistance();
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

function navURL(p, place) {
  const ll = `${p.lat},${p.lon}`;
  if (/Android/i.test(navigator.userAgent)) return `geo:${ll}?q=${ll}(${encodeURIComponent(place || t('unit.place'))})`;
  return `https://www.google.com/maps/dir/?api=1&destination=${ll}`;
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
  $('idle').hidden = !!incident;
  $('task').hidden = !incident;
  if (incident) {
    $('category').textContent = label('cat', incident.category);
    $('priority').textContent = 'P' + incident.priority;
    $('number').textContent = incident.number;
    $('address').textContent = incident.address || `${incident.location.lat.toFixed(5)}, ${incident.location.lon.toFixed(5)}`;
    $('notes').textContent = incident.description || '';
    // The command center's notes (internal ones never reach a unit), newest first.
    $('note-list').replaceChildren(...(incident.notes || []).slice().reverse().map((n) => {
      const li = document.createElement('li');
      const at = new Date(n.at).toLocaleTimeString('id-ID', { hour: '2-digit', minute: '2-digit', timeZone: 'Asia/Jakarta' });
      li.textContent = `${at} · ${n.text}`;
      return li;
    }));
    $('nav').href = navURL(incident.location, incident.address);
  }
  renderDistance();
  const s = unit.status;
  $('btn-enroute').disabled = !(incident && s === 'dispatched');
  $('btn-onscene').disabled = !(incident && (s === 'dispatched' || s === 'enroute'));
  $('btn-available').disabled = s === 'available';
}

function showLogin() {
  $('main').hidden = true;
  $('login').hidden = false;
}

function start(u) {
  user = u;
  $('login').hidden = true;
  $('main').hidden = false;
  $('who').textContent = `${user.username} · ${user.unit_id}`;
  showQueue();
  refresh().then(schedulePoll);
  flush();
  startGPS();
  connectLive();
}

for (const b of document.querySelectorAll('[data-status]')) {
  b.addEventListener('click', () => setStatus(b.dataset.status));
}
$('logout').addEventListener('click', () => logout());
// A page with its own login form: an ended session brings it back here.
onUnauthenticated(showLogin);
wireLangSwitch(() => {
  render();
  showQueue();
  showGPS(...gps);
  $('net').title = t($('net').classList.contains('off') ? 'unit.offline' : 'unit.online');
});
window.addEventListener('online', flush);
document.addEventListener('pointerdown', unlockAudio, { once: true });
wireLogin(document.querySelector('#login form'), ['unit'], (u) => { unlockAudio(); start(u); });

if ('serviceWorker' in navigator) navigator.serviceWorker.register('/unit/sw.js', { scope: '/unit' }).catch(() => {});

me().then((u) => (u && u.role === 'unit' ? start(u) : showLogin()), showLogin);
