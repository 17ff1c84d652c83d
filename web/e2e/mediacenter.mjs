// Browser end-to-end test of the Media Center's statistics, run by the Go
// test cmd/dispatchd TestMediaCenterStatsInBrowser against a real dispatchd
// on Surabaya's kecamatan and kelurahan, with complaints the test filed
// (their counts are in EXPECT, a JSON the Go test writes):
//  1. a supervisor opens /desk/stats: the tiles, the per-category table,
//     the choropleth (the kecamatan of the complaints coloured, the others
//     not) and the repeated place;
//  2. grouping by agency shows each agency's SLA share; the CSV export
//     downloads the same counts;
//  3. the page in English; 4. the public /statistik needs no login and
//     shows the same total;
//  5. the desk: the triage alert on a complaint not forwarded in time, a
//     forward to two agencies, a re-forward with its reason, a letter
//     typed in, and a malformed e-mail (posted here through the signed
//     webhook, as a mail gateway would) in the quarantine with its reason;
//  6. the citizen's tracking page: tidak puas reopens the complaint.
// Usage: node mediacenter.mjs BASE_URL
// (env EXPECT, WEBHOOK_SECRET, BAD_MAIL: a file; SCREENSHOTS with ALL_SHOTS
// set: the pages at three sizes in both languages)
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gotoAs, failOnCSP, shootSizes } from './login.mjs';

const base = process.argv[2];
const shots = process.env.ALL_SHOTS ? process.env.SCREENSHOTS : '';
const want = JSON.parse(process.env.EXPECT);
const log = (msg) => console.log(`[${new Date().toISOString().slice(11, 23)}] ${msg}`);

const profile = mkdtempSync(join(tmpdir(), 'cc112-e2e-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1920, height: 1080 },
  acceptDownloads: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
let passed = 0;
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'warning' && m.text().includes('i18n: no message')) errors.push(m.text()); });
  await page.route((url) => !url.href.startsWith(base), (route) => route.abort());

  // 1. The supervisor's page.
  await gotoAs(page, base, '/desk/stats', 'supervisor');
  await page.waitForSelector('#s-tiles .tile');
  await page.waitForSelector('#s-map path');
  const total = await page.textContent('#s-tiles .tile b');
  assert.equal(total.trim(), String(want.total), 'the total tile');
  const cats = await page.$$eval('#s-rows tbody tr', (rows) => rows.map((r) => [r.cells[0].textContent.trim(), r.cells[1].textContent.trim()]));
  assert.deepEqual(cats, want.categoriesID, 'complaints per category');
  const coloured = await page.$$eval('#s-map path', (ps) => ps.filter((p) => p.getAttribute('class') !== 'c0').map((p) => p.querySelector('title').textContent));
  assert.deepEqual(coloured.sort(), want.mapTitles.sort(), 'the coloured kecamatan');
  const districts = await page.$$eval('#s-map path', (ps) => ps.length);
  assert.ok(districts >= 25, `the map has ${districts} kecamatan`);
  const repeat = await page.$$eval('#s-repeats tbody tr', (rows) => rows.map((r) => [r.cells[0].textContent.trim(), r.cells[3].textContent.trim()]));
  assert.deepEqual(repeat, want.repeats, 'the repeated places');
  log('stats page: tiles, categories, map, repeats');
  await shootSizes(page, shots, 'stats');

  // 2. By agency: the SLA shares; the CSV export.
  await page.selectOption('#s-group', 'agency');
  await page.waitForFunction(() => document.querySelector('#s-rows-title').textContent.includes('OPD'));
  const agencies = await page.$$eval('#s-rows tbody tr', (rows) => rows.map((r) => [r.cells[0].textContent.trim(), r.cells[4].textContent.trim()]));
  assert.deepEqual(agencies, want.agencySharesID, 'answered share per agency');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#s-csv')]);
  const csv = readFileSync(await download.path(), 'utf8').trim().split('\n');
  assert.equal(csv[0].split(',')[0], 'group_by');
  assert.deepEqual(csv.slice(1).map((l) => l.split(',').slice(0, 3).join(',')), want.csvAgency, 'the CSV rows');
  log('by agency, CSV');

  // 3. English.
  await page.selectOption('#s-group', 'category');
  await page.waitForFunction(() => document.querySelector('#s-rows-title').textContent.includes('kategori'));
  await page.click('#lang-btn');
  await page.waitForFunction(() => document.documentElement.lang === 'en' && document.querySelector('#s-rows-title').textContent.includes('category'));
  const catsEN = await page.$$eval('#s-rows tbody tr', (rows) => rows.map((r) => r.cells[0].textContent.trim()));
  assert.deepEqual(catsEN, want.categoriesEN, 'categories in English');
  await page.click('#lang-btn');
  await page.waitForFunction(() => document.documentElement.lang === 'id');

  // 4. The public page: no login, the same total, no session needed.
  const pub = await browser.newPage();
  failOnCSP(pub);
  pub.on('pageerror', (e) => errors.push(e.message));
  await browser.clearCookies();
  await pub.goto(`${base}/statistik`);
  await pub.waitForSelector('#s-tiles .tile');
  await pub.waitForSelector('#s-map path');
  assert.equal(new URL(pub.url()).pathname, '/statistik', 'the public page stays without login');
  assert.equal((await pub.textContent('#s-tiles .tile b')).trim(), String(want.total));
  assert.ok(await pub.evaluate(() => document.body.classList.contains('public')));
  assert.equal(await pub.isVisible('a[href="/desk"]'), false, 'no link to the desk on the public page');
  await shootSizes(pub, shots, 'statistik');
  await pub.click('#lang-btn');
  await pub.waitForFunction(() => document.documentElement.lang === 'en');
  await pub.click('#lang-btn'); // back to Bahasa Indonesia (the choice is kept for every page)
  await pub.waitForFunction(() => document.documentElement.lang === 'id');
  log('public page');

  // 5. The desk.
  const desk = await browser.newPage();
  desk.on('pageerror', (e) => errors.push(e.message));
  await desk.route((url) => !url.href.startsWith(base), (route) => route.abort());
  await gotoAs(desk, base, '/desk', 'dispatcher');
  const row = (n) => desk.locator(`tr[data-number="${n}"]`);
  await row(want.unforwarded).waitFor();
  await row(want.unforwarded).locator('.flag.late').waitFor(); // the triage SLA passed: the supervisor was alerted
  await shootSizes(desk, shots, 'desk');
  await row(want.unforwarded).locator('select[multiple]').selectOption(['pupr', 'dishub']);
  await row(want.unforwarded).locator('button[data-act=forward]').click();
  await desk.waitForFunction((n) => document.querySelectorAll(`tr[data-number="${n}"] .fwd.open`).length === 2, want.unforwarded);
  await row(want.unforwarded).locator('select[data-from]').selectOption('dishub');
  await row(want.unforwarded).locator('select[data-agency]').selectOption('satpolpp');
  await row(want.unforwarded).locator('button[data-act=reforward]').click(); // no reason: refused
  await desk.waitForSelector('#msg.err');
  await row(want.unforwarded).locator('input[data-reason]').fill('Parkir liar urusan Satpol PP');
  await row(want.unforwarded).locator('button[data-act=reforward]').click();
  await desk.waitForFunction((n) => document.querySelector(`tr[data-number="${n}"] .fwd.rejected`)?.textContent.includes('Satpol PP'), want.unforwarded);
  log('desk: triage alert, two agencies, re-forward with reason');
  await desk.click('[data-tab=entry]');
  await desk.selectOption('#e-channel', 'letter');
  await desk.fill('#e-text', 'Surat warga: lampu taman mati sejak seminggu');
  await desk.fill('#e-phone', '081233334444');
  await desk.click('#entry-form button[type=submit]');
  await desk.waitForFunction(() => /ADU-\d{8}-\d{4}/.test(document.querySelector('#e-done').textContent));
  await shootSizes(desk, shots, 'desk-entry');
  const raw = readFileSync(process.env.BAD_MAIL);
  const ts = Math.floor(Date.now() / 1000);
  const sig = `sha256=${createHmac('sha256', process.env.WEBHOOK_SECRET).update(`${ts}.`).update(raw).digest('hex')}`;
  const res = await fetch(`${base}/api/v1/inbound/email`, { method: 'POST', body: raw,
    headers: { 'Content-Type': 'message/rfc822', 'X-CC112-Timestamp': String(ts), 'X-CC112-Signature': sig } });
  assert.equal(res.status, 202, 'a malformed e-mail is quarantined');
  await desk.click('[data-tab=quarantine]');
  await desk.waitForFunction(() => document.querySelector('#q-rows')?.textContent.includes('no sender'));
  log('desk: staff entry of a letter, the e-mail quarantine');
  await desk.click('#lang-btn');
  await desk.waitForFunction(() => document.documentElement.lang === 'en');
  await desk.click('[data-tab=queue]');
  await row(want.unforwarded).waitFor();
  await desk.click('#lang-btn');
  await desk.waitForFunction(() => document.documentElement.lang === 'id');

  // 6. The citizen rates the closed complaint: tidak puas reopens it.
  const cit = await browser.newPage();
  failOnCSP(cit);
  cit.on('pageerror', (e) => errors.push(e.message));
  await cit.goto(`${base}/complaint#${want.rate}`);
  await cit.waitForFunction(() => document.documentElement.lang === 'id');
  await cit.waitForSelector('button[data-rate=tidak_puas]');
  await cit.fill('#rate-text', 'Pipa masih bocor di depan rumah');
  await cit.click('button[data-rate=tidak_puas]');
  await cit.waitForSelector('#track .msg.err'); // "dibuka kembali 1×"
  await shootSizes(cit, shots, 'complaint');
  await cit.click('#lang-btn');
  await cit.waitForFunction(() => document.documentElement.lang === 'en' && document.querySelector('#track .msg.err')?.textContent.includes('Reopened'));
  await desk.click('[data-tab=queue]');
  await desk.reload();
  await desk.locator(`tr[data-number="${want.rate.split(':')[0]}"] .flag.late`).filter({ hasText: 'Pipa masih bocor' }).waitFor();
  log('tracking page: tidak puas reopens to the desk');

  assert.deepEqual(errors, [], 'page errors or missing messages');
  passed++;
} finally {
  await browser.close();
}
console.log(`${passed} passed, ${1 - passed} failed`);
