// The dispatcher in control (issue 15), run by the Go test
// cmd/dispatchd/unitcontrol_browser_test.go against a real dispatchd (demo
// city, no simulator): with 40 incidents open, a waiting P1 is visible
// without scrolling at 1920×1080 (newer dispatched P1s above it in the old
// order); the header's waiting counter filters the queue; a unit found by
// callsign in the type-ahead (with its ETA) is dispatched; a unit is
// released (the last one only with a reason), moved, set en route on its
// crew's behalf, put out of service and back from the board's unit menu,
// by keyboard; "?" shows the keys. Screenshots go to SCREENSHOTS: a few at
// 1920×1080 in Bahasa Indonesia, and with ALL_SHOTS set the unit menu, the
// keys and the type-ahead at 1920×1080, 3840×2160 and 390×844 in both
// languages (a minute that every run of the suite need not pay).
// Env: BASE_URL, CHROMIUM, SCREENSHOTS, ALL_SHOTS.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gotoAs, launchOptions, shootSizes } from './login.mjs';

const BASE = process.env.BASE_URL;
const SHOTS = process.env.SCREENSHOTS;
assert.ok(BASE && SHOTS, 'BASE_URL and SCREENSHOTS are required');
mkdirSync(SHOTS, { recursive: true });
const ALL = !!process.env.ALL_SHOTS;
const WAIT = 15000;
const log = (msg) => console.log(`[${new Date().toISOString().slice(11, 23)}] ${msg}`);

const browser = await chromium.launch(launchOptions());
const errors = [];
let step = '';

async function newPage(name, viewport, extra = {}) {
  const ctx = await browser.newContext({ viewport, locale: 'id-ID', timezoneId: 'UTC', ...extra });
  await ctx.route((url) => !url.href.startsWith(BASE), (route) => route.abort());
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(`${name}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/ERR_FAILED|net::|status of 4\d\d/.test(m.text())) errors.push(`${name} console: ${m.text()}`);
    if (m.type() === 'warning' && m.text().includes('i18n: no message')) errors.push(`${name}: ${m.text()}`);
  });
  await gotoAs(page, BASE, '/', 'dispatcher');
  await page.waitForSelector('#conn[data-state=live]', { timeout: WAIT });
  await page.waitForSelector('#board .ugroup', { state: 'attached', timeout: WAIT });
  return page;
}

// api calls the server with the page's session, as the console does.
async function api(page, method, path, body) {
  return page.evaluate(async ([method, path, body]) => {
    const res = await fetch(path, {
      method, credentials: 'same-origin',
      headers: { 'X-Requested-With': 'cc112', 'Content-Type': 'application/json', Accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, data: await res.json().catch(() => null) };
  }, [method, path, body]);
}

async function incident(page, category, priority, k, auto) {
  const body = {
    category, priority, address: `Jl. Uji ${k}`,
    location: { lat: -7.24 - (k % 8) * 0.01, lon: 112.70 + (Math.floor(k / 8) % 6) * 0.015 },
  };
  const r = await api(page, 'POST', '/api/v1/incidents', body);
  assert.equal(r.status, 201, `incident ${k}: ${JSON.stringify(r.data)}`);
  if (auto) {
    const a = await api(page, 'POST', `/api/v1/incidents/${r.data.id}/assignments`, { auto: true });
    assert.ok(a.status === 201 || a.status === 409, `auto ${k}: ${a.status} ${JSON.stringify(a.data)}`);
  }
  return r.data;
}

async function shot(page, name) {
  await page.waitForTimeout(300);
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path });
  log(`screenshot ${path}`);
}

async function setLang(page, l) {
  if (await page.evaluate(() => document.documentElement.lang) !== l) {
    await page.locator('#lang-btn').click();
    await page.waitForFunction((l) => document.documentElement.lang === l, l, { timeout: WAIT });
  }
}

async function unitOf(page, id) {
  return page.evaluate((id) => window.cc112.store.units.get(id), id);
}

let wall;
async function run() {
  step = 'open the console at 1920×1080';
  wall = await newPage('wall', { width: 1920, height: 1080 });

  step = '40 incidents open: 15 P1 dispatched, 25 P2/P3 waiting';
  const cats = ['medical', 'crime', 'traffic_accident', 'fallen_tree', 'flood'];
  for (let k = 0; k < 40; k++) {
    if (k < 15) await incident(wall, k % 2 ? 'fire' : 'medical', 1, k, true);
    else await incident(wall, cats[k % cats.length], 2 + (k % 2), k, false);
  }
  await wall.waitForFunction(() => document.querySelectorAll('#queue .inc-row').length >= 40, null, { timeout: WAIT });

  step = 'a waiting P1 arrives while 40 are open, then newer P1s are dispatched';
  const p1 = await incident(wall, 'gas_leak', 1, 99, false);
  for (let k = 40; k < 46; k++) await incident(wall, 'fire', 1, k, true);
  const row = wall.locator(`.inc-row[data-id="${p1.id}"]`);
  await row.waitFor({ timeout: WAIT });
  await wall.waitForFunction(() => document.querySelectorAll('#queue .inc-row').length >= 47, null, { timeout: WAIT });
  assert.equal(await wall.evaluate(() => document.querySelector('#queue').scrollTop), 0, 'the queue is not scrolled');
  const box = await row.boundingBox();
  assert.ok(box && box.y >= 0 && box.y + box.height <= 1080 && box.x >= 0 && box.x + box.width <= 1920,
    `the waiting P1's row is in the viewport: ${JSON.stringify(box)}`);
  const first = await wall.locator('#queue .inc-row').first().getAttribute('data-id');
  assert.equal(first, p1.id, 'the waiting P1 is the first row');
  assert.ok(await wall.locator('#queue.compact').count() === 1, 'a long queue is compact');
  log(`waiting P1 ${p1.number} at y=${Math.round(box.y)}`);
  await shot(wall, 'console-queue-40-id-1920');

  step = 'the header\'s waiting counter filters the queue, a second click shows all';
  await wall.locator('#c-waiting').click();
  await wall.waitForFunction(() => [...document.querySelectorAll('#queue .inc-row')].every((r) => r.classList.contains('waiting')), null, { timeout: WAIT });
  const waitingRows = await wall.locator('#queue .inc-row').count();
  assert.ok(waitingRows >= 26 && waitingRows < 47, `waiting filter shows ${waitingRows}`);
  await wall.locator('#c-waiting').click();
  await wall.waitForFunction(() => document.querySelectorAll('#queue .inc-row').length >= 47, null, { timeout: WAIT });
  await wall.selectOption('#queue-filters select[data-filter=category]', 'gas_leak');
  await wall.waitForFunction(() => document.querySelectorAll('#queue .inc-row').length === 1, null, { timeout: WAIT });
  await wall.locator('#queue-filters [data-action=clear-filters]').click();
  await wall.waitForFunction(() => document.querySelectorAll('#queue .inc-row').length >= 47, null, { timeout: WAIT });

  step = 'open the P1: the unit board stays visible beside it';
  await row.click();
  await wall.waitForSelector('#detail .panel-head', { timeout: WAIT });
  const d = await wall.locator('#detail').boundingBox();
  const b = await wall.locator('#board').boundingBox();
  assert.ok(b && b.width > 200 && b.x >= d.x + d.width - 2 && b.x + b.width <= 1920, `board beside the detail: ${JSON.stringify({ d, b })}`);

  step = 'type-ahead: "/" then a callsign; Enter sends the unit with its ETA';
  const pick = await wall.evaluate(() => {
    const free = [...window.cc112.store.units.values()].filter((u) => u.status === 'available' && u.type === 'police')
      .sort((a, b) => b.callsign.localeCompare(a.callsign, undefined, { numeric: true }));
    return free[0];
  });
  await wall.locator('body').press('/');
  assert.equal(await wall.evaluate(() => document.activeElement.name), 'unit-q', '"/" focuses the type-ahead');
  await wall.keyboard.type(pick.callsign);
  const ta = wall.locator('#detail .ta-row', { hasText: pick.callsign }).first();
  await ta.waitFor({ timeout: WAIT });
  assert.match(await ta.locator('.eta').textContent(), /\d/, 'the type-ahead shows an ETA');
  await shot(wall, 'console-typeahead-id-1920');
  await wall.keyboard.press('Enter');
  await wall.waitForSelector(`.chip[data-unit="${pick.id}"].us-dispatched`, { timeout: WAIT });
  await wall.waitForSelector(`#detail .assigned li:has-text("${pick.callsign}") .pill.us-dispatched`, { timeout: WAIT });
  log(`${pick.callsign} dispatched from the type-ahead`);

  step = 'the last unit is released only with a reason';
  await wall.locator(`#detail .assigned [data-action=release][data-unit="${pick.id}"]`).click();
  await wall.waitForSelector('.toast.error', { timeout: WAIT });
  assert.equal((await unitOf(wall, pick.id)).status, 'dispatched', 'no reason: nothing released');
  await wall.fill('#detail input[name=unit-reason]', 'Salah kirim, unit lain lebih dekat');
  await wall.locator(`#detail .assigned [data-action=release][data-unit="${pick.id}"]`).click();
  await wall.waitForSelector(`.chip[data-unit="${pick.id}"].us-available`, { timeout: WAIT });
  await wall.waitForSelector(`.inc-row[data-id="${p1.id}"].waiting`, { timeout: WAIT });
  await wall.waitForSelector('#detail .activity .log-released', { timeout: WAIT });

  step = 'unit menu: en route on the crew\'s behalf (key 1), moved to the open incident (M)';
  const other = await incident(wall, 'medical', 2, 98, false);
  assert.equal((await api(wall, 'POST', `/api/v1/incidents/${other.id}/assignments`, { unit_id: pick.id })).status, 201);
  await wall.waitForSelector(`.chip[data-unit="${pick.id}"].us-dispatched`, { timeout: WAIT });
  await wall.locator(`.chip[data-unit="${pick.id}"]`).click();
  await wall.waitForSelector('#unit-menu:not([hidden]) [data-action=status]', { timeout: WAIT });
  await wall.keyboard.press('1');
  await wall.waitForFunction((id) => window.cc112.store.units.get(id)?.status === 'enroute', pick.id, { timeout: WAIT });
  assert.equal((await unitOf(wall, pick.id)).status_by, 'dispatcher', 'journaled as set by the dispatcher');
  await shot(wall, 'console-unit-menu-id-1920');
  // The reason is typed, Tab leaves the field, then the menu's key.
  await wall.fill('#unit-menu input[name=reason]', 'Kebocoran gas lebih mendesak');
  await wall.keyboard.press('Tab');
  await wall.keyboard.press('m');
  await wall.waitForFunction(([u, inc]) => window.cc112.store.units.get(u)?.incident_id === inc, [pick.id, p1.id], { timeout: WAIT });
  await wall.waitForSelector(`.inc-row[data-id="${other.id}"].waiting`, { timeout: WAIT });
  log(`${pick.callsign} moved to ${p1.number}`);

  step = 'out of service with a reason (O), back in service (I)';
  const spare = await wall.evaluate(() => [...window.cc112.store.units.values()].find((u) => u.status === 'available' && u.type === 'ambulance'));
  await wall.locator(`.chip[data-unit="${spare.id}"]`).click();
  await wall.waitForSelector(`#unit-menu [data-action=out]`, { timeout: WAIT });
  await wall.fill('#unit-menu input[name=reason]', 'Ban bocor');
  await wall.keyboard.press('Tab');
  await wall.keyboard.press('o');
  await wall.waitForSelector(`.chip[data-unit="${spare.id}"].us-offduty`, { timeout: WAIT });
  assert.equal((await unitOf(wall, spare.id)).out_of_service, 'Ban bocor');
  await wall.waitForSelector('#unit-menu [data-action=in]', { timeout: WAIT });
  await wall.keyboard.press('i');
  await wall.waitForSelector(`.chip[data-unit="${spare.id}"].us-available`, { timeout: WAIT });
  await wall.keyboard.press('Escape');
  await wall.waitForSelector('#unit-menu', { state: 'hidden', timeout: WAIT });

  step = '"?" shows every key, in both languages';
  await wall.locator('body').press('?');
  await wall.waitForSelector('#help:not([hidden]) kbd', { timeout: WAIT });
  assert.match(await wall.locator('#help').textContent(), /Pintasan papan ketik/);
  await shot(wall, 'console-keys-id-1920');
  await wall.keyboard.press('Escape');
  await wall.waitForSelector('#help', { state: 'hidden', timeout: WAIT });

  if (!ALL) { assert.deepEqual(errors, [], 'no page errors'); return; }
  step = 'the keys in English';
  await setLang(wall, 'en');
  await wall.locator('body').press('?');
  await wall.waitForSelector('#help:not([hidden]) kbd', { timeout: WAIT });
  assert.match(await wall.locator('#help').textContent(), /Keyboard shortcuts/);
  await wall.keyboard.press('Escape');
  await wall.waitForSelector('#help', { state: 'hidden', timeout: WAIT });
  await setLang(wall, 'id');

  step = 'screenshots: the keys, a unit\'s menu and the type-ahead at wall, 4K and phone size, both languages';
  await wall.locator('body').press('?');
  await wall.waitForSelector('#help:not([hidden]) kbd', { timeout: WAIT });
  await shootSizes(wall, SHOTS, 'console-keys', '#help');
  await wall.keyboard.press('Escape');
  await wall.locator(`.chip[data-unit="${pick.id}"]`).click();
  await wall.waitForSelector('#unit-menu:not([hidden])', { timeout: WAIT });
  await shootSizes(wall, SHOTS, 'console-unit-menu', '#unit-menu');
  await wall.keyboard.press('Escape');
  await wall.locator(`.inc-row[data-id="${p1.id}"]`).click();
  await wall.waitForSelector('#detail .panel-head', { timeout: WAIT });
  await wall.setViewportSize({ width: 3840, height: 2160 });
  const d4 = await wall.locator('#detail').boundingBox();
  const b4 = await wall.locator('#board').boundingBox();
  assert.ok(b4.x >= d4.x + d4.width - 2, '4K: the board beside the detail');
  await wall.setViewportSize({ width: 1920, height: 1080 });
  await wall.fill('#detail input[name=unit-q]', pick.callsign.slice(0, 3));
  await wall.waitForSelector('#detail .ta-row', { timeout: WAIT });
  await shootSizes(wall, SHOTS, 'console-control', '#detail .ta-row');
  assert.deepEqual(errors, [], 'no page errors');
}

try {
  await run();
  log('ok');
} catch (e) {
  console.error(`FAILED at step "${step}": ${e.stack || e}`);
  if (wall) await wall.screenshot({ path: join(SHOTS, 'failed.png') }).catch(() => {});
  if (errors.length) console.error(errors.join('\n'));
  process.exitCode = 1;
} finally {
  await browser.close();
}
