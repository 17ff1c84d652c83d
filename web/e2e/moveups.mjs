// Browser scenario of the move-up advice (issue 22.3), run by the Go test
// cmd/dispatchd/moveups_browser_test.go against a real dispatchd (demo
// city, no simulator). The dispatcher console lists relocations that cover
// kecamatan no free unit covers; one click on "Kirim" sends one (the
// toast says so, the API shows the unit's post, the advice changes). The
// unit's phone, open on its page, shows the post it was sent to as soon
// as the relocation is made. Screenshots at 1920×1080, 3840×2160 and
// 390×844 in both languages. Env: BASE_URL, TOKEN (a dispatcher's),
// UNIT_ID (the demo unit account's unit), CHROMIUM, SCREENSHOTS.
import { chromium } from 'playwright-core';
import { gotoAs, launchOptions } from './login.mjs';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const BASE = process.env.BASE_URL;
const TOKEN = process.env.TOKEN;
const UNIT = process.env.UNIT_ID;
const SHOTS = process.env.SCREENSHOTS;
assert.ok(BASE && TOKEN && UNIT && SHOTS, 'BASE_URL, TOKEN, UNIT_ID and SCREENSHOTS are required');
mkdirSync(SHOTS, { recursive: true });
const WAIT = 15000;

const browser = await chromium.launch(launchOptions());
const errors = [];
let step = '';

async function newPage(name, viewport, lang, path, role) {
  const ctx = await browser.newContext({ viewport, locale: 'id-ID', timezoneId: 'UTC' });
  await ctx.route((url) => !url.href.startsWith(BASE), (route) => route.abort());
  await ctx.addInitScript((l) => localStorage.setItem('cc112.lang', l), lang);
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(`${name}: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !/ERR_FAILED|net::/.test(m.text())) errors.push(`${name} console: ${m.text()}`); });
  await gotoAs(page, BASE, path, role);
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

async function run() {
  step = 'the fire post at Kenjeran empties';
  for (const u of await api('GET', '/api/v1/units')) {
    if (u.station === 'st-damkar-kenjeran') await api('POST', `/api/v1/units/${u.id}/service`, { in_service: false, reason: 'Perawatan' });
  }

  step = 'the console lists move-ups';
  const page = await newPage('console', { width: 1920, height: 1080 }, 'id', '/', 'dispatcher');
  await page.waitForSelector('#moveups li button', { timeout: WAIT });
  const first = page.locator('#moveups li').first();
  const text = await first.innerText();
  assert.match(text, /→/, 'an advice names unit → post');
  assert.match(text, /kecamatan yang kini tak terjangkau/, 'and how many kecamatan it covers, in Indonesian');
  const button = first.locator('button');
  const unitID = await button.getAttribute('data-unit');
  const postID = await button.getAttribute('data-post');

  step = 'one click sends it';
  await button.click();
  await page.waitForSelector('.toast.ok', { timeout: WAIT });
  const u = await api('GET', `/api/v1/units/${unitID}`);
  assert.equal(u.post && u.post.id, postID, 'the unit has the post it was sent to');
  await page.waitForFunction((id) => !document.querySelector(`#moveups button[data-unit="${id}"]`), unitID, { timeout: WAIT });

  step = 'the unit phone shows its post';
  // A login can outlast its 15 s on a busy machine: one more try.
  const phone = await newPage('phone', { width: 390, height: 844 }, 'id', '/unit', 'unit')
    .catch(() => newPage('phone', { width: 390, height: 844 }, 'id', '/unit', 'unit'));
  await phone.waitForSelector('#main:not([hidden])', { timeout: WAIT });
  assert.ok(await phone.locator('#post').isHidden(), 'no post before a relocation');
  const advice = (await api('GET', '/api/v1/moveups')).items.find((a) => a.unit_id === UNIT);
  const post = advice ? advice.post.id : 'st-rs-haji';
  const sent = await api('POST', `/api/v1/units/${UNIT}/relocate`, { post_id: post });
  await phone.waitForSelector('#post:not([hidden])', { timeout: WAIT });
  assert.equal(await phone.locator('#post-name').innerText(), `Siaga di ${sent.post.name}`);
  await phone.screenshot({ path: join(SHOTS, 'moveup-phone-id.png') });

  step = 'screenshots: two more posts empty, so that there is advice to show';
  for (const u of await api('GET', '/api/v1/units')) {
    if (u.station === 'st-damkar-wiyung' || u.station === 'st-rsud-bdh') await api('POST', `/api/v1/units/${u.id}/service`, { in_service: false, reason: 'Perawatan' });
  }
  assert.ok((await api('GET', '/api/v1/moveups')).items.length > 0, 'advice to show');
  // One logged-in page per language, resized (a login per shot outlasts a busy machine).
  for (const lang of ['id', 'en']) {
    const p = await newPage(`shot-${lang}`, { width: 1920, height: 1080 }, lang, '/', 'dispatcher');
    for (const [name, viewport] of [['1080p', { width: 1920, height: 1080 }], ['4k', { width: 3840, height: 2160 }], ['phone', { width: 390, height: 844 }]]) {
      await p.setViewportSize(viewport);
      await p.waitForSelector('#moveups:not([hidden]) li', { state: 'attached', timeout: WAIT });
      if (name === 'phone') await p.click('nav.tabs button[data-view=units]'); // the advice sits above the units
      await p.waitForSelector('#moveups li', { timeout: WAIT });
      await p.screenshot({ path: join(SHOTS, `moveup-console-${name}-${lang}.png`) });
    }
    await p.context().close();
  }
  const en = await newPage('phone-en', { width: 390, height: 844 }, 'en', '/unit', 'unit');
  await en.waitForSelector('#post:not([hidden])', { timeout: WAIT });
  assert.match(await en.locator('#post-name').innerText(), /^Stand by at /);
  await en.screenshot({ path: join(SHOTS, 'moveup-phone-en.png') });
}

try {
  await run();
  assert.deepEqual(errors, [], 'page errors');
  console.log('moveups: ok');
} catch (err) {
  console.error(`moveups: failed at "${step}": ${err.message}`);
  if (errors.length) console.error(errors.join('\n'));
  process.exitCode = 1;
} finally {
  await browser.close();
}
