// Issue 24: mail that cannot go out says so, on the dashboard and where
// mail is configured, with the outbox counts per template.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, openTab, api } from './harness.mjs';

let server; let browser;
before(async () => { server = await startServer(); browser = await openBrowser(server); });
after(async () => { await browser?.close(); await server?.stop(); });

test('the standalone default with no mail server is shown on the dashboard and the notifications screen', async () => {
  const { page } = browser;
  const status = await api(page, 'mail/status');
  assert.equal(status.body.delivery.available, false, 'the demo has no mail server');
  await openTab(page, 'dashboard');
  const onDashboard = page.getByTestId('mail-unavailable');
  await onDashboard.waitFor();
  assert.match(await onDashboard.innerText(), /Mail is not being delivered: the product has no outgoing mail server configured\./);
  await openTab(page, 'notifications');
  await page.getByTestId('mail-unavailable').waitFor();
  const warningRow = page.locator('[data-testid="template-row"][data-template="warning"] [data-testid="template-outbox"]');
  await warningRow.waitFor();
  const counts = status.body.byTemplate.find((b) => b.template === 'warning')?.counts ?? { queued: 0, sending: 0, sent: 0, failed: 0 };
  assert.equal(await warningRow.innerText(), `${(counts.queued + counts.sending).toLocaleString('en-US')} queued · ${counts.sent.toLocaleString('en-US')} sent · ${counts.failed.toLocaleString('en-US')} failed`);
});
