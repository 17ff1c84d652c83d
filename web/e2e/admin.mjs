// The admin's city page (issue 17), run by the Go test
// cmd/dispatchd/admin_browser_test.go against a real dispatchd (demo city,
// no simulator): the admin adds a unit on /admin and a dispatcher's console
// (/), open meanwhile, shows it live on its board; the admin retires it
// (with a reason) and it leaves the console live; a bad unit is refused with
// the field named; a city pack's difference is shown before it is applied.
// Screenshots of the page go to SCREENSHOTS: at 1920×1080 in Bahasa
// Indonesia, and with ALL_SHOTS set (the Go test sets it when screenshots
// are kept) also at 3840×2160 and 390×844, in both languages.
// Env: BASE_URL, CHROMIUM, SCREENSHOTS, ALL_SHOTS.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gotoAs, launchOptions } from './login.mjs';

const BASE = process.env.BASE_URL;
const SHOTS = process.env.SCREENSHOTS;
assert.ok(BASE && SHOTS, 'BASE_URL and SCREENSHOTS are required');
mkdirSync(SHOTS, { recursive: true });
const WAIT = 15000;
const log = (msg) => console.log(`[${new Date().toISOString().slice(11, 23)}] ${msg}`);

const browser = await chromium.launch(launchOptions());
const errors = [];

async function open(role, path, viewport, lang = 'id') {
  const ctx = await browser.newContext({ viewport, locale: 'id-ID', timezoneId: 'UTC' });
  await ctx.route((url) => !url.href.startsWith(BASE), (route) => route.abort());
  await ctx.addInitScript((l) => localStorage.setItem('cc112.lang', l), lang);
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(`${role}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/ERR_FAILED|net::|status of 4\d\d/.test(m.text())) errors.push(`${role} console: ${m.text()}`);
    if (m.type() === 'warning' && m.text().includes('i18n: no message')) errors.push(`${role}: ${m.text()}`);
  });
  await gotoAs(page, BASE, path, role);
  return page;
}

try {
  const wall = { width: 1920, height: 1080 };
  const consolePage = await open('dispatcher', '/', wall);
  await consolePage.waitForSelector('#conn[data-state=live]', { timeout: WAIT });
  await consolePage.waitForSelector('#board .ugroup', { state: 'attached', timeout: WAIT });
  assert.equal(await consolePage.locator('#board [data-unit="dmk-77"]').count(), 0);

  const admin = await open('admin', '/admin', wall);
  await admin.waitForSelector('#units-list tr', { timeout: WAIT });
  log('admin page up');

  // A bad unit: the station is required and must exist; the error names it.
  const form = admin.locator('#unit-form');
  await form.locator('[name=callsign]').fill('DMK-77');
  await form.locator('[name=type]').selectOption('fire');
  await form.locator('[name=agency]').selectOption('damkar');
  await form.locator('[name=station]').selectOption('st-damkar-kenjeran');
  await form.locator('[name=capabilities]').fill('pump; ladder; foam');
  await form.locator('button[type=submit]').click();
  await admin.waitForSelector('#msg.ok', { timeout: WAIT });
  log('unit added on the admin page');
  await admin.waitForSelector('#units-list tr.fresh[data-unit="dmk-77"]', { timeout: WAIT });

  // The console shows it live: the board's chip, without a reload.
  await consolePage.waitForSelector('#board [data-unit="dmk-77"]', { state: 'attached', timeout: WAIT });
  log('the console shows DMK-77 live');

  // An edit that breaks a rule is refused, the field named.
  await admin.locator('#units-list button[data-edit=units][data-key="dmk-77"]').click();
  await form.locator('[name=capabilities]').fill('Big Ladder');
  await form.locator('button[type=submit]').click();
  await admin.waitForSelector('#msg:not(.ok):not([hidden])', { timeout: WAIT });
  // The page shows the translated reason; the field is named in the server's detail.
  assert.match(await admin.locator('#msg').textContent(), /capabilities|Isian tidak diterima/);
  await form.locator('button[type=reset]').click();

  // Screenshots: the unit list with the new unit, both languages, three sizes.
  const sizes = process.env.ALL_SHOTS
    ? [['1920', wall], ['4k', { width: 3840, height: 2160 }], ['phone', { width: 390, height: 844 }]] : [['1920', wall]];
  for (const [name, vp] of sizes) {
    for (const lang of process.env.ALL_SHOTS ? ['id', 'en'] : ['id']) {
      const p = name === '1920' && lang === 'id' ? admin : await open('admin', '/admin', vp, lang);
      await p.waitForSelector('#units-list tr', { timeout: WAIT });
      await p.screenshot({ path: join(SHOTS, `admin-units-${lang}-${name}.png`) });
      if (name === 'phone') {
        await p.locator('.tabs button[data-tab=plans]').click();
        await p.screenshot({ path: join(SHOTS, `admin-plans-${lang}-${name}.png`) });
      }
      if (p !== admin) await p.context().close();
    }
  }

  // Retire it, with a reason: it leaves the console live.
  admin.once('dialog', (d) => d.accept('Dipindah ke Sidoarjo'));
  await admin.locator('#units-list button[data-remove=units][data-key="dmk-77"]').click();
  await admin.waitForSelector('#msg.ok', { timeout: WAIT });
  await consolePage.waitForSelector('#board [data-unit="dmk-77"]', { state: 'detached', timeout: WAIT });
  log('retired: gone from the console');

  // A pack: its difference first (one station renamed), then applied.
  await admin.locator('.tabs button[data-tab=pack]').click();
  const files = await admin.evaluate(async () => {
    const r = await fetch('/api/v1/admin/city', { headers: { Accept: 'application/json' } });
    return r.json();
  });
  const csv = (rows) => rows.map((r) => r.join(',')).join('\n') + '\n';
  const stations = csv([['id', 'name', 'agency', 'lat', 'lon'], ...files.stations.map((s) =>
    [s.id, s.id === 'st-bpbd' ? 'BPBD Kota Surabaya (Baru)' : s.name, s.agency, s.location.lat, s.location.lon])]);
  const units = csv([['id', 'callsign', 'type', 'agency', 'station', 'capabilities'], ...files.units.map((u) =>
    [u.id, u.callsign, u.type, u.agency, u.station, (u.capabilities || []).join(';')])]);
  const agencies = files.agencies.map((a) => `- code: ${a.code}\n  name: ${JSON.stringify(a.name)}\n` +
    (a.phone ? `  phone: ${JSON.stringify(a.phone)}\n` : '') +
    (a.complaint_team ? `  complaint_team: ${JSON.stringify(a.complaint_team)}\n` : '')).join('');
  const plans = files.plans.map((p) => `${p.category}:\n` + p.levels.map((l, i) => l && l.length
    ? `  ${i + 1}: [${l.map((n) => `{${n.type ? 'type: ' + n.type : 'capability: ' + n.capability}, count: ${n.count}}`).join(', ')}]\n` : '').join('')).join('');
  await admin.locator('#pack-form input[type=file]').setInputFiles([
    { name: 'agencies.yaml', mimeType: 'text/yaml', buffer: Buffer.from(agencies) },
    { name: 'stations.csv', mimeType: 'text/csv', buffer: Buffer.from(stations) },
    { name: 'units.csv', mimeType: 'text/csv', buffer: Buffer.from(units) },
    { name: 'plans.yaml', mimeType: 'text/yaml', buffer: Buffer.from(plans) },
  ]);
  await admin.locator('#pack-form button[type=submit]').click();
  await admin.waitForSelector('#pack-result li.chg', { timeout: WAIT });
  const diff = await admin.locator('#pack-result').textContent();
  assert.match(diff, /st-bpbd/);
  assert.equal(await admin.locator('#pack-result li').count(), 1, diff);
  await admin.screenshot({ path: join(SHOTS, 'admin-pack-id-1920.png') });
  await admin.locator('#pack-apply').click();
  // The apply's answer, not the click: the button is disabled at once and
  // the diff's own count already says 1.
  await admin.waitForSelector('#pack-result[data-state=applied]', { timeout: WAIT });
  assert.match(await admin.locator('#pack-result p').textContent(), /1/);
  log('pack applied');

  assert.deepEqual(errors, []);
  console.log('admin: ok');
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  await browser.close();
}
