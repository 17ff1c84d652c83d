// Who is logged in, and the way out, on every staff page: the user's name
// and role and a logout button, placed before the page's language switch.
// It asks the server itself (the public pages load it too and stay
// anonymous), so nothing shows without a session.
import { me, logout } from './api.js';
import { t, label, onLangChange } from './i18n.js';

let user = null;
try { user = await me(); } catch { /* offline: the page says so itself */ }

if (user) {
  const bar = document.createElement('div');
  bar.id = 'userbar';
  bar.className = 'userbar';
  const name = document.createElement('b');
  name.className = 'userbar-name';
  name.textContent = user.username;
  const role = document.createElement('span');
  role.className = 'userbar-role';
  const out = document.createElement('button');
  out.type = 'button';
  out.className = 'btn userbar-out';
  out.addEventListener('click', () => logout());
  const draw = () => {
    role.textContent = label('role', user.role);
    out.textContent = t('logout');
    out.title = t('userbar.logoutTitle', { user: user.username });
    bar.setAttribute('aria-label', t('userbar.who'));
  };
  bar.append(name, role, out);
  draw();
  onLangChange(draw);
  // Beside the language switch; on a phone a row of its own on top (the
  // headers have no room there).
  const lang = document.querySelector('#lang-btn, [data-lang-switch]');
  if (lang && !matchMedia('(max-width: 700px)').matches) lang.before(bar); else document.body.prepend(bar);
}
