// Settings is a form: a change saves and reads back; a bad value shows the
// server's error beside its field and changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, openTab, shot, api, until, pick, flagShown } from './harness.mjs';

let server; let browser;
before(async () => { server = await startServer(); browser = await openBrowser(server); });
after(async () => { await browser?.close(); await server?.stop(); });

test('a settings change saves', async () => {
  const { page } = browser;
  const groups = (await api(page, 'groups?withCounts=false')).body.groups.filter((g) => !g.admin).map((g) => g.name);
  await openTab(page, 'settings');
  await pick(page, 'Protected groups', groups[0]);
  await pick(page, 'Protected groups', groups[1]);
  await page.getByLabel('Maximum accounts per run').fill('123');
  await page.getByLabel('Timezone', { exact: true }).fill('Europe/Berlin');
  await page.getByLabel('Daily scheduler run at').fill('03:15');
  await page.getByLabel('Email when licence use crosses the threshold').check();
  await page.getByLabel('Alert at percent of seats used').fill('85');
  await page.getByLabel('Alert recipients').fill('licences@example.test');
  await page.getByLabel('Days without any login before pausing').fill('9');
  await page.getByRole('button', { name: 'Save settings' }).click();
  assert.equal(await flagShown(page, 'Settings saved'), 'success');
  const s = (await api(page, 'settings')).body.settings;
  assert.deepEqual(s.protectedGroups, [groups[0], groups[1]]);
  assert.equal(s.guard.maxAccounts, 123);
  assert.equal(s.timezone, 'Europe/Berlin');
  assert.equal(s.schedulerAt, '03:15');
  assert.equal(s.licenceAlert.enabled, true);
  assert.equal(s.licenceAlert.percent, 85);
  assert.deepEqual(s.licenceAlert.recipients, ['licences@example.test']);
  assert.equal(s.health.maxDaysWithoutLogin, 9);
  // A second save right after works too (the form tracks the new version).
  await page.getByLabel('Maximum percent of licensed users').fill('25');
  await page.getByRole('button', { name: 'Save settings' }).click();
  assert.equal(await flagShown(page, 'Settings saved'), 'success');
  await until(page, 'settings', (s) => s.settings.guard.maxPercent === 25);
  await shot(page, 'settings-saved');
  assert.deepEqual(browser.consoleErrors, []);
});

test('a bad value shows the API error beside its field and changes nothing', async () => {
  const { page } = browser;
  const before = (await api(page, 'settings')).body;
  await openTab(page, 'settings');
  await page.getByLabel('Timezone', { exact: true }).fill('Mars/Olympus');
  await page.getByLabel('Maximum percent of licensed users').fill('250');
  await page.getByRole('button', { name: 'Save settings' }).click();
  const tz = page.locator('[data-path="timezone"] [data-testid="field-error"]');
  await tz.waitFor();
  assert.match(await tz.textContent(), /Mars\/Olympus/);
  assert.equal(await page.getByLabel('Timezone', { exact: true }).getAttribute('aria-invalid'), 'true');
  await page.locator('[data-path="guard.maxPercent"] [data-testid="field-error"]').waitFor();
  await shot(page, 'settings-error');
  const after = (await api(page, 'settings')).body;
  assert.deepEqual(after.settings, before.settings, 'nothing changed');
  assert.equal(after.configVersion, before.configVersion);
});

test('licence alert thresholds are one row per licensed application and read back', async () => {
  const { page } = browser;
  const apps = (await api(page, 'dashboard?days=30')).body.figures.applications;
  assert.ok(apps.length > 0, 'the demo has licensed applications');
  // A fresh form (the previous test left bad values in this one).
  await openTab(page, 'dashboard');
  await openTab(page, 'settings');
  const rows = page.locator('[data-testid="alert-app-row"]');
  assert.deepEqual(await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-application'))), apps.map((a) => a.application),
    'one row per licensed application, in the dashboard order');
  const first = apps[0];
  const box = page.getByLabel(`${first.name || first.application} (%)`, { exact: true });
  assert.equal(await box.getAttribute('type'), 'number');
  // Keyboard: the box takes focus and a typed value.
  await box.focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('77');
  await page.getByRole('button', { name: 'Save settings' }).click();
  assert.equal(await flagShown(page, 'Settings saved'), 'success');
  const saved = (await api(page, 'settings')).body.settings.licenceAlert.applications;
  assert.deepEqual(saved, [{ application: first.application, percent: 77 }], 'only the filled row is sent');
  // Reading back: a fresh form shows the saved value in that row, the others empty.
  await openTab(page, 'dashboard');
  await openTab(page, 'settings');
  assert.equal(await page.getByLabel(`${first.name || first.application} (%)`, { exact: true }).inputValue(), '77');
  for (const a of apps.slice(1)) {
    assert.equal(await page.locator(`[data-testid="alert-app-row"][data-application="${a.application}"] input`).inputValue(), '');
  }
  await shot(page, 'settings-alert-thresholds');

  // An out-of-range value is named beside its row, and nothing changes.
  const before = (await api(page, 'settings')).body;
  const row = page.locator(`[data-testid="alert-app-row"][data-application="${first.application}"]`);
  await row.locator('input').fill('150');
  await page.getByRole('button', { name: 'Save settings' }).click();
  const err = row.locator('[data-testid="field-error"]');
  await err.waitFor();
  assert.match(await err.getAttribute('data-path'), /licenceAlert\.applications\[0\]/);
  assert.equal(await row.locator('input').getAttribute('aria-invalid'), 'true');
  assert.deepEqual((await api(page, 'settings')).body.settings, before.settings, 'nothing changed');
  // Emptying the row removes the override.
  await row.locator('input').fill('');
  await page.getByRole('button', { name: 'Save settings' }).click();
  assert.equal(await flagShown(page, 'Settings saved'), 'success');
  assert.deepEqual((await api(page, 'settings')).body.settings.licenceAlert.applications, []);
  // The refused saves (this test's and the previous one's) are the only errors.
  assert.deepEqual(browser.consoleErrors.filter((e) => !/\b422\b/.test(e)), []);
});

test('reactivation at login: the confirm window and a per-directory probe opt-in save, and the directory list says so', async () => {
  const { page } = browser;
  const before = (await api(page, 'directories')).body.directories;
  const candidate = before.find((d) => d.loginVerification === 'none');
  await openTab(page, 'settings');
  await page.getByLabel('Confirm window (minutes)').fill('7');
  if (candidate) await page.getByLabel(`Probe deactivated users of ${candidate.name}`, { exact: false }).check();
  await page.getByRole('button', { name: 'Save settings' }).click();
  assert.equal(await flagShown(page, 'Settings saved'), 'success');
  const s = (await api(page, 'settings')).body.settings;
  assert.equal(s.login.confirmWindowMinutes, 7);
  const after = (await api(page, 'directories')).body.directories;
  for (const d of after) assert.equal(d.confirmWindowMinutes, 7);
  if (candidate) {
    assert.deepEqual(s.login.probeDirectories, [candidate.id]);
    assert.equal(after.find((d) => d.id === candidate.id).loginVerification, 'probe');
  }
  // A window outside 1..60 is refused beside its field and changes nothing.
  await page.getByLabel('Confirm window (minutes)').fill('0');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.locator('.sw-field-error', { hasText: '≥ 1' }).first().waitFor();
  assert.equal((await api(page, 'settings')).body.settings.login.confirmWindowMinutes, 7);
  assert.deepEqual(browser.consoleErrors.filter((e) => !/\b422\b/.test(e)), [], 'only the refused saves');
});
