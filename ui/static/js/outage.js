// Honest state (issue 19): every live page imports this module. When the
// server cannot be reached (the live feed dropped, or the session probe
// fails) a full-width banner says so and the page's data is dimmed, with
// the time the data was last known to be current; when the session is
// gone (expired, revoked: 401) the page's unauthenticated handler runs
// (the login page, or the unit's own form) instead of retrying forever.
// The probe is GET /api/v1/me, which also renews a wall's kiosk session.

import { get, APIError } from './api.js';
import { t, wib, onLangChange } from './i18n.js';

// PROBE_MS bounds how long an outage or a revoked session goes unnoticed
// on a page without a live feed (the feed's close is noticed at once).
const PROBE_MS = 1500;

const css = document.createElement('link');
css.rel = 'stylesheet';
css.href = new URL('../css/outage.css', import.meta.url).href;
document.head.append(css);

const banner = document.createElement('div');
banner.id = 'outage';
banner.className = 'outage-banner';
banner.setAttribute('role', 'alert');
banner.hidden = true;

let down = false; // the banner is up
let lastGood = Date.now(); // when the data was last known to be current
let feed = 'none'; // the live feed's state, when the page has one
let timer = null;
let probing = false;

function render() {
  banner.textContent = t('outage.down', { at: wib(lastGood) });
}

function setDown(on) {
  if (on === down) return;
  down = on;
  if (on) render();
  banner.hidden = !on;
  document.body.classList.toggle('outage', on);
  document.body.dataset.outage = on ? 'down' : 'up';
}

/** probe asks the server who we are: an answer clears the outage, a 401 ends the page. */
async function probe() {
  clearTimeout(timer);
  if (probing || !watching) return;
  probing = true;
  try {
    await get('/api/v1/me'); // a 401 runs the page's unauthenticated handler (api.js)
    if (feed === 'none' || feed === 'live') {
      lastGood = Date.now();
      setDown(false);
    }
  } catch (err) {
    if (!(err instanceof APIError) || err.status === 0 || err.status >= 500) setDown(true);
  } finally {
    probing = false;
    if (watching) timer = setTimeout(probe, PROBE_MS);
  }
}

// live.js announces its state on window: a live feed is current data.
window.addEventListener('cc112:feed', (e) => {
  feed = e.detail;
  if (!watching) return;
  if (feed === 'live') {
    lastGood = Date.now();
    setDown(false);
  } else if (feed === 'offline') {
    setDown(true);
    probe(); // is it the server, or the session?
  }
});
// Each message of the feed is current data.
window.addEventListener('cc112:fresh', () => { if (!down) lastGood = Date.now(); });

onLangChange(() => { if (down) render(); });

let watching = false;

/** watchOutage starts watching (a page with a session: after its login). */
export function watchOutage() {
  if (watching) return;
  watching = true;
  if (!banner.isConnected) document.body.prepend(banner);
  document.body.dataset.outage = 'up';
  lastGood = Date.now();
  timer = setTimeout(probe, PROBE_MS);
}

/** unwatchOutage stops (the page shows its own login form). */
export function unwatchOutage() {
  watching = false;
  clearTimeout(timer);
  setDown(false);
}
