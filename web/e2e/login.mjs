// The staff pages send a browser without a session to /login?next=…; the
// browser tests log in there with the demo accounts (username = password =
// role) and land on the page they asked for.
export async function gotoAs(page, base, path, role) {
  await page.goto(`${base}/login?next=${encodeURIComponent(path)}`);
  await page.fill('input[name=username]', role);
  await page.fill('input[name=password]', role);
  await page.click('button[type=submit]');
  await page.waitForURL((u) => u.pathname === new URL(path, base).pathname, { timeout: 15000 });
}
