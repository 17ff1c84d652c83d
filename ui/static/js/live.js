// The live feed client (DESIGN.md §4): one websocket to /api/v1/live. The
// first message is a snapshot, then events whose seq must be consecutive
// within the epoch. On a gap, a close or an error the client reconnects with
// exponential backoff and asks to resume with ?epoch=E&since=N; the server
// either replays what was missed or sends a fresh snapshot.

const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 15000;
// The browser may not notice a dead connection (a cable pulled somewhere)
// for many minutes: ask the server for a {"type":"pong"} now and then and
// start over when nothing at all arrived for a while.
const HEARTBEAT_MS = 10000;
const SILENCE_MS = 25000;

export class LiveFeed {
  /**
   * @param {object} h handlers: snapshot(msg), event(msg), state(name, detail)
   *   where name is 'connecting' | 'live' | 'offline' | 'resync'.
   */
  constructor(h, path = '/api/v1/live') {
    this.h = h;
    this.path = path;
    this.epoch = null; // of the state we hold
    this.seq = 0; // the last seq applied
    this.ws = null;
    this.attempt = 0;
    this.timer = null;
    this.stopped = false;
    this.stats = { connects: 0, gaps: 0, snapshots: 0 };
    this.lastHeard = 0;
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS);
  }

  beat() {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    if (Date.now() - this.lastHeard > SILENCE_MS) {
      this.resync(ws);
      return;
    }
    ws.send('{"type":"ping"}');
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    if (this.ws) this.ws.close(1000);
  }

  url() {
    const u = new URL(this.path, location.href);
    u.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    if (this.epoch !== null) {
      u.searchParams.set('epoch', String(this.epoch));
      u.searchParams.set('since', String(this.seq));
    }
    return u.toString();
  }

  // announce tells the page's outage banner (outage.js) the feed's state.
  announce(name) {
    this.h.state(name);
    window.dispatchEvent(new CustomEvent('cc112:feed', { detail: name }));
  }

  connect() {
    clearTimeout(this.timer);
    this.announce(this.epoch === null ? 'connecting' : 'resync');
    let ws;
    try {
      ws = new WebSocket(this.url());
    } catch (err) {
      this.retry(err);
      return;
    }
    this.ws = ws;
    this.stats.connects++;
    ws.onopen = () => { this.lastHeard = Date.now(); };
    ws.onmessage = (ev) => this.receive(ws, ev.data);
    ws.onclose = () => {
      if (this.ws === ws) this.retry();
    };
    ws.onerror = () => ws.close();
  }

  // receive checks ordering before applying anything: a message that does
  // not follow the last one means something was lost, and the only honest
  // repair is to ask again from the last seq we hold.
  receive(ws, raw) {
    if (ws !== this.ws) return;
    this.lastHeard = Date.now();
    window.dispatchEvent(new Event('cc112:fresh'));
    let msg;
    try {
      msg = JSON.parse(raw);
    } catch {
      this.resync(ws);
      return;
    }
    if (msg.type === 'snapshot') {
      this.epoch = msg.epoch;
      this.seq = msg.seq;
      this.stats.snapshots++;
      this.h.snapshot(msg);
      this.markLive();
      return;
    }
    if (msg.type !== 'event') return; // a pong, or a kind this client does not know yet
    if (msg.epoch !== this.epoch) {
      // A new epoch must start with a snapshot: drop what we hold.
      this.epoch = null;
      this.seq = 0;
      this.resync(ws);
      return;
    }
    if (msg.seq <= this.seq) return; // a replayed duplicate
    if (msg.seq !== this.seq + 1) {
      this.stats.gaps++;
      this.resync(ws);
      return;
    }
    this.seq = msg.seq;
    this.h.event(msg);
    this.markLive();
  }

  markLive() {
    if (this.attempt !== 0 || !this.live) {
      this.attempt = 0;
      this.live = true;
      this.announce('live');
    }
  }

  resync(ws) {
    this.ws = null;
    ws.onclose = null;
    ws.close(4000, 'resync');
    this.live = false;
    this.connect();
  }

  retry() {
    this.ws = null;
    this.live = false;
    if (this.stopped) return;
    // Full jitter keeps a wall of consoles from reconnecting in lockstep
    // after a server restart.
    const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.attempt);
    const delay = this.attempt === 0 ? BACKOFF_MIN_MS / 2 : cap / 2 + Math.random() * cap / 2;
    this.attempt++;
    this.h.state('offline', { retryInMs: delay });
    window.dispatchEvent(new CustomEvent('cc112:feed', { detail: 'offline' }));
    this.timer = setTimeout(() => this.connect(), delay);
  }
}
