// Issue 24, list B: the Users tab keeps its filters in the URL (reload,
// back/forward and a shared link open the same view); the export is named
// after the filter and lists the table's order; a user's detail offers the
// actions of the bulk tool, through the same plan and confirmation; "Why
// inactive" is only filled in for inactive users; the dashboard's per-day
// chart has a value axis, date labels and a table. Every wait is on state
// (the total shown, the URL, the run's progress), never on time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, openBrowser, openTab, api, shot, confirmChange, pick, dismissFlags } from './harness.mjs';

let server; let browser;
before(async () => { server = await startServer({ users: 600 }); browser = await openBrowser(server); });
after(async () => { await browser?.close(); await server?.stop(); });

const enc = (f) => encodeURIComponent(JSON.stringify(f));
const totalOf = async (page, filter) => (await api(page, `users?filter=${enc(filter)}`)).body.total;
const totalShown = (page, n) => page.locator('[data-testid="user-total"]', { hasText: new RegExp(`^${n.toLocaleString('en')} users?$`) }).waitFor();
/** Waits until the Users table shows the page of `filter` (its first username). */
async function tableShows(page, filter) {
  const body = (await api(page, `users?filter=${enc(filter)}`)).body;
  await totalShown(page, body.total);
  if (body.rows[0]) await page.locator('[data-testid="user-row"]').first().locator('td').nth(1).filter({ hasText: body.rows[0].username }).waitFor();
  return body;
}
/** A licence group with members, to filter on. */
async function licenceGroup(page) {
  const groups = (await api(page, 'groups?withCounts=true')).body.groups;
  const g = groups.find((x) => x.licence && (x.members ?? 0) > 30);
  assert.ok(g, 'the demo has a licence group with members');
  return g.name;
}

test('filters, sort and page live in the URL: reload, back/forward and a shared link show the same view', async () => {
  const { page } = browser;
  const group = await licenceGroup(page);
  await openTab(page, 'users');
  await page.getByLabel('Status').selectOption('active');
  await page.getByLabel('Activity', { exact: true }).selectOption('notWithin');
  await page.getByLabel('Days', { exact: true }).fill('60');
  await pick(page, 'Member of', group);
  await page.getByLabel('Sort by').selectOption('lastLogin');
  await page.getByLabel('Order').selectOption('desc');
  await page.getByLabel('Rows per page').selectOption('10');
  const filter = { status: 'active', activity: { kind: 'notWithin', days: 60 }, includeGroups: [group], sort: 'lastLogin', order: 'desc', pageSize: 10 };
  const first = await tableShows(page, filter);
  assert.ok(first.total > 10, `more than one page (${first.total})`);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.locator('.sw-pager', { hasText: 'Page 2 of' }).waitFor();
  const second = await tableShows(page, { ...filter, page: 2 });
  const url = page.url();
  const q = new URLSearchParams(url.split('?')[1] ?? '');
  assert.deepEqual(Object.fromEntries(q), { status: 'active', activity: 'notWithin', days: '60', group, sort: 'lastLogin', order: 'desc', pageSize: '10', page: '2' }, url);

  // Reload: the same filters, fields and page.
  await page.reload();
  await page.locator('#sw-panel[data-loaded="users"]').waitFor();
  await tableShows(page, { ...filter, page: 2 });
  await page.locator('.sw-pager', { hasText: 'Page 2 of' }).waitFor();
  assert.equal(await page.getByLabel('Status').inputValue(), 'active');
  assert.equal(await page.getByLabel('Days', { exact: true }).inputValue(), '60');
  assert.equal(await page.getByLabel('Sort by').inputValue(), 'lastLogin');
  await page.locator('.sw-picker', { has: page.getByLabel('Member of', { exact: true }) }).locator('[data-testid="chip"]', { hasText: group }).waitFor();

  // Back: page 1; back again: the page size before it; forward twice: page 2 again.
  await page.goBack();
  await page.locator('.sw-pager', { hasText: 'Page 1 of' }).waitFor();
  await tableShows(page, filter);
  await page.goBack();
  await page.waitForFunction(() => !window.location.hash.includes('pageSize=10'));
  await tableShows(page, { ...filter, pageSize: 20 });
  assert.equal(await page.getByLabel('Rows per page').inputValue(), '20');
  await page.goForward();
  await page.goForward();
  await page.waitForFunction(() => window.location.hash.includes('page=2'));
  const again = await tableShows(page, { ...filter, page: 2 });
  assert.deepEqual(again.rows.map((r) => r.key), second.rows.map((r) => r.key));

  // A shared link opened in another browser (its own profile and sign-in) shows the same view.
  const other = await openBrowser(server);
  try {
    await other.page.goto(url);
    await other.page.locator('#sw-panel[data-loaded="users"]').waitFor();
    await tableShows(other.page, { ...filter, page: 2 });
    assert.equal(await other.page.getByLabel('Order').inputValue(), 'desc');
  } finally { await other.close(); }
  await shot(page, 'users-filters-in-url');
});

test('the export is named after the filter and lists the users in the table order', async () => {
  const { page } = browser;
  const group = await licenceGroup(page);
  await page.goto(`${server.url}#/users?activity=notWithin&days=90&group=${encodeURIComponent(group)}&sort=username&order=desc`);
  await page.locator('#sw-panel[data-loaded="users"]').waitFor();
  const filter = { activity: { kind: 'notWithin', days: 90 }, includeGroups: [group], sort: 'username', order: 'desc' };
  const shown = await tableShows(page, filter);
  await page.getByRole('button', { name: 'Export…' }).click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
  const slug = group.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  assert.equal(download.suggestedFilename(), `users-inactive-90d-group-${slug}.csv`);
  const lines = readFileSync(await download.path(), 'utf8').trim().split(/\r?\n/);
  const header = lines[0].split(',');
  const col = header.indexOf('username');
  const usernames = lines.slice(1).map((l) => l.split(',')[col]);
  assert.equal(usernames.length, shown.total);
  // The table's first page is the file's first rows, in the same (descending) order.
  assert.deepEqual(usernames.slice(0, shown.rows.length), shown.rows.map((r) => r.username));
  assert.deepEqual(usernames, [...usernames].sort((a, b) => b.localeCompare(a, 'en', { sensitivity: 'base' })), 'descending by username');
});

test('a user detail deactivates, reactivates and removes from a group through the plan and its confirmation', async () => {
  const { page } = browser;
  // An active user in a writable directory with a plain group, not protected.
  const dirs = (await api(page, 'directories')).body.directories;
  const writable = dirs.filter((d) => !d.readOnly).map((d) => d.id);
  const groups = (await api(page, 'groups?withCounts=false')).body.groups;
  const plain = groups.filter((g) => !g.admin && !g.licence).map((g) => g.name);
  const list = (await api(page, `users?filter=${enc({ status: 'active', directories: writable, includeGroups: plain, pageSize: 100 })}`)).body.rows;
  const user = list.find((r) => !r.groups.some((g) => /admin/i.test(g)));
  assert.ok(user, 'the demo has an ordinary active user');
  const group = user.groups.find((g) => plain.includes(g));
  const detail = async () => (await api(page, `users/${encodeURIComponent(user.key)}`)).body.row;

  const openDetail = async () => {
    await page.goto(`${server.url}#/users?search=${encodeURIComponent(user.username)}&match=exact`);
    await page.locator('#sw-panel[data-loaded="users"]').waitFor();
    await totalShown(page, 1);
    await page.locator('[data-testid="user-row"] a', { hasText: user.username }).click();
    await page.getByTestId('user-actions').waitFor();
  };
  const runToEnd = async () => {
    await dismissFlags(page);
    const summary = await confirmChange(page);
    await page.getByRole('dialog').locator('[data-testid="run-progress"][data-status="succeeded"]').waitFor({ timeout: 60_000 });
    await page.getByRole('dialog').getByRole('button', { name: 'Close dialog' }).click();
    return summary;
  };

  await openDetail();
  await page.getByRole('button', { name: 'Deactivate…' }).click();
  // The bulk tool's plan for this one user, with the same confirmation.
  await page.getByRole('dialog').locator('[data-testid="plan"]').waitFor();
  assert.match(await runToEnd(), /This changes 1 user: 1 deactivate\./);
  assert.equal((await detail()).active, false);

  await openDetail();
  await page.getByRole('button', { name: 'Reactivate…' }).click();
  await page.getByRole('dialog').locator('[data-testid="plan"]').waitFor();
  await runToEnd();
  assert.equal((await detail()).active, true);

  await openDetail();
  await page.getByLabel('Their group').selectOption(group);
  await page.getByRole('button', { name: 'Remove from group…' }).click();
  await page.getByRole('dialog').locator('[data-testid="plan"]').waitFor();
  await dismissFlags(page);
  await shot(page, 'user-detail-action-plan');
  await runToEnd();
  assert.ok(!(await detail()).groups.includes(group), `${group} removed`);
  // Audited like a bulk action.
  const audit = (await api(page, `audit?action=removed_from_group&target=${encodeURIComponent(user.username)}`)).body.entries;
  assert.ok(audit.length >= 1, 'the removal is audited');
});

test('"Why inactive" is filled in only for inactive users', async () => {
  const { page } = browser;
  await page.goto(`${server.url}#/users?status=active&activity=within&days=30&pageSize=50`);
  await page.locator('#sw-panel[data-loaded="users"]').waitFor();
  await tableShows(page, { status: 'active', activity: { kind: 'within', days: 30 }, pageSize: 50 });
  const active = await page.locator('[data-testid="row-reason"]').allTextContents();
  assert.ok(active.length > 0 && active.every((t) => t === '—'), `active users have no reason: ${active}`);
  await page.goto(`${server.url}#/users?status=active&activity=notWithin&days=30&pageSize=50`);
  await tableShows(page, { status: 'active', activity: { kind: 'notWithin', days: 30 }, pageSize: 50 });
  const idle = await page.locator('[data-testid="row-reason"]').allTextContents();
  assert.ok(idle.length > 0 && idle.every((t) => /ago/.test(t)), `idle users say why: ${JSON.stringify(idle)}`);
});

test('the dashboard chart has a value axis with round ticks, date labels and the same numbers as a table', async () => {
  const { page } = browser;
  await openTab(page, 'dashboard');
  const series = (await api(page, 'dashboard?days=30')).body.figures.lastSeenPerDay;
  const chart = page.getByTestId('seen-chart');
  await chart.waitFor();
  const ticks = (await chart.locator('[data-testid="y-tick"]').allTextContents()).map((t) => Number(t.replace(/,/g, '')));
  const max = Math.max(...series.map((d) => d.users));
  assert.ok(ticks.length >= 2 && ticks[0] === 0, `ticks from 0: ${ticks}`);
  assert.ok(ticks.every((t, i) => i === 0 || t > ticks[i - 1]), `ascending: ${ticks}`);
  assert.ok(ticks[ticks.length - 1] >= max, `the top tick ${ticks.at(-1)} reaches the highest day ${max}`);
  const dates = await chart.locator('[data-testid="x-date"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-date')));
  assert.equal(dates[0], series[0].date, 'the first day is labelled');
  assert.equal(dates.at(-1), series.at(-1).date, 'the last day is labelled');
  assert.ok(dates.length >= 3 && dates.length <= 8, `a readable number of dates: ${dates}`);
  assert.equal(await chart.locator('[data-testid="day-bar"]').count(), series.length);
  // The accessible name says what the chart shows; the table has every day.
  assert.match(await chart.getAttribute('aria-label'), /Users last seen per day, .* highest/);
  // The licence history and forecast charts have their own tables: open this chart's.
  await page.locator('figure.sw-axis-figure', { has: chart }).getByText('Show as a table').click();
  const rows = await page.getByTestId('seen-chart-table').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.cells[0].textContent, Number(tr.cells[1].textContent.replace(/,/g, ''))]));
  assert.deepEqual(rows, series.map((d) => [d.date, d.users]));
  await shot(page, 'dashboard-chart-axes');
});
