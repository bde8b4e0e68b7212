// Activity signals (issue 23): the dashboard says which signals count and since
// when, and Settings turns each on or off. The demo is seeded with a `seen`
// signal that started recording 45 days ago (`--demo-seen-days 45`), as if the
// plugin had been installed then.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, openTab, shot, api, flagShown } from './harness.mjs';

const SEEN_DAYS = 45;
let server; let browser;
before(async () => {
  server = await startServer({ extraArgs: ['--demo-seen-days', String(SEEN_DAYS)] });
  browser = await openBrowser(server);
});
after(async () => { await browser?.close(); await server?.stop(); });

const seenRow = (page) => page.locator('[data-testid="signal"]', { hasText: 'Seen by the plugin' });
const loginRow = (page) => page.locator('[data-testid="signal"]', { hasText: 'Last login' });
const activityFields = (page) => page.locator('fieldset', { has: page.locator('legend', { hasText: 'Activity that counts' }) });

test('the dashboard names each signal, whether it counts, and since when it records', async () => {
  const { page } = browser;
  const figures = (await api(page, 'dashboard')).body.figures;
  const seen = figures.signals.find((s) => s.kind === 'seen');
  assert.ok(seen, `the demo declares a seen signal: ${JSON.stringify(figures.signals)}`);
  assert.equal(typeof seen.since, 'number');
  assert.ok(seen.usersWithValue > 0, 'users who logged in inside the window have a seen date');
  await openTab(page, 'dashboard');
  await seenRow(page).waitFor();
  const text = await seenRow(page).textContent();
  // The day as the page writes it (UTC yyyy-mm-dd), from the server's `since`.
  const day = new Date(seen.since).toISOString().slice(0, 10);
  assert.ok(text.includes(`since ${day} (${SEEN_DAYS} days recorded)`), text);
  assert.ok(text.includes(seen.usersWithValue.toLocaleString('en')), text);
  assert.equal(await seenRow(page).getAttribute('data-enabled'), 'true');
  assert.match(await seenRow(page).locator('td').nth(1).textContent(), /^counted$/);
  assert.match(await loginRow(page).textContent(), /full history/);
  await shot(page, 'dashboard-signals');
  assert.deepEqual(browser.consoleErrors, []);
});

test('Settings refuses every signal off with the server\'s error beside the fields, and changes nothing', async () => {
  const { page } = browser;
  const before = (await api(page, 'settings')).body;
  await openTab(page, 'settings');
  const fields = activityFields(page);
  for (const box of await fields.getByRole('checkbox').all()) await box.uncheck();
  await page.getByRole('button', { name: 'Save settings' }).click();
  const error = fields.locator('[data-testid="field-error"]');
  await error.waitFor();
  assert.match(await error.textContent(), /at least one activity signal must be enabled/);
  await shot(page, 'settings-signals-refused');
  const after = (await api(page, 'settings')).body;
  assert.deepEqual(after.settings, before.settings, 'nothing changed');
  assert.equal(after.configVersion, before.configVersion);
});

test('turning the seen signal off saves, and the dashboard shows it as not counted', async () => {
  const { page } = browser;
  // The refused save above logged its 422 on purpose; this test adds none.
  const errorsBefore = browser.consoleErrors.length;
  await openTab(page, 'settings');
  const fields = activityFields(page);
  await fields.getByLabel('Last login').check();
  await fields.getByLabel('Last authenticated').check();
  await fields.getByLabel('Seen by Seatwarden').uncheck();
  await page.getByRole('button', { name: 'Save settings' }).click();
  assert.equal(await flagShown(page, 'Settings saved'), 'success');
  assert.deepEqual((await api(page, 'settings')).body.settings.activity, { login: true, lastAuthenticated: true, seen: false });
  // Reload: the form shows what was saved.
  await openTab(page, 'dashboard');
  await seenRow(page).waitFor();
  assert.equal(await seenRow(page).getAttribute('data-enabled'), 'false');
  assert.match(await seenRow(page).textContent(), /not counted/);
  await openTab(page, 'settings');
  assert.equal(await activityFields(page).getByLabel('Seen by Seatwarden').isChecked(), false);
  assert.equal(await activityFields(page).getByLabel('Last login').isChecked(), true);
  assert.deepEqual(browser.consoleErrors.slice(errorsBefore), []);
});
