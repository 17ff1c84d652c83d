// Browser scenario of drive-time routes, run by the Go test
// cmd/dispatchd/routes_browser_test.go against a real dispatchd with the
// central Surabaya road network (demo accounts, no simulator). Env:
// BASE_URL, CHROMIUM, SCREENSHOTS. Exits non-zero on the first failed check.
//
// The console draws the route of the recommendation under the pointer and
// of every unit on its way with a countdown to its arrival; the unit's
// phone shows its route and a geo: "Navigasi" link; the supervisor sees
// how far the predicted ETAs were from the arrivals.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { apiAs, failOnCSP, gotoAs, launchOptions, waitUntil } from './login.mjs';

const BASE = process.env.BASE_URL;
const SHOTS = process.env.SCREENSHOTS;
assert.ok(BASE && SHOTS, 'BASE_URL and SCREENSHOTS are required');
mkdirSync(SHOTS, { recursive: true });
const WAIT = 20000;
const log = (msg) => console.log(`[${new Date().toISOString().slice(11, 23)}] ${msg}`);
const SIZES = [{ width: 1920, height: 1080 }, { width: 3840, height: 2160 }, { width: 390, height: 844 }];

// The dispatcher works through the API with a bearer token.
const { call, login } = apiAs(BASE);
const until = (what, fn) => waitUntil(what, fn, WAIT);
// pathPoints counts the vertices of an SVG path Leaflet drew.
const pathPoints = (d) => (d.match(/[ML]/g) || []).length;

async function setLang(page, lang, button) {
  if ((await page.evaluate(() => document.documentElement.lang)) !== lang) await page.click(button);
  await until(`language ${lang}`, async () => (await page.evaluate(() => document.documentElement.lang)) === lang);
}

const browser = await chromium.launch(launchOptions());
const errors = [];
try {
  const disp = await login('dispatcher');
  const unitSession = await login('unit');
  const unitID = unitSession.unit_id;

  // A medical call east of the river, at the end of Jalan Undaan.
  const inc = await call(disp.token, 'POST', '/api/v1/incidents', {
    category: 'medical', priority: 1, location: { lat: -7.245984, lon: 112.748173 }, address: 'Jl. Undaan Wetan 40 (uji rute)',
  });
  assert.equal(inc.status, 201, JSON.stringify(inc.data));
  const recs = await call(disp.token, 'GET', `/api/v1/incidents/${inc.data.id}/recommendations?type=ambulance&route=1`);
  assert.equal(recs.status, 200);
  assert.ok(recs.data.length > 0 && recs.data.some((r) => r.method === 'road' && r.route), 'recommendations by road with routes: ' + JSON.stringify(recs.data).slice(0, 300));

  // ---- the console: the route of the recommendation under the pointer ----
  const ctx = await browser.newContext({ viewport: SIZES[0], locale: 'id-ID', timezoneId: 'UTC' });
  await ctx.route((url) => !url.href.startsWith(BASE), (route) => route.abort()); // no outside network
  const con = await ctx.newPage();
  con.on('pageerror', (e) => errors.push('console: ' + e.message));
  await gotoAs(con, BASE, '/', 'dispatcher');
  await con.waitForSelector('#conn[data-state=live]', { timeout: WAIT });
  await con.locator('.inc-row', { hasText: 'uji rute' }).click();
  const first = con.locator('#detail .rec[data-rec]').first();
  await first.waitFor({ timeout: WAIT });
  assert.equal(await con.locator('path.route-rec').count(), 0, 'no route before the pointer is on a recommendation');
  await first.hover();
  await con.waitForSelector('path.route-rec', { timeout: WAIT });
  const d = await con.getAttribute('path.route-rec', 'd');
  const rec = await con.evaluate((key) => {
    const [type, id] = key.split('/');
    return { type, id };
  }, await first.getAttribute('data-rec'));
  const want = recs.data.find((r) => r.unit_id === rec.id) || (await call(disp.token, 'GET',
    `/api/v1/incidents/${inc.data.id}/recommendations?route=1&limit=3${rec.type ? '&type=' + rec.type : ''}`)).data.find((r) => r.unit_id === rec.id);
  assert.ok(want && want.route, 'the hovered recommendation has a route');
  assert.ok(pathPoints(d) >= Math.min(want.route.coordinates.length, 3), `the drawn route has ${pathPoints(d)} vertices, the answer ${want.route.coordinates.length}`);
  log(`route of ${rec.id} drawn: ${pathPoints(d)} vertices (${want.method}, ${want.eta_s} s)`);
  await con.mouse.move(5, 5);
  await until('the route goes with the pointer', async () => (await con.locator('path.route-rec').count()) === 0);
  await first.hover();
  await con.waitForSelector('path.route-rec', { timeout: WAIT });
  for (const lang of ['id', 'en']) {
    await setLang(con, lang, '#lang-btn');
    for (const vp of SIZES) {
      await con.setViewportSize(vp);
      await con.waitForTimeout(400);
      if (vp.width > 1000) await con.locator('#detail .rec[data-rec]').first().hover();
      await con.screenshot({ path: join(SHOTS, `routes-console-${lang}-${vp.width}.png`) });
    }
  }
  await con.setViewportSize(SIZES[0]);
  await setLang(con, 'id', '#lang-btn');

  // ---- a unit on its way: its route and a countdown on the console ----
  const a = await call(disp.token, 'POST', `/api/v1/incidents/${inc.data.id}/assignments`, { unit_id: unitID });
  assert.equal(a.status, 201, JSON.stringify(a.data));
  const pred = a.data.incident.assignments.find((x) => x.unit_id === unitID);
  assert.ok(pred.predicted_eta_s > 0 && pred.eta_method, 'the ETA predicted at dispatch is kept: ' + JSON.stringify(pred));
  assert.equal((await call(disp.token, 'POST', `/api/v1/units/${unitID}/status`, { status: 'enroute' })).status, 200);
  await con.waitForSelector('path.route-unit', { timeout: WAIT });
  const count1 = await con.locator('.eta-count').first().textContent();
  assert.match(count1, /^\d+:\d\d$/);
  await con.waitForTimeout(2200);
  const count2 = await con.locator('.eta-count').first().textContent();
  const secs = (s) => Number(s.split(':')[0]) * 60 + Number(s.split(':')[1]);
  assert.ok(secs(count2) < secs(count1) || secs(count1) === 0, `the countdown runs: ${count1} then ${count2}`);
  await until('the countdown in the detail', async () => /\d+:\d\d/.test(await con.textContent('#detail .eta-live')));
  log(`unit on its way: route drawn, countdown ${count1} → ${count2}, detail: ${await con.textContent('#detail .eta-live')}`);
  await con.screenshot({ path: join(SHOTS, 'routes-console-enroute-id-1920.png') });

  // ---- the unit's phone: its route and the Navigasi geo: link ----
  const phone = await browser.newContext({
    viewport: SIZES[2], deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    geolocation: { latitude: -7.257795, longitude: 112.752377, accuracy: 8 }, permissions: ['geolocation'], locale: 'id-ID', timezoneId: 'Asia/Jakarta',
  });
  const page = await phone.newPage();
  page.on('pageerror', (e) => errors.push('unit page: ' + e.message));
  failOnCSP(page);
  await page.goto(BASE + '/unit');
  await page.fill('input[name=username]', 'unit');
  await page.fill('input[name=password]', 'unit');
  await page.tap('#login button[type=submit]');
  await page.waitForSelector('#task:not([hidden])', { timeout: WAIT });
  await page.waitForSelector('#route:not([hidden]) #route-svg polyline', { timeout: WAIT });
  await until('the route from the phone\'s fix', async () => /jalan/.test(await page.textContent('#route-sum')));
  assert.equal(await page.evaluate(() => document.getElementById('route').classList.contains('straight')), false, 'a road route');
  assert.match(await page.getAttribute('#nav', 'href'), /^geo:-7\.245984,112\.748173\?q=/);
  log('unit phone: ' + (await page.textContent('#route-sum')));
  for (const lang of ['id', 'en']) {
    await setLang(page, lang, '#main [data-lang-switch]');
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(SHOTS, `routes-unit-${lang}-390.png`), fullPage: true });
  }

  // ---- arrival: the supervisor's predicted-vs-actual panel ----
  await new Promise((r) => setTimeout(r, 1200));
  assert.equal((await call(disp.token, 'POST', `/api/v1/units/${unitID}/status`, { status: 'onscene' })).status, 200);
  const sctx = await browser.newContext({ viewport: SIZES[0], locale: 'id-ID', timezoneId: 'UTC' });
  await sctx.route((url) => !url.href.startsWith(BASE), (route) => route.abort());
  const sup = await sctx.newPage();
  sup.on('pageerror', (e) => errors.push('supervisor: ' + e.message));
  await gotoAs(sup, BASE, '/supervisor', 'supervisor');
  await sup.waitForSelector('body[data-loaded=true]', { timeout: WAIT });
  await until('the ETA panel', async () => /%/.test(await sup.textContent('#eta-all')));
  assert.ok((await sup.locator('#eta-type tbody tr').count()) >= 1);
  for (const lang of ['id', 'en']) {
    if ((await sup.evaluate(() => document.documentElement.lang)) !== lang) {
      await Promise.all([sup.waitForEvent('load'), sup.click('#lang-btn')]); // a new language reloads the page
      await sup.waitForSelector('body[data-loaded=true]', { timeout: WAIT });
      await until('the ETA panel', async () => /%/.test(await sup.textContent('#eta-all')));
    }
    for (const vp of SIZES) {
      await sup.setViewportSize(vp);
      await sup.waitForTimeout(400);
      await sup.locator('#eta').scrollIntoViewIfNeeded();
      await sup.screenshot({ path: join(SHOTS, `routes-supervisor-eta-${lang}-${vp.width}.png`) });
    }
  }
  log('supervisor: ' + (await sup.textContent('#eta-all')));
} finally {
  await browser.close();
}
assert.deepEqual(errors, [], 'page errors');
log('routes scenario passed');
