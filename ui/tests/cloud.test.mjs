// The Cloud edition over `serve --demo --cloud` (issue 20): the connection screen (a refused key is named
// beside its field and never echoed; the stored key is kept when the box is left empty), a per-product rule
// ("inactive in Confluence") agreeing with the Users tab's per-product filter, previewed and run live through
// the guard, suspend and restore in bulk, and the audit of the Cloud run; per-product insights on the dashboard with
// "Take action" opening the prefilled rule, and suspended users as their own status in Users.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, openTab, shot, api, apiSend, createPolicy, settle, until } from './harness.mjs';

let server; let browser;
before(async () => { server = await startServer({ extraArgs: ['--cloud'] }); browser = await openBrowser(server); });
after(async () => { await browser?.close(); await server?.stop(); });

const WRONG_KEY = 'not-the-org-key-7f3a';

test('the connection screen checks each credential and never echoes a secret', async () => {
  const { page } = browser;
  const stored = (await api(page, 'cloud/connection')).body;
  assert.equal(stored.demo, true);
  assert.equal(stored.inUse, true);
  assert.equal(stored.apiKeySet, true);
  assert.ok(!('apiKey' in stored) && !('siteToken' in stored), `no secret is served: ${JSON.stringify(stored)}`);
  await openTab(page, 'settings');
  const section = page.getByTestId('cloud-connection');
  await section.waitFor();
  assert.match(await section.textContent(), /Connected to org .*, \d[\d,]* users, site /);
  assert.match(await page.getByTestId('cloud-stored-in').textContent(), /in this server's memory only/);
  assert.equal(await section.getByLabel('Organization API key').inputValue(), '', 'the key box starts empty');

  // A wrong key: refused beside the key's field, naming the credential; the value appears nowhere.
  await section.getByLabel('Organization API key').fill(WRONG_KEY);
  await section.getByRole('button', { name: 'Test connection' }).click();
  const error = section.locator('[data-testid="field-error"][data-path="apiKey"]');
  await error.waitFor();
  assert.match(await error.textContent(), /organization API key was refused \(401/);
  assert.ok(!(await page.locator('body').innerText()).includes(WRONG_KEY), 'the typed key is never echoed');
  await shot(page, 'cloud-connection-refused');

  // Left empty, the stored key is used: connected, and saving keeps it.
  await section.getByLabel('Organization API key').fill('');
  await section.getByRole('button', { name: 'Test connection' }).click();
  await section.getByTestId('cloud-status').locator('.sw-banner-success', { hasText: 'Connected to org' }).waitFor();
  await section.getByRole('button', { name: 'Save connection' }).click();
  await page.getByTestId('cloud-saved').waitFor();
  assert.match(await page.getByTestId('cloud-saved').textContent(), /Live now: this server runs on this connection without a restart/);
  const after = (await api(page, 'cloud/connection')).body;
  assert.equal(after.apiKeySet, true);
  assert.equal(after.orgId, stored.orgId);
  await shot(page, 'cloud-connection');
  const audit = (await api(page, 'audit?action=settings_changed')).body.entries;
  assert.ok(audit.some((e) => /Cloud connection/.test(e.description ?? '')), 'the save is audited');
  assert.ok(!JSON.stringify(audit).includes(WRONG_KEY));
});

test('Users shows per-product dates and filters by one product like the rule reads it', async () => {
  const { page } = browser;
  const days = 60;
  const filter = { status: 'active', activity: { kind: 'notWithin', days }, signals: ['seen:confluence'] };
  const listed = (await api(page, `users?filter=${encodeURIComponent(JSON.stringify({ ...filter, pageSize: 10 }))}`)).body.total;
  assert.ok(listed > 0, 'some active users are idle in Confluence');
  await openTab(page, 'users');
  await page.getByLabel('Status').selectOption('active');
  await page.getByLabel('Activity', { exact: true }).selectOption('notWithin');
  await page.getByLabel('Days', { exact: true }).fill(String(days));
  await page.getByLabel('Activity in').selectOption('seen:confluence');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.locator('[data-testid="user-total"]', { hasText: `${listed.toLocaleString('en')} users` }).waitFor();
  const reasons = await page.locator('[data-testid="row-reason"]').allTextContents();
  // Idle in Confluence, or never active there: each row names Confluence.
  assert.ok(reasons.every((r) => /Confluence/.test(r)), `each row is idle in Confluence: ${reasons}`);
  await page.locator('th', { hasText: 'Last active in Confluence' }).waitFor();
  await shot(page, 'cloud-users-confluence');
});

test('the dashboard counts idle users per product and Take action opens that rule, prefilled', async () => {
  const { page } = browser;
  const answer = (await api(page, 'insights/products')).body;
  const confluence = answer.insights.find((i) => i.product === 'confluence');
  assert.ok(confluence && confluence.users > 0, `a Confluence insight: ${JSON.stringify(answer)}`);
  // The figure is the Users filter "inactive in Confluence for 60 days" less "no activity recorded" there.
  const total = async (activity) => (await api(page, `users?filter=${encodeURIComponent(JSON.stringify({ status: 'active', activity, signals: ['seen:confluence'], pageSize: 10 }))}`)).body.total;
  assert.equal(confluence.users, (await total({ kind: 'notWithin', days: 60 })) - (await total({ kind: 'never' })));
  await openTab(page, 'dashboard');
  const item = page.locator('[data-testid="product-insight"][data-product="confluence"]');
  await item.waitFor();
  assert.match(await item.textContent(), new RegExp(`${confluence.users} users inactive in Confluence ≥ 60 days`));
  await shot(page, 'cloud-dashboard-product-insights');
  await item.getByRole('button', { name: 'Take action' }).click();
  // The editor opens on the suspension rule with the product's signal, in safe mode, unsaved.
  await page.getByLabel('Signals this policy counts').waitFor();
  assert.equal(await page.getByLabel('Signals this policy counts').inputValue(), 'seen:confluence');
  assert.equal(await page.getByLabel('Activity that counts').inputValue(), 'yes');
  assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'Suspend users inactive in Confluence 60+ days');
  assert.equal(await page.getByRole('tab', { name: 'Suspend (Cloud)' }).getAttribute('aria-selected'), 'true');
  await shot(page, 'cloud-take-action-confluence');
});

test('a per-product rule previews, runs live through the guard, and is audited', async () => {
  const { page } = browser;
  const settings = (await api(page, 'settings')).body;
  const saved = await apiSend(page, 'PUT', 'settings', { settings: { ...settings.settings, guard: { ...settings.settings.guard, enabled: true, maxAccounts: 1 } },
    configVersion: settings.configVersion });
  assert.equal(saved.status, 200, saved.text);
  const created = await createPolicy(page, { name: 'Suspend after 60 days idle in Confluence', mode: 'live',
    signals: ['seen:confluence'], condition: { kind: 'inactive', days: 60 }, action: { kind: 'suspend' } });
  assert.equal(created.status, 201, created.text);
  const id = created.body.policy.id;
  const preview = await apiSend(page, 'POST', `policies/${id}/preview`);
  assert.equal(preview.status, 200, preview.text);
  const because = preview.body.actions.map((a) => a.because ?? a.reason ?? '').join('\n');
  assert.ok(preview.body.actions.length > 1, 'more users than the guard allows');
  assert.match(because, /last active in Confluence/);
  assert.doesNotMatch(because, /last active in Jira/, 'only the rule\'s signal is a reason');

  const started = await apiSend(page, 'POST', `policies/${id}/run`);
  assert.equal(started.status, 202, started.text);
  const runId = started.body.runId;
  await settle(page, runId);
  const held = (await api(page, `runs/${runId}`)).body.run;
  assert.equal(held.status, 'awaiting_approval', 'the guard holds the live run');
  await page.goto(`${server.url}#/automation/approve/${runId}`);
  await page.locator('[data-testid="guard"]').waitFor();
  await page.getByTestId('approve').click();
  await page.locator('[data-testid="run-progress"][data-status="succeeded"]').waitFor({ timeout: 120_000 });
  const entries = await until(page, `audit?run=${runId}`, (b) => (b.entries ?? []).some((e) => e.action === 'user_suspended'));
  assert.ok(entries.entries.every((e) => !JSON.stringify(e).includes('fake-org-api-key')), 'no secret in the audit');
  await openTab(page, 'audit');
  await shot(page, 'cloud-run-audit');
});

test('suspend and restore in bulk', async () => {
  const { page } = browser;
  const settings = (await api(page, 'settings')).body;
  await apiSend(page, 'PUT', 'settings', { settings: { ...settings.settings, guard: { ...settings.settings.guard, enabled: false } }, configVersion: settings.configVersion });
  const active = (await api(page, `users?filter=${encodeURIComponent(JSON.stringify({ status: 'active', directories: [1], pageSize: 10 }))}`)).body.rows;
  const keys = active.filter((r) => !r.groups.includes('org-admins')).slice(0, 2).map((r) => r.key);
  assert.equal(keys.length, 2);
  for (const [action, status] of [['suspend', 'deactivated'], ['restore', 'active']]) {
    const plan = await apiSend(page, 'POST', 'bulk/plan', { action, keys });
    assert.equal(plan.status, 200, plan.text);
    assert.equal(plan.body.actionCount, 2, plan.text);
    const run = await apiSend(page, 'POST', `bulk/${plan.body.planId}/run`, { planHash: plan.body.planHash });
    assert.equal(run.status, 202, run.text);
    await settle(page, run.body.runId);
    for (const key of keys) {
      // The index is rebuilt from the connector after the run: wait on that state.
      const user = await until(page, `users/${encodeURIComponent(key)}`, (b) => b.row?.active === (status === 'active'));
      assert.equal(user.row.active, status === 'active', `${action} applied to ${key}`);
    }
  }
  const audit = (await api(page, 'audit')).body.entries.map((e) => e.action);
  assert.ok(audit.includes('user_suspended') && audit.includes('user_restored'), `both are audited: ${audit.slice(0, 20)}`);
});

test('the Users tab lists suspended users apart from deactivated ones, and a suspension skips them', async () => {
  const { page } = browser;
  const active = (await api(page, `users?filter=${encodeURIComponent(JSON.stringify({ status: 'active', directories: [1], pageSize: 10 }))}`)).body.rows;
  const key = active.filter((r) => !r.groups.includes('org-admins'))[0].key;
  const suspend = async () => {
    const plan = await apiSend(page, 'POST', 'bulk/plan', { action: 'suspend', keys: [key] });
    assert.equal(plan.status, 200, plan.text);
    return plan;
  };
  const plan = await suspend();
  const run = await apiSend(page, 'POST', `bulk/${plan.body.planId}/run`, { planHash: plan.body.planHash });
  assert.equal(run.status, 202, run.text);
  await settle(page, run.body.runId);
  await until(page, `users/${encodeURIComponent(key)}`, (b) => b.row?.suspended === true);
  // Suspending again plans nothing and says why.
  const again = await suspend();
  assert.equal(again.body.actionCount, 0, again.text);
  assert.ok(again.body.skipsByReason.some((s) => JSON.stringify(s).includes('already_suspended')), again.text);

  const suspended = (await api(page, `users?filter=${encodeURIComponent(JSON.stringify({ status: 'suspended', pageSize: 10 }))}`)).body.total;
  await openTab(page, 'users');
  // The earlier test left other filters set: only the status filters here.
  await page.getByLabel('Activity', { exact: true }).selectOption('all');
  await page.getByLabel('Activity in').selectOption('');
  await page.getByLabel('Status').selectOption('suspended');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.locator('[data-testid="user-total"]', { hasText: `${suspended.toLocaleString('en')} users` }).waitFor();
  const states = await page.locator('[data-testid="user-row"] .sw-lozenge').allTextContents();
  assert.ok(states.includes('suspended') && !states.includes('deactivated') && !states.includes('active'), `only suspended rows: ${states}`);
  await shot(page, 'cloud-users-suspended');
});

test('the policy editor chooses a rule\'s own signals, refuses a typo with the closest name, and notes no reactivation at login', async () => {
  const { page } = browser;
  await openTab(page, 'automation');
  await page.getByRole('button', { name: 'New policy' }).click();
  await page.getByRole('tab', { name: 'Suspend (Cloud)' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Idle in Confluence');
  await page.getByLabel('Activity that counts').selectOption('yes');
  await page.getByLabel('Signals this policy counts').fill('seen:confluense');
  await page.getByRole('button', { name: 'Save' }).click();
  const error = page.locator('[data-testid="field-error"]', { hasText: 'did you mean “confluence”?' });
  await error.waitFor();
  await page.getByLabel('Signals this policy counts').fill('seen:confluence');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('button', { name: 'Run now' }).waitFor();
  const saved = (await api(page, 'policies')).body.policies.map((p) => p.policy).find((p) => p.name === 'Idle in Confluence');
  assert.deepEqual(saved?.signals, ['seen:confluence'], JSON.stringify(saved));
  assert.equal(await page.getByLabel('Signals this policy counts').inputValue(), 'seen:confluence', 'read back');
  await shot(page, 'cloud-policy-signals');

  await openTab(page, 'automation');
  await page.getByRole('button', { name: 'New policy' }).click();
  await page.getByRole('tab', { name: 'Reactivate on login' }).click();
  await page.getByTestId('cloud-no-reactivation').waitFor();
  assert.match(await page.getByTestId('cloud-no-reactivation').textContent(), /No reactivation at login in Atlassian Cloud/);
});
