// The police page (/police), run by TestPolicePageInBrowser against a real
// dispatchd (demo city, accounts) with camsim-backed cameras near an
// incident. Env: BASE_URL, CHROMIUM, INCIDENT (number), INCIDENT_ID, CAMERA
// (the id of an online camsim camera), SCREENSHOTS (folder for screenshots).
// Exits non-zero on the first failed check.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { gotoAs, launchOptions } from './login.mjs';

const { BASE_URL: BASE, INCIDENT, INCIDENT_ID, CAMERA, SCREENSHOTS: SHOTS } = process.env;
assert.ok(BASE && INCIDENT && INCIDENT_ID && CAMERA && SHOTS, 'BASE_URL, INCIDENT, INCIDENT_ID, CAMERA and SCREENSHOTS are required');
const WAIT = 20000;
const CALLER = ['081311112222', 'Rina Wulandari'];
const log = (msg) => console.log(`[${new Date().toISOString().slice(11, 23)}] ${msg}`);

const browser = await chromium.launch(launchOptions('--autoplay-policy=no-user-gesture-required'));

// playing waits until every video of the grid advances.
async function playing(page, what, n) {
  await page.waitForFunction((n) => {
    const v = [...document.querySelectorAll('#camgrid video')];
    return v.length === n && v.every((x) => x.currentTime > 0.3);
  }, n, { timeout: WAIT });
  const t1 = await page.evaluate(() => [...document.querySelectorAll('#camgrid video')].map((v) => v.currentTime));
  await page.waitForTimeout(1200);
  const t2 = await page.evaluate(() => [...document.querySelectorAll('#camgrid video')].map((v) => v.currentTime));
  t2.forEach((v, k) => assert.ok(v > t1[k] + 0.4, `${what}: tile ${k} does not advance (${t1[k]} → ${v})`));
  log(`${what}: ${n} tile(s) playing ${t1.map((v) => v.toFixed(2))} → ${t2.map((v) => v.toFixed(2))}`);
}

// readOnly checks that every control on the page only changes what is
// shown: the tabs, the grid size, the reason, opening an incident's
// cameras, closing a video tile, the language, logging out. No form,
// nothing else.
async function readOnly(page, what) {
  const controls = await page.$$eval('button, form, textarea, [contenteditable], input, select', (els) => els.map((e) => {
    if (['logout', 'lang-btn', 'reason', 'reason-text'].includes(e.id)) return e.id;
    if (e.matches('.userbar-out')) return 'logout'; // the userbar's logout
    if (e.matches('.tabs button')) return 'tab';
    if (e.matches('.size button')) return 'size';
    if (e.matches('button[data-incident]')) return 'incident';
    if (e.matches('button[data-remove]')) return 'tile-close';
    return `${e.tagName} ${e.outerHTML.slice(0, 120)}`;
  }));
  const unexpected = controls.filter((c) => !['logout', 'lang-btn', 'reason', 'reason-text', 'tab', 'size', 'incident', 'tile-close'].includes(c));
  assert.deepEqual(unexpected, [], `${what}: the police page offers only views`);
  const html = await page.content();
  for (const s of CALLER) assert.ok(!html.includes(s), `${what}: the page shows the caller (${s})`);
  const state = await page.evaluate(() => JSON.stringify([...window.cc112.store.incidents.values()]));
  for (const s of CALLER) assert.ok(!state.includes(s), `${what}: the live feed carried the caller (${s})`);
}

let failed = false;
try {
  // ---- the wall ----------------------------------------------------------
  const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'id-ID', timezoneId: 'Asia/Jakarta' });
  await ctx.route((url) => !url.href.startsWith(BASE), (route) => route.abort()); // no tiles: the offline map
  const page = await ctx.newPage();
  page.on('pageerror', (e) => { console.error(`wall: ${e.message}`); failed = true; });
  await gotoAs(page, BASE, '/police', 'police');
  await page.waitForSelector('#conn[data-state=live]', { timeout: WAIT });
  await page.waitForSelector(`button[data-incident="${INCIDENT_ID}"]`, { timeout: WAIT });
  // The map has the cameras (canvas dots) and the legend counts them by status.
  await page.waitForFunction(() => window.cc112.map && document.querySelector('#map path.district'), null, { timeout: WAIT });
  const cams = await page.evaluate(() => window.cc112.store.cameras.size);
  assert.ok(cams > 200, `the map has the demo city's cameras, got ${cams}`);
  await page.waitForFunction(() => Number.parseInt(document.querySelector('.lg.online').textContent, 10) >= 3, null, { timeout: WAIT });
  log(`map: ${cams} cameras; legend ${await page.locator('#legend').textContent()}`);
  await readOnly(page, 'wall');

  // A camera clicked before a reason is given waits for one.
  // (a zoom animation still running would undo setView when it ends: wait it out)
  const clickCamera = async (id) => {
    await page.waitForFunction((id) => {
      const c = window.cc112.store.cameras.get(id);
      const map = window.cc112.map.map;
      if (map.getZoom() !== 18) map.setView([c.location.lat, c.location.lon], 18, { animate: false });
      window.__zoomed = window.__zoomed === 18 && map.getZoom() === 18 ? 'steady' : map.getZoom();
      return window.__zoomed === 'steady';
    }, id, { timeout: WAIT, polling: 400 });
    await page.evaluate(() => { window.__zoomed = 0; });
    const pt = await page.evaluate((id) => {
      const c = window.cc112.store.cameras.get(id);
      const map = window.cc112.map.map;
      const p = map.latLngToContainerPoint([c.location.lat, c.location.lon]);
      const r = map.getContainer().getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y, zoom: map.getZoom() };
    }, id);
    assert.equal(pt.zoom, 18, 'the map zoomed to the camera');
    await page.mouse.click(pt.x, pt.y);
  };
  await clickCamera(CAMERA);
  await page.waitForSelector('#cams-msg:not([hidden])', { timeout: WAIT });
  assert.equal(await page.locator('#camgrid video').count(), 0, 'no video before a reason');
  await page.selectOption('#reason', 'Pemantauan lalu lintas');
  await playing(page, 'camera with a reason', 1);

  // The incident opens its nearest online cameras, replacing the grid.
  await page.click(`button[data-incident="${INCIDENT_ID}"]`);
  await page.waitForFunction(() => document.querySelectorAll('#camgrid .cam-tile').length === 3, null, { timeout: WAIT });
  await playing(page, 'incident cameras', 3);
  const caption = await page.locator('#camgrid figcaption').first().textContent();
  assert.ok(caption.includes(INCIDENT), `tiles name the incident: ${caption}`);
  // The picture: the incident close up, its online cameras green and ringed.
  await page.evaluate((id) => {
    const i = window.cc112.store.incidents.get(id);
    window.cc112.map.map.setView([i.location.lat - 0.001, i.location.lon], 16.5, { animate: false });
  }, INCIDENT_ID);
  await page.waitForTimeout(800);
  await page.screenshot({ path: join(SHOTS, 'police-wall.png') });
  await readOnly(page, 'wall with video');

  // 3×3, then a camera by hand: four tiles now.
  await page.click('.size button[data-size="9"]');
  await page.waitForSelector('#camgrid.size-9');
  await clickCamera('pk2'); // already playing: it moves to the newest place, no duplicate
  await page.waitForFunction(() => document.querySelectorAll('#camgrid .cam-tile').length === 3, null, { timeout: WAIT });

  // A forced change from this page (cookie + CSRF header) is refused, and
  // the incident's API answer has no caller.
  const forced = await page.evaluate(async (id) => {
    const h = { 'Content-Type': 'application/json', 'X-Requested-With': 'cc112' };
    const close = await fetch(`/api/v1/incidents/${id}/close`, { method: 'POST', headers: h, body: '{"disposition":"paksa"}' });
    const create = await fetch('/api/v1/incidents', { method: 'POST', headers: h, body: '{"category":"fire","priority":1,"location":{"lat":-7.25,"lon":112.75}}' });
    const one = await fetch(`/api/v1/incidents/${id}`);
    return [close.status, create.status, one.status, await one.text()];
  }, INCIDENT_ID);
  assert.deepEqual(forced.slice(0, 3), [403, 403, 200], 'forced close and create refused');
  for (const s of CALLER) assert.ok(!forced[3].includes(s), 'police API answer without the caller');
  log('read only: forced close and create → 403');
  await ctx.close();

  // ---- the phone ---------------------------------------------------------
  const pctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'id-ID', timezoneId: 'Asia/Jakarta' });
  await pctx.route((url) => !url.href.startsWith(BASE), (route) => route.abort());
  const phone = await pctx.newPage();
  phone.on('pageerror', (e) => { console.error(`phone: ${e.message}`); failed = true; });
  await gotoAs(phone, BASE, '/police', 'police');
  await phone.waitForSelector('#conn[data-state=live]', { timeout: WAIT });
  await phone.waitForFunction(() => window.cc112.map && document.querySelector('#map path.district'), null, { timeout: WAIT });
  await phone.waitForTimeout(800); // the city's fit animation
  await phone.screenshot({ path: join(SHOTS, 'police-phone-map.png') });
  await phone.click('.tabs button[data-view=incidents]');
  await phone.click(`button[data-incident="${INCIDENT_ID}"]`);
  await phone.waitForSelector('#grid[data-view=cams]', { timeout: WAIT });
  await playing(phone, 'phone incident cameras', 3);
  await readOnly(phone, 'phone');
  await phone.screenshot({ path: join(SHOTS, 'police-phone.png') });
  await pctx.close();
} catch (e) {
  console.error(e);
  for (const p of browser.contexts().flatMap((c) => c.pages())) await p.screenshot({ path: join(SHOTS, 'police-failed.png') }).catch(() => {});
  failed = true;
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
