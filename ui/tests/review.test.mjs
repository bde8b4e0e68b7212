// Issue 21: the review list approves and rejects in batches (a rejection
// exempts the user; "Act now" acts on the approved users through a normal
// run), and an exemption shows in the Users tab with its reason.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, openTab, shot, api, apiSend, createPolicy, until, settle } from './harness.mjs';

let server; let browser;
before(async () => { server = await startServer({ users: 200 }); browser = await openBrowser(server); });
after(async () => { await browser?.close(); await server?.stop(); });

test('the review list approves and rejects in batches, and Act now acts on the approved users', async () => {
  const { page } = browser;
  const created = await createPolicy(page, { name: 'Reviewed cleanup', mode: 'review', trigger: { kind: 'scheduler' },
    condition: { kind: 'inactive', days: 90 }, action: { kind: 'deactivate' }, review: { timeoutDays: 14, onTimeout: 'nothing' } });
  assert.equal(created.status, 201, created.text);
  const id = created.body.policy.id;
  const run = await apiSend(page, 'POST', `policies/${id}/run`);
  assert.equal(run.status, 202, run.text);
  await settle(page, run.body.runId);
  const queued = await until(page, `review?policy=${id}`, (b) => b.total >= 3);

  await openTab(page, 'review');
  await page.getByLabel('Policy').selectOption(id);
  const rows = page.getByTestId('review-row');
  await page.getByTestId('review-total').filter({ hasText: `${queued.total.toLocaleString('en')} items` }).waitFor();
  // Approve the first two in one batch.
  const users = [];
  for (const n of [0, 1]) {
    const row = rows.nth(n);
    users.push(await row.getAttribute('data-user'));
    await row.getByRole('checkbox').check();
  }
  await page.getByTestId('review-selection').filter({ hasText: '2 selected' }).waitFor();
  await page.getByTestId('approve-selected').click();
  await page.locator('.sw-banner-success', { hasText: '2 decided' }).waitFor();
  // Reject the third for the preselected 90 days.
  const third = rows.filter({ has: page.locator('input[type=checkbox]:not([disabled])') }).first();
  const rejected = await third.getAttribute('data-user');
  await third.getByRole('checkbox').check();
  await page.getByTestId('reject-selected').click();
  await page.getByLabel('Note').fill('still on the project');
  await page.getByTestId('confirm-reject').click();
  await page.locator('.sw-banner-success', { hasText: '1 decided' }).waitFor();
  await shot(page, 'review-list-decided');
  const exemptions = await until(page, `exemptions?user=${rejected}`, (b) => b.total === 1);
  assert.equal(exemptions.items[0].grantedBy.kind, 'review_decision');
  assert.equal(exemptions.items[0].reason, 'still on the project');

  // Act now: the approved users are deactivated; their items say so.
  await page.getByRole('button', { name: 'Act now on approved users' }).click();
  const done = await until(page, `review?policy=${id}&status=acted`, (b) => b.total === 2);
  assert.deepEqual(done.items.map((i) => i.user).sort(), [...users].sort());
  for (const key of users) {
    const u = await api(page, `users/${encodeURIComponent(key)}`);
    assert.equal(u.body.row.active, false, `${key} was approved and acted on`);
  }
  const spared = await api(page, `users/${encodeURIComponent(rejected)}`);
  assert.equal(spared.body.row.active, true, 'the rejected user was not acted on');
});

test('an exemption shows in the Users tab with its reason, and the filter finds it', async () => {
  const { page } = browser;
  const list = await api(page, 'users?filter=' + encodeURIComponent(JSON.stringify({ status: 'active', pageSize: 10 })));
  const { key, username } = list.body.rows[0];
  const granted = await apiSend(page, 'POST', 'exemptions', { users: [key], days: 30, reason: 'parental leave' });
  assert.equal(granted.status, 200, granted.text);
  await openTab(page, 'users');
  await page.getByLabel('Exemption').selectOption('yes');
  const expected = (await api(page, 'users?exempt=yes&filter=' + encodeURIComponent(JSON.stringify({})))).body.total;
  await page.getByTestId('user-total').filter({ hasText: `${expected} users` }).waitFor();
  const row = page.getByTestId('user-row').filter({ hasText: username });
  const badge = row.getByTestId('row-exempt').locator('.sw-lozenge');
  await badge.waitFor();
  assert.match(await badge.getAttribute('title'), /parental leave/);
  await shot(page, 'users-exempt');
});
