// The console's map with about 2,200 cameras, run by
// TestCameraClustersInBrowser. Env: BASE_URL, CHROMIUM, CAMERAS (how many
// the server has), SCREENSHOTS (folder for screenshots). Zoomed out, cameras
// merge into counted discs that account for every clustered camera and lie
// under the district names; a click on a disc zooms in and splits it.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { gotoAs, launchOptions } from './login.mjs';

const BASE = process.env.BASE_URL;
const CAMERAS = Number(process.env.CAMERAS);
const SHOTS = process.env.SCREENSHOTS;
assert.ok(BASE && CAMERAS && SHOTS, 'BASE_URL, CAMERAS and SCREENSHOTS are required');
const WAIT = 20000;
const VIEWS = {
  wall: { viewport: { width: 1920, height: 1080 } },
  '4k': { viewport: { width: 3840, height: 2160 } },
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
};

const browser = await chromium.launch(launchOptions());
let failed = false;
try {
  for (const [view, opts] of Object.entries(VIEWS)) {
    const ctx = await browser.newContext({ ...opts, locale: 'id-ID', timezoneId: 'Asia/Jakarta' });
    await ctx.route((url) => !url.href.startsWith(BASE), (route) => route.abort());
    const page = await ctx.newPage();
    page.on('pageerror', (e) => { console.error(`${view}: ${e.message}`); failed = true; });
    await gotoAs(page, BASE, '/', 'dispatcher');
    await page.waitForSelector('#conn[data-state=live]', { timeout: WAIT });
    if (view === 'phone') await page.click('.tabs button[data-view=map]');
    await page.waitForSelector('.cam-cluster', { timeout: WAIT });
    await page.waitForTimeout(500);
    const discs = await page.$$eval('.cam-cluster', (els) => els.map((e) => Number(e.textContent)));
    const inDiscs = discs.reduce((a, b) => a + b, 0);
    assert.ok(discs.length > 5 && discs.length < CAMERAS / 3, `${view}: ${discs.length} discs`);
    assert.ok(inDiscs > CAMERAS / 2 && inDiscs <= CAMERAS, `${view}: discs hold ${inDiscs} of ${CAMERAS} cameras`);
    // The discs' pane lies under the district names'.
    const z = await page.evaluate(() => [
      Number(getComputedStyle(document.querySelector('.leaflet-camClusters-pane')).zIndex),
      Number(getComputedStyle(document.querySelector('.leaflet-districtLabels-pane')).zIndex)]);
    assert.ok(z[0] < z[1], `${view}: cluster pane z ${z[0]} is not under the district names' ${z[1]}`);
    console.log(`${view}: ${discs.length} discs hold ${inDiscs} of ${CAMERAS} cameras`);
    for (const lang of ['id', 'en']) {
      if (lang === 'en') {
        await page.locator('#lang-btn:visible, [data-lang-switch]:visible').first().click();
        await page.waitForFunction(() => document.documentElement.lang === 'en', null, { timeout: WAIT });
        await page.waitForSelector('.cam-cluster', { timeout: WAIT });
        if (view === 'phone') {
          const tab = page.locator('.tabs button[data-view=map]');
          if (await tab.isVisible()) await tab.click();
        }
        await page.waitForTimeout(500);
      }
      await page.screenshot({ path: join(SHOTS, `console-cameras-2200-${lang}-${view}.png`) });
    }
    // A click on a disc zooms in on its cameras.
    const zoom = () => page.evaluate(() => Number(document.querySelector('#map').dataset.zoom));
    const before = await zoom();
    // The biggest disc well inside the map, clicked where a finger would.
    const target = await page.evaluate(() => {
      const m = document.querySelector('#map').getBoundingClientRect();
      let best = null;
      for (const d of document.querySelectorAll('.cam-cluster')) {
        const r = d.getBoundingClientRect();
        const x = r.left + r.width / 2, y = r.top + r.height / 2;
        if (x < m.left + 80 || x > m.right - 250 || y < m.top + 80 || y > m.bottom - 80) continue;
        if (!best || Number(d.textContent) > best.n) best = { x, y, n: Number(d.textContent) };
      }
      return best;
    });
    assert.ok(target, `${view}: no disc inside the map`);
    await page.mouse.click(target.x, target.y);
    await page.waitForFunction((z) => Number(document.querySelector('#map').dataset.zoom) > z, before, { timeout: WAIT });
    console.log(`${view}: a click on a disc zoomed from ${before} to ${await zoom()}`);
    if (view === 'wall') await page.screenshot({ path: join(SHOTS, `console-cameras-2200-zoomed-${view}.png`) });
    await ctx.close();
  }
} catch (e) {
  console.error(e);
  failed = true;
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
