// The staff pages send a browser without a session to /login?next=…; the
// browser tests log in there with the demo accounts (username = password =
// role) and land on the page they asked for.
export async function gotoAs(page, base, path, role) {
  failOnCSP(page);
  await page.goto(`${base}/login?next=${encodeURIComponent(path)}`);
  await page.fill('input[name=username]', role);
  await page.fill('input[name=password]', role);
  await page.click('button[type=submit]');
  await page.waitForURL((u) => u.pathname === new URL(path, base).pathname, { timeout: 15000 });
}

// failOnCSP ends the run on a Content-Security-Policy violation: every page
// must work under the strict policy, and a refused style, image or
// connection shows only in the browser's console.
const watched = new WeakSet();
export function failOnCSP(page) {
  if (watched.has(page)) return;
  watched.add(page);
  page.on('console', (m) => {
    if (m.type() === 'error' && m.text().includes('Content Security Policy')) {
      console.error(`CSP violation on ${page.url()}: ${m.text()}`);
      process.exit(1);
    }
  });
}
