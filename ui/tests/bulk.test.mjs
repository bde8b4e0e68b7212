// Users tab bulk action: select users, review the plan (reasons and skipped
// users), run it and watch the progress bar to the end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, openTab, shot, api, confirmChange, pick } from './harness.mjs';

let server; let browser;
before(async () => { server = await startServer({ extraArgs: ['--slow-apply-ms', '20'] }); browser = await openBrowser(server); });
after(async () => { await browser?.close(); await server?.stop(); });

test('a bulk group action on selected users shows its plan and runs with progress', async () => {
  const { page } = browser;
  const groups = (await api(page, 'groups?withCounts=false')).body.groups;
  const target = groups.find((g) => !g.admin && !g.licence)?.name;
  assert.ok(target, 'the demo has a plain group');

  const count = async () => (await api(page, `users?filter=${encodeURIComponent(JSON.stringify({ includeGroups: [target] }))}`)).body.total;
  const membersBefore = await count();
  const nonMembers = (await api(page, `users?filter=${encodeURIComponent(JSON.stringify({ excludeGroups: [target] }))}`)).body.total;
  await openTab(page, 'users');
  await pick(page, 'Not member of', target);
  await page.getByRole('button', { name: 'Apply filters' }).click();
  // The unfiltered list has rows too: wait until the filtered total is shown.
  await page.locator('[data-testid="user-total"]', { hasText: `${nonMembers.toLocaleString('en')} users` }).waitFor();
  await page.locator('[data-testid="user-row"]').first().waitFor();
  const boxes = page.locator('[data-testid="user-row"] input[type=checkbox]');
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await boxes.nth(2).check();
  assert.equal(await page.getByTestId('selection-count').textContent(), '3 selected');

  await page.getByLabel('Bulk action').selectOption('add_to_groups');
  await pick(page, 'Groups (for group actions)', target);
  await page.getByRole('button', { name: 'Preview bulk action' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.locator('[data-testid="plan"]').waitFor();
  const planned = await dialog.locator('[data-testid="plan-row"]').count();
  const skipped = await dialog.locator('[data-testid="skip-row"]').count();
  assert.equal(planned + skipped, 3, 'every selected user is either planned or skipped with a reason');
  await shot(page, 'bulk-plan');
  if (planned === 0) return; // all three were in read-only directories: nothing to run
  const summary = await confirmChange(page);
  assert.match(summary, new RegExp(`This changes ${planned} users?: ${planned} add to group\\.`));
  await dialog.locator('[data-testid="run-progress"][data-status="succeeded"]').waitFor({ timeout: 60_000 });
  assert.equal(await count(), membersBefore + planned, `the planned users were added to ${target}`);
});
