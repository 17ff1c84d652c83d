// Browser scenario of paging on the field unit's phone, run by the Go test
// cmd/dispatchd/paging_browser_test.go against a real dispatchd (demo
// accounts). Env: BASE_URL, CHROMIUM, SCREENSHOTS, ALL_SHOTS.
//
// Headless Chromium cannot reach a real push service (its own FCM
// subscription fails without Google's servers), so a push service runs
// here on loopback: the unit subscribes to it with keys this script holds,
// the server's encrypted push arrives there, is decrypted here (RFC 8291)
// and handed to the phone's service worker through the DevTools protocol
// (ServiceWorker.deliverPushMessage), which raises the worker's real push
// event: the notification it shows is read back, and its click handler is
// run on it. Exits non-zero on the first failed check.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { createECDH, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { failOnCSP, gotoAs, launchOptions } from './login.mjs';

const BASE = process.env.BASE_URL;
const SHOTS = process.env.SCREENSHOTS;
assert.ok(BASE && SHOTS, 'BASE_URL and SCREENSHOTS are required');
mkdirSync(SHOTS, { recursive: true });
const WAIT = 20000;
// Every language at every size when the docs' screenshots are refreshed;
// one phone-sized look otherwise (a full-page 4K capture costs seconds).
const SIZES = process.env.ALL_SHOTS
  ? [['id', { width: 390, height: 844 }], ['en', { width: 390, height: 844 }], ['id', { width: 1920, height: 1080 }],
    ['en', { width: 1920, height: 1080 }], ['id', { width: 3840, height: 2160 }], ['en', { width: 3840, height: 2160 }]]
  : [['id', { width: 390, height: 844 }]];
const CONSOLE_SIZES = process.env.ALL_SHOTS ? SIZES : [['id', { width: 1920, height: 1080 }]];
const log = (msg) => console.log(`[${new Date().toISOString().slice(11, 23)}] ${msg}`);

async function call(token, method, path, body) {
  const res = await fetch(BASE + path, {
    method,
    headers: { Authorization: 'Bearer ' + token, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, data: text ? JSON.parse(text) : null };
}
async function login(user) {
  const r = await fetch(BASE + '/api/v1/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: user, password: user }) });
  assert.equal(r.status, 200, `login ${user}`);
  return (await r.json());
}
async function until(what, fn) {
  const end = Date.now() + WAIT;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// ---- the push service on loopback, and the browser's keys ----------------

const b64url = (b) => Buffer.from(b).toString('base64url');
const ua = createECDH('prime256v1');
ua.generateKeys();
const uaPublic = ua.getPublicKey();
const authSecret = randomBytes(16);
const pushes = [];
const pushService = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    pushes.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks) });
    res.writeHead(201).end();
  });
});
await new Promise((r) => pushService.listen(0, '127.0.0.1', r));
const pushURL = `http://127.0.0.1:${pushService.address().port}/push/phone-1`;

// decrypt undoes RFC 8291 (aes128gcm) with the browser's private key and
// auth secret.
function decrypt(body) {
  const salt = body.subarray(0, 16);
  const idlen = body[20];
  const asPublic = body.subarray(21, 21 + idlen);
  const ct = body.subarray(21 + idlen);
  const secret = ua.computeSecret(asPublic);
  const ikm = Buffer.from(hkdfSync('sha256', secret, authSecret, Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, asPublic]), 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const d = createDecipheriv('aes-128-gcm', cek, nonce);
  d.setAuthTag(ct.subarray(ct.length - 16));
  const plain = Buffer.concat([d.update(ct.subarray(0, ct.length - 16)), d.final()]);
  let end = plain.length - 1;
  while (end >= 0 && plain[end] === 0) end--;
  assert.equal(plain[end], 2, 'the last record ends with the delimiter 0x02');
  return plain.subarray(0, end).toString('utf8');
}

async function nextPush(after) {
  const p = await until('a push', async () => pushes.length > after && pushes[after]);
  assert.equal(p.headers['content-encoding'], 'aes128gcm');
  assert.equal(p.headers.urgency, 'high');
  assert.ok(Number(p.headers.ttl) > 0, 'a TTL');
  assert.match(p.headers.authorization, /^vapid t=[\w-]+\.[\w-]+\.[\w-]+, k=[\w-]+$/);
  return { raw: decrypt(p.body), page: JSON.parse(decrypt(p.body)) };
}

const browser = await chromium.launch(launchOptions());
const errors = [];
try {
  const disp = await login('dispatcher');
  const unitSession = await login('unit');
  const unitID = unitSession.unit_id;
  const unitNow = async () => (await call(disp.token, 'GET', '/api/v1/units/' + unitID)).data;

  const phone = await browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    geolocation: { latitude: -7.2650, longitude: 112.7420, accuracy: 8 }, locale: 'id-ID', timezoneId: 'Asia/Jakarta',
  });
  await phone.grantPermissions(['geolocation', 'notifications'], { origin: BASE });
  let page = await phone.newPage();
  page.on('pageerror', (e) => errors.push('unit page: ' + e.message));
  failOnCSP(page);
  await page.goto(BASE + '/unit');
  await page.waitForSelector('#login:not([hidden])');
  await page.fill('input[name=username]', 'unit');
  await page.fill('input[name=password]', 'unit');
  await page.tap('#login button[type=submit]');
  await page.waitForSelector('#main:not([hidden])', { timeout: WAIT });
  await page.waitForSelector('body[data-live=open]', { timeout: WAIT });
  await until('the service worker controls /unit', () => page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    return !!navigator.serviceWorker.controller;
  }));
  // With permission granted the page subscribes by itself; headless
  // Chromium's own push service is out of reach, so say what happened.
  await until('the page tried to subscribe', () => page.evaluate(() => document.body.dataset.push));
  log(`the page's own subscription: ${await page.evaluate(() => document.body.dataset.push)} (${await page.textContent('#push-state')})`);

  // The phone's subscription on the loopback push service, as the page
  // posts it (PushSubscription.toJSON()).
  const sub = await call(unitSession.token, 'POST', '/api/v1/me/push',
    { endpoint: pushURL, expirationTime: null, keys: { p256dh: b64url(uaPublic), auth: b64url(authSecret) } });
  assert.equal(sub.status, 200, JSON.stringify(sub.data));
  const key = await call(unitSession.token, 'GET', '/api/v1/push/key');
  assert.match(key.data.key, /^[\w-]{87}$/, 'a P-256 public key, base64url');
  log('subscribed on the loopback push service');

  // The DevTools protocol knows the worker's registration.
  const cdp = await phone.newCDPSession(page);
  const regs = [];
  cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => regs.push(...e.registrations));
  await cdp.send('ServiceWorker.enable');
  const reg = await until('the worker registration', async () => regs.find((r) => r.scopeURL.startsWith(BASE + '/unit') && !r.isDeleted));
  const deliver = (data) => cdp.send('ServiceWorker.deliverPushMessage', { origin: BASE, registrationId: reg.registrationId, data });
  const notifications = () => page.evaluate(async () =>
    (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, body: n.body, data: n.data })));
  const tapNotification = async (title) => {
    const sw = phone.serviceWorkers().find((w) => w.url().includes('/unit/sw.js'));
    assert.ok(sw, 'the unit service worker runs');
    return sw.evaluate(async (title) => {
      const list = await self.registration.getNotifications();
      const n = list.find((x) => x.title === title);
      if (!n) return 'no notification ' + title;
      self.dispatchEvent(new NotificationEvent('notificationclick', { notification: n }));
      return 'clicked';
    }, title);
  };

  // The dispatcher's console, beside the phone.
  const desk = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'id-ID', timezoneId: 'Asia/Jakarta' });
  const con = await desk.newPage();
  con.on('pageerror', (e) => errors.push('console: ' + e.message));
  await gotoAs(con, BASE, '/', 'dispatcher');

  // ---- dispatch → push → notification → tap → the assignment ------------
  const inc = (await call(disp.token, 'POST', '/api/v1/incidents', {
    category: 'medical', priority: 1, location: { lat: -7.2575, lon: 112.7521 }, address: 'Jl. Tunjungan 12',
    description: 'Pria pingsan di trotoar', caller: { name: 'Rina Wulandari', phone: '081311112222' },
  })).data;
  const a = await call(disp.token, 'POST', `/api/v1/incidents/${inc.id}/assignments`, { unit_id: unitID });
  assert.equal(a.status, 201, JSON.stringify(a.data));
  const first = await nextPush(0);
  assert.equal(first.page.kind, 'dispatch');
  assert.equal(first.page.incident_id, inc.id);
  log(`the dispatch was pushed: ${first.page.title}`);
  await deliver(first.raw);
  const shown = await until('the notification', async () => (await notifications()).find((n) => n.title.includes(inc.number)));
  assert.match(shown.title, /TUGAS BARU/);
  assert.match(shown.body, /Gawat darurat medis · Jl. Tunjungan 12/, 'the body in the phone\'s language');
  log(`notification shown: "${shown.title}" / "${shown.body}"`);
  assert.equal(await tapNotification(shown.title), 'clicked');
  await page.waitForSelector(`body[data-opened="${inc.id}"]`, { timeout: WAIT });
  await page.waitForSelector('#task:not([hidden])');
  assert.equal((await page.textContent('#number')).trim(), inc.number);
  assert.equal((await notifications()).length, 0, 'the tapped notification is closed');
  log('tapping the notification opened the assignment');

  // Not acknowledged within the timeout (3 s here): the console says so.
  await con.locator('.inc-row', { hasText: inc.number }).click();
  await con.waitForSelector('#detail .assigned .ack.no', { timeout: WAIT });
  await con.waitForSelector('.toast.error:has-text("belum menekan TERIMA")', { timeout: WAIT });
  log('the console shows the dispatch unacknowledged, and the overdue alert');
  await con.screenshot({ path: join(SHOTS, 'console-paging-overdue-id-1920.png') });

  // TERIMA: loud until tapped, journaled with its time.
  await page.waitForSelector('#btn-ack:not([hidden])');
  await page.waitForSelector('#alert:not([hidden])');
  assert.ok(await page.isHidden('#idle'), 'never "no task" under a task');
  assert.match(await page.getAttribute('#callback', 'href'), /^tel:081311112222$/);
  for (const [lang, vp] of SIZES) {
    await setLang(page, lang);
    await page.setViewportSize(vp);
    await page.screenshot({ path: join(SHOTS, `unit-page-${lang}-${vp.width}.png`), fullPage: true });
  }
  await setLang(page, 'id');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.tap('#btn-ack');
  await until('acknowledged on the server', async () => {
    const d = (await call(disp.token, 'GET', '/api/v1/incidents/' + inc.id)).data;
    return d.assignments.find((x) => x.unit_id === unitID && x.acknowledged_at);
  });
  await page.waitForSelector('#acked:not([hidden])');
  assert.ok(await page.isHidden('#alert'), 'TUGAS BARU goes once acknowledged');
  await con.waitForSelector('#detail .assigned .ack.ok', { timeout: WAIT });
  log('TERIMA journaled, shown on the console');

  // On scene before en route asks first; no changes nothing.
  let asked = '';
  page.once('dialog', (d) => { asked = d.message(); d.dismiss(); });
  await page.tap('#btn-onscene');
  await until('the question', async () => asked);
  assert.match(asked, /Menuju/); // unit.enroute
  await page.waitForTimeout(300);
  assert.equal((await unitNow()).status, 'dispatched', 'a declined skip changes nothing');
  page.once('dialog', (d) => d.accept());
  await page.tap('#btn-onscene');
  await until('onscene on the server', async () => (await unitNow()).status === 'onscene');
  log('on scene before en route asked first');

  // Messages both ways, live: the console writes to the incident's units.
  await con.fill('#detail .msg-form input[name=text]', 'Ambulans kedua menyusul 5 menit');
  await con.press('#detail .msg-form input[name=text]', 'Enter');
  await page.waitForFunction(() => /menyusul/.test(document.querySelector('#msg-list').textContent), null, { timeout: WAIT });
  await con.waitForSelector('#detail .messages li.to-unit:has-text("menyusul")', { timeout: WAIT });
  const msgPush = await nextPush(1);
  assert.equal(msgPush.page.kind, 'message');
  await page.tap('[data-canned=need_help]');
  await page.fill('#msg-text', 'Pasien sadar, dibawa ke RS');
  await page.press('#msg-text', 'Enter');
  await until('the unit\'s messages on the server', async () => {
    const list = (await call(disp.token, 'GET', '/api/v1/messages?unit=' + unitID)).data.items;
    return list.some((m) => m.from_unit === unitID && m.canned === 'need_help' && m.text === 'Butuh bantuan') &&
      list.some((m) => m.from_unit === unitID && m.text === 'Pasien sadar, dibawa ke RS');
  });
  await page.waitForFunction(() => document.querySelectorAll('#msg-list li.ours').length === 2, null, { timeout: WAIT });
  await con.waitForSelector('.toast.warn:has-text("Butuh bantuan")', { timeout: WAIT });
  await con.waitForSelector('#detail .messages li.from-unit:has-text("Pasien sadar")', { timeout: WAIT });
  log('messages went both ways, live on the console and the phone');
  for (const [lang, vp] of CONSOLE_SIZES) {
    const cur = await con.evaluate(() => document.documentElement.lang);
    if (cur !== lang) await con.click('#lang-btn');
    await con.setViewportSize(vp);
    await con.waitForTimeout(300);
    await con.locator('#detail .messages').scrollIntoViewIfNeeded();
    await con.screenshot({ path: join(SHOTS, `console-paging-${lang}-${vp.width}.png`) });
  }
  await desk.close();
  // To a hospital of the city, nearest first (the market is no hospital).
  await page.waitForSelector('#hospital-pick:not([hidden])');
  const offered = await page.$$eval('#hospital option', (os) => os.map((o) => o.value));
  assert.deepEqual(offered.slice().sort(), ['RS Darmo', 'RSUD Dr. Soetomo'], 'the city\'s hospitals: ' + offered);
  await page.selectOption('#hospital', 'RS Darmo');
  await page.tap('#btn-transporting');
  await until('transporting on the server', async () => {
    const u = await unitNow();
    return u.status === 'transporting' && u.hospital && u.hospital.name === 'RS Darmo';
  });
  await page.waitForSelector('#dest:has-text("RS Darmo")');
  assert.match(await page.getAttribute('#nav', 'href'), /-7\.2869,112\.7378/, 'navigation goes to the hospital');
  log('transporting to RS Darmo, chosen from the city\'s hospitals');
  for (const [lang, vp] of SIZES) {
    await setLang(page, lang);
    await page.setViewportSize(vp);
    await page.screenshot({ path: join(SHOTS, `unit-messages-${lang}-${vp.width}.png`), fullPage: true });
  }
  await setLang(page, 'id');
  await page.setViewportSize({ width: 390, height: 844 });

  // The center cancels: one loud message, never "TUGAS BARU" over "no task".
  const c = await call(disp.token, 'POST', `/api/v1/incidents/${inc.id}/cancel`, { reason: 'Pasien dijemput keluarga' });
  assert.equal(c.status, 200, JSON.stringify(c.data));
  await page.waitForSelector('#ended:not([hidden])', { timeout: WAIT });
  assert.match(await page.textContent('#ended'), new RegExp(`TUGAS ${inc.number} DIHENTIKAN`));
  assert.ok(await page.isHidden('#alert'), 'no TUGAS BARU');
  assert.ok(await page.isHidden('#task'), 'no task');
  assert.ok(await page.isHidden('#idle'), 'one message, not two');
  const cancelled = await until('the cancel pushed', async () => {
    for (let i = 2; i < pushes.length; i++) {
      const p = JSON.parse(decrypt(pushes[i].body));
      if (p.kind === 'cancelled') return p;
    }
    return null;
  });
  assert.equal(cancelled.incident_id, inc.id);
  for (const [lang, vp] of SIZES) {
    await setLang(page, lang);
    await page.setViewportSize(vp);
    await page.screenshot({ path: join(SHOTS, `unit-ended-${lang}-${vp.width}.png`) });
  }
  await page.tap('#ended');
  await page.waitForSelector('#idle:not([hidden])');
  log('a cancel shows one loud message; the push says cancelled');

  // With the page closed: the push still shows, and the tap is tried on
  // the worker (Chromium lets a worker open a window only from a trusted
  // click, which headless cannot make: reported, not asserted).
  await setLang(page, 'id');
  await page.close();
  const before = pushes.length;
  const inc2 = (await call(disp.token, 'POST', '/api/v1/incidents', {
    category: 'medical', priority: 2, location: { lat: -7.2600, lon: 112.7500 }, address: 'Jl. Embong Malang 3',
  })).data;
  assert.equal((await call(disp.token, 'POST', `/api/v1/incidents/${inc2.id}/assignments`, { unit_id: unitID })).status, 201);
  const second = await nextPush(before);
  assert.equal(second.page.kind, 'dispatch');
  const blank = await phone.newPage(); // CDP needs a page of the context
  const cdp2 = await phone.newCDPSession(blank);
  await cdp2.send('ServiceWorker.enable');
  await cdp2.send('ServiceWorker.deliverPushMessage', { origin: BASE, registrationId: reg.registrationId, data: second.raw });
  const sw = phone.serviceWorkers().find((w) => w.url().includes('/unit/sw.js'));
  const closedShown = await until('the notification with the page closed', () => sw.evaluate(async (n) =>
    (await self.registration.getNotifications()).find((x) => x.title.includes(n)) ? 'shown' : '', inc2.number));
  log(`page closed: notification ${closedShown}`);
  const opened = phone.waitForEvent('page', { timeout: 3000 }).then((p) => p.url()).catch(() => 'no window (untrusted click)');
  await sw.evaluate(async (n) => {
    const x = (await self.registration.getNotifications()).find((y) => y.title.includes(n));
    self.dispatchEvent(new NotificationEvent('notificationclick', { notification: x }));
  }, inc2.number);
  log(`page closed: the synthetic tap opened ${await opened}`);

  assert.deepEqual(errors, []);
  log('all checks passed');
} catch (e) {
  console.error('FAILED:', e.message, errors);
  process.exitCode = 1;
} finally {
  await browser.close();
  pushService.close();
}

async function setLang(p, lang) {
  const cur = await p.evaluate(() => document.documentElement.lang);
  if (cur !== lang) await p.click('[data-lang-switch] >> visible=true');
  await p.waitForFunction((l) => document.documentElement.lang === l, lang);
}
