// Caches the field view's shell so that it opens without network; the API
// is never cached (stale assignments are worse than an error).
const CACHE = 'cc112-unit-{{STATIC}}'; // a new server version, a new cache
const KEEP = ['cc112-unit-labels']; // the page's words for pages: not the shell's
// Every module unit.js imports, or the page cannot start offline.
const SHELL = ['/unit', '{{STATIC}}/js/unit.js', '{{STATIC}}/js/api.js', '{{STATIC}}/js/i18n.js', '{{STATIC}}/js/live.js',
  '{{STATIC}}/js/dom.js', '{{STATIC}}/js/outage.js', '{{STATIC}}/css/theme.css', '{{STATIC}}/css/outage.css',
  '{{STATIC}}/css/unit.css', '{{STATIC}}/unit.webmanifest', '{{STATIC}}/icons/unit-192.png'];

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
  e.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE && !KEEP.includes(k)).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

// Network first (fresh code when online), the cache when offline.
self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.origin !== location.origin || !SHELL.includes(url.pathname)) return;
  e.respondWith(fetch(e.request).then((res) => {
    if (res.ok) { const copy = res.clone(); caches.open(CACHE).then((c) => c.put(e.request, copy)); }
    return res;
  }).catch(() => caches.match(e.request)));
});

// Web Push: the center pages the unit (dispatch, cancel, move, note,
// message). Every page is shown, loud and sticky, even with the page
// closed; an open page is also told to look again.
//
// The page leaves the words of its language in LABELS (unit.js
// saveLabels): a page is written from them, else as the server wrote it.
const LABELS = 'cc112-unit-labels';

async function words(page) {
  let l = null;
  try {
    const res = await (await caches.open(LABELS)).match('/unit/labels');
    l = res ? await res.json() : null;
  } catch { l = null; }
  const head = l && l.push && l.push[page.kind];
  if (!head) return { title: page.title || 'CC112', body: page.body || '' };
  const cat = page.category ? (l.cat[page.category] || page.category) : '';
  return {
    title: page.number ? `${head} · ${page.number}` : head,
    body: [cat, page.detail].filter(Boolean).join(' · '),
  };
}

async function show(page) {
  const urgent = page.kind === 'dispatch' || page.kind === 'moved' || page.kind === 'cancelled';
  const w = await words(page);
  return self.registration.showNotification(w.title, {
    body: w.body,
    tag: page.kind === 'message' ? 'msg-' + (page.at || Date.now()) : 'task-' + (page.incident_id || ''),
    renotify: true,
    requireInteraction: urgent,
    vibrate: urgent ? [600, 200, 600, 200, 600] : [200, 100, 200],
    icon: '{{STATIC}}/icons/unit-192.png',
    badge: '{{STATIC}}/icons/unit-192.png',
    data: { url: page.url || '/unit', kind: page.kind, incident_id: page.incident_id },
  });
}

self.addEventListener('push', (e) => {
  let page = {};
  try { page = e.data ? e.data.json() : {}; } catch { page = { title: 'CC112', body: e.data ? e.data.text() : '' }; }
  e.waitUntil(self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((list) => {
    list.forEach((c) => c.postMessage({ type: 'page', page }));
    // A release the crew is looking at (most often its own Selesai) needs
    // no notification; everything else is shown whatever the page does.
    const watching = list.some((c) => c.visibilityState === 'visible' && new URL(c.url).pathname === '/unit');
    return page.kind === 'released' && watching ? null : show(page);
  }));
});

// openAssignment shows the assignment a tapped page is about: the open
// /unit page is told (it shows the task) and brought to the front, else a
// new one opens.
async function openAssignment(data) {
  const url = new URL((data && data.url) || '/unit', self.location.origin).href;
  const list = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  for (const c of list) {
    if (new URL(c.url).pathname === '/unit') {
      c.postMessage({ type: 'page', open: true, page: data || {} });
      return c.focus().catch(() => c);
    }
  }
  return self.clients.openWindow(url);
}

self.addEventListener('notificationclick', (e) => {
  e.notification.close();
  const done = openAssignment(e.notification.data);
  try { e.waitUntil(done); } catch { /* a synthetic event (tests) cannot extend its life */ }
});
