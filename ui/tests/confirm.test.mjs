// Issue 24: one click no longer changes users. A live "Run now" and a bulk
// Delete first show what will change by action; deletes say they cannot be
// undone, the button is red, and the number of users must be typed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, openTab, api, apiSend, createPolicy } from './harness.mjs';

let server; let browser;
before(async () => { server = await startServer(); browser = await openBrowser(server); });
after(async () => { await browser?.close(); await server?.stop(); });

test('bulk Delete says it cannot be undone and waits for the typed number of users', async () => {
  const { page } = browser;
  // A user a delete would really act on (not a sysadmin, not protected, in a writable directory).
  const firstPage = (await api(page, `users?filter=${encodeURIComponent(JSON.stringify({ status: 'active', pageSize: 50 }))}`)).body.rows;
  const planned = await apiSend(page, 'POST', 'bulk/plan', { action: 'delete', keys: firstPage.map((u) => u.key) });
  assert.equal(planned.status, 200, planned.text);
  const victim = planned.body.actions.find((a) => a.username)?.username;
  assert.ok(victim, 'the demo has a deletable user on the first page');
  await openTab(page, 'users');
  await page.getByLabel('Search', { exact: true }).fill(victim);
  await page.getByRole('button', { name: 'Apply filters' }).click();
  const row = page.locator('[data-testid="user-row"]', { hasText: victim }).first();
  await row.waitFor();
  await row.locator('input[type=checkbox]').check();
  await page.getByLabel('Bulk action').selectOption('delete');
  await page.getByRole('button', { name: 'Preview bulk action' }).click();
  const summary = page.getByTestId('change-summary');
  await summary.waitFor();
  const text = await summary.innerText();
  assert.match(text, /^This changes 1 user: 1 delete\./);
  assert.match(text, /Deleting 1 account cannot be undone/);
  const go = page.getByTestId('confirm-change');
  assert.match(await go.getAttribute('class'), /sw-btn-danger/);
  assert.equal(await go.isDisabled(), true, 'a delete is never one click');
  const typed = summary.locator('input[name="confirmCount"]');
  await typed.fill('2');
  assert.equal(await go.isDisabled(), true, 'the wrong number does not confirm');
  await typed.fill('1');
  assert.equal(await go.isDisabled(), false);
  await page.getByRole('button', { name: 'Close dialog' }).click();
  await page.getByRole('dialog').waitFor({ state: 'detached' });
});

test('Run now on a live policy asks first, and cancelling changes nothing', async () => {
  const { page } = browser;
  const created = await createPolicy(page, { name: 'Live now', mode: 'live', trigger: { kind: 'scheduler' },
    condition: { kind: 'inactive', days: 90 }, action: { kind: 'deactivate' } });
  assert.equal(created.status, 201, created.text);
  const runsBefore = (await api(page, 'runs?limit=200')).body.runs.length;
  await openTab(page, 'automation');
  const row = page.locator(`[data-testid="policy-row"][data-policy="${created.body.policy.id}"]`);
  await row.getByRole('button', { name: 'Run now' }).click();
  const summary = page.getByTestId('change-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /^This changes \d[\d,]* users?: [\d,]+ deactivate/);
  assert.match(await page.getByTestId('confirm-change').getAttribute('class'), /sw-btn-danger/);
  await page.getByRole('button', { name: 'Close dialog' }).click();
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  assert.equal((await api(page, 'runs?limit=200')).body.runs.length, runsBefore, 'cancelling started no run');
});
