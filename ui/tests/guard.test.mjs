// A live run that trips the mass-change guard waits; an admin approves that
// exact plan from the UI and it is applied.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, openTab, shot, api, confirmChange, flagShown } from './harness.mjs';

let server; let browser;
before(async () => { server = await startServer(); browser = await openBrowser(server); });
after(async () => { await browser?.close(); await server?.stop(); });

test('a guard trip is approved from the UI', async () => {
  const { page } = browser;
  // Lower the guard through the Settings tab so a modest plan trips it.
  await openTab(page, 'settings');
  await page.getByLabel('Hold large live runs for approval').check();
  await page.getByLabel('Maximum accounts per run').fill('2');
  await page.getByRole('button', { name: 'Save settings' }).click();
  assert.equal(await flagShown(page, 'Settings saved'), 'success');

  await openTab(page, 'automation');
  await page.getByRole('button', { name: 'New policy' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Guarded cleanup');
  await page.getByRole('tab', { name: 'Deactivate' }).click();
  await page.getByLabel('Mode').selectOption('live');
  await page.getByLabel('Days without login').fill('90');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('button', { name: 'Run now' }).waitFor();
  await page.getByRole('button', { name: 'Run now' }).click();
  await confirmChange(page);
  await page.locator('[data-testid="run-progress"][data-status="awaiting_approval"]').waitFor({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Review and approve' }).click();
  await page.locator('[data-testid="guard"]').waitFor();
  await shot(page, 'guard-approval');
  const runId = Number(page.url().split('/approve/')[1]);
  await page.getByTestId('approve').click();
  await page.locator('[data-testid="run-progress"][data-status="succeeded"]').waitFor({ timeout: 120_000 });
  const run = await api(page, `runs/${runId}`);
  assert.notEqual(run.body.run.status, 'awaiting_approval', 'the approved run no longer waits');
});
