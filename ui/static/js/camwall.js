// The camera wall: live video of the cameras nearest an incident (2×2 or
// 3×3), or of one camera clicked on the map. Each tile plays through
// camera-player.js; closing the wall ends every stream (the server closes
// a camera's RTSP session some seconds after its last viewer leaves).

import * as api from './api.js';
import { t } from './i18n.js';
import { escapeHTML } from './dom.js';
import { playCamera, liveUrl } from './camera-player.js';

const SIZES = [4, 9];

export class CameraWall {
  /** @param el the wall's container (hidden when empty) */
  constructor(el) {
    this.el = el;
    this.players = [];
    this.size = SIZES[0];
    this.incident = null; // the incident whose cameras are shown
    this.token = 0; // bumps on every show/close, so late answers are dropped
    el.addEventListener('click', (e) => {
      const b = e.target.closest('button[data-act]');
      if (!b) return;
      if (b.dataset.act === 'close') this.close();
      if (b.dataset.act === 'size' && this.incident) {
        this.size = this.size === SIZES[0] ? SIZES[1] : SIZES[0];
        this.showIncident(this.incident);
      }
    });
  }

  /** showIncident opens the k nearest online cameras of an incident. */
  async showIncident(inc) {
    const token = ++this.token;
    this.incident = inc;
    const q = `lat=${inc.location.lat}&lon=${inc.location.lon}&limit=${this.size}&status=online`;
    let cams = [];
    try {
      cams = await api.get(`/api/v1/cameras/nearest?${q}`);
    } catch (err) {
      if (token !== this.token) return;
      this.render(() => t('cam.title', { n: inc.number }), [], () => t('error.generic', { msg: err.message }));
      return;
    }
    if (token !== this.token) return;
    this.render(() => t('cam.title', { n: inc.number }), cams.filter((c) => c.has_video), () => t('cam.none'), inc.id);
  }

  /** showCamera opens one camera (a click on the map). */
  showCamera(cam, incidentID) {
    ++this.token;
    this.incident = null;
    this.render(() => cam.name, [cam], () => t('cam.noVideo'), incidentID);
  }

  close() {
    ++this.token;
    this.incident = null;
    this.stop();
    this.el.hidden = true;
    this.el.innerHTML = '';
  }

  get isOpen() { return !this.el.hidden; }

  /** relabel puts the open wall's texts in the page's new language, the videos playing on. */
  relabel() {
    if (this.el.hidden || !this.texts) return;
    const set = (sel, text) => { const el = this.el.querySelector(sel); if (el) el.textContent = text; };
    set('.camwall-head h3', this.texts.title());
    set('.camwall-empty', this.texts.emptyText());
    set('.camwall-note', t('cam.audit'));
    this.el.querySelector('[data-act="close"]')?.setAttribute('aria-label', t('cam.close'));
  }

  stop() {
    for (const p of this.players) p.close();
    this.players = [];
  }

  /** render shows cams; title and emptyText are functions, read again in the new language by relabel. */
  render(title, cams, emptyText, incidentID) {
    this.stop();
    this.texts = { title, emptyText };
    const cols = cams.length > 4 ? 3 : cams.length > 1 ? 2 : 1;
    const sizeBtn = this.incident
      ? `<button type="button" class="btn small" data-act="size">${this.size === 4 ? '3×3' : '2×2'}</button>` : '';
    this.el.innerHTML = `
      <header class="camwall-head"><h3>${escapeHTML(title())}</h3>${sizeBtn}
        <button type="button" class="btn small" data-act="close" aria-label="${escapeHTML(t('cam.close'))}">✕</button></header>
      ${cams.length ? `<div class="camwall-grid cols-${cols}">${cams.map((c) => `
        <figure class="cam-tile" data-camera="${escapeHTML(c.id)}">
          <video muted playsinline autoplay></video>
          <figcaption>${escapeHTML(c.name)}${c.distance_m != null ? ` · ${Math.round(c.distance_m)} m` : ''}</figcaption>
        </figure>`).join('')}</div>` : `<p class="camwall-empty">${escapeHTML(emptyText())}</p>`}
      <p class="camwall-note">${escapeHTML(t('cam.audit'))}</p>`;
    this.el.hidden = false;
    for (const fig of this.el.querySelectorAll('.cam-tile')) {
      const video = fig.querySelector('video');
      const params = incidentID ? { incident: incidentID } : { reason: 'konsol' };
      this.players.push(playCamera(video, liveUrl(fig.dataset.camera, params)));
    }
  }
}
