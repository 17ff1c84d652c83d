// Server errors reach the user in the page's language: the call-taker
// types a phone number that is none and sees the catalogue's text for the
// reason phone_invalid (never the server's English "unexpected 'a'"), in
// Bahasa Indonesia and after the switch in English; a code the page does
// not know shows the generic text naming the code; a request that never
// reaches the server says "server unreachable", not "Failed to fetch".
// Run by cmd/dispatchd/errors_browser_test.go. Env: BASE_URL, CHROMIUM.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { messages } from '../../ui/static/js/i18n.js';
import { gotoAs, launchOptions } from './login.mjs';

const BASE = process.env.BASE_URL;
assert.ok(BASE, 'BASE_URL is required');
const WAIT = 15000;
const fill = (s, vars = {}) => s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));

const browser = await chromium.launch(launchOptions());
let failed = false;
try {
  const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'id-ID', timezoneId: 'Asia/Jakarta' });
  const page = await ctx.newPage();
  await gotoAs(page, BASE, '/calltaker', 'calltaker');
  await page.waitForSelector('#category option[value=fire]', { state: 'attached', timeout: WAIT });

  // startWith types a phone number, presses Enter (start the call) and
  // returns the message the page shows.
  const startWith = async (phone, want) => {
    await page.fill('#phone', phone);
    await page.press('#phone', 'Enter');
    await page.waitForFunction((w) => document.querySelector('#msg').textContent === w, want, { timeout: WAIT })
      .catch(async () => assert.fail(`#msg says ${JSON.stringify(await page.textContent('#msg'))}, want ${JSON.stringify(want)}`));
    const shown = await page.textContent('#msg');
    assert.ok(!/unexpected|"abc"|Failed to fetch/.test(shown), `raw English shown: ${shown}`);
  };

  for (const lang of ['id', 'en']) {
    if (lang === 'en') {
      await page.click('#lang-btn');
      await page.waitForFunction(() => document.documentElement.lang === 'en', null, { timeout: WAIT });
    }
    const m = messages[lang];
    await startWith('abc', m['err.phone_invalid']);
    console.log(`${lang}: phone_invalid translated`);

    await page.route('**/api/v1/calls', (r) => r.fulfill({ status: 400, contentType: 'application/json',
      body: JSON.stringify({ error: { code: 'brand_new_code', message: 'something the page never heard of' } }) }));
    await startWith('081234567890', fill(m['err.unknown'], { code: 'brand_new_code' }));
    console.log(`${lang}: an unknown code shows the generic text with the code`);

    await page.unroute('**/api/v1/calls');
    // Offline, the call-taker keeps taking calls (and stays in that mode
    // until the server answers again): checked last, in English.
    if (lang !== 'en') continue;
    await page.route('**/api/v1/calls', (r) => r.abort('connectionrefused'));
    // The call-taker takes the call offline then (h19b's queue) and says so.
    await startWith('081234567890', fill(m['ct.offlineQueued'], { n: 0 }));
    console.log(`${lang}: a server out of reach says so`);
    await page.unroute('**/api/v1/calls');
  }
  await ctx.close();

  // The login form: a wrong password in the page's language.
  const login = await browser.newPage({ locale: 'id-ID' });
  await login.goto(BASE + '/login?next=%2Fcalltaker');
  await login.fill('input[name=username]', 'calltaker');
  await login.fill('input[name=password]', 'not the password');
  await login.click('button[type=submit]');
  await login.waitForFunction((w) => document.querySelector('.msg').textContent === w, messages.id['err.login_failed'], { timeout: WAIT });
  console.log('login: login_failed translated');
  console.log('errors are shown translated');
} catch (e) {
  console.error('FAILED:', e.message);
  failed = true;
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
