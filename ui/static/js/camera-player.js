// camera-player.js: plays one camera's live video from dispatchd's
// websocket (/api/v1/cameras/{id}/live) through Media Source Extensions.
//
// Protocol: a text frame {"type":"mime","mime":"video/mp4; codecs=\"avc1.…\""},
// then binary frames: the fMP4 init segment, then one fragment per frame.
// {"type":"error","code","message"} ends the stream with a reason.
//
//   import { playCamera } from '/static/js/camera-player.js';
//   const player = playCamera(videoElement, 'ws://host/api/v1/cameras/c1/live');
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
 * @param {string} wsUrl  ws:// or wss:// URL of /api/v1/cameras/{id}/live
 * @param {{onState?: (state: string, detail?: string) => void}} [opts]
 * @returns {{close: () => void}}
 */
export function playCamera(video, wsUrl, opts = {}) {
  const say = overlay(video);
  const onState = opts.onState || (() => {});
  let closed = false;
  let ws = null;
  let retry = 500;
  let timer = 0;

  if (!('MediaSource' in window)) {
    say(msg('unsupported_browser'));
    onState('error', 'unsupported_browser');
    return { close() {} };
  }
  video.muted = true;        // autoplay is allowed muted; cameras have no sound
  video.playsInline = true;

  function connect() {
    let ms = null;
    let sb = null;
    let queue = [];
    let final = false;
    let playing = false;
    say(msg('connecting'));
    onState('connecting');
    ws = new WebSocket(wsUrl);
    ws.binaryType = 'arraybuffer';

    const pump = () => {
      if (!sb || sb.updating || queue.length === 0 || ms.readyState !== 'open') return;
      try {
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
    const chase = () => {
      const b = video.buffered;
      if (!b.length) return;
      const end = b.end(b.length - 1);
      if (video.currentTime < b.start(0) || end - video.currentTime > MAX_LAG) {
        video.currentTime = Math.max(b.start(0), end - LIVE_LAG);
      }
      if (!playing) {
        playing = true;
        const p = video.play();
        if (p && p.catch) p.catch(() => {});
      }
    };
    const fail = (code) => {
      final = FINAL.has(code);
      say(msg(code));
      onState('error', code);
      if (ws) ws.close();
    };

    ws.onmessage = (ev) => {
      if (typeof ev.data !== 'string') {
        if (queue.length >= MAX_QUEUE) queue = []; // the decoder fell far behind: wait for a fresh start
        queue.push(ev.data);
        pump();
        return;
      }
      let m;
      try { m = JSON.parse(ev.data); } catch { return; }
      if (m.type === 'error') { fail(m.code); return; }
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
        sb.addEventListener('updateend', () => {
          if (video.buffered.length) {
            retry = 500;
            say('');
            onState('playing');
          }
          chase();
          if (queue.length === 0 && video.buffered.length && video.currentTime - video.buffered.start(0) > KEEP_BEHIND + 10) trim(false);
          pump();
        });
        pump();
      }, { once: true });
    };
    ws.onclose = () => {
      ws = null;
      if (closed || final) return;
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
      video.removeAttribute('src');
      video.load();
    },
  };
}

/** liveUrl builds the websocket URL of a camera on this page's server. */
export function liveUrl(cameraId, params = {}) {
  const u = new URL('/api/v1/cameras/' + encodeURIComponent(cameraId) + '/live', location.href);
  u.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  for (const [k, v] of Object.entries(params)) if (v) u.searchParams.set(k, v);
  return u.toString();
}
