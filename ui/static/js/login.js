// The staff pages' login: after it, back to the page that sent us here.
import { wireLogin } from './session.js';

const ROLES = ['calltaker', 'dispatcher', 'unit', 'agency', 'police', 'supervisor', 'admin'];

// next must stay on this site: a path, never //host or a scheme.
function nextPath() {
  const n = new URLSearchParams(location.search).get('next') || '/';
  return n.startsWith('/') && !n.startsWith('//') && !n.startsWith('/\\') ? n : '/';
}

const PAGES = { '/': 'Konsol dispatcher', '/calltaker': 'Penerima panggilan', '/desk': 'Meja pengaduan',
  '/supervisor': 'Dasbor supervisor', '/camera': 'Kamera CCTV', '/police': 'Pantauan Polri' };
const path = nextPath().split('?')[0];
document.getElementById('for').textContent = 'Masuk untuk membuka: ' + (PAGES[path] || path);
wireLogin(document.querySelector('#login form'), ROLES, () => location.replace(nextPath()));
