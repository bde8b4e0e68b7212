// Users tab: the directory filter (from /api/directories) and the last-login
// and created date ranges change the result count exactly as the API's query
// engine says they should.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, openTab, shot, api, isoDay } from './harness.mjs';

let server; let browser;
before(async () => { server = await startServer(); browser = await openBrowser(server); });
after(async () => { await browser?.close(); await server?.stop(); });

const DAY = 86_400_000;
const count = async (page, filter) => (await api(page, `users?filter=${encodeURIComponent(JSON.stringify(filter))}`)).body.total;
const shown = async (page) => Number((await page.getByTestId('user-total').textContent()).replace(/\D/g, ''));
async function applyAndWait(page, expected) {
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.locator('[data-testid="user-total"]', { hasText: new RegExp(`^${expected.toLocaleString('en')} users?$`) }).waitFor();
}

test('the directory filter lists the host directories and counts like the API', async () => {
  const { page } = browser;
  const dirs = await api(page, 'directories');
  assert.equal(dirs.status, 200, 'GET /api/directories answers');
  const list = dirs.body.directories;
  assert.ok(list.length >= 2, 'the demo has an internal and a read-only directory');
  const total = await count(page, {});
  await openTab(page, 'users');
  const options = await page.getByLabel('Directory', { exact: true }).locator('option').allTextContents();
  assert.equal(options.length, list.length, 'one option per directory');
  let sum = 0;
  for (const d of list) {
    const expected = await count(page, { directories: [d.id] });
    if (typeof d.users === 'number') assert.equal(d.users, expected, `directory ${d.id}: its user count matches the query`);
    await page.getByLabel('Directory', { exact: true }).selectOption(String(d.id));
    await applyAndWait(page, expected);
    assert.equal(await shown(page), expected);
    sum += expected;
  }
  assert.equal(sum, total, 'every user is in exactly one directory');
  // Several directories at once: the union.
  await page.getByLabel('Directory', { exact: true }).selectOption(list.map((d) => String(d.id)));
  await applyAndWait(page, total);
  const readOnly = list.find((d) => d.readOnly);
  assert.ok(readOnly, 'the demo has a read-only directory');
  assert.ok(options.some((o) => o.includes(readOnly.name) && /read-only/.test(o)), 'read-only directories are marked');
  await shot(page, 'users-directory-filter');
});

test('last-login and created ranges narrow the list exactly as the API does', async () => {
  const { page } = browser;
  const now = (await api(page, 'me')).body.now;
  await openTab(page, 'users');
  const total = await count(page, {});
  await page.getByRole('button', { name: 'Clear all filters' }).click();
  await page.locator('[data-testid="user-total"]', { hasText: `${total.toLocaleString('en')} users` }).waitFor();

  // Created within the last year (UTC days, inclusive).
  const createdFrom = isoDay(now - 365 * DAY);
  const createdOnly = await count(page, { created: { from: Date.parse(`${createdFrom}T00:00:00.000Z`) } });
  assert.ok(createdOnly > 0 && createdOnly < total, `a year of creations is a proper subset (${createdOnly} of ${total})`);
  await page.getByLabel('Created from').fill(createdFrom);
  await applyAndWait(page, createdOnly);

  // Last login between 180 and 30 days ago, on top.
  const lastFrom = isoDay(now - 180 * DAY);
  const lastTo = isoDay(now - 30 * DAY);
  const both = await count(page, {
    created: { from: Date.parse(`${createdFrom}T00:00:00.000Z`) },
    lastLogin: { from: Date.parse(`${lastFrom}T00:00:00.000Z`), to: Date.parse(`${lastTo}T23:59:59.999Z`) },
  });
  await page.getByLabel('Last login from').fill(lastFrom);
  await page.getByLabel('Last login to').fill(lastTo);
  await applyAndWait(page, both);
  assert.ok(both <= createdOnly, 'adding a range never adds users');

  // Every row shown lies in both ranges.
  const rows = page.locator('[data-testid="user-row"]');
  const n = await rows.count();
  for (let i = 0; i < n; i += 1) {
    const created = await rows.nth(i).locator('td:nth-child(7)').textContent();
    const last = await rows.nth(i).locator('td:nth-child(8)').textContent();
    assert.ok(created >= createdFrom, `row ${i} created ${created} ≥ ${createdFrom}`);
    assert.ok(last !== 'never' && last >= lastFrom && last <= lastTo, `row ${i} last login ${last} in [${lastFrom}, ${lastTo}]`);
  }
  await shot(page, 'users-date-ranges');

  // Clearing the filters brings everyone back.
  await page.getByRole('button', { name: 'Clear all filters' }).click();
  await page.locator('[data-testid="user-total"]', { hasText: `${total.toLocaleString('en')} users` }).waitFor();
  assert.deepEqual(browser.consoleErrors, []);
});

test('without a directory list the Users tab and the policy editor still work', async () => {
  // A host that does not serve /api/directories yet answers 404; simulate
  // that one answer and check the screens degrade instead of failing.
  const { page } = browser;
  await page.route('**/api/directories', (route) => route.fulfill({ status: 404, contentType: 'application/json', body: JSON.stringify({ error: { kind: 'not_found', message: 'no such API path' } }) }));
  try {
    await page.reload();
    await page.locator('#sw-panel[data-loaded]').waitFor();
    await openTab(page, 'users');
    assert.equal(await page.locator('.sw-banner-error').count(), 0, 'no error banner');
    assert.equal(await page.getByLabel('Directory', { exact: true }).count(), 0, 'no directory filter is offered');
    await page.getByTestId('user-total').waitFor();
    await openTab(page, 'automation');
    await page.getByRole('button', { name: 'New policy', exact: true }).click();
    await page.locator('#policy-form').waitFor();
    await page.getByLabel('Directories', { exact: true }).selectOption('only');
    await page.getByLabel('Directory ids').waitFor();
    assert.equal(await page.locator('.sw-banner-error').count(), 0);
  } finally {
    await page.unroute('**/api/directories');
    await page.reload();
  }
});
