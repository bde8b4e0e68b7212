// An answer to an older request never replaces a newer one (issue 24). Controls change faster than a large
// instance answers, and answers come back in any order: the dashboard's activity window and the audit entry
// filters each hold an older request with `page.route` until the newer answer is on screen, then release it and
// wait for the place to stop being `aria-busy`. The page must still match the controls on screen. Without the
// guard (`ui/src/latest.ts`) the released answer is drawn last and both tests fail.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, openTab, api, createPolicy } from './harness.mjs';

let server; let browser;
before(async () => { server = await startServer(); browser = await openBrowser(server); });
after(async () => { await browser?.close(); await server?.stop(); });

/** Holds the requests `matches` picks until `release()`; `count()` says how many are held. */
async function holdRequests(page, matches) {
  const held = [];
  let holding = true;
  const predicate = (url) => matches(new URL(url));
  await page.route(predicate, (route) => { if (holding) held.push(route); else void route.continue(); });
  return {
    count: () => held.length,
    async release() {
      holding = false;
      for (const route of held.splice(0)) await route.continue();
      await page.unroute(predicate);
    },
  };
}

test('a dashboard window answered after a newer window never replaces it', async () => {
  const { page } = browser;
  await openTab(page, 'dashboard');
  const windowSelect = page.getByLabel('Activity window');
  assert.equal(await windowSelect.inputValue(), '30');
  const hold = await holdRequests(page, (url) => url.pathname.endsWith('/api/dashboard') && url.searchParams.get('days') === '7');
  try {
    await windowSelect.selectOption('7');
    await page.waitForFunction(() => document.querySelector('[data-view="dashboard"]')?.getAttribute('aria-busy') === 'true');
    // The page stays on screen while the 7-day answer is out: the admin chooses again.
    await windowSelect.selectOption('90');
    await page.getByTestId('card-inactive').filter({ hasText: 'Inactive in last 90 days' }).waitFor();
    assert.equal(hold.count(), 1, 'the 7-day request is held');
  } finally {
    await hold.release();
  }
  await page.locator('[data-view="dashboard"][aria-busy="false"]').waitFor();
  const expected = (await api(page, 'dashboard?days=90')).body.figures;
  assert.equal(await page.getByLabel('Activity window').inputValue(), '90', 'the select still shows 90 days');
  const inactive = page.getByTestId('card-inactive');
  assert.match(await inactive.innerText(), /Inactive in last 90 days/, 'the cards are still the 90-day window');
  const value = Number((await inactive.locator('.sw-card-value').innerText()).replace(/[^0-9]/g, ''));
  assert.equal(value, expected.inactiveInWindow, 'the count is the server’s 90-day count');
  assert.deepEqual(browser.consoleErrors, []);
});

test('the window select keeps the keyboard focus when the dashboard is drawn again', async () => {
  const { page } = browser;
  await openTab(page, 'dashboard');
  const windowSelect = page.getByLabel('Activity window');
  await windowSelect.focus();
  await windowSelect.selectOption('60');
  await page.getByTestId('card-inactive').filter({ hasText: 'Inactive in last 60 days' }).waitFor();
  await page.locator('[data-view="dashboard"][aria-busy="false"]').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'days', 'focus is on the new select');
});

test('an audit entry filter answered after a newer filter never replaces it', async () => {
  const { page } = browser;
  // Two actions with entries: a policy created here, and whichever other action the log holds.
  const created = await createPolicy(page, { name: 'Stale answers probe', action: { kind: 'deactivate' }, condition: { kind: 'inactive', days: 60 } });
  assert.equal(created.status, 201, created.text);
  const log = (await api(page, 'audit?limit=200')).body.entries;
  const older = 'policy_created';
  const newer = log.map((e) => e.action).find((a) => a !== older);
  assert.ok(newer, `the log holds another action: ${log.map((e) => e.action)}`);
  await openTab(page, 'audit');
  const entries = page.getByTestId('audit-entries');
  const hold = await holdRequests(page, (url) => url.pathname.endsWith('/api/audit') && url.searchParams.get('action') === older);
  const action = page.getByLabel('Action', { exact: true });
  const apply = page.getByRole('button', { name: 'Apply filters' });
  const shownActions = () => entries.locator('[data-testid="audit-row"] td:nth-child(4)').allInnerTexts();
  try {
    await action.selectOption(older);
    await apply.click();
    await page.locator('[data-testid="audit-entries"][aria-busy="true"]').waitFor();
    await action.selectOption(newer);
    await apply.click();
    const words = newer.replace(/_/g, ' ');
    await page.waitForFunction((w) => {
      const cells = [...document.querySelectorAll('[data-testid="audit-entries"] [data-testid="audit-row"] td:nth-child(4)')];
      return cells.length > 0 && cells.every((c) => c.textContent === w);
    }, words);
    assert.equal(hold.count(), 1, 'the older filter’s request is held');
  } finally {
    await hold.release();
  }
  await page.locator('[data-testid="audit-entries"][aria-busy="false"]').waitFor();
  const shown = await shownActions();
  const expected = (await api(page, `audit?action=${newer}&limit=50`)).body.entries;
  assert.equal(shown.length, expected.length, 'the rows are the newer filter’s page');
  assert.ok(shown.every((a) => a === newer.replace(/_/g, ' ')), `only ${newer} rows: ${shown}`);
  assert.equal(await action.inputValue(), newer);
  assert.deepEqual(browser.consoleErrors, []);
});
