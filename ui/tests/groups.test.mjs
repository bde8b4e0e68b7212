// Groups: bulk create from `a;b;c`, then bulk delete after a confirmation,
// each with its per-group summary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, openTab, shot, api } from './harness.mjs';

let server; let browser;
before(async () => { server = await startServer(); browser = await openBrowser(server); });
after(async () => { await browser?.close(); await server?.stop(); });

const names = async (page) => (await api(page, 'groups?withCounts=false')).body.groups.map((g) => g.name);

test('bulk create and bulk delete groups with a per-group summary', async () => {
  const { page } = browser;
  await openTab(page, 'groups');
  await page.getByLabel('Group names, separated by ;').fill('ui-team-a;ui-team-b;ui-team-c');
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  await page.getByTestId('outcomes').waitFor();
  assert.equal(await page.locator('[data-testid="outcomes"] li').count(), 3, 'one line per group');
  const after = await names(page);
  for (const n of ['ui-team-a', 'ui-team-b', 'ui-team-c']) assert.ok(after.includes(n), `${n} exists`);

  await page.getByLabel('Select ui-team-a').check();
  await page.getByLabel('Select ui-team-b').check();
  await page.getByRole('button', { name: 'Delete selected…' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  assert.ok((await names(page)).includes('ui-team-a'), 'cancel deletes nothing');
  await page.getByRole('button', { name: 'Delete selected…' }).click();
  await dialog.getByRole('button', { name: 'Delete groups' }).click();
  await page.locator('[data-testid="outcomes"] li', { hasText: 'ui-team-b' }).waitFor();
  await shot(page, 'groups-deleted');
  const left = await names(page);
  assert.ok(!left.includes('ui-team-a') && !left.includes('ui-team-b'), 'the two picked groups are gone');
  assert.ok(left.includes('ui-team-c'), 'the third stays');
  assert.deepEqual(browser.consoleErrors, []);
});
