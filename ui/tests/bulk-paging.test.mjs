// A bulk preview larger than a page (issue 19): the dialog shows the totals
// by action and by skip reason, lists the first 500 writes, and pages the
// rest from the server's kept plan.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, openTab, api } from './harness.mjs';

let server; let browser;
before(async () => { server = await startServer({ users: 4000 }); browser = await openBrowser(server); });
after(async () => { await browser?.close(); await server?.stop(); });

test('a bulk preview over every user shows totals and pages the writes', async () => {
  const { page } = browser;
  await openTab(page, 'users');
  await page.locator('[data-testid="user-row"]').first().waitFor();
  await page.getByRole('button', { name: 'Select all that match' }).click();
  await page.getByLabel('Bulk action').selectOption('deactivate');
  // Read the answer the dialog shows, to compare the pages with it.
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/bulk/plan'));
  await page.getByRole('button', { name: 'Preview bulk action' }).click();
  const plan = await (await answer).json();
  assert.ok(plan.actionCount > 500, `the demo plans more than a page (${plan.actionCount})`);
  const dialog = page.getByRole('dialog');
  await dialog.locator('[data-testid="plan"]').waitFor();
  const totals = await dialog.getByTestId('plan-totals').textContent();
  assert.match(totals, new RegExp(`${plan.actionCount.toLocaleString('en')} deactivate`));
  assert.equal(await dialog.locator('[data-testid="plan-row"]').count(), 500);
  const firstBefore = await dialog.locator('[data-testid="plan-row"] td').first().textContent();
  assert.equal(firstBefore, plan.actions[0].username);

  const pagerNav = dialog.getByTestId('plan-pager');
  await pagerNav.getByRole('button', { name: 'Next' }).click();
  await pagerNav.getByText('Page 2 of').waitFor();
  const second = (await api(page, `bulk/${plan.planId}/actions?offset=500&limit=500`)).body;
  await dialog.locator('[data-testid="plan-row"] td', { hasText: second.actions[0].username }).first().waitFor();
  assert.equal(await dialog.locator('[data-testid="plan-row"]').count(), Math.min(500, plan.actionCount - 500));
  assert.equal(await dialog.locator('[data-testid="plan-row"] td').first().textContent(), second.actions[0].username);
});
