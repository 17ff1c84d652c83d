// The supervisor dashboard: response times against the city's target
// (call received → first unit on scene), from /api/v1/metrics/response.
// Filters live in the URL so that a view can be shared; the page polls
// every 15 s. Every time and date is WIB.

import './gate.js'; // log in first
import { watchOutage } from './outage.js';
import { get } from './api.js';
import { escapeHTML, $ } from './dom.js';
import { t, label, num, minutes, onLangChange, wireLangSwitch, wib, wibDay } from './i18n.js';
import { categories } from './catalog.js';
import { TrendChart, DistChart } from './supervisor-charts.js';
import { Choropleth } from './supervisor-map.js';

watchOutage(); // the banner when the server is gone, the login page when the session is

const POLL_MS = 15000;

function percent(x) { return `${Math.round(x * 100)}%`; }
function count(n) { return num(n); }

function groupName(by, key) {
  switch (by) {
    case 'category': return label('cat', key);
    case 'agency': return label('agency', key);
    case 'district': return key || t('sup.noDistrict');
    case 'hour': return `${key}.00–${key}.59`;
  }
  return key;
}

const state = { from: '', to: '', category: '', agency: '', tab: 'agency' };

function readURL() {
  const q = new URLSearchParams(location.search);
  const today = wibDay(Date.now());
  state.from = q.has('from') ? q.get('from') : wibDay(Date.now() - 29 * 86400000);
  state.to = q.has('to') ? q.get('to') : today;
  state.category = q.get('category') || '';
  state.agency = q.get('agency') || '';
  state.tab = ['agency', 'category', 'district', 'hour'].includes(q.get('tab')) ? q.get('tab') : 'agency';
}

function writeURL() {
  const q = new URLSearchParams();
  for (const k of ['from', 'to', 'category', 'agency']) q.set(k, state[k]);
  if (state.tab !== 'agency') q.set('tab', state.tab);
  history.replaceState(null, '', `${location.pathname}?${q}`);
}

function query(extra = {}, { filters = true } = {}) {
  const q = new URLSearchParams();
  const p = { from: state.from, to: state.to, ...(filters ? { category: state.category, agency: state.agency } : {}), ...extra };
  for (const [k, v] of Object.entries(p)) if (v) q.set(k, v);
  return q.toString();
}

function report(extra, opts) { return get(`/api/v1/metrics/response?${query(extra, opts)}`); }

function setTile(id, value, unit, sub, verdict) {
  const el = document.getElementById(id);
  el.querySelector('.big').innerHTML = `<span class="v">${escapeHTML(value)}</span>${unit ? `<span class="unit">${escapeHTML(unit)}</span>` : ''}`;
  el.querySelector('.sub').textContent = sub;
  el.classList.toggle('good', verdict === true);
  el.classList.toggle('bad', verdict === false);
}

function renderTiles(today, win) {
  const target = today.target_s;
  const d = today.overall;
  if (d.with_response > 0) {
    setTile('t-p90-today', minutes(d.p90_s), t('sup.min'), t('sup.p90TodaySub', { target: minutes(target), n: count(d.with_response) }), d.p90_s <= target);
    setTile('t-within-today', percent(d.within_target), '', t('sup.withinTodaySub', { n: count(Math.round(d.within_target * d.with_response)), of: count(d.with_response), target: minutes(target) }), d.within_target >= 0.9);
  } else {
    setTile('t-p90-today', '—', '', t('sup.noneToday', { target: minutes(target) }));
    setTile('t-within-today', '—', '', t('sup.noDataToday'));
  }
  setTile('t-open', count(today.open_now), '', t('sup.openSub'));
  const w = win.overall;
  if (w.with_response > 0) {
    setTile('t-p90-window', minutes(w.p90_s), t('sup.min'), t('sup.p90WindowSub', { median: minutes(w.p50_s), pct: percent(w.within_target) }), w.p90_s <= target);
  } else {
    setTile('t-p90-window', '—', '', t('sup.noneArrived'));
  }
  // Incidents whose response cannot be measured; the parts' gaps (a crew
  // that never tapped "berangkat") are named below it.
  const bad = w.missing + w.out_of_order;
  const parts = w.turnout.missing + w.turnout.out_of_order + w.travel.out_of_order;
  setTile('t-quality', count(bad), bad ? t('sup.incidents') : '', w.count
    ? t('sup.qualitySub', { missing: count(w.missing), order: count(w.out_of_order), parts: count(parts), of: count(w.count) })
    : t('sup.nonePeriod'));
}

function renderTable(rep) {
  const by = state.tab;
  const rows = [...rep.groups];
  if (by !== 'hour') rows.sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
  const target = rep.target_s;
  const tbody = $('#breakdown tbody');
  if (!rows.length || rows.every((g) => g.count === 0)) {
    tbody.innerHTML = `<tr><td class="empty" colspan="8">${escapeHTML(t('sup.noneFilter'))}</td></tr>`;
    return;
  }
  tbody.innerHTML = rows.map((g) => {
    const has = g.with_response > 0;
    const p90cls = has ? (g.p90_s <= target ? 'good' : 'late') : '';
    const parts = [g.processing, g.turnout, g.travel].map((f) => (f.with_response ? minutes(f.p90_s) : '—')).join(' / ');
    return `<tr data-key="${escapeHTML(g.key)}">
      <td class="name">${escapeHTML(groupName(by, g.key))}</td>
      <td>${count(g.count)}</td><td>${count(g.with_response)}</td>
      <td>${has ? minutes(g.p50_s) : '—'}</td>
      <td class="${p90cls}">${has ? minutes(g.p90_s) : '—'}</td>
      <td>${has ? percent(g.within_target) : '—'}</td>
      <td class="parts">${parts}</td>
      <td>${count(g.missing + g.out_of_order)}</td></tr>`;
  }).join('');
}

// An ETA within 25 % of the travel it promised is good; beyond 50 % the
// city's speeds need a look.
const ETA_GOOD_PCT = 25;
const ETA_BAD_PCT = 50;

function etaClass(e) {
  if (!e || !e.n) return 'none';
  if (e.mdape_pct <= ETA_GOOD_PCT) return 'good';
  return e.mdape_pct > ETA_BAD_PCT ? 'bad' : '';
}

function signedMinutes(s) { return `${s > 0 ? '+' : s < 0 ? '−' : ''}${minutes(Math.abs(s))}`; }

/** renderETA shows how far the ETAs predicted at dispatch were from the travel measured. */
function renderETA(rep) {
  const a = rep.all;
  $('#eta-all').innerHTML = a.n
    ? t('sup.etaAll', { pct: `<b>${escapeHTML(num(a.mdape_pct))} %</b>`, n: escapeHTML(count(a.n)), bias: escapeHTML(signedMinutes(a.median_error_s)) })
    : escapeHTML(t('sup.etaNone'));
  const types = Object.keys(rep.by_type).sort((x, y) => rep.by_type[y].n - rep.by_type[x].n || x.localeCompare(y));
  $('#eta-type tbody').innerHTML = types.length
    ? types.map((k) => {
      const e = rep.by_type[k];
      return `<tr><td class="name">${escapeHTML(label('utype', k))}</td><td>${count(e.n)}</td>
        <td class="${etaClass(e) === 'bad' ? 'late' : etaClass(e)}">${escapeHTML(num(e.mdape_pct))} %</td><td>${escapeHTML(signedMinutes(e.median_error_s))} ${escapeHTML(t('sup.min'))}</td></tr>`;
    }).join('')
    : `<tr><td class="empty" colspan="4">${escapeHTML(t('sup.etaNone'))}</td></tr>`;
  $('#eta-hours').innerHTML = Array.from({ length: 24 }, (_, h) => {
    const key = String(h).padStart(2, '0');
    const e = rep.by_hour[key];
    const pct = e && e.n ? (e.mdape_pct > 999 ? '>999%' : `${num(Math.round(e.mdape_pct))}%`) : '—';
    return `<li class="${etaClass(e)}" title="${escapeHTML(t('sup.etaHourTitle', { h: key, n: e ? e.n : 0 }))}"><small>${key}</small><b>${escapeHTML(pct)}</b></li>`;
  }).join('');
}

function fillSelect(sel, options, current) {
  const first = sel.options[0].outerHTML;
  sel.innerHTML = first + options.map(([v, text]) => `<option value="${escapeHTML(v)}">${escapeHTML(text)}</option>`).join('');
  if (current && !options.some(([v]) => v === current)) {
    sel.insertAdjacentHTML('beforeend', `<option value="${escapeHTML(current)}">${escapeHTML(current)}</option>`);
  }
  sel.value = current;
}

class Dashboard {
  constructor(libs) {
    this.trend = libs.uPlot ? new TrendChart(libs.uPlot, $('#trend')) : null;
    this.dist = libs.uPlot ? new DistChart(libs.uPlot, $('#dist')) : null;
    this.map = libs.L ? new Choropleth(libs.L, $('#map'), $('#legend')) : null;
    if (!libs.uPlot) for (const id of ['#trend', '#dist']) $(id).innerHTML = `<p class="map-msg">${escapeHTML(t('sup.noCharts'))}</p>`;
    if (!libs.L) $('#map').innerHTML = `<p class="map-msg">${escapeHTML(t('sup.noMap'))}</p>`;
    this.timer = null;
    this.seq = 0;
  }

  async refresh() {
    clearTimeout(this.timer);
    const seq = ++this.seq;
    const today = wibDay(Date.now());
    const updated = $('#updated');
    try {
      const [todayRep, days, districts, tab, agencies, eta] = await Promise.all([
        report({ from: today, to: today }),
        report({ group_by: 'day' }),
        report({ group_by: 'district' }),
        report({ group_by: state.tab }),
        report({ group_by: 'agency' }, { filters: false }),
        get(`/api/v1/metrics/eta?${new URLSearchParams(Object.entries({ from: state.from, to: state.to }).filter(([, v]) => v))}`),
      ]);
      if (seq !== this.seq) return; // a newer refresh started meanwhile
      renderTiles(todayRep, days);
      renderTable(tab);
      renderETA(eta);
      if (this.trend) this.trend.update(days, state.from, state.to || (state.from ? today : ''));
      if (this.dist) this.dist.update(days);
      if (this.map) this.map.update(districts);
      const outside = districts.groups.find((g) => g.key === '');
      $('#map-note').textContent = outside && outside.count ? t('sup.outside', { n: count(outside.count) }) : '';
      fillSelect($('#f-agency'), agencies.groups.map((g) => [g.key, label('agency', g.key)]), state.agency);
      $('#csv').href = `/api/v1/metrics/incidents.csv?${query()}`;
      updated.textContent = t('sup.updated', { at: wib(new Date()) });
      updated.classList.remove('error');
      document.body.dataset.loaded = 'true';
    } catch (err) {
      console.error('refresh', err);
      updated.textContent = t('sup.failed', { msg: err.message });
      updated.classList.add('error');
    }
    this.timer = setTimeout(() => this.refresh(), POLL_MS);
  }
}

function bindFilters(dash) {
  const form = $('#filters');
  const from = $('#f-from');
  const to = $('#f-to');
  fillSelect($('#f-category'), categories.map((c) => [c, label('cat', c)]), state.category);
  from.value = state.from;
  to.value = state.to;
  const changed = () => { writeURL(); dash.refresh(); };
  form.addEventListener('change', () => {
    state.from = from.value;
    state.to = to.value;
    state.category = $('#f-category').value;
    state.agency = $('#f-agency').value;
    changed();
  });
  form.addEventListener('submit', (e) => e.preventDefault());
  for (const b of form.querySelectorAll('[data-range]')) {
    b.addEventListener('click', () => {
      const r = b.dataset.range;
      state.to = r === 'all' ? '' : wibDay(Date.now());
      state.from = r === 'all' ? '' : wibDay(Date.now() - (Number(r) - 1) * 86400000);
      from.value = state.from;
      to.value = state.to;
      changed();
    });
  }
  const tabs = document.querySelectorAll('.tabs [data-by]');
  const select = () => tabs.forEach((b) => b.setAttribute('aria-selected', String(b.dataset.by === state.tab)));
  select();
  tabs.forEach((b) => b.addEventListener('click', () => { state.tab = b.dataset.by; select(); changed(); }));
  document.addEventListener('visibilitychange', () => { if (!document.hidden) dash.refresh(); });
}

async function main() {
  // The charts draw their labels once: a new language redraws the page.
  wireLangSwitch();
  onLangChange(() => location.reload());
  readURL();
  const libs = {};
  // The npm files are optional: without them the tiles and tables still work.
  try { libs.uPlot = (await import('../vendor/uplot/uPlot.esm.js')).default; } catch (err) { console.error('uplot', err); }
  try { libs.L = await import('../vendor/leaflet/leaflet.js'); } catch (err) { console.error('leaflet', err); }
  const dash = new Dashboard(libs);
  bindFilters(dash);
  await dash.refresh();
}

main();
