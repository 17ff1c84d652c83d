// Imported first by the staff pages: without a session (or with an expired
// one) the browser goes to the login page, which brings it back here.
// Nothing else of the page runs before this module has finished.

export function toLogin() {
  location.replace('/login?next=' + encodeURIComponent(location.pathname + location.search));
  return new Promise(() => {}); // the page is leaving: never resolve
}

const res = await fetch('/api/v1/me', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
if (res.status === 401) await toLogin();

// me is the logged-in user ({username, role, unit_id?, agency?}).
export const me = res.ok ? await res.json() : null;
