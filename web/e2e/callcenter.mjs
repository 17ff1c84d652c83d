// Browser end-to-end test of the call center, run by the Go test
// cmd/dispatchd TestCallCenterInBrowser against a real dispatchd:
//  1. a call taken on /calltaker (keyboard only) gets its AML circle and
//     becomes an incident in the dispatchers' queue; Esc never throws the
//     draft or the call away; a place outside the service area is marked,
//     and saving it asks for a reason (the incident keeps it);
//  2. a complaint filed on the public form is tracked by its number;
//  3. the desk shows it with its SLA countdown.
// Usage: node callcenter.mjs BASE_URL (env: SCREENSHOTS with ALL_SHOTS
// set: the pages at three sizes in both languages)
import { chromium } from 'playwright-core';
import { gotoAs, shootSizes } from './login.mjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const base = process.argv[2];
const shots = process.env.ALL_SHOTS ? process.env.SCREENSHOTS : '';
const fail = (msg) => { throw new Error(msg); };

function amlSMS(lat, lon, radius, at) {
  const p = (n) => String(n).padStart(2, '0');
  const top = `${at.getUTCFullYear()}${p(at.getUTCMonth() + 1)}${p(at.getUTCDate())}${p(at.getUTCHours())}${p(at.getUTCMinutes())}${p(at.getUTCSeconds())}`;
  const f = (v) => (v >= 0 ? '+' : '') + v.toFixed(5);
  const s = `A"ML=1;lt=${f(lat)};lg=${f(lon)};rd=${radius};top=${top};lc=68;pm=G;ml=`;
  for (let n = s.length + 1; ; n++) if (s.length + String(n).length === n) return s + n;
}

const profile = mkdtempSync(join(tmpdir(), 'cc112-e2e-'));
// A persistent context is how playwright takes a fresh --user-data-dir.
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1920, height: 1080 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));

  // The dispatchers' console is open on the wall before the call comes in.
  const wall = await browser.newPage();
  wall.on('pageerror', (e) => console.error('console page error:', e.message));
  await wall.route((url) => !url.href.startsWith(base), (route) => route.abort()); // no outside network
  await gotoAs(wall, base, '/', 'dispatcher');
  await wall.waitForSelector('#conn[data-state=live]', { timeout: 15000 });

  // 1. The call-taker.
  await gotoAs(page, base, '/calltaker', 'calltaker');
  // The location search (the server has the OSM road file): typing
  // "raya darmo" offers Jalan Raya Darmo with its kelurahan and kecamatan.
  await page.locator('#address').fill('raya darmo');
  const place = page.locator('#place-list button', { hasText: 'Jalan Raya Darmo' }).first();
  await place.waitFor({ timeout: 10000 });
  if (!/Tegalsari|Wonokromo/.test(await place.textContent())) fail(`place without its kecamatan: ${await place.textContent()}`);
  await place.click();
  if (!(await page.locator('#address').inputValue()).startsWith('Jalan Raya Darmo, ')) fail(`address ${await page.locator('#address').inputValue()}`);
  if (!(await page.locator('#places').isHidden())) fail('the places stay open after a choice');
  await page.locator('#phone').fill('0812 7777 1120');
  await page.keyboard.press('Enter');
  await page.locator('#call-state', { hasText: 'aktif' }).waitFor({ timeout: 10000 });
  await page.locator('#name').fill('Rina Wati');
  // The phone's AML arrives by SMS a few seconds after dialling.
  const res = await fetch(`${base}/api/v1/aml?from=%2B6281277771120`, {
    method: 'POST', headers: { 'Content-Type': 'text/plain', 'X-API-Key': process.env.AML_API_KEY || '' }, body: amlSMS(-7.2575, 112.7521, 25, new Date()),
  });
  if (res.status !== 200) fail(`AML answered ${res.status}: ${await res.text()}`);
  await page.locator('#loc.ok', { hasText: 'AML' }).waitFor({ timeout: 10000 });
  await page.locator('#category').selectOption('fire');
  await page.locator('#priority').selectOption('1');
  await page.locator('#notes').fill('Asap tebal dari gudang');
  // Esc keeps everything: the call stays open, the draft as typed.
  await page.locator('#notes').press('Escape');
  await page.locator('#msg', { hasText: 'Esc tidak membuang panggilan' }).waitFor({ timeout: 5000 });
  for (const [sel, want] of [['#name', 'Rina Wati'], ['#notes', 'Asap tebal dari gudang'], ['#phone', '+6281277771120']]) {
    if ((await page.locator(sel).inputValue()) !== want) fail(`Esc changed ${sel}: ${await page.locator(sel).inputValue()}`);
  }
  if (!(await page.locator('#call-state').textContent()).includes('aktif')) fail('Esc ended the call');
  // "New call" refuses while this one is open.
  await page.locator('#new-call').click();
  await page.locator('#msg', { hasText: 'Akhiri panggilan ini dulu' }).waitFor({ timeout: 5000 });
  if ((await page.locator('#notes').inputValue()) !== 'Asap tebal dari gudang') fail('New call threw the draft away');
  await shootSizes(page, shots, 'calltaker');
  await page.keyboard.press('Control+Enter');
  const msg = page.locator('#msg', { hasText: 'dibuat' });
  await msg.waitFor({ timeout: 10000 });
  const number = /SBY-\d{8}-\d{4}/.exec(await msg.textContent())[0];
  const incidents = (await (await page.request.get(`${base}/api/v1/incidents?status=active&q=${number}`)).json()).items; // the page's session
  const inc = incidents.find((i) => i.number === number) || fail(`incident ${number} not in the dispatch queue`);
  if (!inc.address.startsWith('Jalan Raya Darmo, ')) fail(`incident address ${inc.address}`);
  if (inc.caller.phone !== '+6281277771120' || inc.caller.name !== 'Rina Wati' || inc.category !== 'fire' || inc.priority !== 1 || inc.callers !== 1) {
    fail(`incident ${JSON.stringify(inc)}`);
  }
  if (Math.abs(inc.location.lat + 7.2575) > 1e-4) fail(`incident location ${JSON.stringify(inc.location)}`);
  // It appears on the dispatchers' console by itself (the live feed).
  await wall.locator('.inc-row', { hasText: number }).waitFor({ timeout: 10000 });
  console.log(`console: ${number} appeared live in the dispatchers' queue`);

  // A second caller nearby: the fire is offered and linked with Alt+1.
  await page.keyboard.press('Escape');
  await page.locator('#phone').fill('081300001111');
  await page.keyboard.press('Enter');
  await page.locator('#call-state', { hasText: 'aktif' }).waitFor({ timeout: 10000 });
  // Its phone sends a two-hour-old fix: kept, and flagged for the call-taker.
  const old = await fetch(`${base}/api/v1/aml?from=081300001111`, { method: 'POST', headers: { 'Content-Type': 'text/plain', 'X-API-Key': process.env.AML_API_KEY || '' }, body: amlSMS(-7.2578, 112.7524, 40, new Date(Date.now() - 2 * 3600e3)) });
  if (old.status !== 200) fail(`old AML answered ${old.status}: ${await old.text()}`);
  await page.locator('#loc.old', { hasText: 'posisi lama: 2 j' }).waitFor({ timeout: 10000 });
  await page.locator('#dup-list li', { hasText: number }).waitFor({ timeout: 10000 });
  await page.keyboard.press('Alt+1');
  await page.locator('#msg', { hasText: '2 pelapor' }).waitFor({ timeout: 10000 });
  console.log(`call-taker: ${number} created, second caller linked`);

  // A third call from a boat in the strait: the typed coordinates are
  // offered marked as outside the area, chosen with the keyboard (↓, Enter),
  // and saving asks for the reason; Esc on that question saves nothing.
  await page.locator('#phone').fill('081300002222');
  await page.keyboard.press('Enter');
  await page.locator('#call-state', { hasText: 'aktif' }).waitFor({ timeout: 10000 });
  await page.locator('#category').selectOption('other');
  await page.locator('#address').fill('-7.05, 113.45');
  const far = page.locator('#place-list button.outside', { hasText: 'di luar wilayah' });
  await far.waitFor({ timeout: 10000 });
  await page.locator('#address').press('ArrowDown');
  await page.locator('#place-list button.active.outside').waitFor({ timeout: 5000 });
  await page.locator('#address').press('Enter');
  await page.locator('#loc.outside', { hasText: 'di luar wilayah layanan' }).waitFor({ timeout: 10000 });
  // The phone's AML fix lands in the city, far from the hand pin: the page
  // asks; the call-taker keeps the pin, the fix stays beside it.
  const aml3 = await fetch(`${base}/api/v1/aml?from=081300002222`, { method: 'POST', headers: { 'Content-Type': 'text/plain', 'X-API-Key': process.env.AML_API_KEY || '' }, body: amlSMS(-7.2575, 112.7521, 25, new Date()) });
  if (aml3.status !== 200) fail(`AML answered ${aml3.status}: ${await aml3.text()}`);
  const conflict = page.locator('dialog.ask[open]', { hasText: 'Lokasi AML berbeda' });
  await conflict.waitFor({ timeout: 10000 });
  await shootSizes(page, shots, 'calltaker-conflict');
  await conflict.getByRole('button', { name: /Tetap pakai pin saya/ }).click();
  await conflict.waitFor({ state: 'detached', timeout: 5000 });
  await page.locator('#conflict').waitFor({ state: 'hidden', timeout: 5000 });
  const call3 = (await (await page.request.get(`${base}/api/v1/calls?status=active`)).json()).items.find((c) => c.phone === '+6281300002222');
  if (!call3 || call3.location_conflict || !call3.aml_location || Math.abs(call3.location.lon - 113.45) > 1e-4) fail(`call after keeping the pin ${JSON.stringify(call3)}`);
  await page.keyboard.press('Control+Enter');
  const ask = page.locator('dialog.ask[open]', { hasText: 'di luar wilayah' });
  await ask.waitFor({ timeout: 10000 });
  await shootSizes(page, shots, 'calltaker-out-of-area');
  await page.keyboard.press('Escape');
  await page.locator('dialog.ask').waitFor({ state: 'detached', timeout: 5000 }); // closed and gone
  if (!(await page.locator('#call-state').textContent()).includes('aktif')) fail('cancelling the question ended the call');
  await page.keyboard.press('Control+Enter');
  await ask.waitFor({ timeout: 10000 });
  await page.locator('dialog.ask input[name=reason]').fill('Kapal nelayan di Selat Madura');
  await page.keyboard.press('Enter');
  const made = page.locator('#msg', { hasText: 'dibuat' });
  await made.waitFor({ timeout: 10000 });
  const farNumber = /SBY-\d{8}-\d{4}/.exec(await made.textContent())[0];
  const farInc = (await (await page.request.get(`${base}/api/v1/incidents?status=active&q=${farNumber}`)).json()).items[0];
  if (!farInc || !farInc.out_of_area || farInc.out_of_area.reason !== 'Kapal nelayan di Selat Madura' || farInc.out_of_area.distance_m < 10000) {
    fail(`out-of-area incident ${JSON.stringify(farInc)}`);
  }
  // The form is clear for the next call once the report is saved.
  if ((await page.locator('#address').inputValue()) !== '') fail('the saved report stays in the form');
  console.log(`call-taker: ${farNumber} saved outside the area with its reason`);

  // A wrong number: the call is ended on purpose, with a reason.
  await page.locator('#phone').fill('081300003333');
  await page.keyboard.press('Enter');
  await page.locator('#call-state', { hasText: 'aktif' }).waitFor({ timeout: 10000 });
  await page.locator('#end-call').click();
  const end = page.locator('dialog.ask[open]', { hasText: 'Akhiri panggilan' });
  await end.waitFor({ timeout: 5000 });
  await page.keyboard.press('Enter'); // no reason: not ended
  await end.locator('.ask-err:not([hidden])').waitFor({ timeout: 5000 });
  await end.locator('input[name=reason]').fill('salah sambung');
  await page.keyboard.press('Enter');
  await page.locator('#msg', { hasText: 'Panggilan ditutup: salah sambung' }).waitFor({ timeout: 10000 });
  const ended = (await (await page.request.get(`${base}/api/v1/calls?status=closed`)).json()).items.find((c) => c.phone === '+6281300003333');
  if (!ended || ended.status !== 'closed') fail(`ended call ${JSON.stringify(ended)}`);
  console.log('call-taker: a wrong number ended with its reason');

  // 2. The public complaint form and its tracking.
  await page.goto(`${base}/complaint`);
  await page.locator('#text').fill('Lampu jalan di depan SD Negeri mati sudah seminggu');
  await page.locator('#category').selectOption('streetlight');
  await page.locator('#phone').fill('081234500000');
  await page.locator('#send').click();
  await page.locator('#ticket').waitFor({ state: 'visible', timeout: 10000 });
  const cnum = (await page.locator('#t-number').textContent()).trim();
  const token = (await page.locator('#t-token').textContent()).trim();
  await page.locator('#track-status', { hasText: 'Diterima' }).waitFor({ timeout: 10000 });
  await shootSizes(page, shots, 'complaint');
  // A fresh visitor with the number and the code sees the state.
  const p2 = await browser.newPage();
  await p2.goto(`${base}/complaint`);
  await p2.locator('#tr-number').fill(cnum);
  await p2.locator('#tr-token').fill(token);
  await p2.getByRole('button', { name: 'Lihat status' }).click();
  await p2.locator('#track-status', { hasText: cnum }).waitFor({ timeout: 10000 });
  await p2.locator('#tr-token').fill('0000');
  await p2.getByRole('button', { name: 'Lihat status' }).click();
  await p2.locator('#track', { hasText: 'tidak cocok' }).waitFor({ timeout: 10000 });
  console.log(`complaint: ${cnum} tracked`);

  // 3. The desk forwards it; the countdown runs.
  await gotoAs(page, base, '/desk', 'dispatcher');
  const row = page.locator(`tr[data-number="${cnum}"]`);
  await row.waitFor({ timeout: 10000 });
  await row.locator('select').selectOption('pln');
  await row.getByRole('button', { name: 'Teruskan' }).click();
  await page.locator(`tr[data-number="${cnum}"] .sla`, { hasText: 'sisa' }).waitFor({ timeout: 10000 });
  await shootSizes(page, shots, 'desk');
  await page.getByRole('tab', { name: 'Laporan' }).click();
  await page.locator('#r-agency', { hasText: 'PLN' }).waitFor({ timeout: 10000 });
  await shootSizes(page, shots, 'desk-report');
  console.log('desk: forwarded to PLN, report shows it');
  console.log('1 passed, 0 failed');
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
