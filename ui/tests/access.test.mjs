// Issue 21 items 3-4 end to end against the real server: a warning mail, captured by a real SMTP
// sink, carries an "I still need access" link; the link opens the anonymous page, the request is
// sent with a reason and shows for the admin on the Access requests tab. A webhook is created on
// that tab; a call with a wrong signature is refused and audited, a signed one gives the seat.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startServer, openBrowser, openTab, shot, api, createPolicy, flagShown } from './harness.mjs';
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

/** The claims a page link carries in the clear (`<hex JSON>.<hex MAC>`): user `u`, policy `p`, ... */
function claimsOf(link) {
  const token = new URL(link).searchParams.get('t');
  return JSON.parse(Buffer.from(token.split('.')[0], 'hex').toString('utf8'));
}

test('the policy editor sets what a request does, refuses bad days beside the field, and the page then does it', async () => {
  const { page } = browser;
  const kind = () => page.getByLabel('When a user asks to keep access');
  const days = () => page.getByLabel('Exempt for (days)');
  const linkDays = () => page.getByLabel('Links work for (days)');
  const words = () => page.getByTestId('access-request-words');
  const save = async () => {
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    assert.equal(await flagShown(page, 'Saved policy Editor links'), 'success');
  };
  const stored = async (id) => (await api(page, `policies/${encodeURIComponent(id)}`)).body.policy.warning.accessRequest;
  const reopen = async () => { await page.reload(); await page.locator('#policy-form').waitFor(); };

  await openTab(page, 'automation');
  await page.getByRole('button', { name: 'New policy', exact: true }).click();
  await page.locator('#policy-form').waitFor();
  await page.getByLabel('Name', { exact: true }).fill('Editor links');
  // 30 days, not the first test's 90: users idle 23 to 83 days are warned by this policy only
  // (a warning is one mail per user, template and idle cycle, whichever policy queues it first).
  await page.getByLabel('Days without login').fill('30');
  await page.getByLabel('Send a warning email before acting').check();
  await page.getByLabel('Offer an “I still need access” link in the warning').check();
  // What an admin expects when nothing is chosen yet: a month's exemption, links good for two weeks.
  assert.equal(await kind().inputValue(), 'exempt');
  assert.equal(await days().inputValue(), '30');
  assert.equal(await linkDays().inputValue(), '14');
  await words().filter({ hasText: 'exempt from this policy for 30 days at once' }).waitFor();

  // Out of range: the server's words beside the field, and nothing saved.
  const before = (await api(page, 'policies')).body.policies.length;
  for (const [field, value, path, says] of [
    [days, '0', 'warning.accessRequest.onRequest.days', 'must be between 1 and 365 days'],
    [days, '366', 'warning.accessRequest.onRequest.days', 'not 366'],
    [linkDays, '91', 'warning.accessRequest.linkDays', 'must be between 1 and 90 days'],
  ]) {
    await field().fill(value);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.locator(`.sw-field[data-path="${path}"] [data-testid="field-error"]`, { hasText: says }).waitFor();
    await field().fill(field === days ? '30' : '14');
  }
  assert.equal((await api(page, 'policies')).body.policies.length, before, 'a refused save stores nothing');
  assert.match(page.url(), /#\/automation\/new/);

  // Review list: saved, read back by the API and by the editor.
  await kind().selectOption('review');
  // Outside review mode a request does not hold the policy back, and the summary says so.
  await words().filter({ hasText: 'does not hold this policy back' }).waitFor();
  await page.getByLabel('Mode').selectOption('review');
  await words().filter({ hasText: 'nothing happens to them until an admin approves' }).waitFor();
  assert.equal(await days().isVisible(), false, 'the days belong to the exemption only');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.waitForURL(/#\/automation\/edit\//);
  assert.equal(await flagShown(page, 'Saved policy Editor links'), 'success');
  const id = decodeURIComponent(page.url().split('/edit/')[1]);
  assert.deepEqual(await stored(id), { onRequest: { kind: 'review' }, linkDays: 14 });
  await reopen();
  assert.equal(await kind().inputValue(), 'review');

  // Restore at once, with the notice and longer links.
  await kind().selectOption('restore');
  await page.getByLabel('Give access back at once, without an admin (the licence-seat check still applies)').check();
  await linkDays().fill('30');
  await page.getByLabel(/Also send an “access removed” notice/).check();
  await words().filter({ hasText: 'gets their access back at once' }).waitFor();
  await words().filter({ hasText: 'works for 30 days' }).waitFor();
  await save();
  assert.deepEqual(await stored(id), { onRequest: { kind: 'restore', atOnce: true }, linkDays: 30, noticeOnRemoval: true });
  await reopen();
  assert.equal(await kind().inputValue(), 'restore');
  assert.equal(await linkDays().inputValue(), '30');
  assert.equal(await page.getByLabel(/Also send an “access removed” notice/).isChecked(), true);
  // The policy list says it too.
  await openTab(page, 'automation');
  await page.locator(`[data-policy="${id}"] [data-testid="policy-access-request"]`, { hasText: 'restore at once; notice on removal' }).waitFor();

  // Exempt for 45 days, live: the warning's link then does exactly that.
  await page.goto(`${server.url}#/automation/edit/${encodeURIComponent(id)}`);
  await page.locator('#policy-form').waitFor();
  await kind().selectOption('exempt');
  await days().fill('45');
  await page.getByLabel(/Also send an “access removed” notice/).uncheck();
  await page.getByLabel('Mode').selectOption('live');
  // Above the first test's policy, which wants the longest idle users too.
  await page.getByLabel('Priority').fill('10');
  await words().filter({ hasText: 'exempt from this policy for 45 days at once' }).waitFor();
  await save();
  assert.deepEqual(await stored(id), { onRequest: { kind: 'exempt', days: 45 }, linkDays: 30 });
  await reopen();
  assert.equal(await days().inputValue(), '45');
  await shot(page, 'policy-editor-access-request');

  const message = await eventually('a warning of the edited policy', () => sink.messages()
    .find((m) => linkIn(m.data) && claimsOf(linkIn(m.data)).p === id));
  const link = linkIn(message.data);
  const user = claimsOf(link).u;
  await page.goto(link);
  await page.getByText('leave it alone for 45 day(s)').waitFor();
  await page.getByLabel('Why do you still need access? (one line)').fill('editor said 45 days');
  await page.getByRole('button', { name: 'Send my request' }).click();
  await page.getByRole('heading', { name: 'Thank you' }).waitFor();
  await page.goto(`${server.url}#/access`);
  await page.locator('#sw-panel[data-loaded="access"]').waitFor();
  const row = page.getByTestId('access-row').filter({ hasText: 'editor said 45 days' });
  await row.waitFor();
  assert.equal(await row.getAttribute('data-status'), 'exempted');
  const granted = (await api(page, `exemptions?user=${encodeURIComponent(user)}`)).body.items
    .filter((e) => JSON.stringify(e.scope).includes(id));
  assert.equal(granted.length, 1, JSON.stringify(granted));
  const days45 = (granted[0].until - granted[0].createdAt) / 86_400_000;
  assert.ok(days45 > 44 && days45 <= 46, `the exemption lasts ${days45} days`);
});
