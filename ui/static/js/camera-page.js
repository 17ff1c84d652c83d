// The one-camera page (/camera?id=...): plays a camera's live video.
import './gate.js'; // log in first
import { get } from './api.js';
import { t, wireLangSwitch } from './i18n.js';
import { playCamera, liveUrl } from './camera-player.js';

const q = new URLSearchParams(location.search);
const id = q.get('id');
const stateEl = document.getElementById('state');
const nameEl = document.getElementById('name');
let state = 'connecting';
function setState(s) {
  state = s;
  stateEl.textContent = t(`camPage.${s}`);
  stateEl.className = s;
}
wireLangSwitch(() => setState(state));

if (!id) {
  nameEl.dataset.i18n = 'camPage.none';
  nameEl.textContent = t('camPage.none');
  setState('error');
} else {
  nameEl.removeAttribute('data-i18n'); // the camera's name, once known
  get('/api/v1/cameras/' + encodeURIComponent(id)).then((c) => {
    nameEl.textContent = c.name;
    document.title = c.name + ' — CC112';
    document.getElementById('where').textContent = [c.area, c.district].filter(Boolean).join(' · ');
  }).catch(() => {});
  const video = document.getElementById('video');
  window.player = playCamera(video, liveUrl(id, { incident: q.get('incident'), reason: q.get('reason') }), { onState: setState });
}
