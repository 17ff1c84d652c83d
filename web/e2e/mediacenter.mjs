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
//     shows the same total.
// Usage: node mediacenter.mjs BASE_URL SCREENSHOT_DIR  (env EXPECT)
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gotoAs, failOnCSP } from './login.mjs';

const base = process.argv[2];
const shots = process.argv[3] || '';
const want = JSON.parse(process.env.EXPECT);
const log = (msg) => console.log(`[${new Date().toISOString().slice(11, 23)}] ${msg}`);

async function shot(page, name) {
  if (!shots) return;
  for (const [w, h, tag] of [[1920, 1080, 'wall'], [3840, 2160, '4k'], [390, 844, 'phone']]) {
    await page.setViewportSize({ width: w, height: h });
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(shots, `${name}-${tag}.png`), fullPage: tag === 'phone' });
  }
  await page.setViewportSize({ width: 1920, height: 1080 });
}

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
  await shot(page, 'stats-id');

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
  await shot(page, 'stats-en');
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
  await shot(pub, 'statistik-id');
  await pub.click('#lang-btn');
  await pub.waitForFunction(() => document.documentElement.lang === 'en');
  await shot(pub, 'statistik-en');
  log('public page');

  assert.deepEqual(errors, [], 'page errors or missing messages');
  passed++;
} finally {
  await browser.close();
}
console.log(`${passed} passed, ${1 - passed} failed`);
