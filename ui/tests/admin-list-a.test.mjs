// Issue 24, list A (session 4): the policy preview is paged and exported
// like a bulk preview, its Mode column says what the policy's run does,
// skip reasons name directories, the default policy name follows the days
// field, a save conflict offers Reload, the template preview shows the HTML
// beside the plain text, a test send to a non-address is a field error and
// every send's result is a flag, the import template's example groups
// exist, and a held run's duration leaves out its approval wait.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, openBrowser, openTab, shot, api, apiSend, createPolicy, flagShown, until, dismissFlags } from './harness.mjs';
import { startSink, pointMailAt } from './smtp-sink.mjs';

let server; let browser; let sink;
before(async () => { sink = await startSink(); server = await startServer({ users: 2000 }); browser = await openBrowser(server); });
after(async () => { await browser?.close(); await server?.stop(); await sink?.stop(); });


/** Opens the editor of policy `id` through its route (as a bookmarked link would). */
async function openEditor(page, id) {
  await openTab(page, 'automation');
  await page.evaluate((p) => { location.hash = `#/automation/edit/${encodeURIComponent(p)}`; }, id);
  await page.locator('#policy-form').waitFor();
  await page.getByRole('button', { name: 'Preview' }).waitFor();
}

test('the policy preview pages every action, counts skips by reason with directory names, exports the plan and shows the policy mode', async () => {
  const { page } = browser;
  const dirs = (await api(page, 'directories')).body.directories;
  const readOnly = dirs.find((d) => d.readOnly);
  assert.ok(readOnly, 'the demo has a read-only directory');
  // A live policy (never run here): its preview says what a run would do with each row.
  const made = await createPolicy(page, { name: 'Idle a day', enabled: false, mode: 'live', trigger: { kind: 'scheduler' }, condition: { kind: 'inactive', days: 1, neverLoggedInDays: 1 }, action: { kind: 'deactivate' } });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const id = made.body.policy.id;
  const whole = await apiSend(page, 'POST', `policies/${encodeURIComponent(id)}/preview`);
  assert.ok(whole.body.actionCount > 500, `more than one page of actions (${whole.body.actionCount})`);

  await openEditor(page, id);
  await page.getByRole('button', { name: 'Preview' }).click();
  const dialog = page.locator('[role=dialog]');
  await dialog.locator('[data-testid="plan-totals"]').waitFor();
  assert.equal(await dialog.getByTestId('mode-note').textContent(), 'Mode: this policy is live, so its run applies each row.');
  const modes = await dialog.getByTestId('plan-mode').allTextContents();
  assert.equal(modes.length, 500, 'the first page');
  assert.deepEqual([...new Set(modes)], ['live'], 'a live policy is not shown as safe');
  // Totals by action (users and actions apart), then skips by reason, the directory by name.
  assert.match(await dialog.getByTestId('plan-totals').textContent(), /users · [\d,]+ actions: /);
  const reasons = await dialog.getByTestId('skip-reasons').textContent();
  assert.ok(reasons.includes(`directory ${readOnly.name} does not allow this change`), reasons);
  assert.ok(!/directory \d+ does not/.test(reasons), reasons);

  await shot(page, 'policy-preview-paged');

  // Page 2 lists other users than page 1.
  const first = await dialog.locator('[data-testid="plan-row"] td:first-child').allTextContents();
  await dialog.getByTestId('plan-pager').getByRole('button', { name: 'Next' }).click();
  await dialog.getByTestId('plan-pager').getByText(/^Page 2 of /).waitFor();
  await page.waitForFunction((firstUser) => document.querySelector('[role=dialog] [data-testid="plan-row"] td')?.textContent !== firstUser, first[0]);
  const second = await dialog.locator('[data-testid="plan-row"] td:first-child').allTextContents();
  assert.ok(second.length > 0 && second.every((u) => !first.includes(u)), 'page 2 has new users');

  // The export holds the whole plan: every write, then every skip.
  const [file] = await Promise.all([page.waitForEvent('download'), dialog.getByTestId('plan-export').click()]);
  const lines = readFileSync(await file.path(), 'utf8').trim().split(/\r?\n/);
  assert.equal(lines[0], 'user key,username,action,group,why,mode');
  const plan = (await api(page, `bulk/${whole.body.planId}/actions?limit=1`)).body;
  assert.equal(lines.filter((l) => l.endsWith(',live')).length, plan.total);
  assert.equal(lines.length - 1, whole.body.actionCount + whole.body.skipCount);
  await page.keyboard.press('Escape');
});

test('the default policy name follows the days field until the admin edits the name', async () => {
  const { page } = browser;
  await openTab(page, 'automation');
  await page.getByRole('button', { name: 'New policy', exact: true }).click();
  await page.locator('#policy-form').waitFor();
  const name = page.getByLabel('Name', { exact: true });
  assert.equal(await name.inputValue(), 'Deactivate after 30 days idle');
  await page.getByLabel('Days without login').fill('45');
  assert.equal(await name.inputValue(), 'Deactivate after 45 days idle');
  await page.getByRole('tab', { name: 'Revoke access', exact: true }).click();
  await page.getByLabel('Days without login').fill('60');
  assert.equal(await name.inputValue(), 'Revoke access after 60 days idle');
  // Once the admin names it, the name is theirs.
  await name.fill('Contractors cleanup');
  await page.getByLabel('Days without login').fill('90');
  assert.equal(await name.inputValue(), 'Contractors cleanup');
});

test('a save conflict says someone else changed the policy and Reload loads their version in place', async () => {
  const { page } = browser;
  const made = await createPolicy(page, { name: 'Shared policy', enabled: false, mode: 'safe', trigger: { kind: 'scheduler' }, condition: { kind: 'inactive', days: 200 }, action: { kind: 'deactivate' } });
  const id = made.body.policy.id;
  await openEditor(page, id);
  const url = page.url();
  // Another admin saves meanwhile.
  const current = (await api(page, `policies/${encodeURIComponent(id)}`)).body;
  const other = await apiSend(page, 'PUT', `policies/${encodeURIComponent(id)}`, { ...current.policy, name: 'Renamed by a colleague', configVersion: current.configVersion });
  assert.equal(other.status, 200, JSON.stringify(other.body));
  await page.getByLabel('Name', { exact: true }).fill('My name for it');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  const conflict = page.getByTestId('conflict');
  await conflict.waitFor();
  assert.match(await conflict.textContent(), /changed by someone else/);
  assert.equal((await api(page, `policies/${encodeURIComponent(id)}`)).body.policy.name, 'Renamed by a colleague', 'nothing was saved');
  await shot(page, 'policy-conflict-reload');
  await conflict.getByRole('button', { name: 'Reload' }).click();
  await page.waitForFunction(() => document.querySelector('#policy-form input[name="name"]')?.value === 'Renamed by a colleague');
  assert.equal(page.url(), url, 'the page stays where it was');
  assert.equal(await page.getByTestId('conflict').count(), 0);
  // Saving again now works against the current version.
  await page.getByLabel('Name', { exact: true }).fill('My name for it');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  assert.equal(await flagShown(page, 'Saved policy My name for it'), 'success');
});

test('the template preview shows the HTML beside the plain text, and a test send checks the address and flags its result', async () => {
  const { page } = browser;
  await openTab(page, 'notifications');
  await dismissFlags(page);
  const row = page.locator('[data-testid="template-row"]').first();
  const name = (await row.locator('td').first().textContent()).trim();
  await page.getByRole('button', { name: `Edit ${name}` }).click();
  const body = page.getByLabel('Body', { exact: true });
  await body.fill('<p>Hello <strong>there</strong>, see <a href="https://example.test/keep">the page</a>.</p>');
  const html = page.locator('#template-editor [data-testid="preview-html"]');
  await html.locator('strong').waitFor();
  assert.equal(await html.locator('a').getAttribute('href'), 'https://example.test/keep');
  assert.equal(await html.locator('a').textContent(), 'the page');
  const text = await page.locator('#template-editor [data-testid="preview-text"]').textContent();
  assert.ok(text.includes('the page') && !text.includes('<strong>'), text);
  await shot(page, 'template-preview-html-text');

  // Not an address: a field error in words, and nothing sent (no server is even asked).
  const to = page.getByLabel('Send a test to');
  await to.fill('nope');
  await page.getByRole('button', { name: 'Send test' }).click();
  const error = page.locator('#template-editor .sw-field-error', { hasText: 'is not an email address' });
  await error.waitFor();
  // No mail server yet: the failure is a flag.
  await to.fill('admin@example.test');
  await page.getByRole('button', { name: 'Send test' }).click();
  assert.equal(await flagShown(page, `Test of ${name} not sent`), 'error');
  await dismissFlags(page);
  // With a server: the success is a flag, and the sink got exactly one message.
  await pointMailAt(page, sink.port);
  await dismissFlags(page);
  await page.getByRole('button', { name: `Edit ${name}` }).click();
  await page.getByLabel('Send a test to').fill('admin@example.test');
  await page.getByRole('button', { name: 'Send test' }).click();
  assert.equal(await flagShown(page, `Test of ${name} sent`), 'success');
  assert.equal(sink.messages().length, 1, 'only the valid address was sent to');
});

test('the import template names groups that exist and validates as downloaded', async () => {
  const { page } = browser;
  await openTab(page, 'import');
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download template' }).click()]);
  const csv = readFileSync(await file.path(), 'utf8');
  const cells = csv.split(/\r?\n/)[1].split(',');
  const groups = cells[3].split(';').filter(Boolean);
  assert.ok(groups.length > 0, csv);
  const known = (await api(page, 'groups?withCounts=false')).body.groups;
  for (const g of groups) {
    const found = known.find((k) => k.name === g);
    assert.ok(found, `${g} exists`);
    assert.ok(!found.admin, `${g} is no administrators group`);
  }
  const checked = await page.evaluate(async (text) => {
    const xsrf = localStorage.getItem('seatwarden.xsrf') ?? '';
    const r = await fetch(new URL('api/import/validate', document.baseURI).href, { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'text/csv', 'X-Seatwarden-XSRF': xsrf }, body: text });
    return r.status;
  }, csv);
  assert.equal(checked, 200, 'the example row validates');
});

test('a held run shows the time it worked and its approval wait apart', async () => {
  const { page } = browser;
  const settings = (await api(page, 'settings')).body;
  const guarded = await apiSend(page, 'PUT', 'settings', { configVersion: settings.configVersion, settings: { ...settings.settings, guard: { enabled: true, maxAccounts: 1, maxPercent: 100, minLicensed: 1000000 } } });
  assert.equal(guarded.status, 200, JSON.stringify(guarded.body));
  const made = await createPolicy(page, { name: 'Held cleanup', enabled: false, mode: 'live', trigger: { kind: 'scheduler' }, condition: { kind: 'inactive', days: 300 }, action: { kind: 'deactivate' } });
  const id = made.body.policy.id;
  const started = await apiSend(page, 'POST', `policies/${encodeURIComponent(id)}/run`);
  assert.equal(started.status, 202, JSON.stringify(started.body));
  const runId = started.body.runId;
  const held = await until(page, `runs/${runId}`, (b) => b.run.status === 'awaiting_approval');
  const approved = await apiSend(page, 'POST', `runs/${runId}/approve`, { planHash: held.run.planHash });
  assert.ok(approved.status === 200 || approved.status === 202, JSON.stringify(approved.body));
  const done = await until(page, `runs/${runId}`, (b) => b.run.finishedAt !== undefined && b.run.status !== 'in_progress');
  assert.ok(done.run.approvalWaitMs >= 0, JSON.stringify(done.run));
  assert.equal(done.run.durationMs, done.run.finishedAt - done.run.startedAt - done.run.approvalWaitMs);
  await openTab(page, 'audit');
  const row = page.locator(`[data-testid="run-row"][data-run="${runId}"]`);
  await row.waitFor();
  assert.match(await row.getByTestId('approval-wait').textContent(), /^waited [\d.]+ (s|min|h).* for approval$/);
  // The run's page says it too.
  await row.getByRole('link', { name: `#${runId}` }).click();
  await page.getByTestId('run-took').waitFor();
  assert.match(await page.getByTestId('run-took').textContent(), /took [\d.]+ .*after waiting .* for approval/);
  const back = await apiSend(page, 'PUT', 'settings', { configVersion: (await api(page, 'settings')).body.configVersion, settings: settings.settings });
  assert.equal(back.status, 200);
});

test('settings and templates saved meanwhile by someone else: the conflict offers Reload, which loads their version', async () => {
  const { page } = browser;
  await dismissFlags(page);
  await openTab(page, 'settings');
  const timezone = page.getByLabel('Timezone', { exact: true });
  await timezone.waitFor();
  const before = (await api(page, 'settings')).body;
  const other = await apiSend(page, 'PUT', 'settings', { configVersion: before.configVersion, settings: { ...before.settings, timezone: 'Asia/Tokyo' } });
  assert.equal(other.status, 200, JSON.stringify(other.body));
  await timezone.fill('Europe/Berlin');
  await page.getByRole('button', { name: 'Save settings' }).click();
  const conflict = page.getByTestId('conflict');
  await conflict.waitFor();
  assert.match(await conflict.textContent(), /changed by someone else/);
  assert.equal((await api(page, 'settings')).body.settings.timezone, 'Asia/Tokyo', 'nothing was saved');
  await conflict.getByRole('button', { name: 'Reload' }).click();
  await page.waitForFunction(() => document.querySelector('input[name="timezone"]')?.value === 'Asia/Tokyo');
  assert.equal(await page.getByTestId('conflict').count(), 0);

  await openTab(page, 'notifications');
  await dismissFlags(page);
  const row = page.locator('[data-testid="template-row"]').first();
  const name = (await row.locator('td').first().textContent()).trim();
  await page.getByRole('button', { name: `Edit ${name}` }).click();
  const subject = page.getByLabel('Subject', { exact: true });
  await subject.waitFor();
  const id = await row.getAttribute('data-template');
  const current = (await api(page, `templates/${encodeURIComponent(id)}`)).body;
  const version = (await api(page, 'templates')).body.configVersion;
  const saved = await apiSend(page, 'PUT', `templates/${encodeURIComponent(id)}`, { ...current, subject: 'Changed by a colleague', configVersion: version });
  assert.equal(saved.status, 200, JSON.stringify(saved.body));
  await subject.fill('Mine');
  await page.getByRole('button', { name: 'Save template' }).click();
  const again = page.locator('#template-editor [data-testid="conflict"]');
  await again.waitFor();
  await again.getByRole('button', { name: 'Reload' }).click();
  await page.waitForFunction(() => document.querySelector('#template-editor input[name="subject"]')?.value === 'Changed by a colleague');
});
