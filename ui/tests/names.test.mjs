// Issue 24: typos protect nobody. A protected group or an automation
// account that does not exist is refused on save, beside its field, with
// "did you mean" for groups; nothing is saved.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, openTab, api } from './harness.mjs';

let server; let browser;
before(async () => { server = await startServer(); browser = await openBrowser(server); });
after(async () => { await browser?.close(); await server?.stop(); });

test('a mistyped protected group and an unknown automation account are refused with did-you-mean', async () => {
  const { page } = browser;
  const groups = (await api(page, 'groups?withCounts=false')).body.groups.map((g) => g.name);
  const real = groups.find((g) => g.length >= 8 && !groups.includes(g.slice(0, -1)));
  assert.ok(real, 'the demo has a group with a long enough name');
  const typo = real.slice(0, -1);
  const before = (await api(page, 'settings')).body;
  await openTab(page, 'settings');
  await page.getByLabel('Protected groups').fill(typo);
  await page.getByLabel('Automation acts as (user key)').fill('NOSUCHUSER');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText(`no group \`${typo}\` in the directory; did you mean \`${real}\`?`).first().waitFor();
  await page.getByText('no user with key `NOSUCHUSER` in the directory', { exact: false }).first().waitFor();
  const after = (await api(page, 'settings')).body;
  assert.equal(after.configVersion, before.configVersion, 'nothing was saved');
});
