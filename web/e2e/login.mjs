// The staff pages send a browser without a session to /login?next=…; the
// browser tests log in there with the demo accounts (username = password =
// role) and land on the page they asked for.
import { join } from 'node:path';

export async function gotoAs(page, base, path, role) {
  failOnCSP(page);
  await page.goto(`${base}/login?next=${encodeURIComponent(path)}`);
  await page.fill('input[name=username]', role);
  await page.fill('input[name=password]', role);
  await page.click('button[type=submit]');
  await page.waitForURL((u) => u.pathname === new URL(path, base).pathname, { timeout: 15000 });
}

// launchOptions are every scenario's headless Chromium: Debian's binary (or
// $CHROMIUM) without the background services a closed network refuses;
// extra adds a scenario's own flags.
export function launchOptions(...extra) {
  return {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', ...extra],
  };
}

// failOnCSP ends the run on a Content-Security-Policy violation: every page
// must work under the strict policy, and a refused style, image or
// connection shows only in the browser's console.
const watched = new WeakSet();
export function failOnCSP(page) {
  if (watched.has(page)) return;
  watched.add(page);
  page.on('console', (m) => {
    if (m.type() === 'error' && m.text().includes('Content Security Policy')) {
      console.error(`CSP violation on ${page.url()}: ${m.text()}`);
      process.exit(1);
    }
  });
}

// apiAs gives a scenario the API as its users: login (demo accounts,
// username = password) and call with a bearer token.
export function apiAs(base) {
  return {
    async call(token, method, path, body) {
      const res = await fetch(base + path, {
        method,
        headers: { Authorization: 'Bearer ' + token, ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      return { status: res.status, data: text ? JSON.parse(text) : null };
    },
    async login(user) {
      const r = await fetch(base + '/api/v1/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: user, password: user }) });
      if (r.status !== 200) throw new Error(`login ${user}: ${r.status}`);
      return r.json();
    },
  };
}

// waitUntil polls fn every 250 ms until it returns something truthy (which
// it returns) or wait ms have passed.
export async function waitUntil(what, fn, wait) {
  const end = Date.now() + wait;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 250));
  }
}

// shootSizes saves the page into dir (nothing when dir is empty) at the
// wall's, a 4K screen's and a phone's size in both languages, with focus
// (a selector, optional) scrolled into view, as `${name}-${wall|4k|phone}-${id|en}.png`;
// then goes back to Bahasa Indonesia at 1920×1080.
export async function shootSizes(page, dir, name, focus = '') {
  if (!dir) return;
  for (const lang of ['id', 'en']) {
    await page.evaluate((l) => { if (document.documentElement.lang !== l) document.querySelector('#lang-btn').click(); }, lang);
    for (const [w, h, tag] of [[1920, 1080, 'wall'], [3840, 2160, '4k'], [390, 844, 'phone']]) {
      await page.setViewportSize({ width: w, height: h });
      await page.waitForTimeout(400);
      if (focus) await page.locator(focus).first().scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(dir, `${name}-${tag}-${lang}.png`) });
    }
  }
  await page.evaluate(() => { if (document.documentElement.lang !== 'id') document.querySelector('#lang-btn').click(); });
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.waitForTimeout(300);
}
