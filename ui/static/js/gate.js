// Imported first by the staff pages: without a session (or with an expired
// one) the browser goes to the login page, which brings it back here.
// Nothing else of the page runs before this module has finished.
import { me as whoAmI, toLogin } from './api.js';

let user = null;
try {
  user = await whoAmI();
  if (user === null) await toLogin(); // no session: never returns
} catch { /* the server did not answer: user stays null and the page says so */ }

// The role on the body lets a page's CSS leave out what the role may not
// use (a wall shows the console without its buttons).
if (user) document.body.dataset.role = user.role;

// me is the logged-in user ({username, role, unit_id?, agency?}), or null
// when the server did not answer.
export const me = user;
