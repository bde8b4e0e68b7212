// Automation: every policy kind is created through its editor tab, with the
// options that tab offers, and read back from the API exactly as entered.
// A validation error from the server appears beside the field it names and
// saves nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, openTab, shot, api, pick, flagShown } from './harness.mjs';

let server; let browser; let groups; let dirs;
before(async () => {
  server = await startServer();
  browser = await openBrowser(server);
  groups = (await api(browser.page, 'groups?withCounts=false')).body.groups;
  dirs = (await api(browser.page, 'directories')).body?.directories ?? [];
});
after(async () => { await browser?.close(); await server?.stop(); });

const plain = () => groups.filter((g) => !g.admin && !g.licence).map((g) => g.name);
const licence = () => groups.filter((g) => g.licence).map((g) => g.name);

async function newPolicy(page, tab, name) {
  await openTab(page, 'automation');
  await page.getByRole('button', { name: 'New policy', exact: true }).click();
  await page.locator('#policy-form').waitFor();
  await page.getByRole('tab', { name: tab, exact: true }).click();
  await page.locator(`#policy-form`).waitFor();
  assert.equal(await page.getByRole('tab', { name: tab, exact: true }).getAttribute('aria-selected'), 'true');
  assert.equal(await page.getByLabel('Mode').inputValue(), 'safe', 'every new policy starts in safe mode');
  await page.getByLabel('Name', { exact: true }).fill(name);
}

async function saveAndRead(page) {
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.waitForURL(/#\/automation\/edit\//);
  assert.equal(await flagShown(page, 'Saved policy'), 'success');
  const id = decodeURIComponent(page.url().split('/edit/')[1]);
  const item = await api(page, `policies/${encodeURIComponent(id)}`);
  assert.equal(item.status, 200);
  return item.body.policy;
}

test('Deactivate: schedule, thresholds, rename, handover, scope and warnings round-trip', async () => {
  const { page } = browser;
  const [protectedGroup] = plain();
  const dir = dirs.find((d) => d.readOnly) ?? dirs[0];
  await newPolicy(page, 'Deactivate', 'UI deactivate');
  await page.getByLabel('Runs', { exact: true }).selectOption('yes');
  await page.getByLabel('Repeat').selectOption('weekly');
  await page.getByLabel('At (24 h)').fill('03:30');
  await page.getByLabel('Thu', { exact: true }).check();
  await page.getByLabel('Timezone', { exact: true }).fill('Europe/Berlin');
  await page.getByLabel('Days without login').fill('45');
  await page.getByLabel('Include users who never logged in').check();
  await page.getByLabel('Days since account creation').fill('60');
  await page.getByLabel('Judge users who logged in only once by their own threshold').check();
  await page.getByLabel('Days since their only login').fill('14');
  await page.getByLabel('Rename deactivated accounts').check();
  await page.getByLabel('Username suffix').fill('_old');
  await page.getByLabel('Open issues before deactivation').selectOption('project_lead');
  if (dir) {
    await page.getByLabel('Directories', { exact: true }).selectOption('only');
    await page.locator(`input[name="dir-${dir.id}"]`).check();
  }
  await page.getByLabel('Read-only directories (LDAP, Crowd)').selectOption('membership_only');
  await pick(page, 'Protected groups of this policy', protectedGroup);
  await page.getByLabel('Send a warning email before acting').check();
  await page.getByLabel('Days before the action').fill('7');
  await page.getByLabel('Also warn users who never logged in').check();
  await shot(page, 'policy-editor-deactivate');
  const p = await saveAndRead(page);
  assert.equal(p.mode, 'safe');
  assert.deepEqual(p.trigger, { kind: 'schedule', schedule: { every: 'weekly', days: ['mon', 'thu'], at: '03:30', timezone: 'Europe/Berlin' } });
  assert.deepEqual(p.condition, { kind: 'inactive', days: 45, neverLoggedInDays: 60, onceLoggedInDays: 14 });
  assert.deepEqual(p.action, { kind: 'deactivate', renameSuffix: '_old', handover: { to: 'project_lead' } });
  assert.deepEqual(p.scope.excludeGroups, [protectedGroup]);
  assert.equal(p.scope.readOnly, 'membership_only');
  if (dir) assert.deepEqual(p.scope.directories, { kind: 'only', ids: [dir.id] });
  assert.deepEqual(p.warning, { daysBefore: 7, neverLoggedIn: true });
  // The editor reads it back the same way.
  await page.reload();
  await page.locator('#policy-form').waitFor();
  assert.equal(await page.getByLabel('Days without login').inputValue(), '45');
  assert.equal(await page.getByLabel('Username suffix').inputValue(), '_old');
  assert.equal(await page.getByRole('tab', { name: 'Revoke access' }).isDisabled(), true, 'a saved policy keeps its kind');
});

test('Revoke access, Group assignment and Release licence seats round-trip', async () => {
  const { page } = browser;
  const lic = licence()[0] ?? plain()[0];
  const [, tag, target] = plain();

  await newPolicy(page, 'Revoke access', 'UI revoke');
  assert.equal(await page.getByLabel('Days without login').inputValue(), '30', 'the revoke preset starts at 30 days');
  await pick(page, 'Groups to remove', lic);
  let p = await saveAndRead(page);
  assert.deepEqual(p.action, { kind: 'remove_groups', groups: [lic] });
  assert.deepEqual(p.condition, { kind: 'inactive', days: 30 });
  assert.deepEqual(p.trigger, { kind: 'scheduler' });

  await newPolicy(page, 'Group assignment', 'UI tag');
  await page.getByLabel('Days without login').fill('60');
  await pick(page, 'Groups to add', tag);
  await page.getByLabel('Target users').selectOption('only');
  await pick(page, 'Target groups', target);
  p = await saveAndRead(page);
  assert.deepEqual(p.action, { kind: 'add_groups', groups: [tag] });
  assert.deepEqual(p.scope.target, { kind: 'only_groups', groups: [target] });

  await newPolicy(page, 'Release licence seats', 'UI seats');
  await page.getByLabel('Runs', { exact: true }).selectOption('yes');
  await page.getByLabel('Repeat').selectOption('monthly');
  await page.getByLabel('Day of the month').fill('31');
  p = await saveAndRead(page);
  assert.deepEqual(p.action, { kind: 'remove_licence_groups', applications: [] });
  assert.equal(p.trigger.schedule.every, 'monthly');
  assert.equal(p.trigger.schedule.day, 31);
});

test('Floating licence, Reactivate on login and Delete round-trip', async () => {
  const { page } = browser;
  const [a, b, c, d] = plain();
  const lic = licence()[0] ?? d;

  await newPolicy(page, 'Floating licence', 'UI floating');
  await pick(page, 'Rule 1: if in any of these groups', a);
  await pick(page, 'Rule 1: then add these groups', lic);
  await page.getByRole('button', { name: 'Add rule' }).click();
  await pick(page, 'Rule 2: if in any of these groups', b);
  await pick(page, 'Rule 2: if in any of these groups', c);
  await pick(page, 'Rule 2: then add these groups', lic);
  let p = await saveAndRead(page);
  assert.deepEqual(p.trigger, { kind: 'login' });
  assert.deepEqual(p.action, { kind: 'floating_licence', rules: [{ sourceGroups: [a], targetGroups: [lic] }, { sourceGroups: [b, c], targetGroups: [lic] }] });

  await newPolicy(page, 'Reactivate on login', 'UI reactivate');
  // Per directory, the server's answer on how a deactivated user is verified, and the window.
  const rows = page.locator('[data-testid="login-verification"]');
  assert.equal(await rows.count(), dirs.length);
  for (const d of dirs) {
    assert.ok(['proof', 'proof_if_update_on_auth', 'probe', 'none'].includes(d.loginVerification), JSON.stringify(d));
    assert.equal(d.confirmWindowMinutes, 10);
  }
  const shown = (await rows.allTextContents()).join('\n');
  if (dirs.some((d) => d.loginVerification === 'none')) {
    assert.match(shown, /Not verifiable/);
    await page.locator('.sw-banner', { hasText: 'prefer "Release licence seats"' }).waitFor();
  }
  await page.getByText('within 10 minutes', { exact: false }).waitFor();
  await pick(page, 'Never reactivate members of', a);
  await pick(page, 'Add these groups when reactivating', b);
  await pick(page, 'Remove these groups at login', c);
  p = await saveAndRead(page);
  assert.deepEqual(p.action, { kind: 'reactivate', restrictedGroups: [a], addGroups: [b], removeGroups: [c] });
  assert.deepEqual(p.condition, { kind: 'login' });

  await newPolicy(page, 'Delete', 'UI delete');
  await page.getByLabel('Days since deactivation').fill('120');
  p = await saveAndRead(page);
  assert.deepEqual(p.action, { kind: 'delete' });
  assert.deepEqual(p.condition, { kind: 'deactivated', days: 120 });

  // All of them are listed with their kind and threshold.
  await openTab(page, 'automation');
  const names = await page.locator('[data-testid="policy-row"] td:first-child').allTextContents();
  for (const n of ['UI deactivate', 'UI revoke', 'UI tag', 'UI seats', 'UI floating', 'UI reactivate', 'UI delete']) assert.ok(names.some((x) => x.startsWith(n)), `${n} is listed: ${JSON.stringify(names)}`);
  await shot(page, 'automation-policies');
  assert.deepEqual(browser.consoleErrors, []);
});

test('Suspend (Cloud) round-trips as a suspension, never as another kind', async () => {
  const { page } = browser;
  await newPolicy(page, 'Suspend (Cloud)', 'UI suspend');
  await page.getByLabel('Days without login').fill('75');
  const p = await saveAndRead(page);
  assert.deepEqual(p.action, { kind: 'suspend' });
  assert.deepEqual(p.condition, { kind: 'inactive', days: 75 });
  // Opened again, it is on its own tab (an editor without one once opened it as a deactivation).
  await page.reload();
  await page.locator('#policy-form[data-kind="suspend"]').waitFor();
  assert.equal(await page.getByRole('tab', { name: 'Suspend (Cloud)', exact: true }).getAttribute('aria-selected'), 'true');
});

test('the editor tabs work by keyboard', async () => {
  const { page } = browser;
  await openTab(page, 'automation');
  await page.getByRole('button', { name: 'New policy', exact: true }).click();
  await page.locator('#policy-form[data-kind="deactivate"]').waitFor();
  await page.getByRole('tab', { name: 'Deactivate', exact: true }).focus();
  await page.keyboard.press('ArrowRight');
  await page.locator('#policy-form[data-kind="remove_groups"]').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Revoke access');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await page.locator('#policy-form[data-kind="delete"]').waitFor();
  assert.equal(await page.getByRole('tab', { name: 'Delete', exact: true }).getAttribute('aria-selected'), 'true');
});

test('a validation error appears beside the field it names and nothing is saved', async () => {
  const { page } = browser;
  const before = (await api(page, 'policies')).body.policies.length;
  await newPolicy(page, 'Deactivate', 'UI invalid');
  await page.getByLabel('Days without login').fill('30');
  await page.getByLabel('Send a warning email before acting').check();
  await page.getByLabel('Days before the action').fill('40');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  const err = page.locator('[data-path="warning.daysBefore"] [data-testid="field-error"]');
  await err.waitFor();
  assert.match(await err.textContent(), /less than/);
  assert.equal(await page.getByLabel('Days before the action').getAttribute('aria-invalid'), 'true');
  await shot(page, 'policy-editor-error');
  assert.equal((await api(page, 'policies')).body.policies.length, before, 'nothing was saved');
});

test('a dashboard insight opens the editor pre-filled with its suggested policy', async () => {
  const { page } = browser;
  const insights = (await api(page, 'dashboard?days=30')).body.insights.filter((i) => i.suggestedPolicy);
  assert.ok(insights.length > 0, 'the demo has an actionable insight');
  const suggested = insights[0].suggestedPolicy;
  await openTab(page, 'dashboard');
  await page.locator('[data-testid="insight"]').first().getByRole('button', { name: 'Take action' }).click();
  await page.locator(`#policy-form[data-kind="${suggested.action.kind}"]`).waitFor();
  assert.equal(await page.getByLabel('Mode').inputValue(), 'safe', 'a suggested policy starts in safe mode');
  if (suggested.name) assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), suggested.name);
  if (suggested.condition?.kind === 'inactive' && suggested.condition.days) assert.equal(await page.getByLabel('Days without login').inputValue(), String(suggested.condition.days));
});
