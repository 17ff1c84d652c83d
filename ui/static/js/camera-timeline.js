// camera-timeline.js: the bar under a camera's video that shows what is
// recorded in a window of time (recorded spans filled, gaps empty), where
// the video is (the cursor), the incident's call time (a marker), with
// clock labels in WIB. A click, a drag or the keyboard (←/→ 10 s, with
// Shift 1 min) asks to seek: onSeek(Date) once the user lets go.

import { t, wib } from './i18n.js';

const KEY_SETTLE = 350; // ms after the last key press before the seek (each seek reopens the video)

// tickStep is the spacing of clock labels for a window of ms: about six.
function tickStep(span) {
  for (const m of [1, 2, 5, 10, 15, 30, 60, 120]) if (span / (m * 60000) <= 7) return m * 60000;
  return 240 * 60000;
}

/**
 * @param {HTMLElement} bar  the .bar element (with .spans, .incident, .cursor, .ticks inside)
 * @param {{onSeek: (at: Date) => void}} opts
 */
export function timeline(bar, { onSeek }) {
  const spansEl = bar.querySelector('.spans');
  const ticksEl = bar.querySelector('.ticks');
  const cursorEl = bar.querySelector('.cursor');
  const incidentEl = bar.querySelector('.incident');
  let from = 0;
  let to = 1;
  let segments = []; // [{start, end}] in ms
  let cursor = null; // ms: where the video is
  let held = null;   // ms: where a drag or key presses would seek to
  let incident = null; // ms: the incident's call time
  let keyTimer = 0;

  const pct = (ms) => `${(100 * (ms - from)) / (to - from)}%`;
  const clamp = (ms) => Math.min(to, Math.max(from, ms));

  function drawCursor() {
    const at = held ?? cursor;
    cursorEl.hidden = at === null || at < from || at > to;
    if (!cursorEl.hidden) cursorEl.style.left = pct(at);
    bar.setAttribute('aria-valuetext', at === null ? '' : `${wib(new Date(at))} WIB`);
    bar.classList.toggle('held', held !== null);
  }

  function draw() {
    spansEl.replaceChildren(...segments.filter((s) => s.end > from && s.start < to).map((s) => {
      const el = document.createElement('div');
      el.className = 'span';
      el.style.left = pct(Math.max(s.start, from));
      el.style.width = `${(100 * (Math.min(s.end, to) - Math.max(s.start, from))) / (to - from)}%`;
      return el;
    }));
    const step = tickStep(to - from);
    const ticks = [];
    for (let ms = Math.ceil(from / step) * step; ms <= to; ms += step) {
      const el = document.createElement('span');
      el.textContent = wib(new Date(ms)).slice(0, 5);
      el.style.left = pct(ms);
      ticks.push(el);
    }
    ticksEl.replaceChildren(...ticks);
    incidentEl.hidden = incident === null || incident < from || incident > to;
    if (!incidentEl.hidden) {
      incidentEl.style.left = pct(incident);
      incidentEl.title = `${t('camPage.callAt')} ${wib(new Date(incident))} WIB`;
    }
    drawCursor();
  }

  function timeAt(clientX) {
    const r = bar.getBoundingClientRect();
    return clamp(from + ((clientX - r.left) / r.width) * (to - from));
  }

  bar.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    bar.setPointerCapture(e.pointerId);
    bar.focus();
    held = timeAt(e.clientX);
    drawCursor();
  });
  bar.addEventListener('pointermove', (e) => {
    if (held === null) return;
    held = timeAt(e.clientX);
    drawCursor();
  });
  const letGo = (e, seek) => {
    if (held === null) return;
    const at = held;
    held = null;
    if (bar.hasPointerCapture(e.pointerId)) bar.releasePointerCapture(e.pointerId);
    drawCursor();
    if (seek) onSeek(new Date(at));
  };
  bar.addEventListener('pointerup', (e) => letGo(e, true));
  bar.addEventListener('pointercancel', (e) => letGo(e, false));

  bar.addEventListener('keydown', (e) => {
    const dir = { ArrowLeft: -1, ArrowRight: 1 }[e.key];
    if (!dir) return;
    e.preventDefault();
    held = (held ?? cursor ?? Date.now()) + dir * (e.shiftKey ? 60000 : 10000);
    drawCursor();
    clearTimeout(keyTimer);
    keyTimer = setTimeout(() => {
      const at = held;
      held = null;
      onSeek(new Date(at));
    }, KEY_SETTLE);
  });

  return {
    /** setWindow shows from…to (Dates). */
    setWindow(f, tt) { from = +f; to = +tt; draw(); },
    window: () => ({ from: new Date(from), to: new Date(to) }),
    /** setSegments draws the recorded spans ([{start, end}] as the API gives them). */
    setSegments(list) {
      segments = list.map((s) => ({ start: Date.parse(s.start), end: Date.parse(s.end) }));
      draw();
    },
    /**
     * recordedFrom is at itself when it is recorded, else the start of the
     * next recording (so the clock and cursor start there), or null.
     */
    recordedFrom(at) {
      const next = segments.filter((s) => s.end > +at).sort((a, b) => a.start - b.start)[0];
      if (!next) return null;
      return next.start > +at ? new Date(next.start) : at;
    },
    /** setCursor moves the cursor to where the video is (a Date, or null). */
    setCursor(d) { cursor = d ? +d : null; if (held === null) drawCursor(); },
    /** setIncident marks the incident's call time (a Date, or null). */
    setIncident(d) { incident = d ? +d : null; draw(); },
  };
}
