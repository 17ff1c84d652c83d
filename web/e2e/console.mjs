// Browser scenarios of the dispatcher console, run by the Go test
// cmd/dispatchd/browser_test.go against a real dispatchd (demo city, no
// simulator). Env: BASE_URL (the server), CONTROL_URL (the test's hooks:
// /drop, /mutate, /resume), CHROMIUM (the browser), SCREENSHOTS (a folder).
// Exits non-zero on the first failed check.
import { chromium } from 'playwright-core';
import { gotoAs, launchOptions } from './login.mjs';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const BASE = process.env.BASE_URL;
const CONTROL = process.env.CONTROL_URL;
const SHOTS = process.env.SCREENSHOTS;
assert.ok(BASE && CONTROL && SHOTS, 'BASE_URL, CONTROL_URL and SCREENSHOTS are required');
mkdirSync(SHOTS, { recursive: true });

const WAIT = 15000;
// Playwright gives every launch a fresh, temporary --user-data-dir.
const browser = await chromium.launch(launchOptions());

const errors = [];
let step = '';
// The pages whose connections the server cuts on purpose, while it refuses
// new ones: their live feed's attempts to reconnect fail then, and Chromium
// logs each as a console error ("WebSocket connection to '…/api/v1/live…'
// failed: Connection closed before receiving a handshake response", or a
// net:: error, as the close and the request cross). Those are the cut's,
// not the page's; any other error still fails the test.
const cutPages = new Set();
const feedRefused = /^WebSocket connection to 'ws:\/\/[^']*\/api\/v1\/live[^']*' failed: /;
function log(msg) { console.log(`[${new Date().toISOString().slice(11, 23)}] ${msg}`); }

async function newPage(name, viewport = { width: 1920, height: 1080 }, extra = {}) {
  const ctx = await browser.newContext({ viewport, locale: 'id-ID', timezoneId: 'UTC', ...extra });
  // The test machine has no outside network: fail tile requests at once,
  // as an air-gapped center would, instead of waiting for DNS.
  await ctx.route((url) => !url.href.startsWith(BASE), (route) => route.abort());
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(`${name}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error' || /ERR_FAILED|net::/.test(m.text())) return;
    if (cutPages.has(name) && feedRefused.test(m.text())) return;
    errors.push(`${name} console: ${m.text()}`);
  });
  await gotoAs(page, BASE, '/', 'dispatcher');
  await page.waitForSelector('#conn[data-state=live]', { timeout: WAIT });
  return page;
}

async function control(path) {
  const res = await fetch(CONTROL + path, { method: 'POST' });
  const text = await res.text();
  assert.equal(res.status, 200, `${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// feedState is what a page holds: the feed's position and a digest of
// its state, to compare pages with each other.
async function feedState(page) {
  return page.evaluate(() => {
    const { feed, store } = window.cc112;
    const incidents = [...store.incidents.values()].map((i) => `${i.id}:${i.status}:${i.assignments.length}`).sort();
    const units = [...store.units.values()].map((u) => `${u.id}:${u.status}:${u.incident_id || ''}`).sort();
    return { epoch: feed.epoch, seq: feed.seq, stats: { ...feed.stats }, incidents, units };
  });
}

async function run() {
  step = 'open two consoles';
  const a = await newPage('A');
  const b = await newPage('B');
  log('two consoles live');
  assert.equal(await a.locator('#queue-title').textContent(), 'Antrian kejadian', 'Bahasa Indonesia by default');
  // Without tiles the district layer is the map: outlines and names.
  await a.waitForSelector('.district-label', { timeout: WAIT });
  assert.ok(await a.locator('path.district').count() >= 30, 'kecamatan outlines drawn');
  assert.ok(await a.locator('.unit-mark').count() >= 60, 'unit markers drawn');

  step = 'keyboard: N opens the form, Esc cancels';
  await a.locator('body').press('n');
  await a.waitForSelector('#create form', { timeout: WAIT });
  assert.equal(await a.evaluate(() => document.activeElement.name), 'category', 'focus starts on the category');
  await a.keyboard.press('Escape');
  await a.waitForSelector('#create', { state: 'hidden', timeout: WAIT });

  step = 'create an incident through the UI; it appears on the second page';
  await a.keyboard.press('n');
  await a.selectOption('select[name=category]', 'fire');
  assert.equal(await a.inputValue('select[name=priority]'), '1', 'fire defaults to priority 1');
  // A click on the map marks the place (not on a marker: an empty spot).
  const box = await a.locator('#map').boundingBox();
  await a.mouse.click(box.x + box.width * 0.52, box.y + box.height * 0.46);
  const loc = await a.inputValue('input[name=location]');
  assert.match(loc, /^-7\.\d+, 112\.\d+$/, `map click fills the location, got "${loc}"`);
  // Typing a kecamatan name works too and is what we keep.
  await a.fill('input[name=location]', 'Genteng');
  await a.fill('input[name=address]', 'Jl. Tunjungan 1 (uji peramban)');
  await a.fill('input[name=caller_name]', 'Siti');
  await a.fill('input[name=caller_phone]', '081234500001');
  await a.press('input[name=caller_phone]', 'Enter');
  await a.waitForSelector('#detail .panel-head', { timeout: WAIT });
  const number = (await a.locator('#detail .inc-num').first().textContent()).trim();
  assert.match(number, /^SBY-\d{8}-\d{4}$/);
  log(`created ${number}`);
  const rowB = b.locator('.inc-row', { hasText: 'Jl. Tunjungan 1 (uji peramban)' });
  await rowB.waitFor({ timeout: WAIT });
  assert.match(await rowB.textContent(), /Kebakaran/);
  assert.match(await rowB.textContent(), /Genteng/);

  step = 'dispatch a recommended unit with one click; both pages see it';
  const go = a.locator('#detail .rec button[data-action=dispatch]').first();
  await go.waitFor({ timeout: WAIT });
  const unitID = await go.getAttribute('data-unit');
  const callsign = await go.getAttribute('data-callsign');
  await go.click();
  for (const [name, p] of [['A', a], ['B', b]]) {
    await p.waitForSelector(`.chip[data-unit="${unitID}"].us-dispatched`, { timeout: WAIT });
    log(`${name} shows ${callsign} dispatched`);
  }
  await a.waitForSelector(`#detail .assigned li:has-text("${callsign}")`, { timeout: WAIT });
  const rowA = a.locator('.inc-row', { hasText: number });
  await rowA.locator('.ist-dispatched').waitFor({ timeout: WAIT });

  step = 'the server cuts every connection; the pages resume without missing an event';
  const before = await feedState(a);
  assert.equal(before.stats.snapshots, 1);
  cutPages.add('A').add('B');
  const cut = await control('/drop');
  log(`cut ${cut.cut} connections`);
  for (const p of [a, b]) await p.waitForSelector('#conn[data-state=offline]', { timeout: WAIT });
  const changed = await control('/mutate'); // while the pages are away
  await control('/resume');
  for (const p of [a, b]) await p.waitForSelector('#conn[data-state=live]', { timeout: 30000 });
  for (const n of changed.numbers) {
    await a.locator('.inc-row', { hasText: n }).waitFor({ timeout: WAIT });
    await b.locator('.inc-row', { hasText: n }).waitFor({ timeout: WAIT });
  }
  await a.waitForSelector(`.chip[data-unit="${changed.offduty}"].us-offduty`, { timeout: WAIT });
  // A fresh page gets a snapshot of the server's state now: the resumed
  // pages must hold exactly the same, at the same seq.
  const c = await newPage('C');
  const truth = await feedState(c);
  for (const [name, p] of [['A', a], ['B', b]]) {
    const got = await feedState(p);
    assert.equal(got.epoch, truth.epoch, `${name}: epoch`);
    assert.equal(got.seq, truth.seq, `${name}: seq ${got.seq}, server at ${truth.seq}`);
    assert.deepEqual(got.incidents, truth.incidents, `${name}: incidents differ from the server's`);
    assert.deepEqual(got.units, truth.units, `${name}: units differ from the server's`);
    assert.equal(got.stats.gaps, 0, `${name}: saw a gap in seq`);
    // Resumed from the server's buffer: no second snapshot was needed.
    assert.equal(got.stats.snapshots, 1, `${name}: resumed by replay, not a new snapshot`);
    assert.ok(got.stats.connects >= 2, `${name}: reconnected`);
    log(`${name} resumed at seq ${got.seq} = server's, ${got.stats.connects} connects`);
  }
  assert.ok(truth.seq > before.seq, 'events happened while the pages were away');
  // Both resumed and answered since: any later feed error is the page's.
  cutPages.clear();

  step = 'English switch';
  await b.click('#lang-btn');
  assert.equal(await b.locator('#queue-title').textContent(), 'Incident queue');
  await b.click('#lang-btn');
  assert.equal(await b.locator('#queue-title').textContent(), 'Antrian kejadian');

  step = 'screenshots';
  await a.click('#detail .panel-close');
  await a.evaluate(() => document.querySelectorAll('.toast').forEach((el) => el.remove()));
  await a.waitForTimeout(300);
  await a.screenshot({ path: join(SHOTS, 'console-wall.png') });
  await a.locator('.inc-row', { hasText: changed.numbers[0] }).click();
  await a.waitForSelector('#detail .rec, #detail .recs + .btn', { timeout: WAIT });
  await a.waitForTimeout(300);
  await a.screenshot({ path: join(SHOTS, 'console-incident.png') });
  const phone = await newPage('phone', { width: 390, height: 844 }, { isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
  await phone.waitForSelector('.inc-row', { timeout: WAIT });
  await phone.screenshot({ path: join(SHOTS, 'console-phone.png') });

  assert.deepEqual(errors, [], 'no script errors on the pages');
}

try {
  await run();
  log('all console scenarios passed');
} catch (err) {
  console.error(`FAILED at "${step}":`, err);
  if (errors.length) console.error('page errors:', errors);
  process.exitCode = 1;
} finally {
  await browser.close();
}
