// Every page in both languages, on a wall (1920×1080) and a phone
// (390×844): Bahasa Indonesia first, then English through the page's own
// switch. Each page must show different words after the switch, set
// <html lang=en>, and never ask the catalogue for a key it lacks
// (i18n.js warns "i18n: no message"). Run by the Go test
// cmd/dispatchd/languages_browser_test.go. Env: BASE_URL, CHROMIUM, SCREENSHOTS
// (the screenshots, <page>-<lang>-<wall|phone>.png).
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { failOnCSP, gotoAs, launchOptions } from './login.mjs';
import { collect, strays, watchData } from './visible.mjs';

const BASE = process.env.BASE_URL;
const SHOTS = process.env.SCREENSHOTS;
assert.ok(BASE && SHOTS, 'BASE_URL and SCREENSHOTS are required');
mkdirSync(SHOTS, { recursive: true });
const WAIT = 20000;
const log = (msg) => console.log(`[${new Date().toISOString().slice(11, 23)}] ${msg}`);

// role: the demo account (username = password) that opens the page through
// /login; unit logs in on its own page; none is public. ready: what shows
// once the page has loaded what it lists.
const PAGES = [
  { name: 'login', path: '/login?next=%2Fpolice', ready: '#for:not(:empty)' },
  { name: 'complaint', path: '/complaint', ready: '#category option[value=road]' },
  { name: 'console', path: '/', role: 'dispatcher', ready: '#board .ugroup' },
  { name: 'police', path: '/police', role: 'police', ready: '#legend .lg' },
  { name: 'desk', path: '/desk', role: 'dispatcher', ready: '#f-category option[value=road]' },
  { name: 'camera', path: '/camera', role: 'police', ready: '#state.pick' },
  { name: 'unit', path: '/unit', unit: true, ready: '#main:not([hidden]) #unit-status:not(:empty)' },
  { name: 'calltaker', path: '/calltaker', role: 'calltaker', ready: '#category option[value=fire]' },
  { name: 'supervisor', path: '/supervisor', role: 'supervisor', ready: 'body[data-loaded="true"]' },
  { name: 'stats', path: '/desk/stats', role: 'supervisor', ready: '#s-tiles .tile' },
  { name: 'statistik', path: '/statistik', ready: '#s-tiles .tile' },
  { name: 'admin', path: '/admin', role: 'admin', ready: '#unit-form select[name=type] option' },
];

const VIEWS = {
  wall: { viewport: { width: 1920, height: 1080 } },
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
};

// english waits for the page to show English; a page may reload to get
// there (the supervisor's charts), which ends the first wait.
async function english(page) {
  for (let i = 0; ; i++) {
    try {
      await page.waitForFunction(() => document.documentElement.lang === 'en', null, { timeout: WAIT });
      return;
    } catch (e) {
      if (i > 2 || !/destroyed|navigat/i.test(e.message)) throw e;
    }
  }
}

const browser = await chromium.launch(launchOptions());
let failed = false;
const stray = []; // shown strings outside the catalogue, of every page
// settle lets the page finish drawing what its first answers brought.
const settle = (page) => page.waitForTimeout(700);
try {
  for (const p of PAGES.filter((x) => !process.env.ONLY_PAGE || x.name === process.env.ONLY_PAGE)) {
    for (const [view, opts] of Object.entries(VIEWS)) {
      if (process.env.ONLY_VIEW && view !== process.env.ONLY_VIEW) continue;
      const ctx = await browser.newContext({ ...opts, locale: 'id-ID', timezoneId: 'Asia/Jakarta' });
      const page = await ctx.newPage();
      const data = watchData(page);
      const missing = [];
      page.on('console', (m) => { if (m.text().startsWith('i18n: no message')) missing.push(m.text()); });
      page.on('pageerror', (e) => missing.push('page error: ' + e.message));
      failOnCSP(page);
      if (p.role) {
        await gotoAs(page, BASE, p.path, p.role);
      } else {
        await page.goto(BASE + p.path);
      }
      if (p.unit) {
        await page.waitForSelector('#login:not([hidden])', { timeout: WAIT });
        await page.fill('input[name=username]', 'unit');
        await page.fill('input[name=password]', 'unit');
        await page.click('#login button[type=submit]');
      }
      await page.waitForSelector(p.ready, { state: 'attached', timeout: WAIT });
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'id', `${p.name}: Bahasa Indonesia by default`);
      await settle(page);
      stray.push(...strays(await page.evaluate(collect), 'id', data).map((s) => `${p.name} ${view} id: ${s}`));
      const before = await page.evaluate(() => document.body.innerText);
      await page.screenshot({ path: join(SHOTS, `${p.name}-id-${view}.png`) });

      await page.locator('#lang-btn:visible, [data-lang-switch]:visible').first().click();
      await english(page);
      await page.waitForSelector(p.ready, { state: 'attached', timeout: WAIT });
      await settle(page);
      stray.push(...strays(await page.evaluate(collect), 'en', data).map((s) => `${p.name} ${view} en: ${s}`));
      const after = await page.evaluate(() => document.body.innerText);
      assert.notEqual(after, before, `${p.name}: the switch changed no word`);
      await page.screenshot({ path: join(SHOTS, `${p.name}-en-${view}.png`) });
      assert.deepEqual(missing, [], `${p.name} (${view}): keys missing from the catalogue, or errors`);
      log(`${p.name} ${view}: id and en`);
      await ctx.close();
    }
  }
  if (stray.length) {
    for (const s of new Set(stray)) console.error('NOT IN CATALOGUE', s);
    throw new Error(`${new Set(stray).size} strings shown that are not in the catalogue`);
  }
  log('all pages switch language and show only catalogue words and data');
} catch (e) {
  console.error('FAILED:', e.message);
  failed = true;
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
