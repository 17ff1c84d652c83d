// Browser test of the supervisor dashboard, run by the Go test
// cmd/dispatchd TestSupervisorDashboardInBrowser against a real server:
//   node e2e/supervisor.mjs URL NOW_MS (env SCREENSHOTS: a folder, used
//   with ALL_SHOTS set)
// The page's clock is fixed at NOW_MS (the instant the test's history was
// made for), so that "today" never depends on when the test runs.
// Prints one JSON line with what it saw; exits 1 when a check fails.
import { chromium } from 'playwright-core';
import { gotoAs } from './login.mjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [url, nowMs] = process.argv.slice(2);
const shots = process.env.ALL_SHOTS ? process.env.SCREENSHOTS : '';
const profile = mkdtempSync(join(tmpdir(), 'cc112-supervisor-'));
const failures = [];
const seen = {};

// A fresh profile each run (playwright passes it as --user-data-dir).
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
});
try {
  await browser.clock.setFixedTime(Number(nowMs));
  for (const [name, viewport] of [['wall', { width: 1920, height: 1080 }], ['phone', { width: 390, height: 844 }]]) {
    const page = await browser.newPage();
    await page.setViewportSize(viewport);
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    const u = new URL(url);
    await gotoAs(page, u.origin, u.pathname, 'supervisor');
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 20000 });
    await page.waitForTimeout(400); // charts and map settle
    const tiles = await page.$$eval('.tile', (els) => els.map((e) => ({ id: e.id, value: e.querySelector('.big .v').textContent.trim() })));
    const rows = await page.$$eval('#breakdown tbody tr', (els) => els.map((e) => [...e.cells].map((c) => c.textContent.trim())));
    const filled = await page.$$eval('#map path.leaflet-interactive', (els) => els.filter((e) => e.getAttribute('fill') !== '#33414f').length);
    const charts = await page.$$eval('.uplot canvas', (els) => els.length);
    seen[name] = { tiles, rows: rows.length, firstRow: rows[0], coloredDistricts: filled, charts, errors };
    for (const t of tiles) {
      if (!/^[0-9]/.test(t.value)) failures.push(`${name}: tile ${t.id} shows ${JSON.stringify(t.value)}, not a number`);
    }
    if (rows.length < 2 || rows[0].length < 8) failures.push(`${name}: breakdown table has ${rows.length} rows`);
    if (charts < 2) failures.push(`${name}: ${charts} charts drawn`);
    if (filled < 1) failures.push(`${name}: no kecamatan coloured`);
    if (errors.length) failures.push(`${name}: page errors ${errors.join(' | ')}`);
    if (name === 'wall') {
      // Switching the breakdown to kecamatan shows the districts.
      await page.click('.tabs [data-by="district"]');
      await page.waitForFunction(() => new URLSearchParams(location.search).get('tab') === 'district');
      await page.waitForFunction(() => document.querySelectorAll('#breakdown tbody tr').length > 2);
      seen.districtRows = await page.$$eval('#breakdown tbody tr', (els) => els.length);
    }
    if (shots) await page.screenshot({ path: join(shots, `supervisor-${name}.png`), fullPage: name === 'phone' });
    await page.close();
  }
} catch (err) {
  failures.push(String(err));
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify({ ok: failures.length === 0, failures, seen }));
process.exit(failures.length ? 1 : 0);
