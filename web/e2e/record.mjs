// Browser test of an incident's record on the dispatcher console, run by
// the Go test cmd/dispatchd TestIncidentRecordInBrowser against a real
// dispatchd (demo city, no simulator):
//  1. the history tab finds a cancelled incident by a note's words and
//     opens it read-only with its whole log; it is reopened with a reason;
//  2. an open incident moved by typed coordinates outside the service
//     area is saved only with a reason (the question first);
//  3. a duplicate is merged into it from the console.
// Usage: node record.mjs BASE_URL (env SCREENSHOTS with ALL_SHOTS set:
// screenshots at 1920×1080, 3840×2160 and 390×844 in both languages).
import { chromium } from 'playwright-core';
import { gotoAs, launchOptions, shootSizes } from './login.mjs';
import { randomBytes } from 'node:crypto';

const base = process.argv[2];
const shots = process.env.ALL_SHOTS ? process.env.SCREENSHOTS : '';
const WAIT = 15000;
const fail = (msg) => { throw new Error(msg); };

const browser = await chromium.launch(launchOptions());

try {
  const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'id-ID', timezoneId: 'UTC' });
  await ctx.route((url) => !url.href.startsWith(base), (route) => route.abort()); // no outside network
  const page = await ctx.newPage();
  page.on('pageerror', (e) => { console.error('page error:', e.message); process.exitCode = 1; });
  page.on('dialog', (d) => d.accept()); // the merge's confirm
  await gotoAs(page, base, '/', 'dispatcher');
  await page.waitForSelector('#conn[data-state=live]', { timeout: WAIT });

  // The API as this dispatcher (the page's session).
  const api = async (method, path, data) => {
    const res = await page.request.fetch(base + path, {
      method, data, headers: { 'X-Requested-With': 'cc112', 'Idempotency-Key': randomBytes(8).toString('hex') },
    });
    const body = await res.json();
    if (!res.ok()) fail(`${method} ${path}: ${res.status()} ${JSON.stringify(body)}`);
    return body;
  };
  const make = (category, lat, address) => api('POST', '/api/v1/incidents', { category, location: { lat, lon: 112.7378 }, address });
  const old = await make('fire', -7.2458, 'Gudang Jl. Kalisosok 12');
  await api('POST', `/api/v1/incidents/${old.id}/notes`, { text: 'Kunci gudang dibawa penjaga', internal: true });
  await api('POST', `/api/v1/incidents/${old.id}/cancel`, { reason: 'pelapor salah lihat asap' });
  const keep = await make('flood', -7.2600, 'Jl. Embong Malang');
  const dup = await make('flood', -7.2605, 'Jl. Embong Malang 3');

  // 1. History: search by the note's words, open it, read-only with its log.
  await page.locator('#history-btn').click();
  await page.locator('#history input[name=q]').fill('kunci gudang');
  await page.locator('#history button[type=submit]').click();
  const row = page.locator('#history tr[data-id]', { hasText: old.number });
  await row.waitFor({ timeout: WAIT });
  if (await page.locator('#history tr[data-id]').count() !== 1) fail('the note search found other incidents');
  await row.click();
  const panel = page.locator('#detail');
  await panel.locator('.read-only').waitFor({ timeout: WAIT });
  await panel.locator('.activity li.internal', { hasText: 'Kunci gudang dibawa penjaga' }).waitFor({ timeout: WAIT });
  await panel.locator('.activity li', { hasText: 'pelapor salah lihat asap' }).waitFor({ timeout: WAIT });
  for (const sel of ['.note-form', '.edit-form', '.close-form', '.recs', '.merge-form']) {
    if (await panel.locator(sel).count()) fail(`a closed incident shows ${sel}`);
  }
  // The filters narrow it: a category the incident is not finds nothing.
  await page.locator('#history select[name=category]').selectOption('flood');
  await page.locator('#history button[type=submit]').click();
  await page.locator('#history .hist-none').waitFor({ timeout: WAIT });
  await page.locator('#history select[name=category]').selectOption('fire');
  await page.locator('#history button[type=submit]').click();
  await row.waitFor({ timeout: WAIT });
  await shootSizes(page, shots, 'history');
  console.log(`history: ${old.number} found by its note, opened read-only with its log`);

  // Reopened from the panel, with a reason.
  await panel.locator('.reason-form input[name=reason]').fill('asap terlihat lagi');
  await panel.locator('.reason-form button[type=submit]').click();
  for (let k = 0; ; k++) {
    const inc = await api('GET', `/api/v1/incidents/${old.id}`);
    if (inc.status === 'new') break;
    if (k > 50) fail(`reopened incident ${JSON.stringify(inc)}`);
    await page.waitForTimeout(200);
  }
  await panel.locator('.note-form').waitFor({ timeout: WAIT }); // open again: notes allowed
  console.log(`history: ${old.number} reopened`);

  // 2. The open incident's location typed outside the area: asked first.
  await page.locator('#history-btn').click(); // back to the map
  await page.locator('.inc-row', { hasText: keep.number }).click();
  await panel.locator('details[data-keep=edit] summary').click();
  await panel.locator('input[name=location]').fill('-7.05, 113.45');
  await panel.locator('input[name=address]').fill('Dermaga nelayan, Selat Madura');
  await panel.locator('.edit-form button[type=submit]').click();
  const ask = page.locator('dialog.ask[open]', { hasText: 'di luar wilayah' });
  await ask.waitFor({ timeout: WAIT });
  await shootSizes(page, shots, 'detail-out-of-area');
  await page.locator('dialog.ask input[name=reason]').fill('Perahu terbalik di selat');
  await page.keyboard.press('Enter');
  for (let k = 0; ; k++) {
    const inc = await api('GET', `/api/v1/incidents/${keep.id}`);
    if (inc.out_of_area && inc.out_of_area.reason === 'Perahu terbalik di selat' && Math.abs(inc.location.lon - 113.45) < 1e-6 &&
      inc.address === 'Dermaga nelayan, Selat Madura') {
      // Only what was changed: the form of the incident shown before
      // (a fire) must not have carried its category over.
      if (inc.category !== 'flood') fail(`the edit changed the category: ${inc.category}`);
      break;
    }
    if (k > 50) fail(`edited incident ${JSON.stringify(inc)}`);
    await page.waitForTimeout(200);
  }
  console.log(`detail: ${keep.number} moved outside the area with its reason`);

  // 3. The duplicate merged into it.
  await page.locator('.inc-row', { hasText: dup.number }).click();
  await panel.locator('.panel-head', { hasText: dup.number }).waitFor({ timeout: WAIT });
  await panel.locator('details[data-keep=merge] summary').click();
  await panel.locator('.merge-form select[name=into]').selectOption(keep.id);
  await shootSizes(page, shots, 'detail-merge', '#detail .merge-form');
  await panel.locator('.merge-form button[type=submit]').click();
  for (let k = 0; ; k++) {
    const d = await api('GET', `/api/v1/incidents/${dup.id}`);
    if (d.status === 'closed' && d.merged_into === keep.id) break;
    if (k > 50) fail(`merged incident ${JSON.stringify(d)}`);
    await page.waitForTimeout(200);
  }
  await panel.locator('.panel-head', { hasText: keep.number }).waitFor({ timeout: WAIT }); // the one that stays
  console.log(`detail: ${dup.number} merged into ${keep.number}`);
  if (process.exitCode) fail('page errors');
  console.log('1 passed, 0 failed');
} finally {
  await browser.close();
}
