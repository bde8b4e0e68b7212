// Issue 24, item 6: searchable pickers. Users are found by username, name or
// email and shown by name and username (never only a key); groups show their
// member counts; everything works from the keyboard (arrows, Enter, Escape,
// Backspace); a name that does not exist cannot be chosen. Every wait is on
// the picker's state (`data-state`, `data-query`, chips), never on time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, openTab, api, until, shot, flagShown } from './harness.mjs';

let server; let browser;
before(async () => { server = await startServer(); browser = await openBrowser(server); });
after(async () => { await browser?.close(); await server?.stop(); });

/** The picker whose input is labelled `label`, and that input. */
function picker(page, label) {
  const input = page.getByLabel(label, { exact: true });
  return { input, root: page.locator('.sw-picker').filter({ has: input }) };
}

/** Waits until the picker shows the server's answer for `q`. */
async function answered(root, q) {
  await root.and(root.page().locator(`[data-state="ready"][data-query="${q}"]`)).waitFor();
}

test('groups are chosen with the keyboard alone, with member counts, and removed with Backspace', async () => {
  const { page } = browser;
  const all = (await api(page, 'pick/groups?q=&limit=100')).body;
  const plain = all.groups.filter((g) => !g.admin);
  assert.ok(plain.length >= 2, 'the demo has groups to pick');
  // A fragment shared by several groups: the start of the first plain group's name.
  const fragment = plain[0].name.slice(0, 3);
  const expected = (await api(page, `pick/groups?q=${encodeURIComponent(fragment)}`)).body.groups;
  assert.ok(expected.length >= 1);

  await openTab(page, 'settings');
  const { input, root } = picker(page, 'Protected groups');
  const chipsBefore = await root.locator('[data-testid="chip"]').count();
  await input.focus();
  await page.keyboard.type(fragment);
  await answered(root, fragment);
  const options = root.locator('[role="option"]');
  // The server's order, each with its member count.
  const shown = await options.evaluateAll((els) => els.map((e) => e.dataset.value));
  const chosen = await root.locator('[data-testid="chip"]').evaluateAll((els) => els.map((e) => e.dataset.value));
  assert.deepEqual(shown, expected.map((g) => g.name).filter((n) => !chosen.includes(n)));
  const first = expected.find((g) => g.name === shown[0]);
  assert.match(await options.first().innerText(), new RegExp(`${first.members.toLocaleString('en')} members?`));
  assert.equal(await input.getAttribute('aria-expanded'), 'true');

  // ArrowDown highlights the first option (aria-activedescendant), Enter chooses it.
  await page.keyboard.press('ArrowDown');
  const activeId = await input.getAttribute('aria-activedescendant');
  assert.ok(activeId, 'an option is highlighted');
  assert.equal(await page.locator(`#${activeId}`).getAttribute('aria-selected'), 'true');
  await page.keyboard.press('Enter');
  await root.locator(`[data-testid="chip"][data-value="${shown[0]}"]`).waitFor();
  assert.equal(await input.getAttribute('aria-expanded'), 'false');
  assert.equal(await input.inputValue(), '', 'the typed text is gone once chosen');

  // Escape closes an open list without choosing.
  await page.keyboard.type(fragment);
  await answered(root, fragment);
  await page.keyboard.press('Escape');
  assert.equal(await input.getAttribute('aria-expanded'), 'false');
  assert.equal(await root.locator('[data-testid="chip"]').count(), chipsBefore + 1);
  // A second Escape clears what was typed; Backspace in the empty input removes the last chip.
  await page.keyboard.press('Escape');
  assert.equal(await input.inputValue(), '');
  await shot(page, 'picker-groups');
  await page.keyboard.press('Backspace');
  await root.and(page.locator(`[data-count="${chipsBefore}"]`)).waitFor();
  assert.deepEqual(browser.consoleErrors, []);
});

test('a group name that does not exist cannot be chosen', async () => {
  const { page } = browser;
  await openTab(page, 'settings');
  const { input, root } = picker(page, 'Protected groups');
  const chipsBefore = await root.locator('[data-testid="chip"]').count();
  await input.focus();
  await page.keyboard.type('no-such-group-anywhere');
  await page.keyboard.press('Enter');
  await answered(root, 'no-such-group-anywhere');
  await root.getByText('No group matches “no-such-group-anywhere”.').waitFor();
  await root.getByText('No group “no-such-group-anywhere”: choose one from the list.').waitFor();
  assert.equal(await root.locator('[data-testid="chip"]').count(), chipsBefore);
  // Leaving the field drops the unchosen text: it never looks like a value.
  await page.keyboard.press('Tab');
  assert.equal(await input.inputValue(), '');
});

test('a user is found by name, shown by name and username, and saved by key', async () => {
  const { page } = browser;
  // Someone with a display name distinct from the username.
  const some = (await api(page, 'pick/users?q=&limit=100')).body.users.find((u) => u.active && u.displayName && u.displayName !== u.username && !/\s/.test(u.username));
  assert.ok(some, 'the demo has users with display names');
  const word = some.displayName;
  await openTab(page, 'settings');
  const { input, root } = picker(page, 'Automation acts as');
  await input.focus();
  await page.keyboard.type(word);
  await answered(root, word);
  const option = root.locator(`[role="option"][data-value="${some.key}"]`);
  await option.waitFor();
  const text = await option.innerText();
  assert.ok(text.includes(some.username) && text.includes(some.displayName), `the option names the user: ${text}`);
  // Walk to that option with the arrows, then Enter.
  const values = await root.locator('[role="option"]').evaluateAll((els) => els.map((e) => e.dataset.value));
  for (let i = 0; i <= values.indexOf(some.key); i += 1) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  const chip = root.locator(`[data-testid="chip"][data-value="${some.key}"]`);
  await chip.waitFor();
  assert.equal((await chip.innerText()).includes(some.username), true, 'the chip shows the username');
  await page.getByRole('button', { name: 'Save settings' }).click();
  assert.equal(await flagShown(page, 'Settings saved'), 'success');
  await until(page, 'settings', (s) => s.automationAccount === some.key);

  // Reopened, the saved key is shown as the user's name, not the key.
  await openTab(page, 'settings');
  const again = picker(page, 'Automation acts as').root;
  await again.and(page.locator('[data-resolved="true"]')).waitFor();
  const label = await again.locator('[data-testid="chip"]').innerText();
  assert.ok(label.includes(some.username), `shown by name: ${label}`);
  // A username typed in full and Enter choose that user too.
  await pickByEnter(page, again, some.username, some.key);
  assert.deepEqual(browser.consoleErrors, []);
});

async function pickByEnter(page, root, text, key) {
  const input = root.getByRole('combobox');
  await input.fill(text);
  await input.press('Enter');
  await root.locator(`[data-testid="chip"][data-value="${key}"]`).waitFor();
}

test('the pick routes put an exact username first and refuse a bad limit', async () => {
  const { page } = browser;
  const users = (await api(page, 'pick/users?q=&limit=5')).body;
  assert.equal(users.users.length, 5);
  assert.ok(users.total >= 400);
  const u = users.users[3];
  const exact = (await api(page, `pick/users?q=${encodeURIComponent(u.username.toUpperCase())}`)).body;
  assert.equal(exact.users[0].key, u.key, 'an exact username comes first, whatever its case');
  const bad = await api(page, 'pick/users?limit=0');
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.details.problems[0].path, 'query.limit');
});
