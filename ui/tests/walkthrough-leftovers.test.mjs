// Walkthrough leftovers (../shared/qa/admin-walkthrough-2026-12.md, issue 24, session 6): deleting a
// policy lives in its editor, not beside Pause in every row; the Users table fits 1280 px; a binary
// import file is refused and the active-field error lists every spelling read; relative dates stay
// right just after midnight; "days before" has one home (the policy); every server message goes
// through the one formatter (pickers and Access included).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, openBrowser, openTab, api, apiSend, createPolicy, dismissFlags, flagShown, isoDay, shot } from './harness.mjs';

// The server reads "now" from this file while it exists (`--clock-file`, test only) and the wall clock
// otherwise: only the midnight test writes it, and removes it again.
const clockDir = mkdtempSync(path.join(tmpdir(), 'seatwarden-clock-'));
const clockFile = path.join(clockDir, 'now');

let server; let browser;
before(async () => { server = await startServer({ extraArgs: ['--clock-file', clockFile] }); browser = await openBrowser(server); });
after(async () => { await browser?.close(); await server?.stop(); rmSync(clockDir, { recursive: true, force: true }); });

const enc = (f) => encodeURIComponent(JSON.stringify(f));
const DAY = 86_400_000;

const safePolicy = (id, name) => ({
  id, name, enabled: true, mode: 'safe', priority: 0,
  trigger: { kind: 'scheduler' },
  condition: { kind: 'inactive', days: 90 },
  action: { kind: 'deactivate' },
});

test('a policy row holds no danger button beside Pause; the policy is deleted from its editor, after a confirmation', async () => {
  const { page } = browser;
  const made = await createPolicy(page, safePolicy('leftover-delete', 'Leftover delete'));
  assert.equal(made.status, 201, made.text);
  await openTab(page, 'automation');
  const row = page.locator('[data-testid="policy-row"][data-policy="leftover-delete"]');
  await row.waitFor();
  const buttons = await row.locator('button:visible').evaluateAll((bs) => bs.map((b) => ({ text: b.textContent.trim(), danger: b.classList.contains('sw-btn-danger') })));
  assert.ok(buttons.some((b) => b.text === 'Pause'), JSON.stringify(buttons));
  assert.deepEqual(buttons.filter((b) => b.danger || /delete/i.test(b.text)), [], 'no Delete and no danger styling in the row');

  // The editor has it, apart from Save, and it asks first: Cancel keeps the policy.
  await row.getByRole('button', { name: 'Edit' }).click();
  const del = page.getByTestId('delete-policy');
  await del.waitFor();
  assert.ok(await del.evaluate((b) => b.classList.contains('sw-btn-danger')));
  // An unsaved edit of the name: the confirmation still names the policy it deletes.
  await page.getByLabel('Name', { exact: true }).fill('Renamed but not saved');
  await del.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Delete policy' });
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /Delete policy “?Leftover delete”?\? Its past runs stay in the audit log\. This cannot be undone\./);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal((await api(page, 'policies/leftover-delete')).status, 200, 'Cancel deletes nothing');

  await dismissFlags(page);
  await del.click();
  await dialog.getByRole('button', { name: 'Delete policy' }).click();
  assert.equal(await flagShown(page, 'Deleted policy'), 'success');
  await page.locator('#sw-panel[data-loaded="automation"] [data-testid="policies-table"], #sw-panel[data-loaded="automation"] p.sw-muted').first().waitFor();
  await page.locator('[data-testid="policy-row"][data-policy="leftover-delete"]').waitFor({ state: 'detached' });
  assert.equal((await api(page, 'policies/leftover-delete')).status, 404);
});

/** The page's layout at `width`: page overflow, the table against its wrapper, and each directory cell's line count. */
async function usersLayout(page, width) {
  await page.setViewportSize({ width, height: 800 });
  await openTab(page, 'users');
  await page.getByTestId('users-table').waitFor();
  return page.evaluate(() => {
    const wrap = document.querySelector('[data-testid="users-table-wrap"]');
    const table = document.querySelector('[data-testid="users-table"]');
    const panel = document.getElementById('sw-panel');
    // Lines of a cell's text: the distinct tops of the boxes of its text nodes (one per line they occupy).
    const lines = (el) => {
      const tops = new Set();
      const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        const r = document.createRange(); r.selectNodeContents(n);
        for (const b of r.getClientRects()) tops.add(Math.round(b.top));
      }
      return tops.size;
    };
    const dirs = [...document.querySelectorAll('[data-testid="row-directory"]')].map((td) => ({
      text: td.textContent, title: td.querySelector('[title]')?.getAttribute('title') ?? null, lines: lines(td),
      cut: td.firstElementChild ? td.firstElementChild.scrollWidth > td.firstElementChild.clientWidth : false,
    }));
    return {
      pageWidth: document.documentElement.scrollWidth, viewport: window.innerWidth,
      tableWidth: table.scrollWidth, wrapWidth: wrap?.clientWidth ?? null, panelWidth: panel.clientWidth, dirs,
    };
  });
}

test('the Users table fits 1280 px: no page overflow, directory names on one line (cut, with the whole name as title); full width at 1920 px', async () => {
  const { page } = browser;
  await dismissFlags(page);
  try {
    const narrow = await usersLayout(page, 1280);
    assert.ok(narrow.pageWidth <= narrow.viewport, `page ${narrow.pageWidth} px wide in a ${narrow.viewport} px window`);
    assert.ok(narrow.wrapWidth !== null && narrow.tableWidth <= narrow.wrapWidth, `the table (${narrow.tableWidth} px) fits its place (${narrow.wrapWidth} px) without scrolling`);
    assert.ok(narrow.dirs.length >= 10, `directory cells: ${narrow.dirs.length}`);
    for (const d of narrow.dirs) {
      assert.equal(d.lines, 1, `one line: ${JSON.stringify(d)}`);
      assert.equal(d.title, d.text, 'the whole name is the title');
    }
    // The demo's long directory name is cut at 1280 px (so the title is what shows it whole).
    assert.ok(narrow.dirs.some((d) => d.cut), 'a long directory name is cut with an ellipsis');
    await shot(page, 'users-1280');

    const wide = await usersLayout(page, 1920);
    assert.ok(wide.pageWidth <= wide.viewport);
    assert.ok(wide.tableWidth >= wide.panelWidth - 2, `full width at 1920 px: table ${wide.tableWidth} px in a ${wide.panelWidth} px panel`);
    assert.ok(wide.dirs.every((d) => d.lines === 1));
  } finally {
    await page.setViewportSize({ width: 1360, height: 900 });
  }
});

/** Chooses `buffer` as the import file and presses Validate; the requests to the validate route it caused. */
async function validateFile(page, name, mimeType, buffer) {
  const sent = [];
  const onRequest = (r) => { if (r.url().includes('/api/import/validate')) sent.push(r.url()); };
  page.on('request', onRequest);
  try {
    await openTab(page, 'import');
    await page.getByLabel('Users CSV').setInputFiles({ name, mimeType, buffer });
    await page.getByRole('button', { name: 'Validate' }).click();
    await page.locator('[data-testid="import-result"] [data-testid="error"], [data-testid="import-summary"]').first().waitFor();
    return sent;
  } finally { page.off('request', onRequest); }
}

// The first bytes of a PNG (signature, IHDR) and then noise: what an admin who picked the wrong file uploads.
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d4948445200000010000000100806000000', 'hex'), randomBytes(4096)]);

test('a binary file is refused as not a CSV text file, before any row is checked, and no row reads valid', async () => {
  const { page } = browser;
  for (const [name, buffer, why] of [
    ['photo.png', PNG, /byte 9 is a NUL byte/],
    // Random bytes with every NUL replaced: what is left is still not UTF-8 text.
    ['noise.csv', Buffer.from([...Buffer.from('username,email\n'), ...randomBytes(4096).map((b) => (b === 0 ? 0xff : b | 0x80))]), /bytes that are not UTF-8 text/],
  ]) {
    const sent = await validateFile(page, name, name.endsWith('.png') ? 'image/png' : 'text/csv', buffer);
    const error = page.locator('[data-testid="import-result"] [data-testid="error"]');
    const text = await error.innerText();
    assert.match(text, new RegExp(`“${name.replace('.', '\\.')}” is not a CSV text file`), text);
    assert.match(text, why);
    assert.match(text, /Nothing was checked and nothing changed\./);
    assert.deepEqual(sent, [], 'the server was never asked to check it');
    assert.equal(await page.locator('[data-testid="import-row"]').count(), 0, 'no row listed, so none reads valid');
    assert.equal(await page.getByTestId('apply-import').count(), 0);
  }
});

test('the active field error lists every spelling the import reads: true/false, yes/no, y/n, 1/0, active/inactive', async () => {
  const { page } = browser;
  const csv = 'username,email,display name,groups,active,directory\n'
    + 'leftover.a,leftover.a@example.test,Leftover A,,maybe,\nleftover.b,leftover.b@example.test,Leftover B,, Y ,\nleftover.c,leftover.c@example.test,Leftover C,,INACTIVE,\n';
  const sent = await validateFile(page, 'users.csv', 'text/csv', Buffer.from(csv));
  assert.equal(sent.length, 1);
  const problems = await page.getByTestId('problem').allInnerTexts();
  assert.equal(problems.length, 1, `only "maybe" is refused: ${problems}`);
  assert.match(problems[0], /^Line 2\s+active\s+expected true\/false, yes\/no, y\/n, 1\/0 or active\/inactive \(any case\)$/, problems[0]);
});

test('"days before the action" has one home, the policy: the template shows it derived, and both previews use the policy\'s days', async () => {
  const { page } = browser;
  // The template's stored timing says 3 days; the policy that sends it says 11. The policy decides.
  const version = (await api(page, 'templates')).body.configVersion;
  const made = await apiSend(page, 'POST', 'templates', {
    id: 'leftover-warning', name: 'Leftover warning', kind: 'warning', timing: { type: 'before_action', days: 3 },
    subject: 'We will {{action}} on {{action_date}}', htmlBody: '<p>In {{days_until_action}} days, on {{action_date}}.</p>', bcc: [], enabled: true,
    configVersion: version,
  });
  assert.equal(made.status, 201, made.text);
  const policy = await createPolicy(page, { ...safePolicy('leftover-warned', 'Leftover warned'), warning: { daysBefore: 11, template: 'leftover-warning' } });
  assert.equal(policy.status, 201, policy.text);
  const inDays = (n) => [isoDay(Date.now() + n * DAY), isoDay(Date.now() + n * DAY + 60_000)];

  await openTab(page, 'notifications');
  const row = page.locator('[data-testid="template-row"][data-template="leftover-warning"]');
  assert.equal(await row.getByTestId('template-timing').innerText(), '11 days before the action of Leftover warned');
  await page.getByRole('button', { name: 'Edit Leftover warning' }).click();
  const form = page.getByRole('form', { name: 'Template' });
  await form.waitFor();
  // No editable timing in the template: no number field, no timing choice.
  assert.equal(await form.locator('input[type="number"], select[name="timing"], input[name="timingDays"]').count(), 0);
  assert.match(await form.getByTestId('template-timing').innerText(), /11 days before the action of Leftover warned\. Each policy sets its days on its warning rule/);
  assert.match(await page.getByLabel('Preview as sent by').locator('option:checked').innerText(), /^Leftover warned \(11 days before\)$/);
  const live = page.getByTestId('live-preview').getByTestId('preview-html');
  await page.waitForFunction(() => /In 11 days/.test(document.querySelector('[data-testid="live-preview"] [data-testid="preview-html"]')?.textContent ?? ''));
  const liveText = await live.innerText();
  assert.ok(inDays(11).some((d) => liveText.includes(`In 11 days, on ${d}.`)), liveText);

  // The policy editor has the one editable field; its preview renders the draft's days.
  await page.goto(`${server.url}#/automation/edit/leftover-warned`);
  const daysField = page.getByLabel('Days before the action', { exact: true });
  await daysField.waitFor();
  assert.equal(await page.locator('input[name="warnDays"]').count(), 1);
  await daysField.fill('12');
  await page.getByTestId('preview-warning-mail').click();
  const dialog = page.getByRole('dialog', { name: 'Preview: Leftover warning' });
  const html = dialog.getByTestId('preview-html');
  await page.waitForFunction(() => /In 12 days/.test(document.querySelector('[role="dialog"] [data-testid="preview-html"]')?.textContent ?? ''));
  const text = await html.innerText();
  assert.ok(inDays(12).some((d) => text.includes(`In 12 days, on ${d}.`)), text);
  assert.match(await dialog.innerText(), /its warning goes out 12 days before its action/);
  await page.keyboard.press('Escape');
});

test('server messages with backticks read with typographic quotes in a picker and on Access (one formatter)', async () => {
  const { page } = browser;
  // A picker's search answered with a real server error: the request is sent as asked plus a `name`,
  // which the server refuses in words that quote both parameters.
  const rewrite = (route) => {
    const u = new URL(route.request().url());
    if (u.searchParams.get('q')) u.searchParams.append('name', 'x');
    return route.continue({ url: u.href });
  };
  await page.route('**/api/pick/groups?*', rewrite);
  try {
    await openTab(page, 'users');
    const input = page.getByLabel('Member of', { exact: true });
    await input.fill('jira');
    const status = page.locator('.sw-picker').filter({ has: input }).locator('.sw-picker-status', { hasText: 'Search failed' });
    await status.waitFor();
    assert.equal(await status.innerText(), 'Search failed: query parameter “name” cannot be combined with “q”: search or resolve, not both');
  } finally {
    await page.unroute('**/api/pick/groups?*', rewrite);
  }

  // Access: a webhook's rules saved after someone else changed it: the 409's words, quoted.
  const made = await apiSend(page, 'POST', 'hooks', { name: 'Quote desk', capPerDay: 20, rules: [{ name: 'Staff', emailDomains: ['example.test'], activate: true }] });
  assert.equal(made.status, 201, made.text);
  await openTab(page, 'access');
  await page.getByRole('button', { name: 'Edit the rules of Quote desk' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByTestId('rules').waitFor();
  const hook = (await api(page, 'hooks')).body.items.find((x) => x.id === made.body.id);
  const theirs = await apiSend(page, 'PUT', `hooks/${encodeURIComponent(hook.id)}`, { ...hook.settings, name: 'Quote desk', capPerDay: 21, version: hook.version });
  assert.equal(theirs.status, 200, theirs.text);
  await dialog.getByRole('button', { name: 'Save rules' }).click();
  const msg = dialog.getByTestId('rules-message').locator('.sw-banner-error');
  await msg.waitFor();
  const text = await msg.innerText();
  assert.equal(text, `webhook “${hook.id}” was changed since you read it: reload it, then make your change again`);
  await page.keyboard.press('Escape');
});

// Last in this file: the page's clock stays fixed once set (Playwright cannot take it back).
test('just after midnight a login late yesterday reads "1 day ago", never "today", in the user detail', async () => {
  const { page } = browser;
  // The most recently active users; one whose last activity was in the afternoon (UTC) of its day.
  const rows = (await api(page, `users?filter=${enc({ status: 'active', sort: 'lastLogin', order: 'desc', pageSize: 100 })}`)).body.rows;
  const late = rows.find((r) => r.lastActivity !== null && r.lastActivity % DAY >= 12 * 3_600_000);
  assert.ok(late, 'the demo has a user last active in an afternoon');
  const midnight = Math.floor(late.lastActivity / DAY) * DAY + DAY;
  const now = midnight + 10 * 60_000; // 00:10 UTC the next day
  try {
    writeFileSync(clockFile, String(now));
    await page.clock.setFixedTime(new Date(now));
    assert.equal((await api(page, `users/${encodeURIComponent(late.key)}`)).body.row.inactiveBecause.days, 0, 'under 24 hours have passed');
    await page.goto(`${server.url}#/users?search=${encodeURIComponent(late.username)}&match=exact`);
    const link = page.getByTestId('users-table').getByRole('link', { name: late.username, exact: true });
    await link.click();
    const why = page.getByTestId('user-why-inactive');
    await why.waitFor();
    const text = await why.innerText();
    assert.match(text, new RegExp(`${isoDay(late.lastActivity)}, 1 day ago$`), text);
    assert.doesNotMatch(text, /today/);
    await page.keyboard.press('Escape');

    // The same user seen a day later: "2 days ago" (calendar days, as the date beside it).
    writeFileSync(clockFile, String(now + DAY));
    await page.clock.setFixedTime(new Date(now + DAY));
    await page.goto(`${server.url}#/users?search=${encodeURIComponent(late.username)}&match=exact&days=1`);
    await page.getByTestId('users-table').getByRole('link', { name: late.username, exact: true }).waitFor();
    const cell = page.getByTestId('row-reason');
    assert.match(await cell.innerText(), new RegExp(`${isoDay(late.lastActivity)}, 2 days ago$`));
  } finally {
    rmSync(clockFile, { force: true });
  }
});
