// Issue 24: typos protect nobody. The pickers only offer what exists, so a
// mistyped protected group or automation account cannot be chosen (the
// closest real names are offered instead); the server still refuses names
// that do not exist with "did you mean" (`admin_month::names_…`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, openTab, api, flagShown } from './harness.mjs';

let server; let browser;
before(async () => { server = await startServer(); browser = await openBrowser(server); });
after(async () => { await browser?.close(); await server?.stop(); });

test('a mistyped protected group or unknown automation account cannot be chosen; the real name is offered', async () => {
  const { page } = browser;
  const groups = (await api(page, 'groups?withCounts=false')).body.groups.map((g) => g.name);
  const real = groups.find((g) => g.length >= 8 && !groups.includes(g.slice(0, -1)));
  assert.ok(real, 'the demo has a group with a long enough name');
  const typo = real.slice(0, -1);
  const before = (await api(page, 'settings')).body;
  await openTab(page, 'settings');
  const groupsInput = page.getByLabel('Protected groups', { exact: true });
  const groupPicker = page.locator('.sw-picker').filter({ has: groupsInput });
  await groupsInput.fill(typo);
  await groupsInput.press('Enter');
  await groupPicker.getByText(`No group “${typo}”: choose one from the list.`).waitFor();
  // The list offers the real group (the picker's "did you mean").
  await groupPicker.locator(`[role="option"][data-value="${real}"]`).waitFor();
  assert.equal(await groupPicker.locator('[data-testid="chip"]').count(), 0);

  const account = page.getByLabel('Automation acts as', { exact: true });
  const accountPicker = page.locator('.sw-picker').filter({ has: account });
  await account.fill('NOSUCHUSER');
  await account.press('Enter');
  await accountPicker.getByText('No user “NOSUCHUSER”: choose one from the list.').waitFor();
  assert.equal(await accountPicker.locator('[data-testid="chip"]').count(), 0);

  await page.getByRole('button', { name: 'Save settings' }).click();
  assert.equal(await flagShown(page, 'Settings saved'), 'success');
  const after = (await api(page, 'settings')).body;
  assert.deepEqual(after.settings.protectedGroups ?? [], before.settings.protectedGroups ?? [], 'no typo was saved');
  assert.equal(after.automationAccount, before.automationAccount);
});
