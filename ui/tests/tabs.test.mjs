// Every tab loads against the real server without console errors; each is
// screenshotted into test-artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, openTab, shot } from './harness.mjs';

let server; let browser;
before(async () => { server = await startServer(); browser = await openBrowser(server); });
after(async () => { await browser?.close(); await server?.stop(); });

const TABS = ['dashboard', 'users', 'automation', 'review', 'groups', 'import', 'audit', 'notifications', 'reports', 'access', 'settings'];

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

test('no tab scrolls the page sideways at 1280 px: wide tables scroll in their own box', async () => {
  const { page } = browser;
  const before = page.viewportSize();
  await page.setViewportSize({ width: 1280, height: 800 });
  try {
    for (const tab of TABS) {
      await openTab(page, tab);
      const layout = await page.evaluate(() => {
        const root = document.documentElement;
        // A table may be wider than the page only inside a box that scrolls it.
        const escaping = [...document.querySelectorAll('table')].filter((t) => t.getBoundingClientRect().right > root.clientWidth + 1)
          .filter((t) => { for (let e = t.parentElement; e; e = e.parentElement) { const o = getComputedStyle(e).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') return false; } return true; })
          .map((t) => t.dataset.testid ?? t.className);
        return { scroll: root.scrollWidth, client: root.clientWidth, escaping };
      });
      assert.ok(layout.scroll <= layout.client, `tab ${tab}: the page is ${layout.scroll} px wide in a ${layout.client} px window`);
      assert.deepEqual(layout.escaping, [], `tab ${tab}: tables wider than the page outside a scrolling box`);
    }
  } finally {
    if (before) await page.setViewportSize(before);
  }
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
