// The one client of the JSON API, for every page. The session is the
// HttpOnly cookie (scripts never see the token). Every POST carries an
// Idempotency-Key, kept for the retries of one user action, so a click that
// times out and is retried never dispatches a unit twice.

import { t, has, label } from './i18n.js';

// An APIError's message is for the page's user, in the page's language:
// the catalogue's text for the error's reason, else for its code, else a
// generic text naming the code (docs/errors.md lists them). The server's
// English message stays in detail (for logs and the API's own users).
export class APIError extends Error {
  constructor(status, code, detail, retryAfter = null, reason = '') {
    super(errorMessage(code, reason, retryAfter));
    this.status = status; // 0: the request never got an answer
    this.code = code;
    this.reason = reason;
    this.detail = detail;
    this.retryAfter = retryAfter; // seconds, from a 429's Retry-After
  }
}

/** errorMessage is the translated text of an error code (and its reason, if any). */
export function errorMessage(code, reason, retryAfter) {
  for (const c of [reason, code]) {
    if (c && has(`err.${c}`)) return t(`err.${c}`, { s: retryAfter ?? '?' });
  }
  return t('err.unknown', { code: reason || code });
}

export function newKey() {
  // crypto.randomUUID is missing on plain-http pages served to other hosts.
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

// leaving is set once the page has started to go away (to the login page,
// or a logout's reload). The requests still under way then meet the ended
// session too (the outage probe, a map's districts): their 401 must not
// start a second navigation, which would abort the first.
let leaving = false;

/** leave starts the page's one navigation away (go); later calls do nothing. */
function leave(go) {
  if (leaving) return;
  leaving = true;
  go();
}

/** toLogin sends the browser to the login page, which brings it back here. */
export function toLogin() {
  leave(() => location.replace('/login?next=' + encodeURIComponent(location.pathname + location.search)));
  return new Promise(() => {}); // the page is leaving: never resolve
}

// unauthenticated runs when the session ended (expired, logged out
// elsewhere). The staff pages go to the login page; a page with its own
// login form (the unit's phone) shows that instead.
let unauthenticated = toLogin;
export function onUnauthenticated(fn) { unauthenticated = fn; }

// X-Requested-With is the CSRF proof the server asks of cookie-authenticated
// POSTs.
const SESSION = { 'X-Requested-With': 'cc112', Accept: 'application/json' };

async function answer(res, login) {
  if (res.status === 401 && login) await unauthenticated();
  const text = await res.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!res.ok) {
    const e = body && body.error;
    const after = Number(res.headers.get('Retry-After')) || null;
    throw new APIError(res.status, e ? e.code : `http_${res.status}`, e ? e.message : `HTTP ${res.status}`, after, e && e.reason);
  }
  return body;
}

const pause = (attempt) => new Promise((r) => setTimeout(r, 300 * (attempt + 1)));

/**
 * get reads path; login: false keeps a 401 from ending the page (the
 * caller handles it).
 */
export async function get(path, { login = true } = {}) {
  let res;
  try {
    res = await fetch(path, { credentials: 'same-origin', headers: SESSION });
  } catch {
    throw new APIError(0, 'network', 'server unreachable');
  }
  return answer(res, login);
}

/**
 * post sends body as JSON; a network failure or a 503 is retried with the
 * same key, so the server applies it once.
 */
export async function post(path, body, key = newKey(), { login = true } = {}) {
  return send('POST', path, body, key, { login });
}

/** patch sends the changed fields of a record, retried like post. */
export async function patch(path, body, key = newKey()) {
  return send('PATCH', path, body, key, {});
}

/** del removes (a unit from an incident: {reason}), retried like post. */
export async function del(path, body, key = newKey()) {
  return send('DELETE', path, body, key, {});
}

async function send(method, path, body, key, { login = true }) {
  let lastErr;
  for (let attempt = 0; attempt < 3; attempt++) {
    let res;
    try {
      res = await fetch(path, {
        method,
        credentials: 'same-origin',
        headers: { ...SESSION, 'Content-Type': 'application/json', 'Idempotency-Key': key },
        body: JSON.stringify(body ?? {}),
      });
    } catch {
      lastErr = new APIError(0, 'network', 'server unreachable');
      await pause(attempt);
      continue;
    }
    if (res.status === 503 && attempt < 2) {
      lastErr = new APIError(503, 'unavailable', 'server unavailable');
      await pause(attempt);
      continue;
    }
    return answer(res, login);
  }
  throw lastErr;
}

/** retryable says whether a failed request may succeed later unchanged. */
export function retryable(err) {
  return !(err instanceof APIError) || err.status === 0 || err.status >= 500 || err.status === 408 || err.status === 429;
}

// ---- the session -------------------------------------------------------------

/** me is the logged-in user ({username, role, unit_id?, agency?}), or null without a session. */
export async function me() {
  try {
    return await get('/api/v1/me', { login: false });
  } catch (err) {
    if (err instanceof APIError && err.status === 401) return null;
    throw err;
  }
}

/**
 * errorText is what a failed request tells the user, in the page's
 * language; a fetch that never reached the server ("Failed to fetch") says
 * the server is unreachable.
 */
export function errorText(err) {
  if (err instanceof APIError) return err.message;
  if (err instanceof TypeError) return t('err.network');
  return t('err.unknown', { code: (err && err.name) || 'error' });
}

/**
 * wireLogin makes form log in and calls done(user) when it worked. With
 * here set (a page with its own login form, the unit's phone), a user
 * whose pages (the server's route table) do not include this page is
 * logged out again and told so.
 */
export function wireLogin(form, done, { here = false } = {}) {
  const msg = form.querySelector('.msg');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    msg.textContent = '';
    const username = form.elements.username.value.trim();
    const password = form.elements.password.value;
    let user;
    try {
      await post('/api/v1/login', { username, password }, newKey(), { login: false });
      user = await me();
    } catch (err) {
      if (err instanceof APIError && err.status !== 0) form.elements.password.value = '';
      msg.textContent = errorText(err);
      return;
    }
    form.elements.password.value = '';
    if (here && !user.pages.includes(location.pathname)) {
      await logout(false);
      msg.textContent = t('login.notForPage', { role: label('role', user.role) });
      return;
    }
    done(user);
  });
}

/** logout ends the session (offline, the cookie expires by itself) and reloads the page. */
export async function logout(reload = true) {
  try { await post('/api/v1/logout', {}, newKey(), { login: false }); } catch { /* offline or already out */ }
  if (reload) leave(() => location.reload());
}
