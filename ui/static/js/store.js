// The console's copy of the live state: active incidents, units and cameras
// by id, replaced by a snapshot and changed by events. Views subscribe and
// are told which kinds changed, at most once per animation frame, so a burst
// of position updates costs one render.

export class Store {
  constructor() {
    this.incidents = new Map();
    this.units = new Map();
    this.cameras = new Map();
    this.alerts = new Map(); // open alerts by id (loaded after a snapshot, then by events)
    this.clearedAlerts = new Set();
    this.listeners = new Set();
    this.dirty = new Set();
    this.frame = 0;
  }

  subscribe(fn) { this.listeners.add(fn); }

  applySnapshot(msg) {
    this.incidents = byId((msg.incidents || []).filter((i) => i.status !== 'closed'));
    this.units = byId(msg.units || []);
    this.cameras = byId(msg.cameras || []);
    this.changed('incidents', 'units', 'cameras', 'snapshot');
  }

  applyEvent(name, data) {
    if (!data || !data.id) return;
    switch (name) {
      case 'incident.created':
      case 'incident.updated':
        if (data.status === 'closed') this.incidents.delete(data.id);
        else this.incidents.set(data.id, data);
        this.changed('incidents');
        break;
      case 'unit.updated':
      case 'unit.moved':
        this.units.set(data.id, data);
        this.changed(name === 'unit.moved' ? 'positions' : 'units');
        break;
      case 'unit.retired': // an admin took it off the fleet
        this.units.delete(data.id);
        this.changed('units');
        break;
      case 'alert.raised':
      case 'alert.acknowledged':
        if (!this.clearedAlerts.has(data.id)) this.alerts.set(data.id, data);
        this.changed('alerts');
        break;
      case 'alert.cleared':
        this.clearedAlerts.add(data.id);
        this.alerts.delete(data.id);
        this.changed('alerts');
        break;
      case 'camera.updated':
        this.cameras.set(data.id, data);
        this.changed('cameras');
        break;
      default:
        // An event this console does not know, or the `hidden` placeholder of one
        // this user may not see (data null): ignore it, the seq still counts.
    }
  }

  /** setAlerts takes the open alerts as fetched, keeping what events said meanwhile. */
  setAlerts(list) {
    const next = new Map();
    for (const a of list) {
      if (this.clearedAlerts.has(a.id)) continue;
      const seen = this.alerts.get(a.id);
      next.set(a.id, seen && seen.acknowledged_at && !a.acknowledged_at ? seen : a);
    }
    for (const [id, a] of this.alerts) if (!next.has(id) && Date.parse(a.raised_at) > Date.now() - 60000) next.set(id, a);
    this.alerts = next;
    this.changed('alerts');
  }

  changed(...kinds) {
    for (const k of kinds) this.dirty.add(k);
    if (this.frame) return;
    const flush = () => {
      this.frame = 0;
      const kinds = this.dirty;
      this.dirty = new Set();
      for (const fn of this.listeners) fn(kinds);
    };
    // A hidden tab gets no animation frames: flush on a timer instead, so
    // that the state (and what tests read) stays current.
    this.frame = document.hidden ? setTimeout(flush, 50) : requestAnimationFrame(flush);
  }

  /**
   * sortedIncidents is the order a dispatcher works in: incidents waiting
   * for a unit first (highest priority, then the longest wait), then the
   * rest (highest priority, then newest).
   */
  sortedIncidents() {
    return [...this.incidents.values()].sort((a, b) => {
      const wa = isWaiting(a), wb = isWaiting(b);
      if (wa !== wb) return wa ? -1 : 1;
      const older = Date.parse(a.received_at) - Date.parse(b.received_at);
      return (a.priority - b.priority) || (wa ? older : -older) || a.id.localeCompare(b.id);
    });
  }
}

/** isWaiting: an open incident no unit is working (new, or left without units). */
export function isWaiting(inc) {
  return inc.status === 'new';
}

function byId(list) {
  return new Map(list.map((x) => [x.id, x]));
}
