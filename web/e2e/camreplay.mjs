// The camera page's replay, timeline and PTZ console (ui/static/camera.html),
// run by the Go test TestCameraReplayAndPTZInBrowser against a real
// dispatchd that records camsim's camera c1 and has a PTZ camera ptz1 on
// the ONVIF test double (the Go test checks what the double was asked).
// BASE_URL, INCIDENT (an open incident near ptz1), CHROMIUM; with
// ALL_SHOTS, screenshots go to SCREENSHOTS.
//  1. /camera?id=c1&at=… plays the recording: the first frame on screen is
//     the one at or just before at (frame-accurate), and it plays on;
//  1b. a replay of gap1 (c1's picture, far from the incident) reaching a
//     gap in its recording (the Go test made one of a few seconds) goes on after it at once, its clock jumping, with a calm
//     note;
//  2. ←/→ on the timeline seek 10 s (a new replay from there), a click on
//     the bar seeks, "Live" returns to live;
//  3. police opening a replay without a reason are asked for one; with it
//     the replay plays; police and the wall see no PTZ console;
//  4. a dispatcher's held buttons, arrow keys on the video, a preset and
//     "point at the incident" move ptz1; the presets are the camera's.
import { chromium } from 'playwright-core';
import { apiAs, gotoAs, launchOptions, shootSizes } from './login.mjs';
import { join } from 'node:path';

const base = process.env.BASE_URL;
const incident = process.env.INCIDENT;
const shots = process.env.ALL_SHOTS ? process.env.SCREENSHOTS : '';
const browser = await chromium.launch(launchOptions('--autoplay-policy=no-user-gesture-required'));
let failed = false;
const fail = (m) => { console.error('FAIL ' + m); failed = true; };
const { call, login } = apiAs(base);

// Every frame the page shows: the media time of each (requestVideoFrameCallback)
// and which stream it was (each replay is a new MediaSource, a new src).
// Where the player seeks, too (each seek's media time, by stream).
const watchFrames = () => {
  window.frames_ = [];
  window.seeks_ = [];
  const current = (list) => list.filter((f) => f.src === document.querySelector('video').currentSrc);
  window.shownFrames_ = () => current(window.frames_);
  window.seekTimes_ = () => current(window.seeks_);
  document.addEventListener('DOMContentLoaded', () => {
    const v = document.querySelector('video');
    const cb = (_now, md) => { window.frames_.push({ t: md.mediaTime, src: v.currentSrc }); v.requestVideoFrameCallback(cb); };
    v.requestVideoFrameCallback(cb);
    v.addEventListener('seeking', () => window.seeks_.push({ t: v.currentTime, src: v.currentSrc }));
  });
};

async function newPage(role, path, viewport = { width: 1920, height: 1080 }) {
  const ctx = await browser.newContext({ viewport });
  const page = await ctx.newPage();
  page.on('console', (m) => { if (m.type() === 'error') console.log(`[${role} console] ${m.text()}`); });
  page.on('response', (r) => { if (r.status() >= 400) console.log(`[${role}] ${r.status()} ${r.url()}`); });
  await page.addInitScript(watchFrames);
  await gotoAs(page, base, path, role);
  return page;
}

// The recording's time of the first frame the current replay showed, once
// it has played on from it.
async function firstFrame(page) {
  await page.waitForFunction(() => window.player && window.player.start() && window.shownFrames_().length > 3, null, { timeout: 20000 }).catch(async (e) => {
    console.log('no replay frames:', JSON.stringify(await page.evaluate(() => ({ state: document.querySelector('#state').textContent, msg: document.querySelector('#tl-msg').textContent,
      mode: document.querySelector('#mode').textContent, url: location.href, start: window.player && window.player.start(), frames: window.frames_.length, shown: window.shownFrames_().length,
      ct: document.querySelector('video').currentTime, buffered: document.querySelector('video').buffered.length })))); // what the page shows, for the log
    throw e;
  });
  return page.evaluate(() => {
    const ms = (f) => +window.player.start() + f.t * 1000;
    const seeks = window.seekTimes_();
    return { shown: window.shownFrames_().slice(0, 2).map(ms), seek: seeks.length ? ms(seeks[0]) : null };
  });
}

// atOrBefore: the player seeks to the last frame at or before at (its
// time: the recording's frames come every 40 ms, stamped as they arrived,
// so within 100 ms before at), and what it shows first is that frame. Which
// frames requestVideoFrameCallback reports is the compositor's choice: on
// a loaded machine it has skipped the sought frame (reporting the next, a
// few ms after at) and once reported one half a second before it. So the
// seek is checked exactly and the first frame shown within a second of at
// (not the keyframe 2.5 s before it, nor live).
function atOrBefore(what, { shown: [shown, next], seek }, at) {
  console.log(`${what}: sought ${seek === null ? 'nowhere' : `${(at - seek).toFixed(1)} ms before`} ${new Date(at).toISOString()}; first frame shown ${(at - shown).toFixed(1)} ms before, the next ${(next - at).toFixed(1)} ms after`);
  if (seek === null || !(seek <= at + 0.5 && at - seek < 100)) fail(`${what}: the player did not seek to the last frame at or before the time asked`);
  if (!(Math.abs(shown - at) < 1000)) fail(`${what}: the first frame shown is ${(at - shown).toFixed(0)} ms before the time asked`);
}

const sup = await login('dispatcher');
const rec = await call(sup.token, 'GET', '/api/v1/cameras/c1/recordings');
const first = Date.parse(rec.data.items[0].start);
const at = new Date(first + 2500 + 17); // between frames, 2.5 s into the recording
try {
  // 1. Replay from at, frame-accurate.
  const page = await newPage('dispatcher', `/camera?id=c1&at=${at.toISOString()}&incident=${incident}`);
  atOrBefore('replay from at', await firstFrame(page), +at);
  const t1 = await page.evaluate(() => document.querySelector('video').currentTime);
  await page.waitForTimeout(1200);
  const t2 = await page.evaluate(() => document.querySelector('video').currentTime);
  if (!(t2 > t1 + 0.7)) fail(`the replay does not play on: ${t1} → ${t2}`);
  const mode = await page.textContent('#mode');
  if (!/REKAMAN/.test(mode)) fail(`mode "${mode}", want REKAMAN`);
  const clock = await page.textContent('#clock');
  // The clock shows where the replay is now (a second or two after at,
  // which may be the next minute): at's minute or the one 5 s later.
  const minutes = await page.evaluate((list) => list.map((ms) => new Intl.DateTimeFormat('id-ID', { timeZone: 'Asia/Jakarta', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(ms)).replace('.', ':')), [+at, +at + 5000]);
  if (!minutes.some((m) => clock.startsWith(m))) fail(`the clock shows "${clock}", want ${minutes.join(' or ')}… WIB`);
  if (await page.isHidden('.bar .incident')) fail('no marker of the incident\'s call time on the timeline');

  // 1b. Over the gap: from 1.5 s before it, the frame after it is on
  // screen well before the gap's own length has passed.
  const segs = (await call(sup.token, 'GET', '/api/v1/cameras/gap1/recordings?limit=1000')).data.items;
  const k = segs.findIndex((s, i) => i > 0 && Date.parse(s.start) - Date.parse(segs[i - 1].end) > 2000);
  if (k < 0) fail('the Go test made no gap in the recording');
  else {
    const gapFrom = Date.parse(segs[k - 1].end);
    const gapTo = Date.parse(segs[k].start);
    const gp = await newPage('dispatcher', `/camera?id=gap1&at=${new Date(gapFrom - 1500).toISOString()}`);
    await firstFrame(gp);
    const t0 = Date.now();
    await gp.waitForFunction((ms) => window.player.time() && +window.player.time() >= ms, gapTo, { timeout: 15000 })
      .catch(() => fail('the replay did not get past the gap'));
    const took = Date.now() - t0;
    console.log(`over a gap of ${gapTo - gapFrom} ms: past it ${took} ms after the first frame (1.5 s of video before it)`);
    if (took > 1500 + Math.max(1500, (gapTo - gapFrom) / 2)) fail(`the replay took ${took} ms to cross ${gapTo - gapFrom} ms of gap from 1.5 s before it`);
    const t1 = await gp.evaluate(() => document.querySelector('video').currentTime);
    await gp.waitForTimeout(1000);
    const t2 = await gp.evaluate(() => document.querySelector('video').currentTime);
    if (!(t2 > t1 + 0.5)) fail(`after the gap the replay does not play on: ${t1} → ${t2}`);
    const note = await gp.textContent('#tl-msg');
    if (!/^Tidak ada rekaman .* rekaman berlanjut dari/.test(note)) fail(`the gap's note reads "${note}"`);
    if (!(await gp.getAttribute('#tl-msg', 'class') || '').includes('calm')) fail('the gap\'s note is a warning');
    if (shots) await shootSizes(gp, shots, 'camera-replay-gap');
    await gp.context().close();
  }

  // 2. Seek 10 s on with → on the timeline: a new replay from there.
  await page.focus('#bar');
  const pressed = await page.evaluate(() => +window.player.time());
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction((ms) => window.player.start() && +window.player.start() > ms, +at + 5000, { timeout: 15000 });
  const sought = await firstFrame(page);
  const target = Date.parse(new URL(page.url()).searchParams.get('at')); // where the page sought (the address keeps it)
  if (Math.abs(target - pressed - 10000) > 600) fail(`→ sought ${target - pressed} ms on, want 10 s`);
  atOrBefore('→ on the timeline', sought, target);
  // A click on the bar 2 s after the start of the recording.
  const box = await page.locator('#bar').boundingBox();
  const x = await page.evaluate((ms) => { const w = window.cameraTimeline.window(); return (ms - w.from) / (w.to - w.from); }, first + 2000);
  await page.mouse.click(box.x + x * box.width, box.y + box.height / 2);
  await page.waitForFunction((ms) => window.player.start() && +window.player.start() < ms, first + 4000, { timeout: 15000 });
  const { shown: [clicked] } = await firstFrame(page);
  if (Math.abs(clicked - (first + 2000)) > 2000) fail(`a click 2 s into the recording played from ${clicked - first} ms`);
  if (shots) await page.screenshot({ path: join(shots, 'camera-replay-c1.png') });
  // Back to live.
  await page.click('#go-live');
  await page.waitForFunction(() => /LANGSUNG/.test(document.querySelector('#mode').textContent) && window.player.start() === null, null, { timeout: 5000 });
  await page.waitForFunction(() => document.querySelector('#state').className === 'playing', null, { timeout: 15000 });
  const l1 = await page.evaluate(() => document.querySelector('video').currentTime);
  await page.waitForTimeout(1000);
  const l2 = await page.evaluate(() => document.querySelector('video').currentTime);
  if (!(l2 > l1 + 0.5)) fail(`live does not advance: ${l1} → ${l2}`);
  if (new URL(page.url()).searchParams.get('at')) fail('live keeps at in the address');
  await page.context().close();

  // 3. Police: asked for a reason before a replay; no PTZ console.
  const police = await newPage('police', `/camera?id=c1&at=${at.toISOString()}`);
  await police.waitForSelector('dialog.ask[open]', { timeout: 10000 });
  await police.click('dialog.ask [data-cancel]');
  await police.waitForFunction(() => /alasan|reason/i.test(document.querySelector('#tl-msg').textContent), null, { timeout: 5000 });
  if (!/LANGSUNG/.test(await police.textContent('#mode'))) fail('police without a reason are not back on live');
  await police.focus('#bar');
  await police.keyboard.press('Shift+ArrowLeft'); // a minute back: there is less recorded, so from its start
  await police.waitForSelector('dialog.ask[open]', { timeout: 10000 });
  await police.fill('dialog.ask input[name=reason]', 'LP/123/XII/2026 Polsek Genteng');
  await police.click('dialog.ask button[type=submit]');
  await firstFrame(police);
  if (!/REKAMAN/.test(await police.textContent('#mode'))) fail('police with a reason: no replay');
  await police.goto(`${base}/camera?id=ptz1`);
  await police.waitForFunction(() => document.querySelector('#name').textContent === 'PTZ Tugu', null, { timeout: 10000 });
  await police.waitForTimeout(500);
  if (await police.isVisible('#ptz') || await police.isVisible('#always')) fail('police see the PTZ console or the record switch');
  await police.context().close();
  const wall = await newPage('wall', '/camera?id=ptz1');
  await wall.waitForFunction(() => document.querySelector('#name').textContent === 'PTZ Tugu', null, { timeout: 10000 });
  await wall.waitForTimeout(500);
  if (await wall.isVisible('#ptz')) fail('the wall sees the PTZ console');
  await wall.context().close();

  // 4. A dispatcher turns ptz1.
  const disp = await newPage('dispatcher', `/camera?id=ptz1&incident=${incident}`);
  await disp.waitForSelector('#ptz:not([hidden]) #presets button', { timeout: 10000 });
  const presets = await disp.$$eval('#presets button', (bs) => bs.map((b) => b.textContent));
  if (presets.join('|') !== 'Gerbang Tugu|Jl. Pahlawan & Kebon Rojo') fail(`presets ${presets}`);
  const right = await disp.locator('#ptz .right').boundingBox();
  await disp.mouse.move(right.x + right.width / 2, right.y + right.height / 2);
  await disp.mouse.down();
  await disp.waitForTimeout(1600); // held: the move is sent again
  await disp.mouse.up();
  await disp.waitForFunction(() => /Berhenti/.test(document.querySelector('#ptz-msg').textContent), null, { timeout: 5000 });
  await disp.focus('#video');
  await disp.keyboard.down('ArrowUp');
  await disp.waitForTimeout(300);
  await disp.keyboard.up('ArrowUp');
  await disp.keyboard.down('+');
  await disp.waitForTimeout(300);
  await disp.keyboard.up('+');
  await disp.click('#presets button[data-token="1"]');
  await disp.waitForFunction(() => /Gerbang Tugu/.test(document.querySelector('#ptz-msg').textContent), null, { timeout: 5000 });
  await disp.click('#point-at');
  await disp.waitForFunction(() => /kejadian/.test(document.querySelector('#ptz-msg').textContent), null, { timeout: 5000 });
  await disp.context().close();

  // 5. The supervisor's "always record" switch.
  const supPage = await newPage('supervisor', '/camera?id=c1');
  await supPage.waitForSelector('#always[aria-pressed="true"]', { timeout: 10000 });
  await supPage.click('#always');
  await supPage.waitForSelector('#always[aria-pressed="false"]', { timeout: 5000 });
  const after = await call((await login('supervisor')).token, 'GET', '/api/v1/cameras/c1/recordings');
  if (after.data.always_record !== false) fail('the switch did not turn "always record" off');
  await supPage.click('#always');
  await supPage.waitForSelector('#always[aria-pressed="true"]', { timeout: 5000 });
  await supPage.context().close();

  if (shots) {
    for (const [size, viewport] of [['1920', { width: 1920, height: 1080 }], ['3840', { width: 3840, height: 2160 }], ['390', { width: 390, height: 844 }]]) {
      for (const lang of ['id', 'en']) {
        for (const [state, path] of [['live', `/camera?id=ptz1&incident=${incident}`], ['replay', `/camera?id=ptz1&at=${new Date(first + 3000).toISOString()}&incident=${incident}`]]) {
          const p = await newPage('dispatcher', path, viewport);
          if (lang === 'en') await p.click('#lang-btn');
          await p.waitForSelector('#presets button', { timeout: 10000 });
          await p.waitForFunction(() => document.querySelector('#state').className === 'playing', null, { timeout: 15000 });
          await p.waitForTimeout(800);
          await p.screenshot({ path: join(shots, `camera-${state}-${size}-${lang}.png`) });
          await p.context().close();
        }
      }
    }
  }
} catch (e) {
  console.error(e);
  failed = true;
} finally {
  await browser.close();
}
console.log(failed ? 'camreplay: FAILED' : 'camreplay: passed');
process.exit(failed ? 1 : 0);
