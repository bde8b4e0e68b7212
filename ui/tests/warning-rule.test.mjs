// Issue 24: "warn N days before" warns. The editor says that nobody is acted
// on without the warning, offers acting at once only as an explicit,
// labelled choice, and the preview counts who waits and until when.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, openTab, shot, api, flagShown } from './harness.mjs';

let server; let browser;
before(async () => { server = await startServer(); browser = await openBrowser(server); });
after(async () => { await browser?.close(); await server?.stop(); });

test('a policy with a warning previews the overdue users as warned first, with the day they may be acted on', async () => {
  const { page } = browser;
  await openTab(page, 'automation');
  await page.getByRole('button', { name: 'New policy', exact: true }).click();
  await page.locator('#policy-form').waitFor();
  await page.getByRole('tab', { name: 'Deactivate', exact: true }).click();
  await page.getByLabel('Name', { exact: true }).fill('Warned cleanup');
  await page.getByLabel('Days without login').fill('90');
  await page.getByLabel('Send a warning email before acting').check();
  await page.getByTestId('warning-rule').waitFor();
  const atOnce = page.getByLabel('Act at once on overdue users who were never warned (they get no notice)');
  assert.equal(await atOnce.isChecked(), false, 'acting at once is never the default');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.waitForURL(/#\/automation\/edit\//);
  assert.equal(await flagShown(page, 'Saved policy'), 'success');
  const id = decodeURIComponent(page.url().split('/edit/')[1]);
  const saved = await api(page, `policies/${encodeURIComponent(id)}`);
  assert.equal(saved.body.policy.warning.actOnOverdueAtOnce ?? false, false);

  await page.getByRole('button', { name: 'Preview', exact: true }).click();
  const notice = page.getByTestId('warning-notice').first();
  await notice.waitFor();
  const text = await notice.innerText();
  assert.match(text, /^\d[\d,]* users? (is|are) overdue: warned first, acted on from \d{4}-\d{2}-\d{2} at the earliest \(7 days after the warning is delivered\)$/);
  await shot(page, 'warning-preview');
  await page.keyboard.press('Escape');

  await atOnce.check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  for (let i = 0; ; i += 1) {
    const again = await api(page, `policies/${encodeURIComponent(id)}`);
    if (again.body.policy.warning.actOnOverdueAtOnce === true) break;
    assert.ok(i < 600, 'the at-once choice was never saved');
    await new Promise((r) => setTimeout(r, 100));
  }
});
