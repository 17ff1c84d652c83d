// camera-player.js: plays one camera's video from dispatchd's websockets
// through Media Source Extensions: live (/api/v1/cameras/{id}/live) or a
// recording from a time (/api/v1/cameras/{id}/replay?at=).
//
// Protocol: a text frame {"type":"mime","mime":"video/mp4; codecs=\"avc1.…\""},
// then binary frames: the fMP4 init segment, then one fragment per frame.
// {"type":"error","code","message"} ends the stream with a reason.
// A replay adds {"type":"replay","start","at"} before the init segment (the
// recording's time of media time 0, a keyframe at or before at) and ends
// with {"type":"end"}; its frames come at the pace they were recorded, except
// that a gap between recordings is not waited out: {"type":"gap","from","to"}
// comes before the first frame after it (whose media time keeps the gap, so
// the recording's time of a frame stays origin + media time) and the player
// jumps to it.
//
//   import { playCamera, liveUrl, replayUrl } from '/static/js/camera-player.js';
//   const player = playCamera(videoElement, liveUrl('c1'));
//   const rec = playCamera(videoElement, replayUrl('c1', { at }), { replay: true, onTime: (d) => … });
//   rec.time(); // the recording's time of the frame on screen (a Date)
//   player.close();
//
// Messages appear over the video (in the page's language) in an element the
// player adds to the video's parent; give that parent position: relative.

import { t, has } from './i18n.js';

const MAX_QUEUE = 300;      // fragments waiting for the SourceBuffer (~12 s)
const LIVE_LAG = 0.3;       // seconds behind the newest frame we aim for
const MAX_LAG = 2.5;        // further behind than this: jump to the live edge
const KEEP_BEHIND = 20;     // seconds of played video kept in the buffer

// msg is the catalogue's text for a player state or a stream's error code
// ("player.<code>", else the API's "err.<code>"), in the page's language.
function msg(code, fallback) {
  if (has(`player.${code}`)) return t(`player.${code}`);
  if (has(`err.${code}`)) return t(`err.${code}`);
  return fallback || t('err.unknown', { code });
}

// instantMs is an RFC 3339 time in milliseconds, keeping the digits below
// a millisecond that Date.parse drops (a frame's time must map exactly).
function instantMs(s) {
  const sub = /\.\d{3}(\d+)/.exec(s);
  return Date.parse(s) + (sub ? Number('0.' + sub[1]) : 0);
}

// box finds the first box along a path (['moof', 'traf', 'tfdt']) in an
// MP4 buffer: its offset, or -1.
function box(view, path, start = 0, end = view.byteLength) {
  for (let off = start; off + 8 <= end;) {
    const size = view.getUint32(off);
    const type = String.fromCharCode(view.getUint8(off + 4), view.getUint8(off + 5), view.getUint8(off + 6), view.getUint8(off + 7));
    if (size < 8) return -1;
    if (type === path[0]) return path.length === 1 ? off : box(view, path.slice(1), off + 8, Math.min(end, off + size));
    off += size;
  }
  return -1;
}

// timescale is the video track's ticks per second, from an init segment
// (mdhd), or 0.
function timescale(init) {
  const v = new DataView(init);
  const off = box(v, ['moov', 'trak', 'mdia', 'mdhd']);
  if (off < 0) return 0;
  return v.getUint32(off + (v.getUint8(off + 8) === 1 ? 28 : 20));
}

// frameTime is a fragment's decode time in ticks (tfdt), or -1.
function frameTime(frag) {
  const v = new DataView(frag);
  const off = box(v, ['moof', 'traf', 'tfdt']);
  if (off < 0) return -1;
  return v.getUint8(off + 8) === 1 ? Number(v.getBigUint64(off + 12)) : v.getUint32(off + 12);
}

// Codes after which reconnecting cannot help.
const FINAL = new Set(['unsupported_browser', 'unsupported_mime', 'unsupported_codec', 'not_found', 'conflict', 'invalid_argument']);

function overlay(video) {
  const parent = video.parentElement;
  let el = parent && parent.querySelector(':scope > .camera-player-msg');
  if (!el && parent) {
    el = document.createElement('div');
    el.className = 'camera-player-msg';
    el.setAttribute('role', 'status');
    Object.assign(el.style, {
      position: 'absolute', left: '0', right: '0', bottom: '0', padding: '0.6em 0.9em',
      background: 'rgba(0,0,0,0.72)', color: '#fff', font: '600 15px/1.35 system-ui, sans-serif',
      display: 'none', zIndex: '2',
    });
    parent.appendChild(el);
  }
  return (text) => {
    if (!el) return;
    el.textContent = text || '';
    el.style.display = text ? 'block' : 'none';
  };
}

/**
 * Plays a camera into a <video> element.
 * @param {HTMLVideoElement} video
 * @param {string} wsUrl  ws:// or wss:// URL of /api/v1/cameras/{id}/live or …/replay
 * @param {{replay?: boolean, onState?: (state: string, detail?: string) => void, onTime?: (at: Date) => void,
 *          onGap?: (from: Date, to: Date) => void}} [opts]
 *   replay: the URL is a replay (seek to its time, no live edge, "ended" at
 *   its end); onState: connecting, reconnecting, playing, ended, error;
 *   onTime: the recording's time of the frame on screen, as it plays;
 *   onGap: the replay skips from … to, with nothing recorded between.
 * @returns {{close: () => void, time: () => Date|null, start: () => Date|null}}
 */
export function playCamera(video, wsUrl, opts = {}) {
  const say = overlay(video);
  const onState = opts.onState || (() => {});
  const onTime = opts.onTime || (() => {});
  const onGap = opts.onGap || (() => {});
  const replay = !!opts.replay;
  let closed = false;
  let ws = null;
  let retry = 500;
  let timer = 0;
  let origin = null; // replay: the recording's time (ms) of media time 0
  let ended = false; // replay: the server said "end"

  if (!('MediaSource' in window)) {
    say(msg('unsupported_browser'));
    onState('error', 'unsupported_browser');
    return { close() {}, time: () => null, start: () => null };
  }
  video.muted = true;        // autoplay is allowed muted; cameras have no sound
  video.playsInline = true;

  const time = () => (origin === null ? null : new Date(origin + video.currentTime * 1000));
  const tick = () => { if (origin !== null) onTime(time()); };
  const atEnd = () => { say(msg('end')); onState('ended'); };
  if (replay) {
    video.addEventListener('timeupdate', tick);
    video.addEventListener('seeked', tick);
    video.addEventListener('ended', atEnd);
  }

  function connect() {
    let ms = null;
    let sb = null;
    let queue = [];
    let final = false;
    let playing = false;
    let seekTo = null; // replay: the media time of at, until the seek is set
    let appended = 0;  // segments given to the SourceBuffer (the first is the init)
    // Replay: the frames before at arrive at once; the seek goes to the
    // last of them (exactly its time: the browser shows the frame at or
    // after a seek), once the first frame after at (or the end) says which.
    let ticks = 0;     // the init segment's timescale
    let lastBefore = null; // seconds: the newest frame at or before at
    let target = null; // seconds: where the seek goes, once known
    let meta = false;  // the init segment is in
    const seek = () => {
      if (!meta || target === null || seekTo === null) return;
      if (target > 0) {
        // Nothing is buffered yet, so nothing is seekable: say where the
        // stream will reach (an open-ended stream has no duration).
        if (ms.setLiveSeekableRange) ms.setLiveSeekableRange(0, target + 1);
        else ms.duration = target + 3600;
        video.currentTime = Math.max(0, target - 0.0005);
      }
      seekTo = null;
      pump();
    };
    const place = (buf) => { // a replay's binary frame, before the seek is set
      if (appended === 0 && queue.length === 0) { ticks = timescale(buf); return; }
      const tt = ticks ? frameTime(buf) / ticks : -1;
      if (tt < 0) target = seekTo; // not a fragment we can read: seek to at itself
      else if (tt <= seekTo + 1e-6) lastBefore = tt;
      else target = lastBefore ?? tt;
      seek();
    };
    say(msg('connecting'));
    onState('connecting');
    ws = new WebSocket(wsUrl);
    ws.binaryType = 'arraybuffer';

    const pump = () => {
      if (!sb || sb.updating || ms.readyState !== 'open') return;
      if (queue.length === 0) {
        if (ended) ms.endOfStream(); // everything recorded is in: the video may end
        return;
      }
      if (seekTo !== null && appended > 0) return; // replay: no frame before the seek to at is set
      try {
        appended++;
        sb.appendBuffer(queue.shift());
      } catch (e) {
        if (e.name === 'QuotaExceededError') { trim(true); return; }
        fail('unsupported_mime');
      }
    };
    const trim = (hard) => {
      if (!sb || sb.updating || !video.buffered.length) return;
      const start = video.buffered.start(0);
      const upto = video.currentTime - (hard ? 2 : KEEP_BEHIND);
      if (upto > start + 1) sb.remove(start, upto);
    };
    const start = () => {
      if (playing) return;
      playing = true;
      const p = video.play();
      if (p && p.catch) p.catch(() => {});
    };
    // Live: stay just behind the newest frame.
    const chase = () => {
      const b = video.buffered;
      if (!b.length) return;
      const end = b.end(b.length - 1);
      if (video.currentTime < b.start(0) || end - video.currentTime > MAX_LAG) {
        video.currentTime = Math.max(b.start(0), end - LIVE_LAG);
      }
      start();
    };
    // Replay: begin at at (the seek is set before the first frame is in,
    // so no earlier frame is ever shown), then play at the recorded pace,
    // stepping over the gaps between recordings.
    const follow = () => {
      const b = video.buffered;
      if (!b.length) return;
      for (let k = 0; k < b.length && !video.seeking; k++) {
        if (video.currentTime < b.start(k)) { // before this range, and not inside an earlier one
          if (k === 0 || video.currentTime >= b.end(k - 1) - 0.05) video.currentTime = b.start(k);
          break;
        }
        if (video.currentTime < b.end(k) - 0.05) break;
        // At the end of this range (the browser stalls there) with the
        // next one after a gap (the recording after it, which the server
        // sent on at once): go there. Past its start, look at it.
        if (k + 1 < b.length && video.currentTime < b.start(k + 1)) { video.currentTime = b.start(k + 1); break; }
      }
      start();
    };
    const fail = (code) => {
      final = FINAL.has(code);
      say(msg(code));
      onState('error', code);
      if (ws) ws.close();
    };
    if (replay) video.onwaiting = () => { if (sb && !sb.updating) follow(); };

    ws.onmessage = (ev) => {
      if (typeof ev.data !== 'string') {
        if (!replay && queue.length >= MAX_QUEUE) queue = []; // the decoder fell far behind: wait for a fresh start
        if (seekTo !== null && target === null) place(ev.data);
        queue.push(ev.data);
        pump();
        return;
      }
      let m;
      try { m = JSON.parse(ev.data); } catch { return; }
      if (m.type === 'error') { fail(m.code); return; }
      if (m.type === 'replay' && replay) {
        origin = instantMs(m.start);
        seekTo = Math.max(0, (instantMs(m.at) - origin) / 1000);
        return;
      }
      if (m.type === 'gap' && replay) {
        onGap(new Date(instantMs(m.from)), new Date(instantMs(m.to)));
        return;
      }
      if (m.type === 'end' && replay) {
        ended = true;
        if (seekTo !== null && target === null) target = lastBefore ?? seekTo;
        seek();
        pump();
        return;
      }
      if (m.type !== 'mime') return;
      if (!MediaSource.isTypeSupported(m.mime)) {
        fail('unsupported_mime');
        return;
      }
      if (sb) { // the camera changed its stream: same buffer, new codec parameters
        if (sb.changeType) sb.changeType(m.mime);
        return;
      }
      ms = new MediaSource();
      video.src = URL.createObjectURL(ms);
      ms.addEventListener('sourceopen', () => {
        URL.revokeObjectURL(video.src);
        sb = ms.addSourceBuffer(m.mime);
        sb.mode = 'segments';
        if (replay) {
          video.addEventListener('loadedmetadata', () => { // the init segment is in: seek, then the frames
            if (closed) return;
            meta = true;
            seek();
          }, { once: true });
        }
        sb.addEventListener('updateend', () => {
          if (video.buffered.length) {
            retry = 500;
            say('');
            onState('playing');
          }
          if (replay) follow(); else chase();
          if (queue.length === 0 && video.buffered.length && video.currentTime - video.buffered.start(0) > KEEP_BEHIND + 10) trim(false);
          pump();
        });
        pump();
      }, { once: true });
    };
    ws.onclose = () => {
      ws = null;
      if (closed || final || ended) return;
      // A replay cut off goes on from the frame on screen.
      if (replay && origin !== null) {
        const u = new URL(wsUrl);
        u.searchParams.set('at', time().toISOString());
        wsUrl = u.toString();
        origin = null;
      }
      say(msg('reconnecting'));
      onState('reconnecting');
      timer = setTimeout(connect, retry);
      retry = Math.min(retry * 2, 8000);
    };
  }

  connect();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      if (ws) ws.close();
      video.removeEventListener('timeupdate', tick);
      video.removeEventListener('seeked', tick);
      video.removeEventListener('ended', atEnd);
      video.onwaiting = null;
      video.removeAttribute('src');
      video.load();
    },
    time,
    start: () => (origin === null ? null : new Date(origin)),
  };
}

/** liveUrl builds the websocket URL of a camera on this page's server. */
export function liveUrl(cameraId, params = {}) {
  const u = new URL('/api/v1/cameras/' + encodeURIComponent(cameraId) + '/live', location.href);
  u.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  for (const [k, v] of Object.entries(params)) if (v) u.searchParams.set(k, v);
  return u.toString();
}

/** replayUrl builds the websocket URL of a camera's recording from at (a Date or RFC 3339 text). */
export function replayUrl(cameraId, { at, incident, reason } = {}) {
  const u = new URL(liveUrl(cameraId, { incident, reason }));
  u.pathname = u.pathname.replace(/\/live$/, '/replay');
  u.searchParams.set('at', at instanceof Date ? at.toISOString() : String(at));
  return u.toString();
}
