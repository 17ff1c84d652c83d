// Caches the field view's shell so that it opens without network; the API
// is never cached (stale assignments are worse than an error).
const CACHE = 'cc112-unit-{{STATIC}}'; // a new server version, a new cache
// Every module unit.js imports, or the page cannot start offline.
const SHELL = ['/unit', '{{STATIC}}/js/unit.js', '{{STATIC}}/js/api.js', '{{STATIC}}/js/i18n.js', '{{STATIC}}/js/live.js',
  '{{STATIC}}/css/unit.css', '{{STATIC}}/unit.webmanifest', '{{STATIC}}/icons/unit-192.png'];

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
  e.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
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
