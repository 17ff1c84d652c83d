// The field unit's phone view: the current assignment, three status
// buttons, GPS reporting, and a queue that survives network drops (and
// reloads): status changes and positions are stored in localStorage and
// sent strictly in order, each with its own Idempotency-Key, so a retry
// never applies a change twice.
import { api, me, wireLogin, logout, errorText, categoryLabel, statusLabel } from './session.js';

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
let live = null;
let pollTimer = 0;
let retryTimer = 0;
let retryDelay = 1000;
let audio = null;

// ---- queue ----------------------------------------------------------------

function loadQueue() {
  try { return JSON.parse(localStorage.getItem(QUEUE)) || []; } catch { return []; }
}
function saveQueue(q) { localStorage.setItem(QUEUE, JSON.stringify(q)); showQueue(q); }
function newKey() {
  return (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2));
}

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
      let r;
      try {
        r = await api(it.method, it.path, it.body, { 'Idempotency-Key': it.key });
      } catch {
        setNet(false); retryLater(); return;
      }
      if (r.status >= 500 || r.status === 429 || r.status === 408) { setNet(false); retryLater(); return; }
      setNet(true);
      if (r.status === 401) { showLogin(); return; }
      const rest = loadQueue();
      if (rest.length && rest[0].key === it.key) rest.shift();
      saveQueue(rest);
      if (it.kind === 'status') {
        if (r.ok) { unit = r.data; render(); } else { showMessage(errorText(r)); refresh(); }
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
  $('queue').textContent = q.length ? `Menunggu jaringan: ${statuses} status, ${positions} posisi` : '';
}

function setNet(on) {
  $('net').classList.toggle('off', !on);
  $('net').title = on ? 'Tersambung' : 'Terputus';
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
  let r;
  try { r = await api('GET', '/api/v1/me/assignment'); } catch { setNet(false); return; }
  if (r.status === 401) { showLogin(); return; }
  if (!r.ok) return;
  setNet(true);
  const pending = loadQueue().some((i) => i.kind === 'status');
  const next = r.data.incident;
  if (next && knownIncident !== undefined && next.id !== knownIncident) alarm();
  if (next && knownIncident === undefined && r.data.unit.status === 'dispatched') alarm();
  knownIncident = next ? next.id : null;
  if (!pending) { unit = r.data.unit; incident = next; }
  else { incident = next; unit = unit || r.data.unit; }
  render();
  if (lastCoords && !lastSent) sendFix(lastCoords);
}

function schedulePoll() {
  clearTimeout(pollTimer);
  pollTimer = setTimeout(async () => { await refresh(); schedulePoll(); },
    live && live.readyState === WebSocket.OPEN ? POLL_LIVE_MS : POLL_MS);
}

// connectLive listens to the live feed (/api/v1/live) for changes of this
// unit; without it (or while it is down) polling carries on.
function connectLive() {
  if (!('WebSocket' in window)) return;
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  try { live = new WebSocket(`${proto}//${location.host}/api/v1/live`); } catch { return; }
  // data-live tells (tests, and a curious officer's devtools) whether the
  // feed is up and how many changes it brought.
  live.onopen = () => { document.body.dataset.live = 'open'; };
  live.onmessage = (m) => {
    let msg;
    try { msg = JSON.parse(m.data); } catch { return; }
    if (msg.type === 'event' && unit && msg.data && (msg.data.id === unit.id || (incident && msg.data.id === incident.id))) {
      document.body.dataset.liveChanges = String(Number(document.body.dataset.liveChanges || 0) + 1);
      refresh();
    }
  };
  live.onclose = () => { live = null; document.body.dataset.live = 'closed'; setTimeout(connectLive, 10000); };
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
  const t = audio.currentTime;
  for (let i = 0; i < 3; i++) {
    const o = audio.createOscillator();
    const g = audio.createGain();
    o.frequency.value = 880;
    g.gain.setValueAtTime(0.6, t + i * 0.35);
    g.gain.setValueAtTime(0, t + i * 0.35 + 0.22);
    o.connect(g).connect(audio.destination);
    o.start(t + i * 0.35);
    o.stop(t + i * 0.35 + 0.25);
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
  $('gps').textContent = `GPS: ±${Math.round(c.accuracy)} m`;
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

function startGPS() {
  if (!navigator.geolocation) { $('gps').textContent = 'GPS: tidak tersedia di perangkat ini'; return; }
  navigator.geolocation.watchPosition(onFix, (e) => { $('gps').textContent = 'GPS: ' + (e.code === 1 ? 'izin ditolak' : 'tidak ada sinyal'); },
    { enableHighAccuracy: true, maximumAge: 5000, timeout: 30000 });
}

// ---- rendering ----------------------------------------------------------------

function navURL(p, label) {
  const ll = `${p.lat},${p.lon}`;
  if (/Android/i.test(navigator.userAgent)) return `geo:${ll}?q=${ll}(${encodeURIComponent(label || 'Lokasi')})`;
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
  $('unit-status').textContent = statusLabel[unit.status] || unit.status;
  $('idle').hidden = !!incident;
  $('task').hidden = !incident;
  if (incident) {
    $('category').textContent = categoryLabel[incident.category] || incident.category;
    $('priority').textContent = 'P' + incident.priority;
    $('number').textContent = incident.number;
    $('address').textContent = incident.address || `${incident.location.lat.toFixed(5)}, ${incident.location.lon.toFixed(5)}`;
    $('notes').textContent = incident.description || '';
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
$('logout').addEventListener('click', logout);
window.addEventListener('online', flush);
document.addEventListener('pointerdown', unlockAudio, { once: true });
wireLogin(document.querySelector('#login form'), ['unit'], (u) => { unlockAudio(); start(u); });

if ('serviceWorker' in navigator) navigator.serviceWorker.register('/unit/sw.js', { scope: '/unit' }).catch(() => {});

me().then((u) => (u && u.role === 'unit' ? start(u) : showLogin()), showLogin);
