// The one-camera page: /camera?id=<camera>[&at=<RFC 3339>][&incident=<id>][&reason=<text>]
// plays the camera live, or its recording from at (replay), with the
// timeline of what is recorded around that time, the PTZ console for who
// may turn the camera, and the supervisor's "always record" switch. The
// incident and reason go with every view, for the audit.
import { me, can } from './gate.js'; // log in first
import { get, post, errorText } from './api.js';
import { t, wib, wibDate, wireLangSwitch } from './i18n.js';
import { askReason } from './dialog.js';
import { playCamera, liveUrl, replayUrl } from './camera-player.js';
import { timeline } from './camera-timeline.js';
import { ptzConsole } from './camera-ptz.js';

const WINDOW = 30 * 60000;     // the timeline shows half an hour (an incident's 10 minutes before the call fit)
const LIVE_EDGE = 3000;        // a seek closer to now than this goes live
const REFRESH = 30000;         // the recordings are read again this often

const q = new URLSearchParams(location.search);
const id = q.get('id');
const incidentId = q.get('incident') || '';
let reason = q.get('reason') || '';
const $ = (sel) => document.querySelector(sel);
const video = $('#video');
const stateEl = $('#state');
const nameEl = $('#name');
const clockEl = $('#clock');
const dayEl = $('#clock-day');
const modeEl = $('#mode');
const tlMsg = $('#tl-msg');

let state = 'connecting';
let mode = 'live';
let player = null;
let shown = null;     // the time on the clock (a Date)
let tlNote = null;    // [key, vars] of the timeline's message
let ptz = null;
let always = null;    // the camera is marked "always record"
let recordingOff = false; // the center records no camera (live-only): no timeline

function setState(s) {
  state = s;
  stateEl.textContent = t(s === 'playing' && mode === 'replay' ? 'camPage.replaying' : `camPage.${s}`);
  stateEl.className = s;
}
function setClock(d) {
  shown = d;
  clockEl.textContent = `${wib(d)} WIB`;
  dayEl.textContent = wibDate(d);
}
// Notes that tell, not warn: nothing is wrong.
const CALM = new Set(['camPage.liveOnly', 'camPage.gapSkipped']);
function note(key, vars) {
  tlNote = key ? [key, vars] : null;
  tlMsg.textContent = key ? t(key, vars) : '';
  tlMsg.classList.toggle('calm', CALM.has(key));
}
function drawMode() {
  modeEl.textContent = t(mode === 'live' ? 'camPage.modeLive' : 'camPage.modeReplay');
  modeEl.className = `mode ${mode}`;
  document.body.dataset.mode = mode;
}
function drawAlways() {
  const b = $('#always');
  b.setAttribute('aria-pressed', String(!!always));
  b.textContent = t(always ? 'camPage.alwaysOn' : 'camPage.alwaysOff');
}

wireLangSwitch(() => {
  setState(state);
  drawMode();
  if (shown) setClock(shown);
  if (tlNote) note(...tlNote);
  if (always !== null) drawAlways();
  if (ptz) ptz.relabel();
});

if (!id) {
  nameEl.dataset.i18n = 'camPage.none';
  nameEl.textContent = t('camPage.none');
  setState('pick'); // nothing failed: the page was opened without a camera
  document.body.dataset.camera = 'none'; // no timeline, clock or video to show
} else {
  start();
}

async function start() {
  nameEl.removeAttribute('data-i18n'); // the camera's name, once known
  const bar = timeline($('#bar'), { onSeek: seek });
  window.cameraTimeline = bar; // the browser tests aim their clicks with its window
  const incident = incidentId ? await get(`/api/v1/incidents/${encodeURIComponent(incidentId)}`).catch(() => null) : null;
  if (incident) bar.setIncident(new Date(incident.call_received_at || incident.received_at));

  // loadWindow shows the half hour around center (now at the right edge when
  // live) with what is recorded in it.
  async function loadWindow(center) {
    if (recordingOff) return;
    const now = Date.now();
    const to = Math.min(now, +center + WINDOW / 2);
    const from = to - WINDOW;
    bar.setWindow(new Date(from), new Date(to));
    const segs = [];
    let path = `/api/v1/cameras/${encodeURIComponent(id)}/recordings?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`;
    try {
      for (;;) {
        const res = await get(path);
        segs.push(...res.items);
        if (always === null && can('POST', '/api/v1/cameras/{id}/record')) {
          always = res.always_record;
          $('#rec-always').hidden = false;
          $('#side').hidden = false;
          drawAlways();
        }
        if (!res.next_cursor) break; // pages of cc112.DefaultPageSize segments, oldest first
        path += `&cursor=${encodeURIComponent(res.next_cursor)}`;
      }
      bar.setSegments(segs);
      if (tlNote && tlNote[0] === 'camPage.recordingsFailed') note(null);
    } catch (err) {
      if (err.reason === 'recording_off') { // a live-only center: nothing to replay, nothing amiss
        recordingOff = true;
        document.body.dataset.recording = 'off';
        return;
      }
      note('camPage.recordingsFailed', { why: errorText(err) });
    }
  }

  function play(url, replay) {
    if (player) player.close();
    player = playCamera(video, url, {
      replay,
      onState: setState,
      onTime: (d) => { setClock(d); bar.setCursor(d); },
      onGap: (from, to) => note('camPage.gapSkipped', { from: wib(from), to: wib(to) }),
    });
    window.player = player; // the browser tests read the played time
  }

  function goLive(keepNote = false) {
    mode = 'live';
    drawMode();
    if (!keepNote) note(null);
    history.replaceState(null, '', urlWith(null));
    play(liveUrl(id, { incident: incidentId, reason }), false);
    loadWindow(Date.now());
  }

  // openReplay plays the recording from at: police first give a reason or
  // a case number (the server refuses a replay without), and a time with
  // nothing recorded after it is said, not tried.
  async function openReplay(asked) {
    const at = bar.recordedFrom(asked);
    if (!at) {
      note('camPage.nothingAfter', { time: wib(asked) });
      return;
    }
    if (me && me.role === 'police' && !reason && !incidentId) {
      const r = await askReason(() => ({ title: t('camPage.reasonTitle'), message: t('camPage.reasonMsg'), label: t('camPage.reasonLabel'), ok: t('camPage.replay') }));
      if (!r) {
        note('camPage.reasonNeeded');
        return;
      }
      reason = r;
    }
    mode = 'replay';
    drawMode();
    note(null);
    setClock(at);
    bar.setCursor(at);
    history.replaceState(null, '', urlWith(at));
    play(replayUrl(id, { at, incident: incidentId, reason }), true);
  }

  function seek(at) {
    if (Date.now() - at < LIVE_EDGE) { goLive(); return; }
    const w = bar.window();
    if (at < w.from || at > w.to) loadWindow(at).then(() => openReplay(at));
    else openReplay(at);
  }

  get(`/api/v1/cameras/${encodeURIComponent(id)}`).then((c) => {
    nameEl.textContent = c.name;
    document.title = c.name + ' — CC112';
    $('#where').textContent = [c.area, c.district].filter(Boolean).join(' · ');
    if (c.ptz && can('POST', '/api/v1/cameras/{id}/ptz')) {
      $('#ptz').hidden = false;
      $('#side').hidden = false;
      ptz = ptzConsole($('#ptz'), c, { video, incident });
    }
  }).catch(() => {});

  $('#always').addEventListener('click', async () => {
    try {
      const res = await post(`/api/v1/cameras/${encodeURIComponent(id)}/record`, { always: !always });
      always = res.always_record;
      drawAlways();
    } catch (err) {
      note('camPage.alwaysFailed', { why: errorText(err) });
    }
  });
  for (const b of document.querySelectorAll('[data-step]')) {
    b.addEventListener('click', () => seek(new Date(+(shown || new Date()) + Number(b.dataset.step) * 1000)));
  }
  $('#go-live').addEventListener('click', () => goLive());

  setInterval(() => {
    if (mode === 'live') {
      setClock(new Date());
      bar.setCursor(new Date());
    }
  }, 1000);
  setInterval(() => loadWindow(mode === 'live' ? Date.now() : +(shown || Date.now())), REFRESH);

  const at = q.get('at') ? new Date(q.get('at')) : null;
  if (at && !Number.isNaN(+at)) {
    await loadWindow(at);
    if (recordingOff) { // a replay was asked for: say calmly there is none
      goLive(true);
      note('camPage.liveOnly');
      return;
    }
    mode = 'replay';
    drawMode();
    setClock(at);
    bar.setCursor(at);
    await openReplay(at);
    if (!player) goLive(true); // nothing there, or no reason given: live instead, saying why
  } else {
    goLive();
    if (q.get('at')) note('camPage.badAt');
  }
}

// urlWith is this page's address with at set (a Date) or removed (null).
function urlWith(at) {
  const u = new URL(location.href);
  if (at) u.searchParams.set('at', at.toISOString());
  else u.searchParams.delete('at');
  return u.pathname + u.search;
}
