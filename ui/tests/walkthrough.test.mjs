// Walkthrough bullets (../shared/qa/admin-walkthrough-2026-12.md, issue 24) that had no test of their own:
// the dashboard shows a full licence in a warning colour; an import that changes nothing cannot be
// applied; after Apply the import no longer says "Nothing has changed yet"; the scheduler time is
// typed and shown in 24-hour form; a file refused for its header marks no row valid; errors quote names
// without Markdown backticks; an approval link opened after its run finished says so.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, openTab, api, apiSend, settle, until, dismissFlags } from './harness.mjs';

let server; let browser;
before(async () => { server = await startServer(); browser = await openBrowser(server); });
after(async () => { await browser?.close(); await server?.stop(); });

const enc = (f) => encodeURIComponent(JSON.stringify(f));

async function templateRow(page) {
  const template = await page.evaluate(async () => (await fetch(new URL('api/import/template', document.baseURI).href)).text());
  const header = template.replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? '';
  const cols = header.split(',').map((c) => c.trim().toLowerCase());
  return { header, row: (values) => cols.map((c) => values[c] ?? '').join(',') };
}

async function validate(page, csv) {
  await openTab(page, 'import');
  await page.getByLabel('Users CSV').setInputFiles({ name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Validate' }).click();
  await page.getByTestId('import-summary').waitFor();
}

test('an import that changes nothing cannot be applied, and after Apply the page no longer says nothing has changed', async () => {
  const { page } = browser;
  const { header, row } = await templateRow(page);
  const existing = (await api(page, `users?filter=${enc({ status: 'active', pageSize: 10 })}`)).body.rows[0];
  assert.ok(existing, 'the demo has an active user');
  // A row naming an existing user and nothing else: unchanged, so the plan is empty.
  await validate(page, `${header}\n${row({ username: existing.username })}\n`);
  const apply = page.getByTestId('apply-import');
  assert.match(await apply.innerText(), /\(0 changes\)/);
  assert.equal(await apply.isDisabled(), true, 'nothing to apply');

  const name = 'walkthrough.new';
  await validate(page, `${header}\n${row({ username: name, 'display name': name, 'full name': name, email: `${name}@example.test`, 'email address': `${name}@example.test` })}\n`);
  assert.match(await page.getByTestId('import-state').innerText(), /Nothing has changed yet/);
  await dismissFlags(page);
  await apply.click();
  const state = page.locator('[data-testid="import-state"][data-status="succeeded"]');
  await state.waitFor({ timeout: 60_000 });
  assert.match(await state.innerText(), /^Applied: run #\d+ succeeded/);
  assert.ok(!(await page.locator('#sw-panel').innerText()).includes('Nothing has changed yet'), 'the page no longer claims nothing changed');
  assert.equal((await api(page, `users?filter=${enc({ search: { text: name, mode: 'exact' } })}`)).body.total, 1);
});


test('a licence with no seat left shows in a warning colour on the dashboard, and one with seats does not', async () => {
  const { page } = browser;
  const settings = (await api(page, 'settings')).body;
  const off = await apiSend(page, 'PUT', 'settings', { settings: { ...settings.settings, guard: { ...settings.settings.guard, enabled: false } }, configVersion: settings.configVersion });
  assert.equal(off.status, 200, off.text);
  // The limited application with the fewest seats left, and the licence group that gives it.
  const apps = (await api(page, 'licences')).body.applications.filter((a) => a.limit.kind === 'limited' && a.seatsAvailable > 0);
  const app = apps.sort((a, b) => a.seatsAvailable - b.seatsAvailable)[0];
  assert.ok(app && app.seatsAvailable <= 50, `a limited application with a few seats left: ${JSON.stringify(apps)}`);
  const groups = (await api(page, 'groups?withCounts=false')).body.groups.filter((g) => g.licence);
  let group = null;
  for (const g of groups) {
    const holders = (await api(page, `users?filter=${enc({ status: 'active', includeGroups: [g.name], pageSize: 20 })}`)).body.rows;
    if (holders.length && holders.every((r) => r.licensedApplications.includes(app.application))) { group = g.name; break; }
  }
  assert.ok(group, `the licence group of ${app.application}`);
  // Fill the last seats: active users of the writable directory who do not hold the application yet.
  const candidates = (await api(page, `users?filter=${enc({ status: 'active', directories: [1], excludeGroups: [group], pageSize: 100 })}`)).body.rows
    .filter((r) => !r.licensedApplications.includes(app.application) && !r.groups.some((g) => /admin/i.test(g)));
  const keys = candidates.slice(0, app.seatsAvailable).map((r) => r.key);
  assert.equal(keys.length, app.seatsAvailable, 'enough users to fill the licence');
  const plan = await apiSend(page, 'POST', 'bulk/plan', { action: 'add_to_groups', groups: [group], keys });
  assert.equal(plan.status, 200, plan.text);
  const run = await apiSend(page, 'POST', `bulk/${plan.body.planId}/run`, { planHash: plan.body.planHash });
  assert.equal(run.status, 202, run.text);
  assert.equal((await settle(page, run.body.runId)).status, 'succeeded');
  await until(page, 'licences', (b) => b.applications.find((a) => a.application === app.application)?.seatsAvailable === 0);

  await openTab(page, 'dashboard');
  const full = page.locator('[data-testid="seats-row"][data-full="true"]');
  await full.first().waitFor();
  assert.equal(await full.count(), 1, 'only the filled licence is full');
  assert.match(await full.innerText(), new RegExp(app.name));
  const lozenge = full.locator('.sw-lozenge-warning');
  assert.equal((await lozenge.textContent()).toLowerCase(), '0 left: licence full', 'the warning lozenge');
  const colour = await lozenge.evaluate((e) => getComputedStyle(e).backgroundColor);
  const neutral = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.notEqual(colour, neutral, 'a colour of its own');
  const others = page.locator('[data-testid="seats-row"]:not([data-full])');
  assert.ok(await others.count() >= 1);
  assert.equal(await others.locator('.sw-lozenge-warning').count(), 0, 'licences with seats left are not in the warning colour');
});

test('the scheduler time is typed and shown in 24-hour form', async () => {
  const { page } = browser;
  await openTab(page, 'settings');
  const at = page.getByLabel('Daily scheduler run at');
  await at.waitFor();
  assert.notEqual(await at.getAttribute('type'), 'time', 'not the browser\'s locale time control (12-hour "02:00 AM" in en-US)');
  assert.match(await at.inputValue(), /^([01]\d|2[0-3]):[0-5]\d$/);
  const before = (await api(page, 'settings')).body;
  await at.fill('23:30');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await until(page, 'settings', (b) => b.configVersion !== before.configVersion);
  await openTab(page, 'settings');
  assert.equal(await page.getByLabel('Daily scheduler run at').inputValue(), '23:30');
});

test('a file refused for its header marks no row valid and shows no "null" column', async () => {
  const { page } = browser;
  // A misspelt required column: the file is refused as a whole.
  await openTab(page, 'import');
  await page.getByLabel('Users CSV').setInputFiles({ name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.from('usernme,email\nwalk.one,walk.one@example.test\nwalk.two,walk.two@example.test\n') });
  await page.getByRole('button', { name: 'Validate' }).click();
  await page.getByTestId('problems').waitFor();
  assert.equal(await page.getByTestId('apply-import').count(), 0, 'nothing to apply');
  const problems = await page.getByTestId('problem').allInnerTexts();
  assert.ok(problems.length >= 1 && problems.every((t) => !/\bnull\b/.test(t)), `problems without a "null" column: ${problems}`);
  const statuses = await page.locator('[data-testid="import-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));
  assert.equal(statuses.length, 2);
  assert.ok(statuses.every((s) => s !== 'ok'), `no row of a refused file reads valid: ${statuses}`);
  assert.equal(await page.locator('[data-testid="import-rows"]').getByText('valid', { exact: true }).count(), 0);
});

test('errors quote names in typographic quotes, never in Markdown backticks', async () => {
  const { page } = browser;
  await openTab(page, 'settings');
  await page.getByLabel('Currency (ISO 4217)').fill('EUE');
  await page.getByRole('button', { name: 'Save settings' }).click();
  const error = page.locator('[data-testid="field-error"]', { hasText: 'is not a currency in circulation' });
  await error.waitFor();
  assert.match(await error.textContent(), /“EUE” is not a currency in circulation/);
  assert.ok(!(await page.locator('#sw-panel').innerText()).includes('`'), 'no backtick anywhere on the page');
});

test('the approval page of a run that already finished says so and offers neither Approve nor Discard', async () => {
  const { page } = browser;
  const dirs = (await api(page, 'directories')).body.directories.filter((d) => !d.readOnly).map((d) => d.id);
  const user = (await api(page, `users?filter=${enc({ status: 'active', directories: dirs, pageSize: 10 })}`)).body.rows
    .find((r) => !r.groups.some((g) => /admin/i.test(g)));
  assert.ok(user, 'an ordinary active user');
  const plan = await apiSend(page, 'POST', 'bulk/plan', { action: 'deactivate', keys: [user.key] });
  assert.equal(plan.status, 200, plan.text);
  const run = await apiSend(page, 'POST', `bulk/${plan.body.planId}/run`, { planHash: plan.body.planHash });
  assert.equal(run.status, 202, run.text);
  assert.equal((await settle(page, run.body.runId)).status, 'succeeded');
  // A bookmarked or mailed approval link opened after the run finished.
  await page.evaluate((id) => { location.hash = `#/automation/approve/${id}`; }, run.body.runId);
  const note = page.getByTestId('no-longer-waiting');
  await note.waitFor();
  assert.equal(await note.innerText(), 'This run no longer waits for approval: it is succeeded.');
  assert.equal(await page.getByRole('heading', { name: /Approval needed/ }).count(), 0);
  assert.equal(await page.getByTestId('approve').isDisabled(), true);
  assert.equal(await page.getByTestId('discard').isDisabled(), true);
});

test('an unlimited licence offers no alert threshold; a limited one does', async () => {
  const { page } = browser;
  const apps = (await api(page, 'licences')).body.applications;
  const unlimited = apps.find((a) => a.limit.kind === 'unlimited');
  const limited = apps.find((a) => a.limit.kind === 'limited');
  assert.ok(unlimited && limited, `the demo has both kinds: ${JSON.stringify(apps.map((a) => [a.application, a.limit.kind]))}`);
  await openTab(page, 'settings');
  const row = (a) => page.locator(`[data-testid="alert-app-row"][data-application="${a.application}"]`);
  await row(unlimited).waitFor();
  const none = row(unlimited).locator('input');
  assert.equal(await none.isDisabled(), true, 'nothing to alert on');
  assert.equal(await none.getAttribute('placeholder'), 'unlimited');
  assert.match(await row(unlimited).innerText(), /unlimited/);
  assert.equal(await row(limited).locator('input').isDisabled(), false);
});

test('groups: a failed create does not leave the earlier outcomes beside its error, and a refused delete says why', async () => {
  const { page } = browser;
  await openTab(page, 'groups');
  await page.getByLabel('Group names, separated by ;').fill('walk-team-a');
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  await page.locator('[data-testid="outcomes"] li', { hasText: 'walk-team-a' }).waitFor();
  // Now an empty create: its error alone is on the page.
  await page.getByLabel('Group names, separated by ;').fill('');
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  await page.locator('#sw-panel [data-testid="error"]').waitFor();
  assert.equal(await page.getByTestId('outcomes').count(), 0, 'the earlier outcome list is gone');
  assert.ok(!/\bfile\b|line 1/i.test(await page.locator('#sw-panel [data-testid="error"]').innerText()), 'a typed list is not reported as a file');

  // A licence group is refused with its reason, not only "protected".
  const licence = (await api(page, 'groups?withCounts=false')).body.groups.find((g) => g.licence && !g.admin);
  assert.ok(licence, 'the demo has a licence group');
  await openTab(page, 'groups');
  await page.getByLabel(`Select ${licence.name}`).check();
  await dismissFlags(page);
  await page.getByRole('button', { name: 'Delete selected…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete groups' }).click();
  const line = page.locator('[data-testid="outcomes"] li', { hasText: licence.name });
  await line.waitFor();
  assert.match(await line.innerText(), /licen[cs]e/i, `the reason names the licence: ${await line.innerText()}`);
  assert.ok((await api(page, 'groups?withCounts=false')).body.groups.some((g) => g.name === licence.name), 'nothing deleted');
});

test('placeholders read as examples or descriptions, never as something already typed', async () => {
  const { page } = browser;
  // A placeholder is either an example ("e.g. …"), a description of what an empty field means, or the
  // value an empty field inherits (a number, in Settings' per-licence alert thresholds).
  const described = /^(e\.g\. |the settings’ |Search |Username|User |Actor|Why |unlimited$|\d+$)/;
  const placeholders = async () => page.locator('#sw-panel input[placeholder]').evaluateAll(
    (inputs) => inputs.map((i) => ({ name: i.name, placeholder: i.placeholder })));
  const seen = [];

  await openTab(page, 'automation');
  await page.getByRole('button', { name: 'New policy', exact: true }).click();
  await page.locator('#sw-panel select[name="signalsOwn"]').selectOption('yes');
  await page.locator('#sw-panel input[name="signals"]').waitFor();
  seen.push(...await placeholders());
  assert.ok(seen.some((p) => p.name === 'signals'), 'the policy editor shows its signals field');

  await openTab(page, 'access');
  await page.locator('#sw-panel input[name="hook-domains"]').waitFor();
  const access = await placeholders();
  assert.ok(access.some((p) => p.name === 'hook-groups'), 'the webhook form shows its groups field');
  seen.push(...access);

  await openTab(page, 'settings');
  await page.locator('#sw-panel input[name="currency"]').waitFor();
  seen.push(...await placeholders());

  const typedLooking = seen.filter((p) => p.placeholder !== '' && !described.test(p.placeholder));
  assert.deepEqual(typedLooking, [], 'placeholders that look like typed values');
});
