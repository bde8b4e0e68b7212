// Issue 24, "standalone preview on real data": `seatwarden serve --snapshot FILE` runs the whole UI
// over a loaded file. A banner says it is a preview; policies are written and previewed; every
// applying button is disabled with the reason, and the server refuses the request anyway; "Try on
// your own users" loads another file in place of the first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, openBrowser, openTab, shot, api, apiSend, createPolicy } from './harness.mjs';

const files = mkdtempSync(path.join(tmpdir(), 'seatwarden-preview-files-'));

/** A users export: `idle` users last seen in 2020, `recent` seen two days ago (a date after now is refused). */
function usersCsv(name, idle, recent) {
  const rows = ['key,username,display name,email,directory,active,last login,groups'];
  for (let i = 0; i < idle; i += 1) rows.push(`K-${name}-old${i},${name}old${i},Old ${i},${name}old${i}@example.test,LDAP,true,2020-01-01T00:00:00Z,staff`);
  const seen = new Date(Date.now() - 2 * 86_400_000).toISOString();
  for (let i = 0; i < recent; i += 1) rows.push(`K-${name}-new${i},${name}new${i},New ${i},${name}new${i}@example.test,LDAP,true,${seen},staff`);
  const file = path.join(files, `${name}.csv`);
  writeFileSync(file, `${rows.join('\n')}\n`);
  return file;
}

let server; let browser;
before(async () => {
  server = await startServer({ demo: false, extraArgs: ['--snapshot', usersCsv('first', 30, 12)] });
  browser = await openBrowser(server);
});
after(async () => { await browser?.close(); await server?.stop(); rmSync(files, { recursive: true, force: true }); });

test('a preview server says so, previews policies and disables every apply with the reason', async () => {
  const { page } = browser;
  const banner = page.locator('[data-preview-banner]');
  await banner.waitFor();
  assert.match(await banner.innerText(), /Preview only/);

  const created = await createPolicy(page, { name: 'Idle on my users', mode: 'live', trigger: { kind: 'scheduler' },
    condition: { kind: 'inactive', days: 90 }, action: { kind: 'deactivate' } });
  assert.equal(created.status, 201, created.text);
  const id = created.body.policy.id;
  const preview = await apiSend(page, 'POST', `policies/${id}/preview`);
  assert.equal(preview.status, 200, preview.text);
  assert.equal(preview.body.document.totals.users, 30);

  await openTab(page, 'automation');
  const runNow = page.getByRole('button', { name: 'Run now' }).first();
  await runNow.waitFor();
  assert.equal(await runNow.isDisabled(), true, 'Run now is disabled');
  assert.match(await runNow.getAttribute('title'), /nothing can be applied here/);

  await openTab(page, 'groups');
  const create = page.getByRole('button', { name: 'Create', exact: true });
  await create.waitFor();
  assert.equal(await create.isDisabled(), true, 'Create groups is disabled');
  await shot(page, 'snapshot-preview-groups');

  // The server refuses whatever the page shows.
  const run = await apiSend(page, 'POST', `policies/${id}/run`);
  assert.equal(run.status, 409, run.text);
  assert.equal(run.body.error.kind, 'preview_only');
  const users = await api(page, 'users');
  assert.equal(users.body.total, 42);
});

test('"Try on your own users" replaces the loaded users with another file', async () => {
  const { page } = browser;
  await openTab(page, 'dashboard');
  const banner = page.locator('[data-preview-banner]');
  await banner.locator('input[type="file"]').setInputFiles(usersCsv('second', 3, 2));
  await banner.getByRole('button', { name: 'Load these users' }).click();
  await banner.getByRole('status').filter({ hasText: 'Loaded 5 users from a users export.' }).waitFor();
  const users = await api(page, 'users');
  assert.equal(users.body.total, 5);

  // A file that is not one of the three kinds is refused in words, and the users stay.
  const bad = path.join(files, 'bad.csv');
  writeFileSync(bad, 'email,active\na@example.test,true\n');
  await banner.locator('input[type="file"]').setInputFiles(bad);
  await banner.getByRole('button', { name: 'Load these users' }).click();
  await banner.getByRole('alert').filter({ hasText: 'neither a key nor a username column' }).waitFor();
  assert.equal((await api(page, 'users')).body.total, 5);
  await shot(page, 'snapshot-preview-upload');
});
