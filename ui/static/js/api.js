// Calls to the JSON API. Every POST carries an Idempotency-Key, kept for the
// retries of one user action, so a click that times out and is retried never
// dispatches a unit twice.

export class APIError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function newKey() {
  // crypto.randomUUID is missing on plain-http pages served to other hosts.
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

// The session is the HttpOnly cookie; X-Requested-With is the CSRF proof the
// server asks of cookie-authenticated POSTs.
const SESSION = { 'X-Requested-With': 'cc112' };

async function answer(res) {
  if (res.status === 401) {
    // The session ended (expired, logged out elsewhere): log in again.
    location.replace('/login?next=' + encodeURIComponent(location.pathname + location.search));
  }
  const text = await res.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!res.ok) {
    const e = body && body.error;
    throw new APIError(res.status, e ? e.code : 'http', e ? e.message : `HTTP ${res.status}`);
  }
  return body;
}

export async function get(path) {
  return answer(await fetch(path, { headers: { ...SESSION, Accept: 'application/json' } }));
}

/** post sends body as JSON; a network failure is retried with the same key. */
export async function post(path, body, key = newKey()) {
  let lastErr;
  for (let attempt = 0; attempt < 3; attempt++) {
    let res;
    try {
      res = await fetch(path, {
        method: 'POST',
        headers: { ...SESSION, 'Content-Type': 'application/json', 'Idempotency-Key': key, Accept: 'application/json' },
        body: JSON.stringify(body),
      });
    } catch (err) {
      lastErr = err;
      await new Promise((r) => setTimeout(r, 300 * (attempt + 1)));
      continue;
    }
    if (res.status === 503 && attempt < 2) {
      lastErr = new APIError(503, 'unavailable', 'server unavailable');
      await new Promise((r) => setTimeout(r, 300 * (attempt + 1)));
      continue;
    }
    return answer(res);
  }
  throw lastErr;
}
