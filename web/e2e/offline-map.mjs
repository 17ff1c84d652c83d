// Browser scenario of the maps without tiles (issue 19), run by the Go
// test cmd/dispatchd/offlinemap_browser_test.go against dispatchd with
// Surabaya's kelurahan and central roads and no tile server. Env:
// BASE_URL, CHROMIUM, SCREENSHOTS.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gotoAs, launchOptions } from './login.mjs';

const BASE = process.env.BASE_URL;
const SHOTS = process.env.SCREENSHOTS;
assert.ok(BASE && SHOTS, 'BASE_URL and SCREENSHOTS are required');
mkdirSync(SHOTS, { recursive: true });
const WAIT = 60000;
const log = (msg) => console.log(`[${new Date().toISOString().slice(11, 23)}] ${msg}`);

// What a map shows inside its own box: names and road strokes in view.
const inView = (page, sel) => page.evaluate((sel) => {
  const box = document.querySelector(sel).getBoundingClientRect();
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.right > box.left && r.left < box.right && r.bottom > box.top && r.top < box.bottom && getComputedStyle(el).display !== 'none';
  };
  const q = (s) => [...document.querySelectorAll(`${sel} ${s}`)].filter(visible);
  return { districts: q('.district-label').length, kelurahan: q('.kelurahan-label').map((e) => e.textContent), roads: q('path.main-road').length };
}, sel);

// The supervisor's trend follows the date filter: every day of it, empty
// days included, and the years on the ticks when the range spans two.
async function trendFollowsFilter(page) {
  await page.waitForSelector('body[data-loaded=true]', { timeout: WAIT });
  const days = () => page.evaluate(() => Number(document.getElementById('trend').dataset.days));
  assert.equal(await days(), 30, 'the default 30-day window draws 30 days');
  await page.fill('#f-from', '2025-12-01');
  await page.fill('#f-to', '2026-01-31');
  await page.dispatchEvent('#filters', 'change');
  let ticks = '';
  for (let i = 0; i < 120 && !(ticks.includes('2025') && ticks.includes('2026')); i++) {
    await page.waitForTimeout(250);
    ticks = await page.evaluate(() => document.getElementById('trend').dataset.ticks || '');
  }
  assert.equal(await days(), 62, 'December and January: 62 days, none of them with incidents');
  assert.ok(ticks.includes('2025') && ticks.includes('2026'), 'ticks name their years across New Year: ' + ticks);
  log(`trend ticks across the year: ${ticks}`);
}

const browser = await chromium.launch(launchOptions());
const errors = [];
try {
  for (const [path, role, mapSel] of [['/calltaker', 'calltaker', '#map'], ['/', 'dispatcher', '#map'], ['/supervisor', 'supervisor', '#map']]) {
    const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'id-ID', timezoneId: 'UTC', reducedMotion: 'reduce' });
    await ctx.route((url) => !url.href.startsWith(BASE), (route) => route.abort());
    const page = await ctx.newPage();
    page.on('pageerror', (e) => errors.push(`${path}: ${e.message}`));
    await gotoAs(page, BASE, path, role);
    await page.waitForSelector(`${mapSel}[data-offline-map]`, { timeout: WAIT });
    const [k, r] = (await page.getAttribute(mapSel, 'data-offline-map')).split('/').map(Number);
    assert.ok(k > 100 && r > 10, `${path}: ${k} kelurahan names and ${r} main roads loaded`);
    if (path === '/supervisor') await trendFollowsFilter(page);
    const far = await inView(page, mapSel);
    assert.ok(far.districts >= 5, `${path}: kecamatan names on the whole city: ${JSON.stringify(far)}`);
    // Zoom in on Genteng (Tunjungan, in the road file), as an AML fix would.
    const at = await page.evaluate((sel) => {
      const l = [...document.querySelectorAll(`${sel} .district-label`)].find((e) => /genteng/i.test(e.textContent));
      const r = l.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 + 25 };
    }, mapSel);
    await page.mouse.move(at.x, at.y);
    // A step at a time until the close view (zoom 14 and more) shows them.
    let near = null;
    for (let i = 0; i < 16 && !near; i++) {
      await page.mouse.wheel(0, -100);
      await page.waitForTimeout(700);
      const v = await inView(page, mapSel);
      if (v.kelurahan.length > 0 && v.roads > 0) near = v;
    }
    assert.ok(near, `${path}: no kelurahan names and main roads zoomed in`);
    log(`${path}: far ${far.districts} kecamatan; near ${near.kelurahan.length} kelurahan (${near.kelurahan.slice(0, 3).join(', ')}), ${near.roads} roads`);
    await page.screenshot({ path: join(SHOTS, `offline-map-${role}.png`) });
    await ctx.close();
  }
  assert.deepEqual(errors, []);
  log('offline map ok');
} finally {
  await browser.close();
}
