// Issue 24, "Look and feel": the page is styled by Atlassian's design tokens
// (bundled from @atlaskit/tokens) and follows the system's light or dark
// preference; it uses the full width; an empty result says what to do.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, openTab } from './harness.mjs';

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
