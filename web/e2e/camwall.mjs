// The console's camera wall, run by TestCameraWallInBrowser against a real
// dispatchd whose cameras stream from camsim. Env: BASE_URL, CHROMIUM,
// INCIDENT (the number of an incident near the cameras), SCREENSHOTS (a
// folder, used with ALL_SHOTS set). Selecting the incident must open its nearest
// online cameras and play them; closing the wall must stop them.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { gotoAs, launchOptions } from './login.mjs';

const BASE = process.env.BASE_URL;
const INCIDENT = process.env.INCIDENT;
const SHOTS = process.env.ALL_SHOTS ? process.env.SCREENSHOTS : '';
assert.ok(BASE && INCIDENT, 'BASE_URL and INCIDENT are required');
const WAIT = 20000;

const browser = await chromium.launch(launchOptions('--autoplay-policy=no-user-gesture-required'));
let failed = false;
try {
  for (const [name, viewport] of [['wall', { width: 1920, height: 1080 }], ['phone', { width: 390, height: 844 }]]) {
    const ctx = await browser.newContext({ viewport, locale: 'id-ID' });
    await ctx.route((url) => !url.href.startsWith(BASE), (route) => route.abort());
    const page = await ctx.newPage();
    page.on('pageerror', (e) => { console.error(`${name}: ${e.message}`); failed = true; });
    await gotoAs(page, BASE, '/', 'dispatcher');
    await page.waitForSelector('#conn[data-state=live]', { timeout: WAIT });
    await page.locator('.inc-row', { hasText: INCIDENT }).click();
    if (name === 'phone') await page.click('.tabs button[data-view=map]');
    await page.waitForSelector('#camwall:not([hidden]) .cam-tile video', { timeout: WAIT });
    // This center records nothing: the incident's camera section says so calmly, no error toast.
    if (name === 'wall') {
      await page.getByText('Perekaman kamera tidak aktif di server ini.').waitFor({ timeout: WAIT });
      const errors = await page.locator('#toasts .toast.error').allTextContents();
      assert.equal(errors.length, 0, `${name}: a live-only center shows error toasts: ${errors.join(' | ')}`);
    }
    const tiles = await page.locator('#camwall .cam-tile').count();
    assert.equal(tiles, 3, `${name}: the wall shows the 3 online cameras with video, got ${tiles}`);
    // Every tile plays: currentTime advances in each video.
    await page.waitForFunction(() => [...document.querySelectorAll('#camwall video')].every((v) => v.currentTime > 0.3),
      null, { timeout: WAIT });
    const t1 = await page.evaluate(() => [...document.querySelectorAll('#camwall video')].map((v) => v.currentTime));
    await page.waitForTimeout(1200);
    const t2 = await page.evaluate(() => [...document.querySelectorAll('#camwall video')].map((v) => v.currentTime));
    t2.forEach((v, k) => assert.ok(v > t1[k] + 0.4, `${name}: tile ${k} does not advance (${t1[k]} → ${v})`));
    console.log(`${name}: ${tiles} tiles playing, ${t1.map((v) => v.toFixed(2))} → ${t2.map((v) => v.toFixed(2))}`);
    if (SHOTS) await page.screenshot({ path: join(SHOTS, `console-camwall-${name}.png`) });
    // 2×2 → 3×3 asks for more cameras; only three have video.
    if (name === 'wall') {
      await page.click('#camwall button[data-act=size]');
      await page.waitForFunction(() => document.querySelector('#camwall button[data-act=size]')?.textContent === '2×2', null, { timeout: WAIT });
      // The open wall follows the page's language; its videos play on.
      const videos = await page.locator('#camwall video').count();
      await page.click('#lang-btn');
      await page.waitForFunction(() => document.querySelector('#camwall .camwall-note')?.textContent === 'Every camera view is recorded for audit.',
        null, { timeout: WAIT });
      const title = await page.locator('#camwall .camwall-head h3').textContent();
      assert.ok(title.startsWith('Nearest cameras'), `${name}: the wall's title is not English: ${title}`);
      assert.equal(await page.locator('#camwall video').count(), videos, `${name}: switching the language restarted the wall's videos`);
      if (SHOTS) await page.screenshot({ path: join(SHOTS, `console-camwall-${name}-en.png`) });
      await page.click('#lang-btn');
      await page.waitForFunction(() => document.querySelector('#camwall .camwall-note')?.textContent === 'Setiap tayangan kamera dicatat untuk audit.',
        null, { timeout: WAIT });
    }
    await page.click('#camwall button[data-act=close]');
    await page.waitForSelector('#camwall', { state: 'hidden', timeout: WAIT });
    assert.equal(await page.locator('#camwall video').count(), 0, `${name}: closing the wall removes the videos`);
    await ctx.close();
  }
} catch (e) {
  console.error(e);
  failed = true;
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
