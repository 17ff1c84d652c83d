// The training banner (dispatchd -training): every page says, in the
// user's language, that it runs against a simulated city.
import { t, onLangChange } from './i18n.js';

const el = document.getElementById('training-banner');
function render() {
  el.textContent = t('app.training');
  if (!document.title.startsWith(t('app.trainingTitle'))) document.title = `${t('app.trainingTitle')} · ${document.title}`;
}
if (el) { render(); onLangChange(render); }
