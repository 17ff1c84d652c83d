// The routes of the units on their way: each dispatched or en-route unit's
// drive to its incident, asked of the server (GET /api/v1/route) when the
// unit is sent and again once it has moved or the answer has aged, so the
// map shows the way and counts down to the arrival.

import * as api from './api.js';
import { metres } from './dom.js';

const REFRESH_MS = 30000; // a route older than this is asked again
const MOVED_M = 150; // ... and so is one whose unit moved this far
const RETRY_MS = 10000; // after a failed request

export class UnitRoutes {
  /**
   * @param store the Store
   * @param changed called with the Map unit id → {geometry, arriveAt, method} after each change
   */
  constructor(store, changed) {
    this.store = store;
    this.changed = changed;
    this.routes = new Map();
    this.asked = new Map(); // unit id → when its last request started
  }

  /** update asks for the routes of units sent or moved, and drops those of units no longer on their way. */
  update() {
    const now = Date.now();
    const moving = new Set();
    for (const u of this.store.units.values()) {
      const inc = u.incident_id && this.store.incidents.get(u.incident_id);
      if ((u.status !== 'dispatched' && u.status !== 'enroute') || !inc) continue;
      moving.add(u.id);
      const r = this.routes.get(u.id);
      const fresh = r && r.incident === inc.id && now - r.at < REFRESH_MS && metres(r.from, u.location) < MOVED_M;
      if (fresh || now - (this.asked.get(u.id) || 0) < RETRY_MS) continue;
      this.ask(u, inc, now);
    }
    let dropped = false;
    for (const id of [...this.routes.keys()]) {
      if (!moving.has(id)) { this.routes.delete(id); dropped = true; }
    }
    if (dropped) this.changed(this.routes);
  }

  async ask(u, inc, now) {
    this.asked.set(u.id, now);
    const q = new URLSearchParams({ from: `${u.location.lat},${u.location.lon}`, to: `${inc.location.lat},${inc.location.lon}`, type: u.type });
    let r;
    try {
      r = await api.get(`/api/v1/route?${q}`);
    } catch {
      return; // asked again after RETRY_MS
    }
    const cur = this.store.units.get(u.id);
    if (!cur || cur.incident_id !== inc.id || (cur.status !== 'dispatched' && cur.status !== 'enroute')) return;
    this.routes.set(u.id, { geometry: r.geometry, arriveAt: Date.now() + r.duration_s * 1000, method: r.method,
      from: u.location, at: Date.now(), incident: inc.id });
    this.changed(this.routes);
  }
}
