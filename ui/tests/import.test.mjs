// An import with a bad row shows that row's error and changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, openTab, shot, api } from './harness.mjs';

async function templateRow(page) {
  const template = await page.evaluate(async () => (await fetch(new URL('api/import/template', document.baseURI).href)).text());
  const header = template.replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? '';
  const cols = header.split(',').map((c) => c.trim().toLowerCase());
  return { header, row: (values) => cols.map((c) => values[c] ?? '').join(',') };
}
const person = (name) => ({ username: name, 'display name': name, 'full name': name, email: `${name}@example.test`, 'email address': `${name}@example.test` });

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
  assert.equal(await page.locator('[data-testid="import-row"][data-line="3"]').getAttribute('data-status'), 'error', 'the bad row is marked');
  assert.equal(await page.locator('[data-testid="import-row"][data-line="2"]').getAttribute('data-status'), 'ok', 'the good row is not');
  assert.match(await page.locator('[data-testid="import-row"][data-line="3"]').textContent() ?? '', /email/i, 'the bad row names its field');
  assert.equal(await page.getByRole('button', { name: 'Apply the import' }).count(), 0, 'nothing can be applied');
  await shot(page, 'import-bad-row');

  const afterUsers = await api(page, 'users');
  assert.equal(afterUsers.body.total, before.body.total, 'no user was created');
  const found = await api(page, `users?filter=${encodeURIComponent(JSON.stringify({ search: { text: 'uitest.good', mode: 'exact' } }))}`);
  assert.equal(found.body.total, 0);
});

test('a good file shows every row valid, previews the plan and applies with progress', async () => {
  const { page } = browser;
  const { header, row } = await templateRow(page);
  const before = await api(page, 'users');
  const csv = `${header}\n${row(person('uitest.one'))}\n${row(person('uitest.two'))}\n`;
  await openTab(page, 'import');
  await page.getByLabel('Users CSV').setInputFiles({ name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Validate' }).click();
  await page.getByTestId('import-summary').waitFor();
  assert.equal(await page.locator('[data-testid="import-row"][data-status="ok"]').count(), 2, 'both rows are valid');
  assert.match(await page.getByTestId('import-summary').innerText(), /2\s*Users to create/);
  // The preview: what each row will do, and the planned changes with their line.
  for (const line of ['2', '3']) {
    assert.equal(await page.locator(`[data-testid="import-row"][data-line="${line}"]`).getAttribute('data-plan'), 'create', `row ${line} creates`);
  }
  const planRows = page.locator('[data-testid="plan"] [data-testid="plan-row"]');
  assert.ok(await planRows.count() >= 2, 'the planned changes are listed');
  const creation = planRows.filter({ hasText: 'uitest.one' }).filter({ hasText: /create user/i });
  assert.equal(await creation.count(), 1, 'uitest.one is created');
  assert.match(await creation.innerText(), /line 2/, 'the change names its line');
  assert.match(await page.getByTestId('plan').innerText(), /2 users acted on/i);
  await shot(page, 'import-preview');
  assert.equal((await api(page, 'users')).body.total, before.body.total, 'validating changes nothing');
  await page.getByTestId('apply-import').click();
  await page.locator('[data-testid="run-progress"][data-status="succeeded"]').waitFor({ timeout: 60_000 });
  assert.equal(await page.getByRole('progressbar').getAttribute('aria-valuenow'), '100');
  for (const name of ['uitest.one', 'uitest.two']) {
    const found = await api(page, `users?filter=${encodeURIComponent(JSON.stringify({ search: { text: name, mode: 'exact' } }))}`);
    assert.equal(found.body.total, 1, `${name} was created`);
  }
  assert.equal((await api(page, 'users')).body.total, before.body.total + 2);
  await shot(page, 'import-applied');
});

test('a file naming existing users previews created, updated and unchanged rows and changes nothing', async () => {
  const { page } = browser;
  const { header, row } = await templateRow(page);
  const before = await api(page, 'users');
  const errorsBefore = browser.consoleErrors.length;
  const renamed = { ...person('uitest.two'), 'display name': 'UI Test Two Renamed', 'full name': 'UI Test Two Renamed' };
  const csv = `${header}\n${row({ username: 'uitest.one' })}\n${row(renamed)}\n${row(person('uitest.three'))}\n`;
  await openTab(page, 'import');
  await page.getByLabel('Users CSV').setInputFiles({ name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Validate' }).click();
  await page.getByTestId('plan').waitFor();
  const planOf = async (line) => page.locator(`[data-testid="import-row"][data-line="${line}"]`).getAttribute('data-plan');
  assert.deepEqual([await planOf(2), await planOf(3), await planOf(4)], ['unchanged', 'update', 'create']);
  assert.match(await page.locator('[data-testid="import-row"][data-line="2"]').innerText(), /unchanged/i);
  const planRows = page.locator('[data-testid="plan"] [data-testid="plan-row"]');
  assert.equal(await planRows.filter({ hasText: 'uitest.three' }).filter({ hasText: /create user/i }).count(), 1);
  assert.ok(await planRows.filter({ hasText: 'uitest.two' }).count() >= 1, 'the update is planned');
  assert.equal(await planRows.filter({ hasText: 'uitest.one' }).count(), 0, 'the unchanged row plans nothing');
  const skipped = page.locator('[data-testid="plan"] details.sw-skipped');
  await skipped.locator('summary').click();
  const skip = skipped.locator('[data-testid="skip-row"]', { hasText: 'uitest.one' });
  assert.match(await skip.innerText(), /line 2/);
  await shot(page, 'import-preview-existing');
  assert.equal((await api(page, 'users')).body.total, before.body.total, 'validating changes nothing');
  const three = await api(page, `users?filter=${encodeURIComponent(JSON.stringify({ search: { text: 'uitest.three', mode: 'exact' } }))}`);
  assert.equal(three.body.total, 0);
  assert.deepEqual(browser.consoleErrors.slice(errorsBefore), [], 'a valid file logs no error');
});
