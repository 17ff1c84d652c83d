// camera-ptz.js: the PTZ console of the camera page. A direction or zoom
// button turns the camera while it is held (POST /api/v1/cameras/{id}/ptz
// with speeds; the server's move lasts a second, so it is sent again
// while held) and stops it when let go; the arrow keys and +/− do the same
// while the video has the focus. Presets come from the camera (GET
// …/ptz/presets); "point at the incident" turns it toward the incident's
// place. The server audits every action and refuses police and the wall.

import { get, post, errorText } from './api.js';
import { t } from './i18n.js';

const SPEED = 0.5;   // of the camera's range: slow enough to aim
const REPEAT = 700;  // ms between moves while held (a move lasts 1 s)

const KEYS = { ArrowUp: { tilt: 1 }, ArrowDown: { tilt: -1 }, ArrowLeft: { pan: -1 }, ArrowRight: { pan: 1 }, '+': { zoom: 1 }, '=': { zoom: 1 }, '-': { zoom: -1 } };

/**
 * @param {HTMLElement} root  the #ptz section
 * @param {object} camera  the API's camera (id, heading)
 * @param {{video: HTMLElement, incident: object|null}} opts  incident: the API's incident (location) to point at
 */
export function ptzConsole(root, camera, { video, incident }) {
  const path = `/api/v1/cameras/${encodeURIComponent(camera.id)}/ptz`;
  const msgEl = root.querySelector('#ptz-msg');
  const list = root.querySelector('#presets');
  let moving = null; // {vector, timer, source}
  let lastMsg = null; // [key, vars] or an error text

  const say = (text, bad = false) => { msgEl.textContent = text; msgEl.classList.toggle('bad', bad); };
  const sayKey = (key, vars) => { lastMsg = [key, vars]; say(t(key, vars)); };
  const send = (body) => post(path, body).catch((err) => { lastMsg = null; say(errorText(err), true); throw err; });

  function move(vector, source) {
    if (moving) stop();
    const body = Object.fromEntries(Object.entries(vector).map(([k, v]) => [k, v * SPEED]));
    const once = () => send(body).catch(() => stop());
    moving = { timer: setInterval(once, REPEAT), source };
    once();
    sayKey('camPage.ptzMoving');
  }
  function stop() {
    if (!moving) return;
    clearInterval(moving.timer);
    moving = null;
    send({ stop: true }).then(() => sayKey('camPage.ptzStopped'), () => {});
  }

  for (const b of root.querySelectorAll('.mv')) {
    const vector = {};
    for (const k of ['pan', 'tilt', 'zoom']) if (b.dataset[k]) vector[k] = Number(b.dataset[k]);
    b.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      b.setPointerCapture(e.pointerId);
      b.classList.add('held');
      move(vector, b);
    });
    for (const ev of ['pointerup', 'pointercancel', 'lostpointercapture']) {
      b.addEventListener(ev, () => {
        b.classList.remove('held');
        if (moving && moving.source === b) stop();
      });
    }
    // The keyboard on a focused button: Space/Enter held.
    b.addEventListener('keydown', (e) => {
      if ((e.key === ' ' || e.key === 'Enter') && !e.repeat) { e.preventDefault(); move(vector, b); }
    });
    b.addEventListener('keyup', (e) => { if (e.key === ' ' || e.key === 'Enter') stop(); });
  }

  video.addEventListener('keydown', (e) => {
    const vector = KEYS[e.key];
    if (!vector) return;
    e.preventDefault();
    if (!e.repeat) move(vector, e.key);
  });
  video.addEventListener('keyup', (e) => { if (moving && moving.source === e.key) stop(); });
  video.addEventListener('blur', () => stop());
  window.addEventListener('blur', () => stop());

  const pointAt = root.querySelector('#point-at');
  pointAt.hidden = !(incident && incident.location && camera.heading !== undefined && camera.heading !== null);
  pointAt.addEventListener('click', () => {
    send({ point_at: incident.location }).then(() => sayKey('camPage.ptzPointed'), () => {});
  });

  get(`${path}/presets`).then((res) => {
    list.replaceChildren(...res.items.map((p) => {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.token = p.token;
      b.textContent = p.name || p.token;
      b.addEventListener('click', () => send({ preset: p.token }).then(() => sayKey('camPage.ptzPreset', { name: b.textContent }), () => {}));
      li.append(b);
      return li;
    }));
    if (!res.items.length) sayKey('camPage.noPresets');
  }, (err) => say(errorText(err), true));

  return {
    /** relabel redraws the console's own message in the page's language. */
    relabel() { if (lastMsg) say(t(...lastMsg)); },
  };
}
