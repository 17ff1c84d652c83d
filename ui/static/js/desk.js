// The Media Center's complaint desk and the agencies' view: queues with SLA
// countdowns (overdue rows stand out), forward / respond / feedback in the
// row, and the report of which agencies and categories get most complaints.

import { me } from './gate.js'; // log in first
import { get, post } from './api.js';
import { $, escapeHTML } from './dom.js';
import { t, wib, duration, label, wireLangSwitch } from './i18n.js';

let meta = null;
let skew = 0; // server clock − browser clock, ms (the server's clock rules the SLAs)
let tab = 'queue';
let list = [];

const now = () => Date.now() + skew;
const catLabel = (c) => label('complaintCat', c);
const agencyLabel = (a) => (a ? label('agency', a) : t('desk.notForwarded'));

function say(text, kind = '') {
  $('#msg').textContent = text;
  $('#msg').className = `msg ${kind}`;
}

function query() {
  const p = new URLSearchParams();
  const set = (k, v) => { if (v) p.set(k, v); };
  set('status', tab === 'agency' ? 'forwarded' : $('#f-status').value);
  set('agency', $('#f-agency').value);
  set('category', $('#f-category').value);
  set('district', $('#f-district').value.trim());
  set('from', $('#f-from').value);
  set('to', $('#f-to').value);
  set('q', $('#f-q').value.trim());
  return p.toString();
}

async function load() {
  try {
    list = await get(`/api/v1/complaints?${query()}`);
    render();
  } catch (err) { say(err.message, 'err'); }
}

/** due is the SLA that runs now: the agency's answer, else the citizen's feedback. */
function due(c) {
  if (c.status === 'forwarded') return { at: Date.parse(c.response_due_at), what: t('desk.dueAnswer') };
  if (c.status !== 'closed') return { at: Date.parse(c.feedback_due_at), what: t('desk.dueFeedback') };
  return null;
}

const slaText = (left) => (left <= 0 ? t('desk.late', { d: duration(-left) }) : t('desk.left', { d: duration(left) }));

function slaCell(c) {
  const d = due(c);
  if (!d) return '<span class="muted">—</span>';
  const left = (d.at - now()) / 1000;
  const cls = left <= 0 ? 'late' : left < 600 ? 'soon' : 'fine';
  const txt = slaText(left);
  return `<span class="sla ${cls}" data-due="${d.at}">${txt}</span><div class="muted">${d.what}</div>`;
}

function actions(c) {
  const agencies = meta.agencies.map((a) => `<option value="${escapeHTML(a)}">${escapeHTML(agencyLabel(a))}</option>`).join('');
  const id = escapeHTML(c.id);
  if (c.status === 'received') {
    return `<div class="act"><select data-agency="${id}" aria-label="${escapeHTML(t('desk.agency'))}">${agencies}</select>
      <button class="btn" data-act="forward" data-id="${id}">${escapeHTML(t('desk.forward'))}</button></div>${feedback(id)}`;
  }
  if (c.status === 'forwarded') {
    // Only the agency answers (the route refuses the desk and supervisors).
    if (me?.role !== 'agency') return `<span class="muted">${escapeHTML(t('desk.waitAnswer'))}</span>`;
    return `<div class="act"><input data-text="${id}" placeholder="${escapeHTML(t('desk.answerHint'))}"><button class="btn" data-act="respond" data-id="${id}">${escapeHTML(t('desk.answer'))}</button></div>`;
  }
  if (c.status === 'responded') {
    return feedback(id);
  }
  return `<span class="muted">${escapeHTML(t('desk.done'))}</span>`;
}

function feedback(id) {
  return `<div class="act"><input data-text="${id}" placeholder="${escapeHTML(t('desk.feedbackHint'))}"><button class="btn" data-act="feedback" data-id="${id}">${escapeHTML(t('desk.feedback'))}</button></div>`;
}

function render() {
  const at = now();
  let overdue = 0;
  $('#rows').innerHTML = list.map((c) => {
    const d = due(c);
    const late = d && d.at <= at;
    if (late) overdue++;
    const esc = c.escalation ? `<div class="esc">${escapeHTML(t('desk.mayorSMS'))}: ${escapeHTML(label('escalation', c.escalation.status))}${c.escalation.last_error ? ` (${escapeHTML(t('desk.failed', { n: c.escalation.attempts }))})` : ''}</div>` : '';
    return `<tr class="${late ? 'overdue' : ''}" data-number="${escapeHTML(c.number)}">
      <td><b>${escapeHTML(c.number)}</b><div class="muted">${wib(c.received_at)} · ${escapeHTML(c.channel)}</div></td>
      <td class="ctext"><div>${escapeHTML(c.text.length > 220 ? `${c.text.slice(0, 220)}…` : c.text)}</div>
        <div class="muted">${escapeHTML(catLabel(c.category))}${c.district ? ` · ${escapeHTML(c.district)}` : ''}${c.name ? ` · ${escapeHTML(c.name)}` : ''}</div>
        ${c.response ? `<div><b>OPD:</b> ${escapeHTML(c.response)}</div>` : ''}</td>
      <td>${escapeHTML(label('complaintStatus', c.status))}${c.agency ? `<div><b>${escapeHTML(agencyLabel(c.agency))}</b></div>` : ''}${esc}</td>
      <td>${slaCell(c)}</td>
      <td>${actions(c)}</td></tr>`;
  }).join('') || `<tr><td colspan="5" class="muted">${escapeHTML(t('desk.none'))}</td></tr>`;
  $('#summary').textContent = t('desk.summary', { n: list.length, late: overdue });
}

function tickSLAs() {
  for (const el of document.querySelectorAll('.sla[data-due]')) {
    const left = (Number(el.dataset.due) - now()) / 1000;
    el.textContent = slaText(left);
    el.className = `sla ${left <= 0 ? 'late' : left < 600 ? 'soon' : 'fine'}`;
    el.closest('tr').classList.toggle('overdue', left <= 0);
  }
  $('#now-time').textContent = wib(new Date(now()));
}

async function act(e) {
  const b = e.target.closest('button[data-act]');
  if (!b) return;
  const id = b.dataset.id, action = b.dataset.act;
  const body = action === 'forward'
    ? { agency: document.querySelector(`[data-agency="${CSS.escape(id)}"]`).value }
    : { text: document.querySelector(`[data-text="${CSS.escape(id)}"]`).value };
  b.disabled = true;
  try {
    const c = await post(`/api/v1/complaints/${id}/${action}`, body);
    say(`${c.number}: ${label('complaintStatus', c.status)}`, 'ok');
    await load();
  } catch (err) {
    say(err.message, 'err');
    b.disabled = false;
  }
}

async function loadReport() {
  const p = new URLSearchParams({ bucket: $('#r-bucket').value });
  if ($('#r-from').value) p.set('from', $('#r-from').value);
  if ($('#r-to').value) p.set('to', $('#r-to').value);
  try {
    const r = await get(`/api/v1/complaints/report?${p}`);
    const table = (rows, name, keyLabel) => `<thead><tr><th>${escapeHTML(name)}</th><th>${escapeHTML(t('desk.count'))}</th><th>${escapeHTML(t('desk.escalated'))}</th></tr></thead><tbody>${
      rows.map((x) => `<tr><td>${escapeHTML(keyLabel(x.key))}</td><td>${x.total}</td><td>${x.escalated}</td></tr>`).join('')
      || `<tr><td colspan="3" class="muted">${escapeHTML(t('desk.noData'))}</td></tr>`}</tbody>`;
    $('#r-agency').innerHTML = table(r.agency, t('desk.agency'), agencyLabel);
    $('#r-category').innerHTML = table(r.category, t('new.category'), catLabel);
    drawChart(r);
  } catch (err) { say(err.message, 'err'); }
}

/** drawChart stacks the top five agencies' complaints per bucket (SVG). */
function drawChart(r) {
  const svg = $('#chart');
  const W = svg.clientWidth || 800, H = svg.clientHeight || 220, pad = 28;
  const top = r.agency.slice(0, 5);
  const colors = ['#ff9500', '#5ac8fa', '#30d158', '#bf7bff', '#ffd60a'];
  const totals = r.buckets.map((_, i) => r.agency.reduce((s, a) => s + a.series[i], 0));
  const max = Math.max(1, ...totals);
  const bw = (W - pad * 2) / Math.max(1, r.buckets.length);
  let out = `<line x1="${pad}" y1="${H - pad}" x2="${W - pad}" y2="${H - pad}" stroke="#2a3a50"/>
    <text x="4" y="14" fill="#a9b8ca" font-size="12">${max}</text>`;
  r.buckets.forEach((b, i) => {
    let y = H - pad;
    top.forEach((a, k) => {
      const h = (a.series[i] / max) * (H - pad * 2);
      if (h > 0) out += `<rect x="${pad + i * bw + 1}" y="${y - h}" width="${Math.max(1, bw - 2)}" height="${h}" fill="${colors[k]}"><title>${escapeHTML(a.key || '—')} ${b}: ${a.series[i]}</title></rect>`;
      y -= h;
    });
    if (r.buckets.length <= 31 && i % Math.ceil(r.buckets.length / 10) === 0) out += `<text x="${pad + i * bw}" y="${H - 8}" fill="#a9b8ca" font-size="11">${b.slice(5)}</text>`;
  });
  out += top.map((a, k) => `<text x="${W - pad - 120}" y="${16 + k * 15}" fill="${colors[k]}" font-size="12">■ ${escapeHTML(agencyLabel(a.key))}</text>`).join('');
  svg.innerHTML = out;
}

function switchTab(name) {
  tab = name;
  for (const b of document.querySelectorAll('[data-tab]')) b.setAttribute('aria-selected', String(b.dataset.tab === name));
  $('#tab-queue').hidden = name === 'report';
  $('#tab-report').hidden = name !== 'report';
  $('#filters').hidden = name === 'report';
  $('#f-status').disabled = name === 'agency';
  if (name === 'report') loadReport(); else load();
}

function fillCategories() {
  if (!meta) return;
  const sel = $('#f-category');
  const v = sel.value;
  sel.innerHTML = `<option value="">${escapeHTML(t('desk.all'))}</option>`
    + meta.categories.map((c) => `<option value="${escapeHTML(c)}">${escapeHTML(catLabel(c))}</option>`).join('');
  sel.value = v;
}

async function init() {
  const statuses = $('#f-status');
  wireLangSwitch(() => {
    if (tab === 'report') loadReport(); else if (meta) render();
    fillCategories();
    for (const o of statuses.querySelectorAll('option[data-status]')) o.textContent = label('complaintStatus', o.value);
  });
  meta = await get('/api/v1/complaints/meta');
  skew = Date.parse(meta.now) - Date.now();
  $('#f-agency').innerHTML += meta.agencies.map((a) => `<option value="${escapeHTML(a)}">${escapeHTML(agencyLabel(a))}</option>`).join('');
  fillCategories();
  // The statuses come from the server; "open", "overdue" and "all" are the desk's own views.
  statuses.insertAdjacentHTML('beforeend', meta.statuses.map((st) => `<option value="${escapeHTML(st)}" data-status>${escapeHTML(label('complaintStatus', st))}</option>`).join('')
    + `<option value="" data-i18n="desk.all">${escapeHTML(t('desk.all'))}</option>`);
  $('#filters').addEventListener('change', load);
  $('#filters').addEventListener('submit', (e) => { e.preventDefault(); load(); });
  $('#f-q').addEventListener('input', () => { clearTimeout(init.t); init.t = setTimeout(load, 250); });
  $('#rows').addEventListener('click', act);
  for (const b of document.querySelectorAll('[data-tab]')) b.addEventListener('click', () => switchTab(b.dataset.tab));
  for (const id of ['#r-bucket', '#r-from', '#r-to']) $(id).addEventListener('change', loadReport);
  await load();
  setInterval(tickSLAs, 1000);
  // Refresh, but never under the hands of someone typing an answer.
  const busy = () => $('#rows').contains(document.activeElement) || [...document.querySelectorAll('[data-text]')].some((i) => i.value);
  setInterval(() => { if (tab !== 'report' && !busy()) load(); }, 10000);
}

init().catch((err) => say(err.message, 'err'));
