// Alarm levels in the console (issue 17), run by the Go test
// cmd/dispatchd/alarm_browser_test.go against a real dispatchd (demo city,
// no simulator): a fire's detail shows "alarm level 1" and a control that
// raises it; one click raises it to 2 (the header, drawn from the live
// feed, says so; the log records it), the next to 3, and then no control
// is left. Screenshots go to SCREENSHOTS: the detail at level 2, and with
// ALL_SHOTS set at level 3 at 1920×1080, 3840×2160 and 390×844 in both
// languages.
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
const WAIT = 45000; // a 4K page on a busy 2-core machine takes its time
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
  return page;
}

async function setLang(page, l) {
  if (await page.evaluate(() => document.documentElement.lang) !== l) {
    await page.locator('#lang-btn').click();
    await page.waitForFunction((l) => document.documentElement.lang === l, l, { timeout: WAIT });
  }
}

async function open(page, id) {
  await page.locator(`.inc-row[data-id="${id}"]`).click({ timeout: 2 * WAIT });
  await page.waitForSelector('#detail .alarm-row', { timeout: WAIT });
}

async function shot(page, name) {
  await page.waitForTimeout(300);
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, timeout: 2 * WAIT });
  log(`screenshot ${path}`);
}

let wall;
async function run() {
  step = 'a fire in the queue, its detail at level 1';
  wall = await newPage('wall', { width: 1920, height: 1080 });
  const inc = await wall.evaluate(async () => {
    const res = await fetch('/api/v1/incidents', {
      method: 'POST', credentials: 'same-origin',
      headers: { 'X-Requested-With': 'cc112', 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ category: 'fire', priority: 1, address: 'Jl. Tunjungan 1', location: { lat: -7.2575, lon: 112.7381 } }),
    });
    return res.json();
  });
  assert.ok(inc.id, JSON.stringify(inc));
  await open(wall, inc.id);
  assert.match(await wall.locator('#detail .alarm-now').innerText(), /tingkat 1/i);

  step = 'raise to level 2: the header (from the live feed) and the log show it';
  await wall.locator('#detail [data-action=alarm][data-level="2"]').click();
  await wall.waitForSelector('#detail .panel-head .alarm-badge', { timeout: WAIT });
  await wall.waitForSelector('#detail .activity .log-alarm', { timeout: WAIT });
  assert.match(await wall.locator('#detail .panel-head .alarm-badge').innerText(), /2/);
  await shot(wall, 'alarm-level2-id-1920');

  step = 'raise to level 3: no control left';
  await wall.locator('#detail [data-action=alarm][data-level="3"]').click();
  await wall.waitForSelector('#detail .alarm-now.lvl3', { timeout: WAIT });
  assert.equal(await wall.locator('#detail [data-action=alarm]').count(), 0);

  step = 'level 3 in English';
  await setLang(wall, 'en');
  assert.match(await wall.locator('#detail .alarm-now').innerText(), /level 3/i);
  await setLang(wall, 'id');

  step = 'screenshots at 1920×1080, at 4K and on a phone, both languages';
  // The same page resized: a second login costs more than a busy machine
  // gives a test; the layout follows the viewport's width.
  await shootSizes(wall, process.env.ALL_SHOTS ? SHOTS : '', 'alarm-level3', '#detail .alarm-now');
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
