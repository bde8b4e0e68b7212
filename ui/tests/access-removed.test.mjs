// Issue 21, the rest of items 3-4 against the real server: the "access removed" notice a live run
// sends (received by a real SMTP sink) carries a link; the link's page takes a request, the admin
// approves it on the Access requests tab and the user is active again. And the webhook rules editor:
// add, edit, reorder and remove rules, with the server's problems shown beside their fields and a
// save over a webhook changed meanwhile refused until reloaded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, openTab, shot, api, apiSend, createPolicy, settle } from './harness.mjs';
import { startSink, pointMailAt } from './smtp-sink.mjs';
import { eventually, decoded, linkIn } from './mail-link.mjs';

let server; let browser; let sink;
before(async () => {
  sink = await startSink();
  server = await startServer({ users: 120, tickSeconds: 2 });
  browser = await openBrowser(server);
});
after(async () => { await browser?.close(); await server?.stop(); await sink?.stop(); });

test('the access removed notice links to a request the admin approves, and the user is active again', async () => {
  const { page } = browser;
  await pointMailAt(page, sink.port);
  // The template editor lists the notice's template among the others.
  await page.getByRole('cell', { name: 'Access removed (link to ask for it back)' }).waitFor();
  // The demo's inactive users are many for 120 accounts: let this run act on all of them.
  const current = await apiSend(page, 'GET', 'settings');
  const guard = await apiSend(page, 'PUT', 'settings', {
    configVersion: current.body.configVersion,
    settings: { guard: { enabled: false, maxAccounts: 500, maxPercent: 100, minLicensed: 100000 } },
  });
  assert.equal(guard.status, 200, guard.text);
  const created = await createPolicy(page, {
    name: 'Idle with notice', mode: 'live', trigger: { kind: 'scheduler' },
    condition: { kind: 'inactive', days: 90 }, action: { kind: 'deactivate' },
    warning: { daysBefore: 7, actOnOverdueAtOnce: true,
      accessRequest: { onRequest: { kind: 'restore' }, linkDays: 14, noticeOnRemoval: true } },
  });
  assert.equal(created.status, 201, created.text);
  const run = await apiSend(page, 'POST', `policies/${created.body.policy.id}/run`);
  assert.equal(run.status, 202, run.text);
  await settle(page, run.body.runId);

  const notice = await eventually('an access removed notice', () => sink.messages()
    .find((m) => /your access was removed/.test(decoded(m.data)) && linkIn(m.data)));
  const to = notice.rcpt_tos[0];
  const found = await api(page, `users?filter=${encodeURIComponent(JSON.stringify({ search: { text: to, mode: 'exact' } }))}`);
  const user = found.body.rows.find((r) => r.email === to);
  assert.ok(user, `the notice went to a known user (${to})`);
  assert.equal(user.active, false, 'the notice follows the removal');
  // Listed in the outbox as the access-removed template.
  const outbox = await api(page, 'mail/outbox?status=queued,sending,sent');
  assert.ok(outbox.body.messages.some((m) => m.template === 'access-removed'), JSON.stringify(outbox.body.messages.slice(0, 3)));

  await page.goto(linkIn(notice.data));
  await page.getByText('decides whether your access is given back').waitFor();
  await page.getByLabel('Why do you still need access? (one line)').fill('I lead the migration project');
  await page.getByRole('button', { name: 'Send my request' }).click();
  await page.getByRole('heading', { name: 'Thank you' }).waitFor();

  await page.goto(`${server.url}#/access`);
  await page.locator('#sw-panel[data-loaded="access"]').waitFor();
  const row = page.getByTestId('access-row').filter({ hasText: 'I lead the migration project' });
  await row.waitFor();
  assert.equal(await row.getAttribute('data-status'), 'pending');
  await row.getByRole('button', { name: /^Approve the request of / }).click();
  await page.getByTestId('access-row').filter({ hasText: 'I lead the migration project' }).and(page.locator('[data-status="restored"]')).waitFor();
  await shot(page, 'access-removed-approved');
  const after = await api(page, `users/${encodeURIComponent(user.key)}`);
  assert.equal(after.body.row.active, true, JSON.stringify(after.body.row));
});

test('the rules editor adds, edits, reorders and removes rules, with field errors and version-checked saves', async () => {
  const { page } = browser;
  const made = await apiSend(page, 'POST', 'hooks', { name: 'Rules desk', capPerDay: 20,
    rules: [{ name: 'Staff', emailDomains: ['example.test'], activate: true }] });
  assert.equal(made.status, 201, made.text);
  const id = made.body.id;
  await openTab(page, 'access');
  const open = async () => {
    await page.getByRole('button', { name: 'Edit the rules of Rules desk' }).click();
    await page.getByRole('dialog').getByTestId('rules').waitFor();
  };
  await open();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Add a rule' }).click();
  await dialog.getByLabel('Rule 2 name').fill('Contractors');
  // No condition and nothing to do: the server's words appear beside the fields they are about.
  await dialog.getByLabel('Activate (restore) the requester\'s account (rule 2)').uncheck();
  await dialog.getByRole('button', { name: 'Save rules' }).click();
  await dialog.locator('[data-testid="field-error"][data-path="rules[1].activate"]', { hasText: 'rule 2 does nothing' }).waitFor();
  await dialog.locator('[data-testid="field-error"][data-path="rules[1].emailDomains"]', { hasText: 'rule 2 has no condition' }).waitFor();
  await shot(page, 'hook-rules-errors');
  let saved = (await api(page, 'hooks')).body.items.find((x) => x.id === id);
  assert.equal(saved.settings.rules.length, 1, 'a refused save changes nothing');

  await dialog.getByLabel('Rule 2: requester email domains').fill('partner.test');
  await dialog.getByLabel('Rule 2: add to groups').fill('jira-software-users');
  await dialog.getByRole('button', { name: 'Move rule 2 up' }).click();
  await dialog.getByRole('button', { name: 'Save rules' }).click();
  await page.locator('.sw-banner-success', { hasText: 'saved with 2 rule(s)' }).waitFor();
  saved = (await api(page, 'hooks')).body.items.find((x) => x.id === id);
  assert.deepEqual(saved.settings.rules.map((r) => r.name), ['Contractors', 'Staff']);
  assert.deepEqual(saved.settings.rules[0].emailDomains, ['partner.test']);
  assert.deepEqual(saved.settings.rules[0].addToGroups, ['jira-software-users']);
  assert.equal(saved.settings.rules[0].activate, false);

  // Someone else saves meanwhile: this editor's save is refused until reloaded.
  await open();
  const other = await apiSend(page, 'PUT', `hooks/${id}`, { ...saved.settings, capPerDay: 7, version: saved.version });
  assert.equal(other.status, 200, other.text);
  await dialog.getByRole('button', { name: 'Remove rule 1' }).click();
  await dialog.getByRole('button', { name: 'Save rules' }).click();
  await dialog.getByText('changed since you read it').waitFor();
  await dialog.getByRole('button', { name: 'Reload the webhook' }).click();
  // The editor opens again on the webhook as it is now.
  await page.waitForFunction(() => document.querySelector('.sw-dialog input[name="edit-hook-cap"]')?.value === '7');
  await page.getByRole('dialog').getByRole('button', { name: 'Remove rule 1' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Save rules' }).click();
  await page.locator('.sw-banner-success', { hasText: 'saved with 1 rule(s)' }).waitFor();
  saved = (await api(page, 'hooks')).body.items.find((x) => x.id === id);
  assert.deepEqual(saved.settings.rules.map((r) => r.name), ['Staff']);
  assert.equal(saved.settings.capPerDay, 7, 'the other change was kept');
  // The refused saves above (422, 409) are logged by the browser; nothing else may be.
  assert.deepEqual(browser.consoleErrors.filter((e) => !/\b(409|422)\b/.test(e)), []);
});
