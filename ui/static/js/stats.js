// The complaint statistics page. At /desk/stats it is the supervisors' (a
// login, the desk's endpoints); at /statistik the public's: no account,
// the public endpoints (counts only, no personal data), the light palette.
const publicPage = location.pathname === '/statistik';
for (const el of document.querySelectorAll('[data-only]')) el.hidden = el.dataset.only !== (publicPage ? 'public' : 'desk');
if (publicPage) {
  document.body.classList.add('public');
  document.querySelector('h1').dataset.i18n = 'stats.publicTitle';
  document.querySelector('title').dataset.i18n = 'title.statistik';
} else {
  await import('./gate.js'); // log in first
}
const { startStats } = await import('./stats-view.js');
startStats(publicPage
  ? { stats: '/api/v1/public/complaints/stats', districts: '/api/v1/public/districts' }
  : { stats: '/api/v1/complaints/stats', districts: '/api/v1/districts' });
