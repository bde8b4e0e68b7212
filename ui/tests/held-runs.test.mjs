// Issue 24: a run the mass-change guard holds shows up wherever the admin
// looks (Automation tab, dashboard, audit run page) with Approve and
// Discard; Discard changes nothing and the banner goes away.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, openTab, shot, api, apiSend, createPolicy, until, flagShown } from './harness.mjs';

let server; let browser;
before(async () => { server = await startServer(); browser = await openBrowser(server); });
after(async () => { await browser?.close(); await server?.stop(); });

/** A live policy whose plan trips a guard of 2 accounts; its held run's id. */
async function heldRun(page, name) {
  const settings = (await api(page, 'settings')).body;
  const saved = await apiSend(page, 'PUT', 'settings', { configVersion: settings.configVersion,
    settings: { guard: { enabled: true, maxAccounts: 2, maxPercent: 100, minLicensed: 100000 } } });
  assert.equal(saved.status, 200, saved.text);
  const created = await createPolicy(page, { name, mode: 'live', trigger: { kind: 'scheduler' },
    condition: { kind: 'inactive', days: 90 }, action: { kind: 'deactivate' } });
  assert.equal(created.status, 201, created.text);
  const run = await apiSend(page, 'POST', `policies/${created.body.policy.id}/run`);
  assert.equal(run.status, 202, run.text);
  await until(page, `runs/${run.body.runId}`, (b) => b.run.status === 'awaiting_approval');
  return run.body.runId;
}

test('a held run has a banner with Approve and Discard on the Automation tab and the dashboard', async () => {
  const { page } = browser;
  const runId = await heldRun(page, 'Held cleanup');
  await openTab(page, 'automation');
  const onAutomation = page.locator(`[data-testid="held-run"][data-run="${runId}"]`);
  await onAutomation.waitFor();
  assert.match(await onAutomation.innerText(), /waiting for approval/);
  await onAutomation.getByRole('button', { name: 'Review and approve' }).waitFor();
  await openTab(page, 'dashboard');
  const banner = page.locator(`[data-testid="held-run"][data-run="${runId}"]`);
  await banner.waitFor();
  await shot(page, 'held-run-dashboard');
  await banner.getByRole('button', { name: 'Discard' }).click();
  await page.getByRole('button', { name: 'Discard run' }).click();
  await banner.waitFor({ state: 'detached' });
  const after = await api(page, `runs/${runId}`);
  assert.equal(after.body.run.status, 'discarded');
  assert.equal(after.body.run.counts.succeeded, 0, 'a discarded run changed nothing');
});

test('the approval screen and the audit run page offer Discard', async () => {
  const { page } = browser;
  const runId = await heldRun(page, 'Held cleanup two');
  await openTab(page, 'audit');
  await page.evaluate((id) => { location.hash = `#/audit/run/${id}`; }, runId);
  await page.getByTestId('discard').waitFor();
  await page.evaluate((id) => { location.hash = `#/automation/approve/${id}`; }, runId);
  const discard = page.getByRole('button', { name: 'Discard this plan' });
  await discard.waitFor();
  // Totals by action, not actions counted as users.
  const detail = (await api(page, `runs/${runId}`)).body;
  const totals = await page.getByTestId('approval-totals').innerText();
  assert.match(totals, new RegExp(`^${detail.plan.totals.users.toLocaleString('en')} users? · [\\d,]+ actions?: [\\d,]+ deactivate`));
  await discard.click();
  await page.getByRole('button', { name: 'Discard run' }).click();
  await until(page, `runs/${runId}`, (b) => b.run.status === 'discarded');
  await page.locator('[data-testid="discard"][disabled]').waitFor();
  assert.equal(await page.getByTestId('approve').isDisabled(), true);
});

test('the admins to notify are chosen in Settings and a bad address is a field error', async () => {
  const { page } = browser;
  await openTab(page, 'settings');
  const field = page.getByLabel('Admins to notify');
  await field.fill('ops@example.test; not-an-address');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.locator('[data-path="adminMail.recipients[1]"], .sw-field-error', { hasText: 'not an email address' }).first().waitFor();
  await field.fill('ops@example.test; lead@example.test');
  await page.getByRole('button', { name: 'Save settings' }).click();
  assert.equal(await flagShown(page, 'Settings saved'), 'success');
  const saved = await api(page, 'settings');
  assert.deepEqual(saved.body.settings.adminMail.recipients, ['ops@example.test', 'lead@example.test']);
});
