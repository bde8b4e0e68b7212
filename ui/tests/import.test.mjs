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

// Issue 18: the preview answers the first 500 rows and changes; the screen pages the rest from the
// kept plan, and says before anything runs how many rows would get no licence seat and what a
// revert could not undo.
test('a large file pages its rows and changes past the first 500 and says plainly what would have no seat', async () => {
  const { page } = browser;
  const { header, row } = await templateRow(page);
  const before = await api(page, 'users');
  const seats = (await api(page, 'licences')).body.applications.find((a) => a.application === 'jira-software');
  assert.equal(seats.limit.kind, 'limited', 'the demo limits Jira Software seats');
  const n = 650;
  const lines = [];
  for (let i = 0; i < n; i += 1) lines.push(row({ ...person(`uipage.${String(i).padStart(3, '0')}`), groups: 'jira-software-users' }));
  const csv = `${header}\n${lines.join('\n')}\n`;
  await openTab(page, 'import');
  await page.getByLabel('Users CSV').setInputFiles({ name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Validate' }).click();
  await page.getByTestId('import-summary').waitFor();

  const seat = page.getByTestId('import-seats');
  await seat.waitFor();
  const short = n - seats.seatsAvailable;
  assert.match(await seat.innerText(), new RegExp(`${seats.seatsAvailable} seats left`));
  assert.match(await seat.innerText(), new RegExp(`${short.toLocaleString('en-US')} rows would end with no seat \\(the first at lines ${seats.seatsAvailable + 2},`));

  // Rows: 200 a page; the fourth page (rows 601–650) needs verdicts past the preview's 500.
  await page.locator('[data-testid="import-row"][data-line="201"]').waitFor();
  for (const first of [202, 402, 602]) {
    await page.getByRole('button', { name: 'Next rows' }).click();
    await page.locator(`[data-testid="import-row"][data-line="${first}"]`).waitFor();
  }
  assert.equal(await page.getByTestId('import-row').count(), 50);
  assert.equal(await page.locator('[data-testid="import-row"][data-line="651"]').getAttribute('data-plan'), 'create', 'a verdict from the server page');
  assert.match(await page.getByTestId('rows-shown').innerText(), /Showing rows 601–650 of 650/);
  assert.equal(await page.getByRole('button', { name: 'Next rows' }).isDisabled(), true);

  // Changes: 650 creations and 650 memberships; the first 500 in the preview, the rest on request.
  await page.getByTestId('more-actions').click();
  await page.locator('[data-testid="more-action"]').nth(499).waitFor();
  await page.getByTestId('more-actions').click();
  await page.locator('[data-testid="more-action"]').nth(2 * n - 501).waitFor();
  assert.equal(await page.getByTestId('more-action').count(), 2 * n - 500);
  assert.equal(await page.getByTestId('more-actions').isDisabled(), true, 'nothing more to show');
  assert.match(await page.getByTestId('more-action').last().innerText(), /uipage\.649/);
  await shot(page, 'import-pages');
  assert.equal((await api(page, 'users')).body.total, before.body.total, 'validating and paging change nothing');
});

test('an update of display names and emails says before it runs that a revert cannot undo it', async () => {
  const { page } = browser;
  const { header, row } = await templateRow(page);
  const users = (await api(page, `users?filter=${encodeURIComponent(JSON.stringify({ search: { text: 'uitest.one', mode: 'exact' } }))}`)).body;
  assert.equal(users.total, 1, 'an earlier test created uitest.one');
  const csv = `${header}\n${row({ ...person('uitest.one'), 'display name': 'UI Test One Renamed', 'full name': 'UI Test One Renamed' })}\n`;
  await openTab(page, 'import');
  await page.getByLabel('Users CSV').setInputFiles({ name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Validate' }).click();
  const note = page.getByTestId('import-irreversible');
  await note.waitFor();
  assert.match(await note.innerText(), /1 profile update\(s\) \(display name or email\) cannot be undone/);
  assert.equal(await page.getByTestId('import-seats').count(), 0, 'an update takes no new seat');
});
