// Small DOM helpers shared by the views.

export function escapeHTML(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

export function $(sel, root = document) { return root.querySelector(sel); }

/** elapsed is the seconds since an RFC 3339 time, or between two. */
export function elapsed(from, to) {
  return ((to ? Date.parse(to) : Date.now()) - Date.parse(from)) / 1000;
}
