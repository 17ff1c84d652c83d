// Browser scenario of the alerts (issue 15.3–15.4), run by the Go test
// cmd/dispatchd/alerts_browser_test.go against a real dispatchd (demo
// city, no simulator, a P1 waits 3 s before its alert). With 40 incidents
// open, a new P1 chimes on two consoles at once; its critical alert shows
// on both and sounds (the page's WebAudio oscillators are counted) until
// one console acknowledges it, then it is silent on both. With ALL_SHOTS
// set, screenshots of the alert bar and coverage board at 1920×1080,
// 3840×2160 and 390×844 in both languages go to SCREENSHOTS. Env: BASE_URL,
// TOKEN (a dispatcher's), CHROMIUM, SCREENSHOTS, ALL_SHOTS. Exits non-zero
// on the first failed check.
import { chromium } from 'playwright-core';
import { gotoAs, launchOptions, shootSizes } from './login.mjs';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';

const BASE = process.env.BASE_URL;
const TOKEN = process.env.TOKEN;
const SHOTS = process.env.SCREENSHOTS;
assert.ok(BASE && TOKEN && SHOTS, 'BASE_URL, TOKEN and SCREENSHOTS are required');
mkdirSync(SHOTS, { recursive: true });
const WAIT = 15000;

const browser = await chromium.launch(launchOptions());
const errors = [];
let step = '';
const log = (msg) => console.log(`[${new Date().toISOString().slice(11, 23)}] ${msg}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Counts every oscillator the page starts: the sound really played, not
// only asked for.
function countOscillators() {
  window.__osc = 0;
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...args) { window.__osc++; return start.apply(this, args); };
}

async function newPage(name, viewport, lang = 'id') {
  const ctx = await browser.newContext({ viewport, locale: 'id-ID', timezoneId: 'UTC' });
  await ctx.route((url) => !url.href.startsWith(BASE), (route) => route.abort());
  await ctx.addInitScript(countOscillators);
  await ctx.addInitScript((l) => localStorage.setItem('cc112.lang', l), lang);
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(`${name}: ${e.message}`));
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`${name}: ${r.request().method()} ${r.url()} → ${r.status()}`); });
  page.on('console', (m) => { if (m.type() === 'error' && !/ERR_FAILED|net::/.test(m.text())) errors.push(`${name} console: ${m.text()}`); });
  await gotoAs(page, BASE, '/', 'dispatcher');
  await page.waitForSelector('#conn[data-state=live]', { timeout: WAIT });
  return page;
}

async function api(method, path, body) {
  const res = await fetch(BASE + path, {
    method, body: body && JSON.stringify(body),
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
  });
  const text = await res.text();
  assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

const played = (page, name) => page.evaluate((n) => window.cc112.sound.played.filter((p) => p.name === n && p.audible).length, name);
const oscillators = (page) => page.evaluate(() => window.__osc);

async function run() {
  step = '40 incidents open';
  const cats = ['fallen_tree', 'infrastructure', 'missing_person', 'other'];
  for (let k = 0; k < 40; k++) {
    await api('POST', '/api/v1/incidents', { category: cats[k % 4], priority: 3 + (k % 2),
      location: { lat: -7.25 - (k % 8) * 0.006, lon: 112.70 + Math.floor(k / 8) * 0.012 }, address: `Jl. Uji ${k + 1}` });
  }

  step = 'two consoles, sound unlocked by a click';
  const a = await newPage('A', { width: 1920, height: 1080 });
  const b = await newPage('B', { width: 1920, height: 1080 });
  for (const p of [a, b]) {
    assert.equal(await p.locator('#alerts .alerts-sound').getAttribute('data-sound'), 'off', 'sound is off until a click');
    await p.mouse.click(900, 600); // on the map: a user gesture
    await p.waitForSelector('#alerts .alerts-sound[data-sound=on]', { timeout: WAIT });
  }
  assert.equal(await a.evaluate(() => window.cc112.store.incidents.size), 40);
  await a.waitForSelector('#coverage table.cover', { timeout: WAIT });
  log('two consoles live, sound on');

  step = 'a new P1 chimes on every console';
  const p1 = await api('POST', '/api/v1/incidents', { category: 'fire', priority: 1, location: { lat: -7.2458, lon: 112.7378 }, address: 'Jl. Pahlawan' });
  for (const p of [a, b]) await p.waitForFunction(() => window.cc112.sound.played.some((x) => x.name === 'newP1' && x.audible), null, { timeout: WAIT });

  step = 'its critical alert shows and sounds until acknowledged';
  const row = `#alerts .alert-row.sev-critical:not(.acked) [data-incident="${p1.id}"]`;
  for (const p of [a, b]) await p.waitForSelector(row, { timeout: WAIT });
  const num = p1.number.replace(/^.*-(\d+)$/, '#$1');
  assert.ok((await a.locator(row).textContent()).includes(num), 'the alert names the incident');
  const osc0 = await oscillators(a);
  const crit0 = await played(a, 'critical');
  await sleep(6000);
  for (const p of [a, b]) {
    assert.ok(await played(p, 'critical') >= 2, 'the critical sound repeats');
  }
  assert.ok(await played(a, 'critical') >= crit0 + 2, 'it repeats while nobody acknowledges');
  assert.ok(await oscillators(a) >= osc0 + 8, `oscillators started: ${osc0} → ${await oscillators(a)}`);
  log(`critical sound repeating: ${await played(a, 'critical')} times, ${await oscillators(a)} oscillators`);

  step = 'acknowledged on one console: silent on both';
  await a.click(`#alerts .alert-row.sev-critical:has([data-incident="${p1.id}"]) [data-ack]`);
  for (const p of [a, b]) await p.waitForSelector(`#alerts .alert-row.acked [data-incident="${p1.id}"]`, { timeout: WAIT });
  assert.ok((await b.locator('#alerts .alert-row.acked .alert-by').first().textContent()).includes('dispatcher'), 'who acknowledged');
  await sleep(1500);
  const after = [await played(a, 'critical'), await played(b, 'critical')];
  await sleep(6000);
  assert.deepEqual([await played(a, 'critical'), await played(b, 'critical')], after, 'no critical sound after the acknowledgement');
  const list = await api('GET', '/api/v1/alerts?state=open');
  const mine = list.items.find((x) => x.incident_id === p1.id);
  assert.ok(mine && mine.acknowledged_by === 'dispatcher' && mine.acknowledged_at, `the API has it acknowledged: ${JSON.stringify(mine)}`);

  step = 'a unit sent: the alert clears on the consoles';
  await api('POST', `/api/v1/incidents/${p1.id}/assignments`, { auto: true });
  for (const p of [a, b]) await p.waitForSelector(`#alerts [data-incident="${p1.id}"]`, { state: 'detached', timeout: WAIT });
  log('acknowledged, silent, cleared');

  step = 'screenshots';
  if (!process.env.ALL_SHOTS) return;
  await a.context().close();
  await b.context().close();
  const p2 = await api('POST', '/api/v1/incidents', { category: 'medical', priority: 1, location: { lat: -7.2655, lon: 112.7421 }, address: 'Jl. Tunjungan' });
  await shots(p2.id);
}

// shots saves the console with the open alert (not acknowledged yet on
// this page) at three sizes in both languages, then the phone's units tab
// with the coverage board.
async function shots(id) {
  const p = await newPage('shots', { width: 1920, height: 1080 });
  await p.waitForSelector(`#alerts [data-incident="${id}"]`, { timeout: WAIT });
  await p.waitForSelector('#coverage table.cover', { timeout: WAIT });
  await shootSizes(p, SHOTS, 'alerts');
  await p.setViewportSize({ width: 390, height: 844 });
  await p.click('.tabs [data-view=units]');
  await p.waitForSelector('#coverage table.cover', { timeout: WAIT });
  await shootSizes(p, SHOTS, 'alerts-units', '#coverage');
  await p.context().close();
}

try {
  await run();
  assert.deepEqual(errors, [], 'page errors');
  log('alerts scenario passed');
} catch (err) {
  console.error(`FAILED at step "${step}": ${err.stack || err}`);
  if (errors.length) console.error('page errors:', errors);
  for (const ctx of browser.contexts()) for (const p of ctx.pages()) {
    console.error('toasts:', await p.locator('#toasts').textContent().catch(() => ''));
    console.error('alerts:', await p.evaluate(() => JSON.stringify([...window.cc112.store.alerts.values()])).catch((e) => String(e)));
    console.error('bar:', await p.locator('#alerts').innerHTML().catch(() => ''));
  }
  process.exitCode = 1;
} finally {
  await browser.close();
}
