// The one-camera page (/camera?id=...): plays a camera's live video.
import './gate.js'; // log in first
import { playCamera, liveUrl } from './camera-player.js';

const q = new URLSearchParams(location.search);
const id = q.get('id');
const stateEl = document.getElementById('state');
const labels = { connecting: 'Menghubungkan…', reconnecting: 'Menyambung ulang…', playing: 'Langsung', error: 'Gagal' };
function setState(s) { stateEl.textContent = labels[s] || s; stateEl.className = s; }

if (!id) {
  document.getElementById('name').textContent = 'Kamera tidak dipilih';
  setState('error');
} else {
  fetch('/api/v1/cameras/' + encodeURIComponent(id)).then(r => r.ok ? r.json() : null).then(c => {
    if (!c) return;
    document.getElementById('name').textContent = c.name;
    document.title = c.name + ' — CC112';
    document.getElementById('where').textContent = [c.area, c.district].filter(Boolean).join(' · ');
  }).catch(() => {});
  const video = document.getElementById('video');
  window.player = playCamera(video, liveUrl(id, { incident: q.get('incident'), reason: q.get('reason') }), { onState: setState });
}
