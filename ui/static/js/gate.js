// Imported first by the staff pages: without a session (or with an expired
// one) the browser goes to the login page, which brings it back here.
// Nothing else of the page runs before this module has finished.
//
// The server's route table decides what the user may do: /api/v1/me names
// the pages the user may open and the API routes it may call. The page
// asks can() before it offers an action, and this module hides the page's
// own elements that need a route the user lacks (data-needs="METHOD
// /pattern") and its links to staff pages that are not for the user.
import { me as whoAmI, toLogin } from './api.js';

let user = null;
try {
  user = await whoAmI();
  if (user === null) await toLogin(); // no session: never returns
} catch { /* the server did not answer: user stays null and the page says so */ }

// The role on the body lets a page's CSS leave out what the role may not
// use (a wall shows the console without its buttons).
if (user) document.body.dataset.role = user.role;

// me is the logged-in user ({username, role, unit_id?, agency?, home,
// pages, other_pages, routes}), or null when the server did not answer.
export const me = user;

/** can says whether the user may call the route "METHOD pattern" of the server's route table. */
export function can(method, pattern) {
  return !!user && user.routes.includes(`${method} ${pattern}`);
}

if (user) {
  // A page opened without the session cookie (a link from another site)
  // was served without the server's role check: go home from here.
  if (user.other_pages.includes(location.pathname)) location.replace(user.home);
  for (const el of document.querySelectorAll('[data-needs]')) {
    const [method, pattern] = el.dataset.needs.split(' ');
    if (!can(method, pattern)) el.hidden = true;
  }
  for (const a of document.querySelectorAll('a[href^="/"]')) {
    if (user.other_pages.includes(new URL(a.href).pathname)) a.hidden = true;
  }
}
