// The staff pages' login: after it, back to the page that sent us here.
import { wireLogin } from './api.js';
import { t, wireLangSwitch } from './i18n.js';

// next must stay on this site: a path, never //host or a scheme.
function nextPath() {
  const n = new URLSearchParams(location.search).get('next') || '/';
  return n.startsWith('/') && !n.startsWith('//') && !n.startsWith('/\\') ? n : '/';
}

const PAGES = { '/': 'page.console', '/calltaker': 'page.calltaker', '/desk': 'page.desk',
  '/supervisor': 'page.supervisor', '/camera': 'page.camera', '/police': 'page.police',
  '/admin': 'page.admin' };
const path = nextPath().split('?')[0];
function showFor() {
  document.getElementById('for').textContent = t('login.for', { page: PAGES[path] ? t(PAGES[path]) : path });
}
wireLangSwitch(showFor);
// Any role: the server sends a user whose role the page is not for to its own page.
wireLogin(document.querySelector('#login form'), () => location.replace(nextPath()));
