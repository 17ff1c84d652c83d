// The Media Center's complaint desk and the agencies' view: queues with SLA
// countdowns (overdue rows stand out), forward / respond / feedback in the
// row, and the report of which agencies and categories get most complaints.

import { can, me } from './gate.js'; // log in first
import { watchOutage } from './outage.js';
import { get, post } from './api.js';
import { $, escapeHTML } from './dom.js';
import { t, wib, duration, label, wireLangSwitch } from './i18n.js';

watchOutage(); // the banner when the server is gone, the login page when the session is

let meta = null;
let skew = 0; // server clock − browser clock, ms (the server's clock rules the SLAs)
let tab = 'queue';
let list = [];
let next = ''; // the list's next_cursor: more complaints than one page
let qList = [];
let qNext = '';

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

/** load fetches the first page of the list; more() appends the next. */
async function load() {
  try {
    const page = await get(`/api/v1/complaints?${query()}`);
    list = page.items;
    next = page.next_cursor;
    render();
  } catch (err) { say(err.message, 'err'); }
}

async function more() {
  try {
    const page = await get(`/api/v1/complaints?${query()}&cursor=${encodeURIComponent(next)}`);
    list = list.concat(page.items);
    next = page.next_cursor;
    render();
  } catch (err) { say(err.message, 'err'); }
}

/** due is the SLA that runs now: the triage (forward it), the earliest open agency's answer, else the citizen's feedback. */
function due(c) {
  if (c.status === 'received' && c.triage_due_at) return { at: Date.parse(c.triage_due_at), what: t('desk.dueTriage') };
  if (c.status === 'forwarded') {
    const open = (c.forwards || []).filter((f) => f.status === 'open').map((f) => Date.parse(f.response_due_at));
    return { at: open.length ? Math.min(...open) : Date.parse(c.response_due_at), what: t('desk.dueAnswer') };
  }
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

// What this user may do with complaints (the server's route table).
const may = {
  forward: can('POST', '/api/v1/complaints/{id}/forward'),
  respond: can('POST', '/api/v1/complaints/{id}/respond'),
  feedback: can('POST', '/api/v1/complaints/{id}/feedback'),
};

function actions(c) {
  // The server's category → agency configuration proposes the agency.
  const proposed = meta.category_agencies?.[c.category];
  const agencies = meta.agencies.map((a) => `<option value="${escapeHTML(a)}"${a === proposed ? ' selected' : ''}>${escapeHTML(agencyLabel(a))}</option>`).join('');
  const id = escapeHTML(c.id);
  if (c.status === 'received') {
    if (!may.forward) return `<span class="muted">${escapeHTML(t('desk.waitForward'))}</span>`;
    // Several agencies at once: each gets its own SLA clock.
    return `<div class="act"><select multiple size="4" data-agency="${id}" aria-label="${escapeHTML(t('desk.agencies'))}" title="${escapeHTML(t('desk.agencies'))}">${agencies}</select>
      <button class="btn" data-act="forward" data-id="${id}">${escapeHTML(t('desk.forward'))}</button></div>${feedback(id)}`;
  }
  if (c.status === 'forwarded') {
    // Only the agency answers (the route refuses the desk and supervisors).
    if (may.respond) {
      return `<div class="act"><input data-text="${id}" placeholder="${escapeHTML(t('desk.answerHint'))}"><button class="btn" data-act="respond" data-id="${id}">${escapeHTML(t('desk.answer'))}</button></div>`;
    }
    // The desk re-forwards an open agency's part when it says it is not theirs (reason required).
    if (!may.forward) return `<div class="act"><span class="muted">${escapeHTML(t('desk.waitAnswer'))}</span></div>`;
    const open = (c.forwards || []).filter((f) => f.status === 'open');
    const from = open.map((f) => `<option value="${escapeHTML(f.agency)}">${escapeHTML(agencyLabel(f.agency))}</option>`).join('');
    return `<div class="act"><span class="muted">${escapeHTML(t('desk.waitAnswer'))}</span></div>
      <div class="act"><select data-from="${id}" aria-label="${escapeHTML(t('desk.agency'))}">${from}</select>
      <span class="muted">${escapeHTML(t('desk.reforwardTo'))}</span>
      <select data-agency="${id}" aria-label="${escapeHTML(t('desk.reforwardTo'))}">${agencies}</select></div>
      <div class="act"><input data-reason="${id}" placeholder="${escapeHTML(t('desk.reasonHint'))}">
      <button class="btn" data-act="reforward" data-id="${id}">${escapeHTML(t('desk.reforward'))}</button></div>`;
  }
  if (c.status === 'responded') {
    return feedback(id);
  }
  return `<span class="muted">${escapeHTML(t('desk.done'))}</span>`;
}

function feedback(id) {
  if (!may.feedback) return '';
  return `<div class="act"><input data-text="${id}" placeholder="${escapeHTML(t('desk.feedbackHint'))}"><button class="btn" data-act="feedback" data-id="${id}">${escapeHTML(t('desk.feedback'))}</button></div>`;
}

function render() {
  const at = now();
  let overdue = 0;
  $('#rows').innerHTML = list.map((c) => {
    const d = due(c);
    const late = d && d.at <= at;
    if (late) overdue++;
    const mayor = (c.messages || []).filter((m) => m.kind !== 'notice');
    const esc = mayor.map((m) => `<div class="esc">${escapeHTML(t('desk.mayorSMS'))}${m.agency ? ` (${escapeHTML(agencyLabel(m.agency))})` : m.kind === 'feedback' ? ` (${escapeHTML(t('desk.dueFeedback'))})` : ''}: ${escapeHTML(label('escalation', m.status))}${m.last_error ? ` (${escapeHTML(t('desk.failed', { n: m.attempts }))})` : ''}</div>`).join('');
    const notices = (c.messages || []).filter((m) => m.kind === 'notice');
    const sentN = notices.filter((m) => m.status === 'sent').length;
    const fwds = (c.forwards || []).map((f) => `<div class="fwd ${f.status}"><b>${escapeHTML(agencyLabel(f.agency))}</b> · ${escapeHTML(t(`desk.fwd.${f.status}`))}${f.reason ? `: <i>${escapeHTML(f.reason)}</i>` : ''}</div>`).join('');
    const flags = [
      c.status === 'received' && c.triage_alert_at ? `<div class="flag late">${escapeHTML(t('desk.triageAlert', { at: wib(c.triage_alert_at) }))}</div>` : '',
      c.repeat_of ? `<div class="flag">${escapeHTML(t('desk.repeatOf', { number: c.repeat_of }))}</div>` : '',
      c.same_citizen?.length ? `<div class="flag">${escapeHTML(t('desk.sameCitizen', { n: c.same_citizen.length, list: c.same_citizen.slice(0, 3).join(', ') }))}</div>` : '',
      c.reopened ? `<div class="flag late">${escapeHTML(t('desk.reopened', { n: c.reopened }))}${c.rating_text ? `: “${escapeHTML(c.rating_text)}”` : ''}</div>` : '',
      c.rating && !c.reopened ? `<div class="flag">${escapeHTML(t(`desk.rating.${c.rating}`))}</div>` : '',
    ].join('');
    return `<tr class="${late ? 'overdue' : ''}" data-number="${escapeHTML(c.number)}">
      <td><b>${escapeHTML(c.number)}</b><div class="muted">${wib(c.received_at)} · ${escapeHTML(label('channel', c.channel))}</div>${notices.length ? `<div class="muted">${escapeHTML(t('desk.notices', { sent: sentN, all: notices.length }))}</div>` : ''}</td>
      <td class="ctext"><div>${escapeHTML(c.text.length > 220 ? `${c.text.slice(0, 220)}…` : c.text)}</div>
        <div class="muted">${escapeHTML(catLabel(c.category))}${c.district ? ` · ${escapeHTML(c.district)}` : ''}${c.kelurahan ? ` · ${escapeHTML(c.kelurahan)}` : ''}${c.name ? ` · ${escapeHTML(c.name)}` : ''}${c.email ? ` · ${escapeHTML(c.email)}` : ''}</div>
        ${c.response ? `<div><b>OPD:</b> ${escapeHTML(c.response)}</div>` : ''}${flags}
        ${(c.attachments || []).map((a, i) => `<div><a href="/api/v1/complaints/${encodeURIComponent(c.id)}/attachments/${i}" target="_blank" rel="noopener">📎 ${escapeHTML(a.name || a.type)} (${Math.ceil(a.size / 1024)} KB)</a></div>`).join('')}</td>
      <td>${escapeHTML(label('complaintStatus', c.status))}${fwds || (c.agency ? `<div><b>${escapeHTML(agencyLabel(c.agency))}</b></div>` : '')}${esc}</td>
      <td>${slaCell(c)}</td>
      <td>${actions(c)}</td></tr>`;
  }).join('') || `<tr><td colspan="5" class="muted">${escapeHTML(t('desk.none'))}</td></tr>`;
  $('#summary').textContent = t(next ? 'desk.summaryMore' : 'desk.summary', { n: list.length, late: overdue });
  $('#more').hidden = !next;
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
  const field = (name) => document.querySelector(`[data-${name}="${CSS.escape(id)}"]`);
  let body;
  if (action === 'forward') {
    body = { agencies: [...field('agency').selectedOptions].map((o) => o.value) };
    if (!body.agencies.length) { say(t('desk.pickAgency'), 'err'); return; }
  } else if (action === 'reforward') {
    body = { from: field('from').value, agencies: [field('agency').value], reason: field('reason').value };
  } else {
    body = { text: field('text').value };
  }
  b.disabled = true;
  try {
    const c = await post(`/api/v1/complaints/${id}/${action === 'reforward' ? 'forward' : action}`, body);
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
  const own = ['report', 'entry', 'quarantine']; // tabs with their own pane (not the queue)
  for (const b of document.querySelectorAll('[data-tab]')) b.setAttribute('aria-selected', String(b.dataset.tab === name));
  $('#tab-queue').hidden = own.includes(name);
  for (const n of own) $(`#tab-${n}`).hidden = name !== n;
  $('#filters').hidden = own.includes(name);
  $('#f-status').disabled = name === 'agency';
  if (name === 'report') loadReport();
  else if (name === 'quarantine') loadQuarantine();
  else if (name !== 'entry') load();
}

async function loadQuarantine(cursor = '') {
  try {
    const page = await get(`/api/v1/complaints/quarantine${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
    qList = cursor ? qList.concat(page.items) : page.items;
    qNext = page.next_cursor;
    $('#q-more').hidden = !qNext;
    $('#q-rows').innerHTML = qList.map((q) => `<tr><td>${wib(q.at)}<div class="muted">${escapeHTML(q.source)}</div></td>
      <td>${escapeHTML(q.from || '—')}</td><td>${escapeHTML(q.subject || '—')}</td><td class="err">${escapeHTML(q.reason)}</td></tr>`).join('')
      || `<tr><td colspan="4" class="muted">${escapeHTML(t('desk.qNone'))}</td></tr>`;
  } catch (err) { say(err.message, 'err'); }
}

async function saveEntry(e) {
  e.preventDefault();
  const body = { channel: $('#e-channel').value, category: $('#e-category').value, text: $('#e-text').value,
    name: $('#e-name').value, phone: $('#e-phone').value, email: $('#e-email').value };
  try {
    const c = await post('/api/v1/complaints/entry', body);
    $('#entry-form').reset();
    $('#e-done').textContent = t('desk.entrySaved', { number: c.number, token: c.token });
    say('');
  } catch (err) { say(err.message, 'err'); }
}

function fillCategories() {
  if (!meta) return;
  const options = meta.categories.map((c) => `<option value="${escapeHTML(c)}">${escapeHTML(catLabel(c))}</option>`).join('');
  const sel = $('#f-category');
  const v = sel.value;
  sel.innerHTML = `<option value="">${escapeHTML(t('desk.all'))}</option>${options}`;
  sel.value = v;
  const e = $('#e-category');
  const ev = e.value || 'other';
  e.innerHTML = options;
  e.value = ev;
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
  $('#more').addEventListener('click', more);
  $('#q-more').addEventListener('click', () => loadQuarantine(qNext));
  $('#entry-form').addEventListener('submit', saveEntry);
  for (const b of document.querySelectorAll('[data-tab]')) b.addEventListener('click', () => switchTab(b.dataset.tab));
  for (const id of ['#r-bucket', '#r-from', '#r-to']) $(id).addEventListener('change', loadReport);
  await load();
  setInterval(tickSLAs, 1000);
  // Refresh, but never under the hands of someone typing an answer.
  const busy = () => $('#rows').contains(document.activeElement) || [...document.querySelectorAll('[data-text]')].some((i) => i.value);
  setInterval(() => { if (!['report', 'entry', 'quarantine'].includes(tab) && !busy()) load(); }, 10000);
}

init().catch((err) => say(err.message, 'err'));
