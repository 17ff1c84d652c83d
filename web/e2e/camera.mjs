// Plays one camera in /camera (ui/static/camera.html) and checks that the video
// advances (video.currentTime grows). Run by the Go test
// TestCameraPagePlaysInChromium with BASE_URL and CHROMIUM set; with
// ALL_SHOTS it also saves screenshots in SCREENSHOTS.
import { chromium } from 'playwright-core';
import { gotoAs, shootSizes } from './login.mjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const base = process.env.BASE_URL;
const shots = process.env.ALL_SHOTS ? process.env.SCREENSHOTS : '';
const profile = mkdtempSync(join(tmpdir(), 'cc112-chromium-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run',
    '--autoplay-policy=no-user-gesture-required'],
});
let failed = false;
try {
  for (const [name, viewport] of [['wall', { width: 1920, height: 1080 }], ['phone', { width: 390, height: 844 }]]) {
    const page = await browser.newPage();
    await page.setViewportSize(viewport);
    page.on('console', (m) => console.log(`[${name} console] ${m.text()}`));
    await gotoAs(page, base, '/camera?id=c1&reason=uji', 'police'); // police may watch, audited
    await page.waitForFunction(() => document.querySelector('video').currentTime > 0.5, null, { timeout: 20000 });
    const t1 = await page.evaluate(() => document.querySelector('video').currentTime);
    await page.waitForTimeout(1500);
    const t2 = await page.evaluate(() => document.querySelector('video').currentTime);
    const state = await page.textContent('#state');
    console.log(`${name}: currentTime ${t1.toFixed(2)} → ${t2.toFixed(2)}, state "${state}"`);
    if (!(t2 > t1 + 0.5)) { console.error(`${name}: video does not advance`); failed = true; }
    if (state !== 'Langsung') { console.error(`${name}: state is "${state}", want "Langsung"`); failed = true; }
    if (shots) await page.screenshot({ path: join(shots, `camera-${name}.png`) });
    // This center records nothing (live-only): no timeline, no warning.
    await page.waitForFunction(() => document.body.dataset.recording === 'off', null, { timeout: 10000 });
    if (await page.isVisible('#bar') || await page.isVisible('.jump')) { console.error(`${name}: a live-only center shows the timeline`); failed = true; }
    const msg = await page.textContent('#tl-msg');
    if (msg) { console.error(`${name}: a live-only center says "${msg}"`); failed = true; }
    await page.close();
  }
  // A replay asked of a live-only center: live, with a calm note in words.
  {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1920, height: 1080 });
    const at = new Date(Date.now() - 3600e3).toISOString();
    await gotoAs(page, base, `/camera?id=c1&reason=uji&at=${at}`, 'police');
    await page.waitForFunction(() => document.querySelector('#tl-msg').textContent.startsWith('Pusat ini hanya menayangkan kamera secara langsung'), null, { timeout: 10000 });
    await page.waitForFunction(() => document.querySelector('video').currentTime > 0.5, null, { timeout: 20000 });
    if (!(await page.getAttribute('#tl-msg', 'class') || '').includes('calm')) { console.error('the live-only note is a warning'); failed = true; }
    if (await page.textContent('#mode') !== 'LANGSUNG') { console.error(`mode "${await page.textContent('#mode')}", want LANGSUNG`); failed = true; }
    await page.click('#lang-btn');
    await page.waitForFunction(() => document.querySelector('#tl-msg').textContent.startsWith('This center shows cameras live only'), null, { timeout: 10000 });
    await page.click('#lang-btn');
    await shootSizes(page, shots, 'camera-live-only-asked-replay');
    await page.goto(`${base}/camera?id=c1&reason=uji`);
    await page.waitForFunction(() => document.body.dataset.recording === 'off' && document.querySelector('video').currentTime > 0.5, null, { timeout: 20000 });
    await shootSizes(page, shots, 'camera-live-only');
    console.log('live-only: no timeline; a replay asked is answered live with a calm note, in both languages');
    await page.close();
  }
  // A camera that cannot play says so on the page.
  const page = await browser.newPage();
  await page.goto(`${base}/camera?id=nope`);
  await page.waitForFunction(() => /Gagal|Menyambung/.test(document.querySelector('#state').textContent), null, { timeout: 10000 });
  await page.close();
} catch (e) {
  console.error(e);
  failed = true;
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
