// Cloud suspend and restore from the user detail (issue 24, `serve --demo --cloud`): an active Cloud user
// offers "Suspend access…", a suspended one "Restore access…" instead of Reactivate; both go through the
// bulk tool's plan for this one user and its confirmation, "Back to the user" shows the detail with the
// new status, and the audit has the change under the user's name.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, api, apiSend, shot, confirmChange, dismissFlags } from './harness.mjs';

let server; let browser;
before(async () => { server = await startServer({ extraArgs: ['--cloud'] }); browser = await openBrowser(server); });
after(async () => { await browser?.close(); await server?.stop(); });


test('the user detail suspends an active Cloud user and restores a suspended one through the plan and its confirmation', async () => {
  const { page } = browser;
  // One user's change must not wait for approval: the guard is for runs, not for this test.
  const settings = (await api(page, 'settings')).body;
  const off = await apiSend(page, 'PUT', 'settings', { settings: { ...settings.settings, guard: { ...settings.settings.guard, enabled: false } }, configVersion: settings.configVersion });
  assert.equal(off.status, 200, off.text);
  const active = (await api(page, `users?filter=${encodeURIComponent(JSON.stringify({ status: 'active', directories: [1], pageSize: 20 }))}`)).body.rows;
  const user = active.find((r) => !r.groups.includes('org-admins'));
  assert.ok(user, 'the Cloud demo has an ordinary active user');

  const openDetail = async () => {
    await page.goto(`${server.url}#/users?search=${encodeURIComponent(user.username)}&match=exact`);
    await page.locator('#sw-panel[data-loaded="users"]').waitFor();
    await page.locator('[data-testid="user-total"]', { hasText: /^1 user$/ }).waitFor();
    await page.locator('[data-testid="user-row"] a', { hasText: user.username }).click();
    await page.getByTestId('user-actions').waitFor();
  };
  const actions = () => page.getByTestId('user-actions').getByRole('button');
  const runAndReturn = async (label) => {
    await page.getByRole('button', { name: label }).click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('[data-testid="plan"]').waitFor();
    await dismissFlags(page);
    const summary = await confirmChange(page);
    await dialog.locator('[data-testid="run-progress"][data-status="succeeded"]').waitFor({ timeout: 60_000 });
    await dialog.getByRole('button', { name: 'Back to the user' }).click();
    await page.getByTestId('user-actions').waitFor();
    return summary;
  };

  await openDetail();
  assert.match(await page.getByTestId('user-status').textContent(), /^active$/);
  let labels = await actions().allTextContents();
  assert.ok(labels.includes('Suspend access…') && labels.includes('Deactivate…'), `an active Cloud user: ${labels}`);
  assert.ok(!labels.includes('Restore access…'), `nothing to restore: ${labels}`);
  await shot(page, 'user-detail-cloud-suspend');

  assert.match(await runAndReturn('Suspend access…'), /This changes 1 user: 1 suspend/);
  // The detail shows the new status and offers Restore instead of Reactivate.
  await page.locator('[data-testid="user-status"]', { hasText: /^suspended$/ }).waitFor();
  labels = await actions().allTextContents();
  assert.ok(labels.includes('Restore access…'), `a suspended user can be restored: ${labels}`);
  assert.ok(!labels.includes('Reactivate…') && !labels.includes('Suspend access…') && !labels.includes('Deactivate…'), `only Restore changes the status: ${labels}`);
  const row = (await api(page, `users/${encodeURIComponent(user.key)}`)).body.row;
  assert.equal(row.suspended, true);
  assert.equal(row.active, false);

  assert.match(await runAndReturn('Restore access…'), /This changes 1 user: 1 restore/);
  await page.locator('[data-testid="user-status"]', { hasText: /^active$/ }).waitFor();
  assert.ok((await actions().allTextContents()).includes('Suspend access…'));
  assert.equal((await api(page, `users/${encodeURIComponent(user.key)}`)).body.row.active, true);

  // Audited under the user's name, like a bulk action.
  for (const action of ['user_suspended', 'user_restored']) {
    const entries = (await api(page, `audit?action=${action}&target=${encodeURIComponent(user.username)}`)).body.entries;
    assert.equal(entries.length, 1, `${action} audited once: ${JSON.stringify(entries).slice(0, 300)}`);
  }
});
