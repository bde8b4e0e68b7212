// Every tab loads against the real server without console errors; each is
// screenshotted into test-artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, openTab, shot } from './harness.mjs';

let server; let browser;
before(async () => { server = await startServer(); browser = await openBrowser(server); });
after(async () => { await browser?.close(); await server?.stop(); });

const TABS = ['dashboard', 'users', 'automation', 'review', 'groups', 'import', 'audit', 'notifications', 'settings'];

test('every tab loads without console errors', async () => {
  const { page, consoleErrors } = browser;
  for (const tab of TABS) {
    await openTab(page, tab);
    // Visible ones only: a form may hold a danger note hidden until its box is ticked.
    assert.equal(await page.locator('[data-testid="error"]:visible, .sw-banner-error:visible').count(), 0, `tab ${tab} shows an error: ${await page.locator('.sw-banner-error:visible').allTextContents()}`);
    assert.equal(await page.locator(`[role=tab][data-tab="${tab}"]`).getAttribute('aria-selected'), 'true');
    await shot(page, `tab-${tab}`);
  }
  assert.deepEqual(consoleErrors, []);
});

test('dashboard shows count cards from the server', async () => {
  const { page } = browser;
  await openTab(page, 'dashboard');
  const active = await page.locator('[data-testid="card-active"] .sw-card-value').textContent();
  assert.match(active ?? '', /^[\d,]+$/);
  assert.ok(Number((active ?? '0').replace(/,/g, '')) > 0, 'the demo organisation has active users');
});

test('tabs are reachable by keyboard', async () => {
  const { page } = browser;
  await openTab(page, 'dashboard');
  await page.locator('[role=tab][data-tab="dashboard"]').focus();
  await page.keyboard.press('ArrowRight');
  await page.locator('#sw-panel[data-loaded="users"]').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-tab')), 'users');
});
