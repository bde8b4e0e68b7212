// An import with a bad row shows that row's error and changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, openTab, shot, api } from './harness.mjs';

let server; let browser;
before(async () => { server = await startServer(); browser = await openBrowser(server); });
after(async () => { await browser?.close(); await server?.stop(); });

test('a bad row is reported with its line and nothing changes', async () => {
  const { page } = browser;
  const before = await api(page, 'users');
  const template = await page.evaluate(async () => (await fetch(new URL('api/import/template', document.baseURI).href)).text());
  const header = template.replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? '';
  const cols = header.split(',').map((c) => c.trim().toLowerCase());
  const row = (values) => cols.map((c) => values[c] ?? '').join(',');
  const good = row({ username: 'uitest.good', 'display name': 'UI Test Good', 'full name': 'UI Test Good', email: 'uitest.good@example.test', 'email address': 'uitest.good@example.test' });
  const bad = row({ username: 'uitest.bad', 'display name': 'UI Test Bad', 'full name': 'UI Test Bad', email: 'not-an-email', 'email address': 'not-an-email' });
  const csv = `${header}\n${good}\n${bad}\n`;

  await openTab(page, 'import');
  await page.getByLabel('Users CSV').setInputFiles({ name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Validate' }).click();
  const problem = page.locator('[data-testid="problem"]').first();
  await problem.waitFor();
  assert.match(await problem.textContent() ?? '', /Line 3/, 'the error names the bad row');
  assert.equal(await page.getByRole('button', { name: 'Apply the import' }).count(), 0, 'nothing can be applied');
  await shot(page, 'import-bad-row');

  const afterUsers = await api(page, 'users');
  assert.equal(afterUsers.body.total, before.body.total, 'no user was created');
  const found = await api(page, `users?filter=${encodeURIComponent(JSON.stringify({ search: { text: 'uitest.good', mode: 'exact' } }))}`);
  assert.equal(found.body.total, 0);
});
