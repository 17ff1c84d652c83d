// The public complaint form and its tracking: no account. The tracking
// token is shown once and kept in the link's #fragment, which browsers do
// not send to servers or put in their logs.

import { get, post, APIError } from './api.js';
import { $, escapeHTML } from './dom.js';
import { t, wib, lang, label, wireLangSwitch } from './i18n.js';

const dateFmt = { id: new Intl.DateTimeFormat('id-ID', { timeZone: 'Asia/Jakarta', day: 'numeric', month: 'short', year: 'numeric' }),
  en: new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Jakarta', day: 'numeric', month: 'short', year: 'numeric' }) };
const when = (at) => (at ? `${dateFmt[lang()].format(new Date(at))} ${wib(at)} WIB` : '');

function say(text, kind) {
  $('#msg').textContent = text;
  $('#msg').className = `msg ${kind}`;
}

async function send(e) {
  e.preventDefault();
  const body = { channel: 'web', text: $('#text').value, category: $('#category').value, name: $('#name').value, phone: $('#phone').value };
  if ($('#use-loc').checked && navigator.geolocation) {
    try {
      const pos = await new Promise((ok, fail) => navigator.geolocation.getCurrentPosition(ok, fail, { timeout: 8000 }));
      body.location = { lat: pos.coords.latitude, lon: pos.coords.longitude };
    } catch { /* sent without location */ }
  }
  $('#send').disabled = true;
  try {
    const c = await post('/api/v1/complaints', body);
    $('#complaint-form').reset();
    $('#count').textContent = '0 / 4000';
    say('', '');
    $('#t-number').textContent = c.number;
    $('#t-token').textContent = c.token;
    $('#t-link').href = `/complaint#${encodeURIComponent(c.number)}:${c.token}`;
    $('#ticket').hidden = false;
    $('#tr-number').value = c.number;
    $('#tr-token').value = c.token;
    await track();
  } catch (err) {
    say(err instanceof APIError && err.status === 429 ? t('complaint.tooMany') : err.message, 'err');
  } finally {
    $('#send').disabled = false;
  }
}

async function track(e) {
  if (e) e.preventDefault();
  const number = $('#tr-number').value.trim(), token = $('#tr-token').value.trim();
  if (!number || !token) return;
  try {
    const c = await get(`/api/v1/complaints/${encodeURIComponent(number)}?token=${encodeURIComponent(token)}`);
    const steps = [
      ['received', t('complaint.stepReceived', { at: when(c.received_at) }), true],
      ['forwarded', c.agencies?.length > 1
        ? t('complaint.stepForwardedMany', { agencies: c.agencies.map((a) => label('agency', a)).join(', '), at: when(c.forwarded_at) })
        : c.agency ? t('complaint.stepForwardedTo', { agency: label('agency', c.agency), at: when(c.forwarded_at) }) : t('complaint.stepForwarded'), !!c.forwarded_at],
      ['responded', t('complaint.stepResponded', { at: when(c.responded_at) }), !!c.responded_at],
      ['closed', t('complaint.stepFeedback', { at: when(c.feedback_at) }), !!c.feedback_at],
    ];
    $('#track').innerHTML = `<h3 id="track-status">${escapeHTML(c.number)}: ${escapeHTML(label('complaintStatus', c.status))}</h3>
      <p class="muted">${escapeHTML(label('complaintCat', c.category))}</p>
      <ul class="steps">${steps.map(([, text, d]) => `<li class="${d ? 'done' : ''}">${escapeHTML(text)}</li>`).join('')}</ul>
      ${c.feedback ? `<p><b>${escapeHTML(t('complaint.feedback'))}:</b> ${escapeHTML(c.feedback)}</p>` : `<p class="muted">${escapeHTML(t('complaint.feedbackBy', { at: when(c.feedback_due_at) }))}</p>`}
      ${c.reopened ? `<p class="msg err">${escapeHTML(t('complaint.reopened', { n: c.reopened }))}</p>` : ''}
      ${c.rating && c.status === 'closed' ? `<p class="msg ok">${escapeHTML(t(`complaint.rated.${c.rating}`))}</p>` : ''}
      ${c.can_rate ? `<div class="rate"><b>${escapeHTML(t('complaint.rateTitle'))}</b>
        <textarea id="rate-text" rows="3" maxlength="4000" placeholder="${escapeHTML(t('complaint.rateHint'))}"></textarea>
        <div class="choices"><button type="button" class="btn go" data-rate="puas">${escapeHTML(t('complaint.ratePuas'))}</button>
        <button type="button" class="btn" data-rate="tidak_puas">${escapeHTML(t('complaint.rateTidak'))}</button></div></div>` : ''}`;
  } catch (err) {
    $('#track').innerHTML = `<p class="msg err">${escapeHTML(err.status === 404 ? t('complaint.noMatch') : err.message)}</p>`;
  }
}

/** rate sends the citizen's puas / tidak puas with the token they hold. */
async function rate(e) {
  const b = e.target.closest('button[data-rate]');
  if (!b) return;
  const number = $('#tr-number').value.trim(), token = $('#tr-token').value.trim();
  b.disabled = true;
  try {
    await post(`/api/v1/complaints/${encodeURIComponent(number)}/rating`, { token, rating: b.dataset.rate, text: $('#rate-text').value });
    await track();
    if (b.dataset.rate === 'tidak_puas') $('#track').insertAdjacentHTML('beforeend', `<p class="msg ok">${escapeHTML(t('complaint.rated.tidak_puas'))}</p>`);
  } catch (err) {
    b.disabled = false;
    $('#track').insertAdjacentHTML('beforeend', `<p class="msg err">${escapeHTML(err.message)}</p>`);
  }
}

async function init() {
  let meta;
  const fill = () => {
    if (!meta) return;
    const v = $('#category').value || 'other';
    $('#category').innerHTML = meta.categories.map((c) => `<option value="${escapeHTML(c)}">${escapeHTML(label('complaintCat', c))}</option>`).join('');
    $('#category').value = v;
  };
  wireLangSwitch(() => {
    fill();
    if ($('#track').childElementCount) track();
  });
  $('#text').addEventListener('input', () => { $('#count').textContent = `${$('#text').value.length} / 4000`; });
  $('#complaint-form').addEventListener('submit', send);
  $('#track-form').addEventListener('submit', track);
  $('#track').addEventListener('click', rate);
  const m = /^#([^:]+):([0-9a-f]+)$/.exec(location.hash);
  if (m) {
    $('#tr-number').value = decodeURIComponent(m[1]);
    $('#tr-token').value = m[2];
    track();
  }
  $('#text').focus();
  // The codes come from the server (the public form's part of the catalog).
  for (let wait = 500; ; wait = Math.min(wait * 2, 10000)) {
    try { meta = await get('/api/v1/complaints/meta'); break; } catch { await new Promise((r) => setTimeout(r, wait)); }
  }
  fill();
}

if (document.getElementById('complaint-form')) init();
