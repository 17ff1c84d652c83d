// Each role sees only its pages, says who is logged in, and is offered
// nothing the server would refuse. For every demo account: log in, then
// open every staff page of the route table (/api/v1/me: the pages the
// role may open and the others): its own pages open, any other lands on
// the role's home (police opening / land on /police). Every staff page
// names the user and role and has a logout button, and links to no page
// that is not for the role. On the console a supervisor gets no dispatch,
// close or cancel, a dispatcher does; the agency's desk has no report tab
// and no forward picker; the dispatcher's picker proposes the agency of
// the complaint's category. Logout ends at the login page. Every page each
// role sees shows only catalogue words and data (visible.mjs).
// Run by cmd/dispatchd/roles_browser_test.go. Env: BASE_URL, CHROMIUM,
// SCREENSHOTS (screenshots of each role's home, optional).
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { messages } from '../../ui/static/js/i18n.js';
import { apiAs, failOnCSP, launchOptions } from './login.mjs';
import { collect, strays, watchData } from './visible.mjs';

const BASE = process.env.BASE_URL;
const SHOTS = process.env.SCREENSHOTS;
assert.ok(BASE, 'BASE_URL is required');
const WAIT = 15000;
const ROLES = ['dispatcher', 'calltaker', 'unit', 'agency', 'police', 'supervisor', 'admin'];
const log = (msg) => console.log(`[${new Date().toISOString().slice(11, 23)}] ${msg}`);

// The scene: an open incident (for the console's panel) and a road
// complaint waiting for the desk (for the agency proposal).
const api = apiAs(BASE);
const { token } = await api.login('dispatcher');
const inc = await api.call(token, 'POST', '/api/v1/incidents', { category: 'fire', priority: 2, location: { lat: -7.2458, lon: 112.7378 }, address: 'Jl. Peran Uji 1' });
assert.equal(inc.status, 201, JSON.stringify(inc.data));
const cmp = await api.call('', 'POST', '/api/v1/complaints', { channel: 'web', name: 'Sari', phone: '081234567890', text: 'Jalan berlubang besar', category: 'road' });
assert.equal(cmp.status, 201, JSON.stringify(cmp.data));

const browser = await chromium.launch(launchOptions());
let failed = false;
const stray = []; // shown strings outside the catalogue (visible.mjs), every role on every page
try {
  for (const role of ROLES.filter((r) => !process.env.ONLY_ROLE || r === process.env.ONLY_ROLE)) {
    const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'id-ID', timezoneId: 'Asia/Jakarta' });
    const page = await ctx.newPage();
    const data = watchData(page);
    failOnCSP(page);
    await page.goto(`${BASE}/login?next=%2F`);
    await page.fill('input[name=username]', role);
    await page.fill('input[name=password]', role);
    await page.click('button[type=submit]');
    await page.waitForURL((u) => u.pathname !== '/login', { timeout: WAIT });
    const me = await page.evaluate(() => fetch('/api/v1/me').then((r) => r.json()));
    assert.equal(new URL(page.url()).pathname, me.pages.includes('/') ? '/' : me.home, `${role}: / after login is the console or its home`);
    assert.ok(me.pages.length > 0 && me.other_pages.length > 0, `${role}: pages ${me.pages}, others ${me.other_pages}`);

    for (const path of [...me.pages, ...me.other_pages]) {
      await page.goto(BASE + path);
      const want = me.pages.includes(path) ? path : me.home;
      assert.equal(new URL(page.url()).pathname, want, `${role} opening ${path}`);
      if (want === '/unit') continue; // the phone logs in on its own page and shows its crew in its footer
      const bar = page.locator('#userbar');
      await bar.waitFor({ timeout: WAIT });
      assert.equal(await bar.locator('.userbar-name').textContent(), role, `${role} on ${want}: user name`);
      assert.equal(await bar.locator('.userbar-role').textContent(), messages.id[`role.${role}`], `${role} on ${want}: role`);
      assert.ok(await bar.locator('.userbar-out').isVisible(), `${role} on ${want}: logout`);
      const links = await page.$$eval('a[href^="/"]', (as) => as.filter((a) => a.checkVisibility()).map((a) => new URL(a.href).pathname));
      const refused = links.filter((l) => me.other_pages.includes(l));
      assert.deepEqual(refused, [], `${role} on ${want}: links to pages not for it`);
      await page.waitForTimeout(500);
      stray.push(...strays(await page.evaluate(collect), 'id', data).map((s) => `${role} ${want}: ${s}`));
    }
    log(`${role}: ${me.pages.join(' ')} open; ${me.other_pages.join(' ')} lead to ${me.home}`);

    if (role === 'dispatcher' || role === 'supervisor') {
      await page.goto(BASE + '/');
      await page.locator('.inc-row', { hasText: inc.data.number }).click({ timeout: WAIT, noWaitAfter: true });
      await page.locator('#detail .inc-num').first().waitFor({ timeout: WAIT });
      const offered = async (sel) => page.locator(`#detail ${sel}`).count();
      const dispatcher = role === 'dispatcher';
      // The recommendations come after the panel: wait for them (the dispatcher's) or as long (the supervisor's).
      if (dispatcher) await page.locator('#detail [data-action=dispatch]').first().waitFor({ timeout: WAIT });
      else await page.waitForTimeout(3000);
      for (const sel of ['[data-action=dispatch]', '.close-form', '.reason-form']) {
        assert.equal((await offered(sel)) > 0, dispatcher, `${role}: ${sel} offered`);
      }
      assert.equal(await page.locator('#new-btn').isVisible(), dispatcher, `${role}: new incident button`);
      if (SHOTS) await page.screenshot({ path: join(SHOTS, `roles-console-${role}.png`) });
    }
    if (role === 'agency' || role === 'dispatcher') {
      await page.goto(BASE + '/desk');
      await page.locator('[data-tab=queue]').waitFor({ timeout: WAIT });
      const row = page.locator('tr', { hasText: cmp.data.number });
      const agency = role === 'agency';
      assert.equal(await page.locator('[data-tab=report]').isVisible(), !agency, `${role}: report tab`);
      assert.equal(await page.locator('[data-tab=quarantine]').isVisible(), !agency, `${role}: quarantine tab`);
      if (!agency) {
        await row.waitFor({ timeout: WAIT });
        const picked = await row.locator('select[data-agency] option:checked').evaluateAll((os) => os.map((o) => o.value));
        assert.deepEqual(picked, ['pupr'], 'a road complaint proposes public works (the server\'s category → agency)');
      }
      assert.equal(await page.locator('select[data-agency]').count() > 0, !agency, `${role}: forward picker`);
      if (SHOTS) await page.screenshot({ path: join(SHOTS, `roles-desk-${role}.png`) });
    }
    if (me.home !== '/unit') {
      await page.goto(BASE + me.home);
      // Logging out races the page's other requests (the session probe of
      // outage.js every 1.5 s, a map's districts): once the server has
      // ended the session, one of them may meet a 401 and send the page to
      // the login page before the logout's own answer comes and reloads the
      // page. Make every run meet that race: once the session ended, a
      // request of the page's own api.js (the module userbar.js loaded)
      // meets the 401; the logout's answer waits until the page asked for
      // the login page, and the login page until the logout's answer came.
      // The page must still go to the login page in one navigation, not
      // start a second one that aborts the first (net::ERR_ABORTED).
      let revoked, toLogin, answered;
      const sessionEnded = new Promise((r) => { revoked = r; });
      const loginAsked = new Promise((r) => { toLogin = r; });
      const logoutAnswered = new Promise((r) => { answered = r; });
      await page.route(`${BASE}/api/v1/logout`, async (route) => {
        const res = await route.fetch();
        revoked();
        await loginAsked;
        await route.fulfill({ response: res }).catch(() => {}); // the page may have left already
        answered();
      });
      await page.route((u) => u.pathname === '/login', async (route) => {
        toLogin();
        await logoutAnswered;
        await route.continue().catch(() => {}); // aborted meanwhile: the page went elsewhere
      });
      const aborted = [];
      page.on('requestfailed', (r) => { if (r.isNavigationRequest()) aborted.push(`${r.url()} ${r.failure()?.errorText}`); });
      await page.locator('#userbar .userbar-out').click();
      await sessionEnded;
      await page.evaluate(async () => {
        const userbar = [...document.scripts].find((s) => s.src.endsWith('/js/userbar.js'));
        const api = await import(new URL('./api.js', userbar.src).href);
        api.get('/api/v1/me').catch(() => {}); // not awaited: after a 401 it never settles, the page is leaving
      }).catch(() => {}); // the page had left already: another request of it met the 401 first
      await page.waitForURL((u) => u.pathname === '/login', { timeout: WAIT });
      assert.deepEqual(aborted, [], `${role}: logout went to the login page in one navigation`);
      log(`${role}: logged out`);
    }
    await ctx.close();
  }
  if (stray.length) {
    for (const s of new Set(stray)) console.error('NOT IN CATALOGUE', s);
    throw new Error(`${new Set(stray).size} strings shown that are not in the catalogue`);
  }
  log('each role sees only its pages, in catalogue words');
} catch (e) {
  console.error('FAILED:', e.message);
  failed = true;
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
