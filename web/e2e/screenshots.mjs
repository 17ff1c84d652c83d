// Screenshots of every page, for its role, in both languages, into
// docs/screenshots (README, "Screenshots"). Run against a dispatchd with
// the demo accounts (-demo; the simulator makes the pages lively):
//
//   BASE_URL=http://127.0.0.1:8080 node web/e2e/screenshots.mjs [OUT]
//
// OUT defaults to ../docs/screenshots. Sizes: 1920×1080 and 390×844 in
// both languages, 3840×2160 for the wall in Indonesian (4K PNGs are large:
// the repository keeps one set); with ALL_SHOTS set, every page at all
// three sizes in both languages (to look at, not for the repository).
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiAs, gotoAs, launchOptions } from './login.mjs';

const BASE = process.env.BASE_URL || 'http://127.0.0.1:8080';
const OUT = process.argv[2] || join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'screenshots');
mkdirSync(OUT, { recursive: true });
const log = (msg) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

// Each page, the role it is for, and what to wait for before the picture.
const PAGES = [
  { name: 'wall', path: '/', role: 'wall', ready: '#conn[data-state=live]', uhd: true },
  { name: 'console', path: '/', role: 'dispatcher', ready: '#conn[data-state=live]' },
  { name: 'calltaker', path: '/calltaker', role: 'calltaker', ready: '#call-form' },
  { name: 'desk', path: '/desk', role: 'dispatcher', ready: 'main' },
  { name: 'desk-stats', path: '/desk/stats', role: 'supervisor', ready: '#s-tiles .tile' },
  { name: 'supervisor', path: '/supervisor', role: 'supervisor', ready: 'body[data-loaded=true]' },
  { name: 'police', path: '/police', role: 'police', ready: 'main' },
  { name: 'camera', path: '/camera', role: 'dispatcher', ready: '#state.pick' },
  { name: 'admin', path: '/admin', role: 'admin', ready: '#units-list tr' },
  { name: 'stats', path: '/statistik', role: null, ready: 'main' },
  { name: 'complaint', path: '/complaint', role: null, ready: 'main' },
  { name: 'login', path: '/login', role: null, ready: '#login' },
  { name: 'unit', path: '/unit', role: 'unit', ready: 'body[data-live=open]' },
];
const SIZES = { 1920: { width: 1920, height: 1080 }, 390: { width: 390, height: 844 }, 3840: { width: 3840, height: 2160 } };

// The queue should not be empty: a few incidents if the server has none.
const { call, login } = apiAs(BASE);
const disp = await login('dispatcher');
const active = await call(disp.token, 'GET', '/api/v1/incidents?status=active&limit=5');
if (!active.data.items || active.data.items.length < 3) {
  for (const [category, priority, lat, lon, address] of [
    ['fire', 1, -7.2606, 112.7383, 'Jl. Tunjungan 12'], ['traffic_accident', 2, -7.2891, 112.7346, 'Jl. Raya Darmo 90'],
    ['fallen_tree', 3, -7.2655, 112.7521, 'Jl. Kusuma Bangsa'], ['medical', 2, -7.2459, 112.7378, 'Tugu Pahlawan']]) {
    await call(disp.token, 'POST', '/api/v1/incidents', { category, priority, location: { lat, lon }, address });
  }
}

const browser = await chromium.launch(launchOptions());
let n = 0;
try {
  for (const p of PAGES) {
    for (const lang of ['id', 'en']) {
      const sizes = process.env.ALL_SHOTS ? [1920, 3840, 390] : [1920, 390, ...(p.uhd && lang === 'id' ? [3840] : [])];
      for (const w of sizes) {
        const ctx = await browser.newContext({ viewport: SIZES[w], locale: lang === 'id' ? 'id-ID' : 'en-GB', timezoneId: 'Asia/Jakarta', reducedMotion: 'reduce' });
        await ctx.addInitScript((l) => localStorage.setItem('cc112.lang', l), lang);
        await ctx.route((url) => !url.href.startsWith(BASE), (route) => route.abort()); // no outside network
        const page = await ctx.newPage();
        try {
          if (p.role === 'unit') {
            await page.goto(BASE + p.path);
            await page.fill('#login input[name=username]', 'unit');
            await page.fill('#login input[name=password]', 'unit');
            await page.click('#login button[type=submit]');
          } else if (p.role) {
            await gotoAs(page, BASE, p.path, p.role);
          } else {
            await page.goto(BASE + p.path);
          }
          await page.waitForSelector(p.ready, { timeout: 60000, state: 'attached' });
          await page.waitForTimeout(2500); // the map and charts settle
          const file = join(OUT, `${p.name}-${lang}-${w}.png`);
          await page.screenshot({ path: file });
          n++;
          log(file);
        } catch (err) {
          console.error(`${p.name} ${lang} ${w}: ${err.message}`);
          process.exitCode = 1;
        } finally {
          await ctx.close();
        }
      }
    }
  }
} finally {
  await browser.close();
}
log(`${n} screenshots in ${OUT}`);
