// Issue 24, "Look and feel": the page is styled by Atlassian's design tokens
// (bundled from @atlaskit/tokens) and follows the system's light or dark
// preference; it uses the full width; an empty result says what to do;
// results show as flags at the top right; the header names the admin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, openTab, api } from './harness.mjs';

let server; let browser;
before(async () => { server = await startServer(); browser = await openBrowser(server); });
after(async () => { await browser?.close(); await server?.stop(); });

const look = (page) => page.evaluate(() => {
  const root = getComputedStyle(document.documentElement);
  return {
    surface: root.getPropertyValue('--ds-surface').trim(),
    space: root.getPropertyValue('--ds-space-100').trim(),
    mode: document.documentElement.dataset.colorMode,
    body: getComputedStyle(document.body).backgroundColor,
    text: getComputedStyle(document.body).color,
    appMaxWidth: getComputedStyle(document.querySelector('.sw-app')).maxWidth,
  };
});

test('colours and spacing come from the design tokens, light and dark', async () => {
  const { page } = browser;
  await page.emulateMedia({ colorScheme: 'light' });
  await page.waitForFunction(() => document.documentElement.dataset.colorMode === 'light');
  const light = await look(page);
  assert.equal(light.surface.toUpperCase(), '#FFFFFF');
  assert.equal(light.space, '0.5rem');
  assert.equal(light.body, 'rgb(255, 255, 255)');
  assert.equal(light.appMaxWidth, 'none', 'the page uses the full width');

  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForFunction(() => document.documentElement.dataset.colorMode === 'dark');
  const dark = await look(page);
  assert.notEqual(dark.surface.toUpperCase(), '#FFFFFF', 'the dark theme has its own surface');
  assert.notEqual(dark.body, light.body);
  assert.notEqual(dark.text, light.text);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.waitForFunction(() => document.documentElement.dataset.colorMode === 'light');
  assert.deepEqual(browser.consoleErrors, []);
});

test('a filter that matches nobody says what to do', async () => {
  const { page } = browser;
  await openTab(page, 'users');
  await page.getByLabel('Search', { exact: true }).fill('no-such-user-anywhere-zz');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByTestId('users-empty').waitFor();
  assert.match(await page.getByTestId('users-empty').innerText(), /No user matches these filters\.[\s\S]*Clear all filters/);
  assert.equal(await page.locator('[data-testid="user-total"]').innerText(), '0 users');
});

test('a save shows a flag at the top right, announced, and the admin can dismiss it', async () => {
  const { page } = browser;
  await openTab(page, 'settings');
  await page.getByRole('button', { name: 'Save settings' }).click();
  const flag = page.locator('.sw-flags .sw-flag', { hasText: 'Settings saved' });
  await flag.waitFor();
  // Announced: the region is a polite live region, the flag a status (an error flag is an alert).
  const region = page.locator('.sw-flags');
  assert.equal(await region.getAttribute('aria-live'), 'polite');
  assert.equal(await flag.getAttribute('role'), 'status');
  assert.equal(await flag.getAttribute('data-tone'), 'success');
  // At the top right of the window, outside the view that was saved.
  const box = await flag.boundingBox();
  const view = page.viewportSize();
  assert.ok(box.y < 100 && box.x + box.width > view.width - 100, `flag at ${JSON.stringify(box)}`);
  assert.equal(await page.locator('#sw-panel .sw-flag').count(), 0, 'the flag is not inside the view');
  // Hovered, a success flag does not hide by itself.
  await flag.hover();
  await page.waitForFunction(() => document.querySelector('.sw-flags .sw-flag')?.dataset.paused === 'true');
  await flag.getByRole('button', { name: 'Dismiss message' }).click();
  await flag.waitFor({ state: 'detached' });
  assert.deepEqual(browser.consoleErrors, []);
});

test('a success flag hides by itself when nobody is looking at it', async () => {
  const { page } = browser;
  await page.mouse.move(0, 450);
  await page.evaluate(() => document.documentElement.removeAttribute('data-sw-flags-hold'));
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.waitForFunction(() => Number(document.querySelector('.sw-flags')?.dataset.seq) >= 2);
  // Waits on the flag leaving (no time is asserted).
  await page.locator('.sw-flags .sw-flag', { hasText: 'Settings saved' }).waitFor({ state: 'detached', timeout: 60_000 });
  await page.evaluate(() => document.documentElement.setAttribute('data-sw-flags-hold', ''));
});

test('the header names the signed-in admin by display name and username', async () => {
  const { page } = browser;
  const me = (await api(page, 'me')).body;
  assert.ok(me.username, 'the directory knows the signed-in admin');
  const text = await page.getByTestId('signed-in').innerText();
  const expected = me.displayName && me.displayName !== me.username ? `${me.displayName} (${me.username})` : me.username;
  assert.equal(text, `Signed in as ${expected}`);
  assert.doesNotMatch(text, /JIRAUSER/, 'the key is not the name shown');
  assert.equal(await page.getByTestId('signed-in').getAttribute('title'), `User key ${me.user}`);
});

test('tabs and the main actions carry a decorative icon beside their name', async () => {
  const { page } = browser;
  const tabs = await page.getByRole('tab').evaluateAll((els) => els.map((t) => ({
    name: t.textContent.trim(), icon: t.querySelector('svg.sw-icon')?.getAttribute('aria-hidden') ?? null,
  })));
  assert.ok(tabs.length >= 8);
  for (const t of tabs) assert.equal(t.icon, 'true', `tab ${t.name} has a hidden icon`);
  // The icon does not change the accessible name tests and screen readers use.
  await page.getByRole('tab', { name: 'Settings', exact: true }).waitFor();
  await openTab(page, 'settings');
  const save = page.getByRole('button', { name: 'Save settings', exact: true });
  assert.equal(await save.locator('svg.sw-icon[data-icon="save"]').count(), 1);
});
