// Browser scenario of the wall (issue 19), run by the Go test
// cmd/dispatchd/wall_browser_test.go against a real dispatchd (demo
// accounts, no simulator). Env: BASE_URL, CHROMIUM, SCREENSHOTS. It asks
// the Go test to stop and start the server by printing STOP / START and
// reads "stopped" / "started" on stdin. Exits non-zero on the first failed
// check.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { apiAs, gotoAs, launchOptions, waitUntil } from './login.mjs';

const BASE = process.env.BASE_URL;
const SHOTS = process.env.SCREENSHOTS;
assert.ok(BASE && SHOTS, 'BASE_URL and SCREENSHOTS are required');
mkdirSync(SHOTS, { recursive: true });
const WAIT = 60000; // a shared 2-core machine renders 4K slowly
const log = (msg) => console.log(`[${new Date().toISOString().slice(11, 23)}] ${msg}`);
const { call, login } = apiAs(BASE);
const until = (what, fn, wait = WAIT) => waitUntil(what, fn, wait);

// ask prints a command for the Go test and waits for its reply.
const replies = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
async function ask(cmd) {
  console.log(cmd);
  const { value } = await replies.next();
  return (value || '').trim();
}

// within fails unless fn turns truthy within ms of now; it returns the time it took.
async function within(what, ms, fn) {
  const t0 = Date.now();
  for (;;) {
    if (await fn()) return Date.now() - t0;
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const browser = await chromium.launch(launchOptions());
const errors = [];
const contexts = [];
async function pageAt(viewport, path, role) {
  const ctx = await browser.newContext({ viewport, locale: 'id-ID', timezoneId: 'UTC', reducedMotion: 'reduce' });
  contexts.push(ctx);
  await ctx.route((url) => !url.href.startsWith(BASE), (route) => route.abort()); // no outside network
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(`${role} ${path}: ${e.message}`));
  await gotoAs(page, BASE, path, role);
  return page;
}

try {
  const disp = await login('dispatcher');
  for (const address of ['Jl. Tunjungan 1 (uji dinding)', 'Jl. Darmo 5 (uji dinding)']) {
    const r = await call(disp.token, 'POST', '/api/v1/incidents', { category: 'fire', priority: 1, location: { lat: -7.2606, lon: 112.7383 }, address });
    assert.equal(r.status, 201, JSON.stringify(r.data));
  }

  // ---- wall mode: the same layout at twice the pixels ----
  // One page per role, resized: every size is rem, so no reload is needed.
  const HD = { width: 1920, height: 1080 }, UHD = { width: 3840, height: 2160 }, PHONE = { width: 390, height: 844 };
  const textSizes = (page) => page.evaluate(() => {
    const px = (sel) => { const el = document.querySelector(sel); return el ? parseFloat(getComputedStyle(el).fontSize) : null; };
    return { root: px('html'), queue: px('.inc-row .inc-cat'), clock: px('.inc-row .clock'), callsign: px('.chip b'), status: px('.chip .ust') };
  });
  const overflow = (page) => page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  const wallPage = await pageAt(HD, '/', 'wall');
  await wallPage.waitForSelector('#conn[data-state=live]', { timeout: WAIT });
  await wallPage.waitForSelector('.inc-row .inc-cat', { timeout: WAIT, state: 'attached' });
  await wallPage.waitForSelector('.chip .ust', { timeout: WAIT, state: 'attached' });
  const hd = await textSizes(wallPage);
  await wallPage.screenshot({ path: join(SHOTS, 'wall-1920.png') });
  await wallPage.setViewportSize(UHD);
  await wallPage.waitForTimeout(500);
  const uhd = await textSizes(wallPage);
  log(`wall 1920: ${JSON.stringify(hd)}; 3840: ${JSON.stringify(uhd)}`);
  for (const k of Object.keys(hd)) {
    assert.ok(hd[k] > 0, `${k} text missing on the wall`);
    const ratio = uhd[k] / hd[k];
    assert.ok(ratio >= 1.8, `${k} text at 4K is ${ratio.toFixed(2)}× its 1080p size (want ≥ 1.8)`);
  }
  assert.ok(hd.status >= 15, `unit status labels at 1080p are ${hd.status}px (want ≥ 15)`);
  const statusColour = await wallPage.evaluate(() => getComputedStyle(document.querySelector('.chip .ust')).color);
  assert.equal(statusColour, 'rgb(243, 246, 250)', 'unit status labels are in the text colour, not muted grey');
  await wallPage.setViewportSize(PHONE);
  await wallPage.waitForTimeout(500);
  let w = await overflow(wallPage);
  assert.ok(w.scroll <= w.client, `the wall at 390×844 scrolls sideways: ${w.scroll} > ${w.client}`);
  await wallPage.context().close();
  for (const [path, role] of [['/', 'dispatcher'], ['/supervisor', 'supervisor'], ['/calltaker', 'calltaker'], ['/police', 'police'], ['/desk', 'dispatcher']]) {
    const p = await pageAt(HD, path, role);
    const a = (await textSizes(p)).root;
    await p.setViewportSize(UHD);
    await p.waitForTimeout(300);
    const b = (await textSizes(p)).root;
    assert.ok(b / a >= 1.8, `${path}: root font ${a}px at 1080p, ${b}px at 4K`);
    await p.setViewportSize(PHONE);
    await p.waitForTimeout(500);
    w = await overflow(p);
    assert.ok(w.scroll <= w.client, `${path} as ${role} at 390×844 scrolls sideways: ${w.scroll} > ${w.client}`);
    await p.context().close();
  }
  log('sizes and overflow ok');

  // ---- honest state: the server stops ----
  const wall = await pageAt({ width: 1920, height: 1080 }, '/', 'wall');
  await wall.waitForSelector('#conn[data-state=live]', { timeout: WAIT });
  const ct = await pageAt({ width: 1920, height: 1080 }, '/calltaker', 'calltaker');
  const unitCtx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'id-ID', timezoneId: 'UTC', reducedMotion: 'reduce' });
  contexts.push(unitCtx);
  await unitCtx.route((url) => !url.href.startsWith(BASE), (route) => route.abort());
  const unit = await unitCtx.newPage();
  await unit.goto(`${BASE}/unit`);
  await unit.fill('#login input[name=username]', 'unit');
  await unit.fill('#login input[name=password]', 'unit');
  await unit.click('#login button[type=submit]');
  await unit.waitForSelector('body[data-live=open]', { timeout: WAIT });
  assert.equal(await unit.evaluate(() => document.getElementById('net').classList.contains('off')), false);
  await ct.waitForSelector('body[data-outage=up]', { timeout: WAIT });

  assert.equal(await ask('STOP'), 'stopped');
  const tookWall = await within('the wall\'s outage banner', 3000, () => wall.evaluate(() => {
    const b = document.getElementById('outage');
    return document.body.dataset.outage === 'down' && b && !b.hidden && b.getBoundingClientRect().width >= window.innerWidth - 1;
  }));
  log(`wall banner after ${tookWall} ms`);
  const banner = await wall.evaluate(() => document.getElementById('outage').textContent);
  assert.match(banner, /\d\d:\d\d:\d\d/, 'the banner says "data as of HH:MM:SS": ' + banner);
  const dim = await wall.evaluate(() => Number(getComputedStyle(document.querySelector('main')).opacity));
  assert.ok(dim < 0.7, `the wall's data is dimmed: opacity ${dim}`);
  await wall.screenshot({ path: join(SHOTS, 'wall-outage-1920.png') });
  await within('the unit\'s dot turns to disconnected', 3000, () => unit.evaluate(() => document.getElementById('net').classList.contains('off')));
  assert.match(await unit.evaluate(() => document.getElementById('net').textContent), /Terputus/);
  await within('the call-taker\'s outage banner', 3000, () => ct.evaluate(() => document.body.dataset.outage === 'down'));

  // Two calls recorded offline, in this order.
  for (const [phone, address] of [['081234500001', 'ANTRIAN-SATU'], ['081234500002', 'ANTRIAN-DUA']]) {
    await ct.fill('#phone', phone);
    await ct.press('#phone', 'Enter');
    await ct.waitForSelector('#submit:not([disabled])', { timeout: WAIT });
    await ct.fill('#address', address);
    await ct.locator('#map').click({ position: { x: 300, y: 300 } });
    await ct.waitForSelector('#loc.ok', { timeout: WAIT });
    await ct.press('#notes', 'Control+Enter');
    await until(`call ${address} kept`, () => ct.evaluate((a) => JSON.parse(localStorage.getItem('cc112.ct.queue') || '[]').some((e) => e.incident.address === a), address));
  }
  // The draft survives a reload while the server is away.
  await ct.fill('#phone', '081299999999');
  await ct.fill('#notes', 'DRAFT-TERSIMPAN');
  await ct.screenshot({ path: join(SHOTS, 'calltaker-offline-1920.png') });

  assert.equal(await ask('START'), 'started');
  await until('the wall is live again', () => wall.evaluate(() => document.body.dataset.outage === 'up' && document.getElementById('conn').dataset.state === 'live'));
  log('server back');
  await until('the kept calls are sent', () => ct.evaluate(() => JSON.parse(localStorage.getItem('cc112.ct.queue') || '[]').length === 0), 30000);
  log('kept calls sent');
  const all = await call(disp.token, 'GET', '/api/v1/incidents?status=all&limit=200');
  assert.equal(all.status, 200);
  const got = all.data.items.filter((i) => i.address && i.address.startsWith('ANTRIAN-')).sort((a, b) => a.number.localeCompare(b.number));
  assert.deepEqual(got.map((i) => i.address), ['ANTRIAN-SATU', 'ANTRIAN-DUA'], 'the kept calls arrived once each, in order');
  await ct.reload();
  await ct.waitForSelector('#phone', { timeout: WAIT });
  assert.equal(await ct.inputValue('#notes'), 'DRAFT-TERSIMPAN', 'the draft survives a reload');

  log('draft kept');
  // ---- the session is revoked: the wall goes to the login page ----
  const admin = await login('admin');
  await wall.waitForSelector('#conn[data-state=live]', { timeout: WAIT });
  const r = await call(admin.token, 'POST', '/api/v1/users/wall/revoke', {});
  assert.equal(r.status, 204, JSON.stringify(r.data));
  const tookLogin = await within('the wall on the login page', 3000, () => new URL(wall.url()).pathname === '/login');
  log(`wall on /login after ${tookLogin} ms`);
  assert.deepEqual(errors, []);
  log('wall ok');
} finally {
  for (const c of contexts) await c.close().catch(() => {});
  await browser.close();
}
process.exit(0);
