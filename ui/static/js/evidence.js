// "What the nearest cameras saw" of one incident, for the dispatcher's and
// supervisor's incident panel and the police page: the incident's cameras
// (its evidence lock's, then the nearest), each with its distance, whether
// it has recordings from N minutes before the call, its evidence-lock
// state, a link that replays it on the camera page from call − N min (in a
// window named per camera, which a wall operator can drag), and an export
// of a time range with a reason (the server requires one). The result of
// an export (and every earlier one) links the MP4 and its signed manifest
// with the file's SHA-256. A supervisor releases the lock with a reason.

import * as api from './api.js';
import { t, wib, wibDayTime, toWIBInput, fromWIBInput } from './i18n.js';
import { escapeHTML } from './dom.js';
import { askFields, askReason } from './dialog.js';
import { can } from './gate.js';

const may = {
  read: can('GET', '/api/v1/incidents/{id}/evidence'),
  export: can('POST', '/api/v1/incidents/{id}/evidence'),
  release: can('POST', '/api/v1/incidents/{id}/evidence/release'),
};

// Before the recorder has locked an incident's cameras, the lock will reach
// back dispatchd's default -record-preroll.
const DEFAULT_PREROLL_MIN = 10;
const NEAREST = 4;
const MAX_EXPORT_MIN = 60; // the server's cctv.MaxExport
// A recording counts as "from call − N" when it starts within this of it
// (segments start at a keyframe).
const START_SLACK_MS = 15000;
// A live change of the incident rereads the section at most this often:
// the recorder's lock and new recordings appear without a request per event.
const REFRESH_MS = 15000;

/** playURL is the camera page replaying cam from at for the incident (the camera page's replay from ?at=). */
export function playURL(cam, at, inc, reason) {
  const q = new URLSearchParams({ id: cam, at: at.toISOString(), incident: inc.id, reason });
  return `/camera?${q}`;
}

// explain is a try's failure in the page's language: a catalogue key, or
// the server's error by its reason and code.
function explain(e) {
  if (typeof e === 'string') return t(e);
  if (e instanceof api.APIError) return api.errorMessage(e.code, e.reason, e.retryAfter);
  return api.errorText(e);
}

export class Evidence {
  /** @param h handlers: changed() when the section must be drawn again, toast(msg, kind) */
  constructor(h) {
    this.h = h;
    this.id = null;
    this.s = null; // {off, lock, exports, cams: [{id, name, distance, from, segs}], preroll}
    this.latest = null; // the export this user just made
    this.busy = false;
    this.loadedAt = 0;
  }

  /** refresh rereads the open incident's section after a live change (throttled). */
  refresh(inc) {
    if (!may.read || !inc || inc.id !== this.id || Date.now() - this.loadedAt < REFRESH_MS) return;
    this.load(inc);
  }

  /** open starts on an incident (or again on the same one: reread). */
  open(inc) {
    if (!may.read) return;
    if (inc.id !== this.id) { this.id = inc.id; this.s = null; this.latest = null; }
    this.load(inc);
  }

  async load(inc) {
    const id = inc.id;
    this.loadedAt = Date.now();
    const enc = encodeURIComponent(id);
    try {
      let ev;
      try {
        ev = await api.get(`/api/v1/incidents/${enc}/evidence`);
      } catch (err) {
        if (err.status !== 503) throw err;
        if (this.id === id) { this.s = { off: true }; this.h.changed(); }
        return;
      }
      const near = inc.location ? await api.get(`/api/v1/cameras/nearest?lat=${inc.location.lat}&lon=${inc.location.lon}&limit=${NEAREST}`) : [];
      const lock = ev.lock;
      const call = new Date(inc.received_at);
      const from = lock ? new Date(lock.from) : new Date(call.getTime() - DEFAULT_PREROLL_MIN * 60000);
      const preroll = Math.max(0, Math.round((call - from) / 1000)); // seconds
      const byID = new Map();
      for (const c of lock ? lock.cameras : []) byID.set(c, { id: c, name: c, distance: null });
      for (const c of near) if (c.has_video) byID.set(c.id, { id: c.id, name: c.name, distance: c.distance_m });
      const to = inc.closed_at ? new Date(inc.closed_at) : new Date();
      const cams = await Promise.all([...byID.values()].map(async (c) => {
        const rec = await api.get(`/api/v1/cameras/${encodeURIComponent(c.id)}/recordings?from=${from.toISOString()}&to=${to.toISOString()}`);
        if (c.name === c.id) {
          const full = await api.get(`/api/v1/cameras/${encodeURIComponent(c.id)}`).catch(() => null);
          if (full) c.name = full.name;
        }
        return { ...c, segs: rec.items }; // oldest first: the first page holds the earliest
      }));
      if (this.id !== id) return;
      this.s = { lock, exports: ev.exports || [], cams, preroll, from };
    } catch (err) {
      if (this.id !== id) return;
      if (err.reason === 'recording_off') { // a live-only center: said in the section, no error
        this.s = { off: true };
        this.h.changed();
        return;
      }
      this.s = this.s || { failed: true };
      this.h.toast(t('error.generic', { msg: api.errorText(err) }), 'error');
    }
    this.h.changed();
  }

  /** html is the section for inc (empty where the role may not read evidence). */
  html(inc) {
    if (!may.read || inc.id !== this.id) return '';
    const head = `<h3>${escapeHTML(t('ev.title'))}</h3>`;
    const s = this.s;
    if (!s) return `${head}<p class="muted">…</p>`;
    if (s.off) return `${head}<p class="muted">${escapeHTML(t('ev.off'))}</p>`;
    if (s.failed) return `${head}<p class="muted">—</p>`;
    const lock = s.lock;
    const lockText = !lock ? t('ev.lockNone') : lock.released_at
      ? t('ev.lockReleased', { at: wibDayTime(lock.released_at), by: lock.released_by })
      : t('ev.lockHeld', { from: wibDayTime(lock.from) });
    return `${head}
      <section class="evidence" data-incident="${escapeHTML(inc.id)}">
        <p class="ev-lock ${lock && !lock.released_at ? 'held' : ''}">${escapeHTML(lockText)}
          ${lock && !lock.released_at && may.release ? `<button type="button" class="btn small" data-ev="release">${escapeHTML(t('ev.release'))}</button>` : ''}</p>
        ${s.cams.length === 0 ? `<p class="muted">${escapeHTML(t('ev.noCameras'))}</p>` : `<ul class="ev-cams">${s.cams.map((c) => this.camHTML(inc, c)).join('')}</ul>`}
        ${this.exportsHTML()}
      </section>`;
  }

  // before is how far before the call the section looks: minutes, or
  // seconds for a short -record-preroll.
  before() {
    const sec = this.s.preroll;
    return sec % 60 === 0 ? t('ev.min', { n: sec / 60 }) : t('ev.sec', { n: sec });
  }

  camHTML(inc, c) {
    const s = this.s;
    const first = c.segs.length ? new Date(c.segs[0].start) : null;
    const fromCall = first && first.getTime() <= s.from.getTime() + START_SLACK_MS;
    const rec = !first ? `<span class="ev-rec h-late">${escapeHTML(t('ev.recNone'))}</span>`
      : fromCall ? `<span class="ev-rec h-ok">${escapeHTML(t('ev.recFromCall', { d: this.before() }))}</span>`
        : `<span class="ev-rec h-warn">${escapeHTML(t('ev.recSince', { at: wib(first) }))}</span>`;
    const locked = s.lock && s.lock.cameras.includes(c.id) && !s.lock.released_at;
    const play = playURL(c.id, s.from, inc, t('ev.playReason', { n: inc.number }));
    return `<li data-camera="${escapeHTML(c.id)}">
        <div class="ev-cam"><b>${escapeHTML(c.name)}</b>
          <span class="ev-dist">${c.distance == null ? '' : escapeHTML(t('ev.distance', { m: Math.round(c.distance) }))}</span>
          ${locked ? `<span class="ev-locked" title="${escapeHTML(t('ev.lockedTitle'))}">${escapeHTML(t('ev.locked'))}</span>` : ''}</div>
        <div class="ev-row">${rec}
          <a class="btn small" data-ev="play" href="${escapeHTML(play)}" target="${escapeHTML('cam-' + c.id)}">${escapeHTML(t('ev.play', { d: this.before() }))}</a>
          ${may.export ? `<button type="button" class="btn small" data-ev="export" data-camera="${escapeHTML(c.id)}">${escapeHTML(t('ev.export'))}</button>` : ''}</div>
      </li>`;
  }

  exportsHTML() {
    const list = [...this.s.exports].reverse();
    if (!list.length) return '';
    return `<h4>${escapeHTML(t('ev.exports'))}</h4><ol class="ev-exports">${list.map((m) => `
      <li class="${this.latest === m.id ? 'latest' : ''}" data-export="${escapeHTML(m.id)}">
        <div><b>${escapeHTML(this.camName(m.camera_id))}</b> ${escapeHTML(wib(m.first_frame))} – ${escapeHTML(wib(m.last_frame))} WIB
          · ${escapeHTML(m.user)} · ${escapeHTML(m.reason)}</div>
        <div class="ev-links"><a class="btn small" data-ev="file" href="/api/v1/evidence/${encodeURIComponent(m.id)}/file" download>${escapeHTML(t('ev.fileLink'))}</a>
          <a class="btn small" data-ev="manifest" href="/api/v1/evidence/${encodeURIComponent(m.id)}/manifest" download>${escapeHTML(t('ev.manifestLink'))}</a></div>
        <div class="ev-sha">SHA-256 <code>${escapeHTML(m.sha256)}</code></div>
      </li>`).join('')}</ol>`;
  }

  camName(id) {
    const c = this.s && this.s.cams.find((x) => x.id === id);
    return c ? c.name : id;
  }

  /** click handles the section's buttons; true when it was one of them. */
  click(e, inc) {
    const b = e.target.closest('[data-ev]');
    if (!b || !inc) return false;
    if (b.dataset.ev === 'export') { this.exportFrom(inc, b.dataset.camera); return true; }
    if (b.dataset.ev === 'release') { this.release(inc); return true; }
    return b.dataset.ev === 'play' || b.dataset.ev === 'file' || b.dataset.ev === 'manifest'; // links: the browser's
  }

  // exportFrom asks the range (in WIB) and a reason, then asks the server.
  // A refused or failed try opens the question again with its answer; one
  // Idempotency-Key per answer given, the same again when the same answer
  // is sent after a failure that never reached a verdict (a retry).
  async exportFrom(inc, cam) {
    if (this.busy || !this.s) return;
    const start = this.s.from;
    const end = inc.closed_at ? new Date(inc.closed_at) : new Date();
    const capped = new Date(Math.min(end.getTime(), start.getTime() + MAX_EXPORT_MIN * 60000));
    let vals = { from: toWIBInput(start), to: toWIBInput(capped), reason: '' };
    let error = null; // what the last try got: shown in the language of the moment
    let key = '';
    let sent = '';
    for (;;) {
      const v = await askFields(() => ({
        title: t('ev.exportTitle', { cam: this.camName(cam) }),
        message: t('ev.exportMsg', { n: inc.number }),
        error: error && explain(error),
        ok: t('ev.exportGo'),
        fields: [
          { name: 'from', label: t('ev.from'), value: vals.from, hint: t('ev.timeHint') },
          { name: 'to', label: t('ev.to'), value: vals.to },
          { name: 'reason', label: t('ev.reason'), value: vals.reason, hint: t('ev.reasonHint') },
        ],
      }));
      if (!v) return;
      vals = v;
      const from = fromWIBInput(v.from);
      const to = fromWIBInput(v.to);
      if (!from || !to) { error = 'ev.badTime'; continue; }
      const body = { camera: cam, from: from.toISOString(), to: to.toISOString(), reason: v.reason };
      const asked = JSON.stringify(body);
      if (asked !== sent) { key = api.newKey(); sent = asked; }
      this.busy = true;
      try {
        const m = await api.post(`/api/v1/incidents/${encodeURIComponent(inc.id)}/evidence`, body, key);
        this.latest = m.id;
        if (this.s && !this.s.exports.some((x) => x.id === m.id)) this.s.exports.push(m);
        this.h.toast(t('ev.exported', { id: m.id }), 'ok');
        this.h.changed();
        return;
      } catch (err) {
        error = err;
        if (!api.retryable(err)) sent = ''; // a verdict: the next try is a new request
      } finally {
        this.busy = false;
      }
    }
  }

  async release(inc) {
    const reason = await askReason(() => ({ title: t('ev.releaseTitle', { n: inc.number }), message: t('ev.releaseMsg'), ok: t('ev.release'), danger: true }));
    if (!reason) return;
    try {
      await api.post(`/api/v1/incidents/${encodeURIComponent(inc.id)}/evidence/release`, { reason });
      this.h.toast(t('ev.released'), 'ok');
    } catch (err) {
      this.h.toast(api.errorText(err), 'error');
    }
    this.load(inc);
  }
}
