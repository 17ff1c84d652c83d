// The police viewer: active incidents and the camera list, read only.
// The server removes callers' identities from every answer to this role;
// this page offers no action that changes anything.
import { api, me, wireLogin, logout, categoryLabel, statusLabel, timeWIB } from './session.js';

const $ = (id) => document.getElementById(id);
const cameraLabel = { online: 'aktif', stalled: 'macet', offline: 'mati', unknown: 'belum dicek' };
let cameras = [];

function cell(tr, text, cls) {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  tr.append(td);
}

async function load() {
  const [inc, cam] = await Promise.all([api('GET', '/api/v1/incidents?status=active'), api('GET', '/api/v1/cameras')]);
  if (inc.status === 401) { location.reload(); return; }
  if (inc.ok) {
    const body = $('incidents');
    body.replaceChildren();
    for (const i of inc.data) {
      const tr = document.createElement('tr');
      cell(tr, i.number, i.priority === 1 ? 'prio1' : '');
      cell(tr, categoryLabel[i.category] || i.category);
      cell(tr, statusLabel[i.status] || i.status);
      cell(tr, i.district || '–');
      cell(tr, i.address || '–');
      cell(tr, timeWIB(i.received_at));
      body.append(tr);
    }
    $('inc-count').textContent = `(${inc.data.length})`;
  }
  if (cam.ok) { cameras = cam.data; renderCameras(); }
  $('updated').textContent = 'Diperbarui ' + timeWIB(new Date().toISOString());
}

function renderCameras() {
  const f = $('cam-filter').value.trim().toLowerCase();
  const list = $('cameras');
  list.replaceChildren();
  const shown = cameras.filter((c) => !f || c.name.toLowerCase().includes(f));
  for (const c of shown.slice(0, 400)) {
    const li = document.createElement('li');
    const name = document.createElement('span');
    name.textContent = c.name;
    const st = document.createElement('span');
    st.className = 'st ' + c.status;
    st.textContent = cameraLabel[c.status] || c.status;
    li.append(name, st);
    list.append(li);
  }
  $('cam-count').textContent = `(${shown.length})`;
}

function start(u) {
  $('login').hidden = true;
  $('main').hidden = false;
  $('who').textContent = u.username;
  load();
  setInterval(load, 10000);
}

$('logout').addEventListener('click', logout);
$('cam-filter').addEventListener('input', renderCameras);
wireLogin(document.querySelector('#login form'), ['police', 'supervisor'], start);
me().then((u) => (u ? start(u) : ($('login').hidden = false)), () => ($('login').hidden = false));
