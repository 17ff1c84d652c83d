// Small DOM helpers shared by the views.

export function escapeHTML(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

/**
 * colour reads a colour of the colour language (theme.css, docs/ui.md), for
 * what CSS cannot paint: canvas markers and charts.
 */
export function colour(name) {
  let c = colours.get(name);
  if (!c) {
    // Read once: the variables do not change, and a read after a DOM
    // change forces a style recalculation (markers are drawn per event).
    c = getComputedStyle(document.documentElement).getPropertyValue('--' + name).trim() || '#888';
    colours.set(name, c);
  }
  return c;
}
const colours = new Map();

export function $(sel, root = document) { return root.querySelector(sel); }

/** elapsed is the seconds since an RFC 3339 time, or between two. */
export function elapsed(from, to) {
  return ((to ? Date.parse(to) : Date.now()) - Date.parse(from)) / 1000;
}

/** metres is the great-circle distance between two {lat, lon} points. */
export function metres(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371000 * Math.asin(Math.sqrt(h));
}
