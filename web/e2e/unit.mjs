// Browser scenario of the field-unit phone view, run by
// the Go test cmd/dispatchd/unit_browser_test.go against a real dispatchd
// (demo accounts, no simulator). Env: BASE_URL, CHROMIUM, SCREENSHOTS.
// Exits non-zero on the first failed check.
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

// The dispatcher works through the API with a bearer token.
const { call, login } = apiAs(BASE);
const until = (what, fn) => waitUntil(what, fn, WAIT);

const browser = await chromium.launch(launchOptions());
const errors = [];
try {
  const disp = await login('dispatcher');
  const unitSession = await login('unit');
  const unitID = unitSession.unit_id;
  assert.ok(unitID, 'the demo unit account is bound to a unit');
  const unitNow = async () => (await call(disp.token, 'GET', '/api/v1/units/' + unitID)).data;

  // ---- the phone ----------------------------------------------------------
  const start = { latitude: -7.2650, longitude: 112.7420, accuracy: 8 };
  const phone = await browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    geolocation: start, permissions: ['geolocation'], locale: 'id-ID', timezoneId: 'Asia/Jakarta',
  });
  await phone.addInitScript(() => {
    window.__vibrations = [];
    navigator.vibrate = (p) => { window.__vibrations.push(p); return true; };
  });
  const page = await phone.newPage();
  page.on('pageerror', (e) => errors.push('unit page: ' + e.message));
  failOnCSP(page);
  await page.goto(BASE + '/unit');
  await page.waitForSelector('#login:not([hidden])');
  await page.screenshot({ path: join(SHOTS, 'unit-login-phone.png') });
  await page.fill('input[name=username]', 'unit');
  await page.fill('input[name=password]', 'unit');
  await page.tap('#login button[type=submit]');
  await page.waitForSelector('#main:not([hidden]) #idle:not([hidden])', { timeout: WAIT });
  log('unit logged in, idle');

  // The first fix reaches the server.
  await until('first position', async () => {
    const u = await unitNow();
    return Math.abs(u.location.lat - start.latitude) < 1e-6 && u;
  });
  log('first GPS fix reported');

  // A dispatch made by the dispatcher arrives on the phone by itself,
  // through the live websocket (/api/v1/live, the session cookie).
  await page.waitForSelector('body[data-live=open]', { timeout: WAIT });
  const inc = await call(disp.token, 'POST', '/api/v1/incidents', {
    category: 'medical', priority: 1, location: { lat: -7.2575, lon: 112.7521 }, address: 'Jl. Tunjungan 12',
    description: 'Pria pingsan di trotoar', caller: { name: 'Rina Wulandari', phone: '081311112222' },
  });
  assert.equal(inc.status, 201);
  const a = await call(disp.token, 'POST', `/api/v1/incidents/${inc.data.id}/assignments`, { unit_id: unitID });
  assert.equal(a.status, 201, JSON.stringify(a.data));
  await page.waitForSelector('#task:not([hidden])', { timeout: WAIT });
  await page.waitForSelector('#alert:not([hidden])', { timeout: WAIT });
  assert.match(await page.textContent('#category'), /Gawat darurat medis/);
  assert.match(await page.textContent('#address'), /Tunjungan/);
  assert.match(await page.textContent('#distance'), /km|m/);
  assert.match(await page.getAttribute('#nav', 'href'), /destination=-7\.2575,112\.7521|geo:-7\.2575,112\.7521/);
  assert.ok((await page.evaluate(() => window.__vibrations.length)) > 0, 'the phone vibrated');
  const changes = Number(await page.evaluate(() => document.body.dataset.liveChanges || 0));
  assert.ok(changes > 0, 'the dispatch came over the live feed, not only by polling');
  log(`dispatch arrived live (${changes} live changes) with alarm and vibration`);
  await page.screenshot({ path: join(SHOTS, 'unit-assignment-phone.png') });

  // Driving: the phone reports where it is.
  await phone.setGeolocation({ latitude: -7.2610, longitude: 112.7470, accuracy: 6 });
  await until('moved position', async () => Math.abs((await unitNow()).location.lat - -7.2610) < 1e-6);
  log('moving fix reported');

  // Menuju (en route).
  await page.tap('#btn-enroute');
  await until('enroute on the server', async () => (await unitNow()).status === 'enroute');
  log('en route reached the dispatcher');

  // Tiba, while the network is down: queued, then delivered in order.
  await phone.setOffline(true);
  await page.tap('#btn-onscene');
  await page.waitForFunction(() => /Menunggu jaringan/.test(document.querySelector('#queue').textContent), null, { timeout: WAIT });
  assert.equal((await unitNow()).status, 'enroute', 'nothing reached the server while offline');
  await page.screenshot({ path: join(SHOTS, 'unit-offline-phone.png') });
  await phone.setOffline(false);
  await until('onscene on the server', async () => (await unitNow()).status === 'onscene');
  const after = (await call(disp.token, 'GET', '/api/v1/incidents/' + inc.data.id)).data;
  assert.equal(after.status, 'onscene');
  assert.ok(after.onscene_at, 'the incident has its on-scene time');
  await page.waitForFunction(() => document.querySelector('#queue').textContent === '', null, { timeout: WAIT });
  log('on scene queued offline and replayed after reconnect');

  // The dispatcher writes a note on the console (Enter saves it); it
  // reaches the unit's phone. An internal note in the same log never does.
  const desk = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'id-ID', timezoneId: 'Asia/Jakarta' });
  const con = await desk.newPage();
  con.on('pageerror', (e) => errors.push('console: ' + e.message));
  await gotoAs(con, BASE, '/', 'dispatcher');
  await con.locator('.inc-row', { hasText: inc.data.number }).click();
  await con.waitForSelector('#detail .activity', { timeout: WAIT });
  await con.fill('#detail textarea[name=note]', 'Akses lewat gang samping, pagar biru');
  await con.press('#detail textarea[name=note]', 'Enter');
  await con.waitForSelector('#detail .activity li.log-note:has-text("pagar biru")', { timeout: WAIT });
  assert.equal(await con.inputValue('#detail textarea[name=note]'), '', 'the saved note left the box');
  await con.fill('#detail textarea[name=note]', 'Pelapor diduga mabuk');
  await con.check('#detail input[name=internal]');
  await con.click('#detail .note-form button[type=submit]');
  await con.waitForSelector('#detail .activity li.internal:has-text("mabuk")', { timeout: WAIT });
  await page.waitForFunction(() => /pagar biru/.test(document.querySelector('#note-list').textContent), null, { timeout: WAIT });
  assert.doesNotMatch(await page.textContent('#note-list'), /mabuk/, 'an internal note never reaches the unit');
  log('a console note reached the phone; the internal one did not');
  await page.screenshot({ path: join(SHOTS, 'unit-note-phone.png') });

  // Closing with the unit still assigned asks first; no closes nothing.
  let asked = '';
  con.once('dialog', (d) => { asked = d.message(); d.dismiss(); });
  await con.click('#detail .close-form button[type=submit]');
  await until('the close question', async () => asked);
  assert.match(asked, /Masih ada unit ditugaskan/);
  assert.notEqual((await call(disp.token, 'GET', '/api/v1/incidents/' + inc.data.id)).data.status, 'closed', 'a declined close changes nothing');
  log('closing with a unit assigned asked first');

  // The detail with notes, both languages, wall and phone sizes.
  for (const [lang, vp] of [['id', { width: 1920, height: 1080 }], ['en', { width: 1920, height: 1080 }], ['en', { width: 390, height: 844 }], ['id', { width: 390, height: 844 }]]) {
    const cur = await con.evaluate(() => document.documentElement.lang);
    if (cur !== lang) await con.click('#lang-btn');
    await con.setViewportSize(vp);
    await con.waitForTimeout(300);
    await con.locator('#detail .activity').scrollIntoViewIfNeeded();
    await con.screenshot({ path: join(SHOTS, `console-detail-notes-${lang}-${vp.width}.png`) });
  }
  // A change of category shows what the new plan still needs and is
  // logged; a cancel without a reason sends nothing, with one it closes.
  await con.setViewportSize({ width: 1920, height: 1080 });
  await con.click('#detail details.edit summary');
  await con.selectOption('#detail select[name=category]', 'fire');
  await con.click('#detail .edit-form button[type=submit]');
  await con.waitForSelector('#detail .plan-missing', { timeout: WAIT });
  await con.waitForSelector('#detail .activity li.log-edited', { timeout: WAIT });
  assert.equal((await call(disp.token, 'GET', '/api/v1/incidents/' + inc.data.id)).data.category, 'fire');
  await con.screenshot({ path: join(SHOTS, 'console-detail-edit.png') });
  log('category change saved; the plan\'s missing units shown');
  await con.click('#detail .reason-form button[type=submit]');
  await con.waitForTimeout(300);
  assert.notEqual((await call(disp.token, 'GET', '/api/v1/incidents/' + inc.data.id)).data.status, 'closed', 'no reason, no cancel');
  await con.fill('#detail .reason-form input[name=reason]', 'Pelapor salah alamat');
  await con.click('#detail .reason-form button[type=submit]');
  await until('cancelled', async () => {
    const d = (await call(disp.token, 'GET', '/api/v1/incidents/' + inc.data.id)).data;
    return d.status === 'closed' && d.cancelled;
  });
  log('cancel asked for a reason, then closed the incident');
  await desk.close();

  // Wall-size look at the same page.
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.screenshot({ path: join(SHOTS, 'unit-wall.png') });
  assert.deepEqual(errors, []);
  log('all checks passed');
} catch (e) {
  console.error('FAILED:', e.message, errors);
  process.exitCode = 1;
} finally {
  await browser.close();
}
