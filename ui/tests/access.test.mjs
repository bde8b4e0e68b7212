// Issue 21 items 3-4 end to end against the real server: a warning mail, captured by a real SMTP
// sink, carries an "I still need access" link; the link opens the anonymous page, the request is
// sent with a reason and shows for the admin on the Access requests tab. A webhook is created on
// that tab; a call with a wrong signature is refused and audited, a signed one gives the seat.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startServer, openBrowser, openTab, shot, api, createPolicy } from './harness.mjs';
import { startSink, pointMailAt } from './smtp-sink.mjs';
import { eventually, linkIn } from './mail-link.mjs';

let server; let browser; let sink;
before(async () => {
  sink = await startSink();
  // Ticks every 2 s, so the warning is queued soon after the policy is saved.
  server = await startServer({ tickSeconds: 2 });
  browser = await openBrowser(server);
});
after(async () => { await browser?.close(); await server?.stop(); await sink?.stop(); });

async function auditDescriptions(page, action) {
  const { body } = await api(page, `audit?action=${action}&limit=100`);
  return body.entries.map((e) => e.description);
}

test('a warning link opens the page and the request shows for the admin', async () => {
  const { page } = browser;
  await pointMailAt(page, sink.port);

  const created = await createPolicy(page, {
    name: 'Idle with links', mode: 'live', trigger: { kind: 'scheduler' },
    condition: { kind: 'inactive', days: 90 }, action: { kind: 'deactivate' },
    warning: { daysBefore: 7, accessRequest: { onRequest: { kind: 'exempt', days: 30 }, linkDays: 14 } },
  });
  assert.equal(created.status, 201, created.text);

  const message = await eventually('a warning with a link', () => sink.messages().find((m) => linkIn(m.data)));
  const link = linkIn(message.data);
  assert.ok(link.startsWith(server.url.replace(/\/$/, '')), link);

  await page.goto(link);
  await page.getByText('leave it alone for 30 day(s)').waitFor();
  await page.getByLabel('Why do you still need access? (one line)').fill('I run the quarterly audit');
  await page.getByRole('button', { name: 'Send my request' }).click();
  await page.getByRole('heading', { name: 'Thank you' }).waitFor();
  await shot(page, 'access-request-sent');

  // The same link again: the neutral page, nothing new.
  await page.goto(link);
  await page.getByRole('heading', { name: 'This link cannot be used' }).waitFor();

  await page.goto(`${server.url}#/access`);
  await page.locator('#sw-panel[data-loaded="access"]').waitFor();
  const row = page.getByTestId('access-row').filter({ hasText: 'I run the quarterly audit' });
  await row.waitFor();
  assert.equal(await row.getAttribute('data-status'), 'exempted');
  await shot(page, 'access-requests');
});

test('a webhook refuses a wrong signature, audits it, and a signed call gives the seat', async () => {
  const { page } = browser;
  await openTab(page, 'access');
  const found = await api(page, `users?filter=${encodeURIComponent(JSON.stringify({ status: 'deactivated', pageSize: 10 }))}`);
  assert.equal(found.status, 200, JSON.stringify(found.body));
  const inactive = found.body.rows[0];
  assert.ok(inactive, 'the demo has an inactive user');
  await page.getByLabel('Name', { exact: true }).fill('IT desk');
  await page.getByLabel('Service-desk projects').fill('IT');
  await page.getByRole('button', { name: 'Create webhook' }).click();
  const secret = (await page.getByTestId('hook-secret').textContent()).trim();
  assert.match(secret, /^[0-9a-f]{64}$/);
  await page.keyboard.press('Escape');
  const url = (await page.getByTestId('hook-url').first().textContent()).trim();

  const body = JSON.stringify({ eventId: 'IT-1', requester: { username: inactive.username }, project: 'IT' });
  const send = (sig, ts = String(Math.floor(Date.now() / 1000))) => fetch(url, {
    method: 'POST', body,
    headers: { 'Content-Type': 'application/json', 'X-Seatwarden-Timestamp': ts, 'X-Seatwarden-Signature': sig },
  });
  const wrong = await send(`sha256=${'0'.repeat(64)}`);
  assert.equal(wrong.status, 401);
  const refused = await auditDescriptions(page, 'hook_called');
  assert.ok(refused.some((d) => /IT desk.*refused: the signature does not match/.test(d)), refused.join('\n'));
  const still = (await api(page, `users?filter=${encodeURIComponent(JSON.stringify({ search: { text: inactive.username, mode: 'exact' } }))}`)).body.rows[0];
  assert.equal(still.active, false, 'a refused call changes nothing');

  const ts = String(Math.floor(Date.now() / 1000));
  const sig = `sha256=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`;
  const ok = await send(sig, ts);
  assert.equal(ok.status, 200, await ok.clone().text());
  const answer = await ok.json();
  assert.equal(answer.outcome, 'applied', JSON.stringify(answer));
  const after = (await api(page, `users?filter=${encodeURIComponent(JSON.stringify({ search: { text: inactive.username, mode: 'exact' } }))}`)).body.rows[0];
  assert.equal(after.active, true, JSON.stringify(after));
  assert.deepEqual(browser.consoleErrors.filter((e) => !e.includes('/hooks/access/')), []);
});
