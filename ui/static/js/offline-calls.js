// The call-taker's offline queue (issue 19): a call recorded while the
// server cannot be reached is kept in the browser (localStorage, so a
// reload keeps it) with the Idempotency-Keys of its requests, and sent in
// the order it was taken when the server is back. A retry after a lost
// answer reuses the keys, so the server applies each request once.

import { post, newKey, APIError } from './api.js';

const QUEUE = 'cc112.ct.queue';
const FAILED = 'cc112.ct.failed';

function read(key) {
  try { return JSON.parse(localStorage.getItem(key) || '[]'); } catch { return []; }
}
function write(key, list) { localStorage.setItem(key, JSON.stringify(list)); }

/** pending is how many recorded calls wait to be sent. */
export function pending() { return read(QUEUE).length; }

/** refused lists the kept calls the server refused, with its reason, for the call-taker to enter again. */
export function refused() { return read(FAILED); }

/**
 * enqueue keeps one recorded call: call is the body of POST /api/v1/calls,
 * location (or null) that of its location, incident that of POST
 * /api/v1/incidents without call_id.
 */
export function enqueue(call, location, incident) {
  const q = read(QUEUE);
  q.push({ call, location, incident, keys: { call: newKey(), location: newKey(), incident: newKey() }, taken_at: new Date().toISOString() });
  write(QUEUE, q);
  return q.length;
}

let flushing = null;

/**
 * flush sends the queue in order, the oldest first, and stops at the first
 * one the network refuses (the next flush starts there again). A call the
 * server refuses (bad input) is moved aside to the failed list, never
 * dropped. It returns how many were sent.
 */
export function flush() {
  if (!flushing) flushing = send().finally(() => { flushing = null; });
  return flushing;
}

async function send() {
  let sent = 0;
  for (;;) {
    const q = read(QUEUE);
    if (!q.length) return sent;
    const e = q[0];
    try {
      const call = await post('/api/v1/calls', e.call, e.keys.call);
      if (e.location) await post(`/api/v1/calls/${encodeURIComponent(call.id)}/location`, e.location, e.keys.location);
      await post('/api/v1/incidents', { ...e.incident, call_id: call.id }, e.keys.incident);
    } catch (err) {
      if (!(err instanceof APIError) || err.status === 0 || err.status >= 500) return sent; // still offline
      write(FAILED, [...read(FAILED), { ...e, error: err.message }]);
    }
    write(QUEUE, read(QUEUE).slice(1));
    sent++;
  }
}
