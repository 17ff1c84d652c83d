// Browser test of "what the nearest cameras saw", run by the Go test
// cmd/dispatchd TestIncidentCamerasInBrowser against a real dispatchd that
// records camsim cameras near an open incident:
//  1. the dispatcher's incident panel lists the nearest cameras, the
//     recorded one "recorded from N before the call", and its play link
//     opens the camera page at the evidence lock's start, in a window named
//     per camera;
//  2. the export question (times in WIB, the browser in another zone)
//     makes an export whose MP4's SHA-256, computed here, is the one shown
//     and the one in the signed manifest;
//  3. the police page's export without a reason is refused with the
//     server's reason, translated.
// Env: BASE_URL, INCIDENT (number), INCIDENT_ID, CAMERA, LOCK_FROM (RFC 3339),
// With ALL_SHOTS, screenshots at 1920×1080, 3840×2160 and 390×844 in both
// languages go to SCREENSHOTS.
import { chromium } from 'playwright-core';
import { gotoAs, launchOptions, shootSizes } from './login.mjs';
import { createHash } from 'node:crypto';

const { BASE_URL: base, INCIDENT: number, INCIDENT_ID: incID, CAMERA: cam, LOCK_FROM: lockFrom } = process.env;
const shots = process.env.ALL_SHOTS ? process.env.SCREENSHOTS : '';
const WAIT = 20000;
const fail = (msg) => { throw new Error(msg); };
const WIB_MS = 7 * 3600 * 1000;
const wibInput = (d) => new Date(d.getTime() + WIB_MS).toISOString().slice(0, 19).replace('T', ' ');

const browser = await chromium.launch(launchOptions());

try {
  // A browser far from WIB: what is typed and shown is WIB all the same.
  const opts = { viewport: { width: 1920, height: 1080 }, locale: 'id-ID', timezoneId: 'America/Sao_Paulo', acceptDownloads: true };
  const ctx = await browser.newContext(opts);
  await ctx.route((url) => !url.href.startsWith(base), (route) => route.abort()); // no outside network
  const page = await ctx.newPage();
  page.on('pageerror', (e) => { console.error('page error:', e.message); process.exitCode = 1; });
  await gotoAs(page, base, '/', 'dispatcher');
  await page.waitForSelector('#conn[data-state=live]', { timeout: WAIT });

  // 1. The panel's cameras.
  await page.locator('.inc-row', { hasText: number }).click();
  const sec = page.locator('#detail .evidence');
  const row = sec.locator(`li[data-camera="${cam}"]`);
  await row.locator('.ev-rec.h-ok').waitFor({ timeout: WAIT });
  const dist = await row.locator('.ev-dist').textContent();
  if (!/^\d+ m$/.test(dist.trim())) fail(`distance ${JSON.stringify(dist)}`);
  if (!(await sec.locator('.ev-lock.held').count())) fail('the evidence lock is not shown as held');
  const play = row.locator('a[data-ev=play]');
  const href = new URL(await play.getAttribute('href'), base);
  const at = new Date(href.searchParams.get('at'));
  if (href.pathname !== '/camera' || href.searchParams.get('id') !== cam || href.searchParams.get('incident') !== incID ||
    at.getTime() !== new Date(lockFrom).getTime() || !href.searchParams.get('reason')) {
    fail(`play link ${href} (lock from ${lockFrom})`);
  }
  if (await play.getAttribute('target') !== `cam-${cam}`) fail(`play link target ${await play.getAttribute('target')}`);
  console.log(`panel: ${cam} recorded from the call − N, play at ${href.searchParams.get('at')}`);

  // 2. The export, asked in WIB. Its first answer is lost on the way back
  // (the server made the export): the page retries with the same key.
  const keys = [];
  await page.route('**/api/v1/incidents/*/evidence', async (route) => {
    const req = route.request();
    if (req.method() !== 'POST') return route.continue();
    keys.push(req.headers()['idempotency-key']);
    if (keys.length > 1) return route.continue();
    await route.fetch();
    return route.abort('connectionreset');
  });
  await row.locator('button[data-ev=export]').click();
  const dlg = page.locator('dialog.ask[open]');
  await dlg.waitFor({ timeout: WAIT });
  const shown = await dlg.locator('input[name=from]').inputValue();
  if (shown !== wibInput(new Date(lockFrom))) fail(`the export starts at ${shown}, want ${wibInput(new Date(lockFrom))} (the lock's start in WIB, to the second)`);
  const to = new Date(Math.floor(new Date(lockFrom).getTime() / 1000) * 1000 + 3000); // the field keeps whole seconds
  await dlg.locator('input[name=to]').fill(wibInput(to));
  await dlg.locator('input[name=reason]').fill('Permintaan Polsek Genteng LP/B/77/XII/2026');
  await dlg.locator('button[type=submit]').click();
  const made = sec.locator('.ev-exports li.latest');
  await made.waitFor({ timeout: WAIT });
  if (keys.length !== 2 || !keys[0] || keys[0] !== keys[1]) fail(`the export's tries sent keys ${JSON.stringify(keys)}, want one key twice`);
  if (await sec.locator('.ev-exports li').count() !== 1) fail('the retried export shows twice');
  await page.unroute('**/api/v1/incidents/*/evidence');
  const sha = (await made.locator('.ev-sha code').textContent()).trim();
  const file = await page.request.get(new URL(await made.locator('a[data-ev=file]').getAttribute('href'), base).href);
  const body = await file.body();
  const sum = createHash('sha256').update(body).digest('hex');
  const manifest = await (await page.request.get(new URL(await made.locator('a[data-ev=manifest]').getAttribute('href'), base).href)).json();
  if (!file.ok() || sum !== sha || manifest.sha256 !== sum || manifest.camera_id !== cam || !manifest.signature ||
    new Date(manifest.to).getTime() !== to.getTime()) {
    fail(`export: file ${file.status()} ${body.length} bytes sha256 ${sum}; shown ${sha}; manifest ${JSON.stringify(manifest)}`);
  }
  await shootSizes(page, shots, 'incident-cameras', '#detail .evidence');
  console.log(`export: ${manifest.id}, ${body.length} bytes, sha256 ${sum} as shown and signed`);

  // 3. The police page: no reason, refused with the server's reason in words.
  const pctx = await browser.newContext(opts);
  await pctx.route((url) => !url.href.startsWith(base), (route) => route.abort());
  const police = await pctx.newPage();
  police.on('pageerror', (e) => { console.error('police page error:', e.message); process.exitCode = 1; });
  await gotoAs(police, base, '/police', 'police');
  await police.locator(`button[data-incident="${incID}"]`).click({ timeout: WAIT });
  const prow = police.locator(`#evidence li[data-camera="${cam}"]`);
  await prow.locator('button[data-ev=export]').click({ timeout: WAIT });
  const pdlg = police.locator('dialog.ask[open]');
  await pdlg.locator('button[type=submit]').click();
  await pdlg.locator('.ask-err', { hasText: 'Alasan atau nomor perkara wajib diisi.' }).waitFor({ timeout: WAIT });
  await shootSizes(police, shots, 'police-export-refused', 'dialog.ask[open]');
  console.log('police: an export without a reason refused, in words');
  // Over the 60-minute limit: refused with its own reason, in both languages.
  const pfrom = await pdlg.locator('input[name=from]').inputValue();
  await pdlg.locator('input[name=to]').fill(wibInput(new Date(new Date(pfrom.replace(' ', 'T') + '+07:00').getTime() + 61 * 60000)));
  await pdlg.locator('input[name=reason]').fill('LP/B/78/XII/2026');
  await pdlg.locator('button[type=submit]').click();
  await pdlg.locator('.ask-err', { hasText: 'Satu ekspor paling lama 60 menit.' }).waitFor({ timeout: WAIT });
  const switchLang = () => police.evaluate(() => document.querySelector('#lang-btn').click()); // the open dialog is modal
  await switchLang();
  await police.locator('dialog.ask[open] .ask-err', { hasText: 'One export covers at most 60 minutes.' }).waitFor({ timeout: WAIT });
  await switchLang();
  await shootSizes(police, shots, 'police-export-too-long', 'dialog.ask[open]');
  await police.locator('dialog.ask[open] button[data-cancel]').click();
  console.log('police: an export over 60 minutes refused, in words, in both languages');

  // 4. The supervisor releases the evidence lock with a reason.
  const sctx = await browser.newContext(opts);
  await sctx.route((url) => !url.href.startsWith(base), (route) => route.abort());
  const sup = await sctx.newPage();
  sup.on('pageerror', (e) => { console.error('supervisor page error:', e.message); process.exitCode = 1; });
  await gotoAs(sup, base, '/', 'supervisor');
  await sup.locator('.inc-row', { hasText: number }).click({ timeout: WAIT });
  await sup.locator('#detail .evidence button[data-ev=release]').click({ timeout: WAIT });
  await sup.locator('dialog.ask input[name=reason]').fill('Tidak ada permintaan penyidik');
  await sup.keyboard.press('Enter');
  await sup.locator('#detail .evidence .ev-lock', { hasText: 'dilepas' }).waitFor({ timeout: WAIT });
  if (await sup.locator('#detail .evidence .ev-locked').count()) fail('released cameras still marked as evidence');
  console.log('supervisor: the evidence lock released with a reason');
  if (process.exitCode) fail('page errors');
  console.log('1 passed, 0 failed');
} finally {
  await browser.close();
}
