// The Media Center's statistics, shared by the supervisors' page (/desk/stats)
// and the public one (/statistik): counts by a chosen grouping, each agency's
// SLA record, repeated places, a choropleth of the kecamatan, CSV export.
// The public page reads the public endpoints, which carry no personal data.

import { get } from './api.js';
import { $, escapeHTML } from './dom.js';
import { t, label, lang, wib, wibDay, wireLangSwitch } from './i18n.js';

const GROUPS = ['category', 'agency', 'kecamatan', 'kelurahan', 'channel', 'month'];
const CLASSES = 5; // colour classes of the map

let cfg = null; // { stats, districts }
let last = null; // { st, map }
let shapes = null;

const monthFmt = { id: new Intl.DateTimeFormat('id-ID', { month: 'long', year: 'numeric', timeZone: 'UTC' }),
  en: new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }) };

function keyLabel(group, k) {
  switch (group) {
    case 'category': return label('complaintCat', k);
    case 'agency': return k ? label('agency', k) : t('desk.notForwarded');
    case 'channel': return label('channel', k);
    case 'month': return monthFmt[lang()].format(new Date(`${k}-01T00:00:00Z`));
    default: return k || t('stats.unknownPlace');
  }
}

const pct = (v) => (v == null ? '—' : `${Math.round(v * 100)}%`);
const grade = (v) => (v == null ? '' : v >= 0.9 ? 'good' : v >= 0.7 ? 'fair' : 'poor');

function say(text, kind = '') {
  $('#msg').textContent = text;
  $('#msg').className = `msg ${kind}`;
}

function params(group) {
  const p = new URLSearchParams({ group_by: group });
  if ($('#s-from').value) p.set('from', $('#s-from').value);
  // The page's "to" is the last day shown; the API's is the first day left out.
  if ($('#s-to').value) p.set('to', new Date(Date.parse(`${$('#s-to').value}T00:00:00Z`) + 86400e3).toISOString().slice(0, 10));
  return p;
}

async function load() {
  const group = $('#s-group').value;
  $('#s-csv').href = `${cfg.stats}?${params(group)}&format=csv`;
  try {
    const st = await get(`${cfg.stats}?${params(group)}`);
    const map = group === 'kecamatan' ? st : await get(`${cfg.stats}?${params('kecamatan')}`);
    last = { st, map };
    render();
    say('');
  } catch (err) { say(err.message, 'err'); }
}

function render() {
  if (!last) return;
  const { st, map } = last;
  const o = st.overall;
  const tile = (value, name, cls = '') => `<div class="tile ${cls}"><b>${value}</b><span>${escapeHTML(name)}</span></div>`;
  $('#s-tiles').innerHTML = tile(st.total, t('stats.total'))
    + tile(pct(o.answered_share), t('stats.answered60', { d: Math.round(st.response_sla_s / 60) }), grade(o.answered_share))
    + tile(pct(o.feedback_share), t('stats.feedback24', { d: Math.round(st.feedback_sla_s / 3600) }), grade(o.feedback_share))
    + tile(st.repeats.length, t('stats.repeatPlaces'));
  $('#s-rows-title').textContent = t('stats.by', { g: t(`stats.group.${st.group_by}`) });
  $('#s-rows').innerHTML = table(st.rows, st.group_by);
  $('#s-agencies').innerHTML = table(st.agencies, 'agency');
  $('#s-repeats').innerHTML = `<thead><tr><th>${escapeHTML(t('desk.number'))}</th><th>${escapeHTML(t('new.category'))}</th><th>${escapeHTML(t('stats.group.kelurahan'))}</th><th class="n">${escapeHTML(t('stats.complaints'))}</th></tr></thead><tbody>${
    st.repeats.map((r) => `<tr><td class="num">${escapeHTML(r.number)}</td><td>${escapeHTML(label('complaintCat', r.category))}</td>
      <td>${escapeHTML(r.kelurahan || r.kecamatan || t('stats.unknownPlace'))}${r.kelurahan && r.kecamatan ? `<div class="muted">${escapeHTML(r.kecamatan)}</div>` : ''}</td><td class="n">${r.count}</td></tr>`).join('')
    || `<tr><td colspan="4" class="muted">${escapeHTML(t('desk.noData'))}</td></tr>`}</tbody>`;
  drawMap(map.rows);
}

function table(rows, group) {
  const head = ['stats.complaints', 'stats.forwarded', 'stats.closed', 'stats.answeredShare', 'stats.feedbackShare', 'stats.escalated', 'stats.satisfied']
    .map((k) => `<th class="n">${escapeHTML(t(k))}</th>`).join('');
  const body = rows.map((r) => `<tr><td>${escapeHTML(keyLabel(group, r.key))}</td><td class="n">${r.complaints}</td><td class="n">${r.forwarded}</td>
    <td class="n">${r.closed}</td><td class="n share ${grade(r.answered_share)}" title="${r.answered_in_sla}/${r.forwards_due}">${pct(r.answered_share)}</td>
    <td class="n share ${grade(r.feedback_share)}" title="${r.feedback_in_sla}/${r.feedback_due}">${pct(r.feedback_share)}</td>
    <td class="n">${r.escalated}</td><td class="n">${r.satisfied}/${r.satisfied + r.not_satisfied}</td></tr>`).join('');
  return `<thead><tr><th>${escapeHTML(t(`stats.group.${group}`))}</th>${head}</tr></thead><tbody>${
    body || `<tr><td colspan="8" class="muted">${escapeHTML(t('desk.noData'))}</td></tr>`}</tbody>`;
}

/** drawMap colours each kecamatan by its complaints (an SVG of the outlines, no tiles). */
function drawMap(rows) {
  const svg = $('#s-map');
  if (!shapes) { svg.innerHTML = ''; return; }
  const counts = new Map(rows.map((r) => [r.key.toLowerCase(), r.complaints]));
  const max = Math.max(1, ...counts.values());
  const cls = (n) => (n ? Math.min(CLASSES, 1 + Math.floor(((n - 1) / max) * CLASSES)) : 0);
  const { features, project, w, h } = shapes;
  let out = '';
  for (const f of features) {
    const n = counts.get(f.properties.name.toLowerCase()) || 0;
    out += `<path class="c${cls(n)}" d="${f.d}"><title>${escapeHTML(f.properties.name)}: ${n}</title></path>`;
  }
  for (const f of features) {
    const n = counts.get(f.properties.name.toLowerCase()) || 0;
    if (!n) continue;
    const [x, y] = project(f.properties.centroid);
    out += `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" class="count">${n}</text>`;
  }
  svg.setAttribute('viewBox', `0 0 ${w.toFixed(0)} ${h.toFixed(0)}`);
  svg.innerHTML = out;
  const step = Math.ceil(max / CLASSES);
  $('#s-legend').innerHTML = `<span><i class="c0"></i>0</span>` + Array.from({ length: CLASSES }, (_, i) =>
    `<span><i class="c${i + 1}"></i>${i * step + 1}${step > 1 ? `–${Math.min(max, (i + 1) * step)}` : ''}</span>`).join('');
}

/** prepare projects the districts once (equirectangular around the city's middle latitude). */
function prepare(geo) {
  const rings = (g) => (g.type === 'MultiPolygon' ? g.coordinates.flat() : g.type === 'Polygon' ? g.coordinates : []);
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const f of geo.features) for (const r of rings(f.geometry)) for (const [x, y] of r) {
    minX = Math.min(minX, x); maxX = Math.max(maxX, x); minY = Math.min(minY, y); maxY = Math.max(maxY, y);
  }
  if (!Number.isFinite(minX)) return null;
  const k = 1000 / (maxX - minX), kx = k * Math.cos(((minY + maxY) / 2) * Math.PI / 180);
  const project = ([x, y]) => [(x - minX) * kx, (maxY - y) * k];
  const features = geo.features.map((f) => ({ properties: f.properties,
    d: rings(f.geometry).map((r) => `M${r.map((p) => project(p).map((v) => v.toFixed(1)).join(',')).join('L')}Z`).join('') }));
  return { features, project, w: (maxX - minX) * kx, h: (maxY - minY) * k };
}

function fillGroups() {
  const sel = $('#s-group');
  const v = sel.value || 'category';
  sel.innerHTML = GROUPS.map((g) => `<option value="${g}">${escapeHTML(t(`stats.group.${g}`))}</option>`).join('');
  sel.value = v;
}

function tick() {
  const el = document.getElementById('now-time');
  if (el) el.textContent = wib(new Date());
}

/** startStats runs a statistics page against its endpoints. */
export async function startStats(endpoints) {
  cfg = endpoints;
  wireLangSwitch(() => { fillGroups(); render(); });
  fillGroups();
  // Default: the last 30 WIB days, today included.
  const today = wibDay(Date.now());
  const from = wibDay(Date.now() - 29 * 86400e3);
  const q = new URLSearchParams(location.search);
  $('#s-from').value = q.get('from') || from;
  $('#s-to').value = q.get('to') || '';
  $('#s-to').placeholder = today;
  if (q.get('group_by')) $('#s-group').value = q.get('group_by');
  $('#s-filters').addEventListener('change', load);
  $('#s-filters').addEventListener('submit', (e) => { e.preventDefault(); load(); });
  try { shapes = prepare(await get(cfg.districts)); } catch { shapes = null; }
  tick();
  setInterval(tick, 1000);
  await load();
}
