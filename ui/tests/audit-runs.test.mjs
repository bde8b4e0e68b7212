// Audit: the runs view pages on the server, filters by operation kind, and
// expands a run in place to its actions with reasons and outcomes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, openTab, shot, api, apiSend, createPolicy, settle, flagShown, dismissFlags } from './harness.mjs';

let server; let browser;
before(async () => { server = await startServer(); browser = await openBrowser(server); });
after(async () => { await browser?.close(); await server?.stop(); });

test('runs page, filter by kind and expand to their actions', async () => {
  const { page } = browser;
  // Eleven safe-mode runs of one policy (scheduled cleanup) …
  const created = await createPolicy(page, { name: 'Audit runs probe', action: { kind: 'deactivate' }, condition: { kind: 'inactive', days: 60 } });
  assert.equal(created.status, 201, created.text);
  const id = created.body.policy.id;
  for (let i = 0; i < 11; i += 1) {
    const r = await apiSend(page, 'POST', `policies/${id}/run`);
    assert.equal(r.status, 202, r.text);
    await settle(page, r.body.runId);
  }
  // … and one bulk action that really changes something.
  const groups = (await api(page, 'groups?withCounts=false')).body.groups;
  const tag = groups.find((g) => !g.admin && !g.licence).name;
  const candidates = (await api(page, `users?filter=${encodeURIComponent(JSON.stringify({ excludeGroups: [tag], status: 'active', directories: [1], pageSize: 10 }))}`)).body.rows;
  const plan = await apiSend(page, 'POST', 'bulk/plan', { action: 'add_to_groups', groups: [tag], keys: candidates.slice(0, 3).map((u) => u.key) });
  assert.equal(plan.status, 200, plan.text);
  const bulk = await apiSend(page, 'POST', `bulk/${plan.body.planId}/run`, { planHash: plan.body.planHash });
  assert.equal(bulk.status, 202, bulk.text);
  await settle(page, bulk.body.runId);

  await openTab(page, 'audit');
  await page.getByLabel('Runs per page').selectOption('10');
  await page.getByLabel('Operation', { exact: true }).selectOption('scheduled_cleanup');
  const rows = page.locator('[data-testid="run-row"]');
  await page.locator('[data-testid="runs-page"]', { hasText: 'Page 1' }).waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="run-row"]')].every((r) => r.getAttribute('data-kind') === 'scheduled_cleanup'));
  assert.equal(await rows.count(), 10, 'a full first page');
  const first = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-run')));
  const apiFirst = (await api(page, 'runs?kind=scheduled_cleanup&limit=10')).body.runs.map((r) => String(r.id));
  assert.deepEqual(first, apiFirst, 'the page is the server’s page, newest first');
  await page.getByRole('button', { name: 'Older' }).click();
  await page.locator('[data-testid="runs-page"]', { hasText: 'Page 2' }).waitFor();
  const second = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-run')));
  assert.ok(second.length >= 1, 'the eleventh run is on page 2');
  assert.ok(second.every((r) => !first.includes(r)), 'pages do not overlap');
  await page.getByRole('button', { name: 'Newer' }).click();
  await page.locator('[data-testid="runs-page"]', { hasText: 'Page 1' }).waitFor();

  // Filter to bulk actions: exactly the one bulk run.
  await page.getByLabel('Operation', { exact: true }).selectOption('manual_bulk_action');
  await page.locator(`[data-testid="run-row"][data-run="${bulk.body.runId}"]`).waitFor();
  assert.equal(await rows.count(), 1);
  assert.equal(await rows.first().getAttribute('data-kind'), 'manual_bulk_action');

  // Expand it: its actions with reasons and outcomes.
  const toggle = page.getByRole('button', { name: `Details of run ${bulk.body.runId}` });
  assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  const detail = page.locator(`[data-testid="run-detail"][data-run="${bulk.body.runId}"]`);
  await detail.locator('[data-testid="run-action"]').first().waitFor();
  const actions = (await api(page, `runs/${bulk.body.runId}/actions`)).body;
  assert.equal(await detail.locator('[data-testid="run-action"]').count(), actions.actions.length);
  const reasons = await detail.locator('[data-testid="action-reason"]').allTextContents();
  assert.ok(reasons.every((r) => /bulk action/.test(r)), `each action says why: ${reasons}`);
  const outcomes = await detail.locator('[data-testid="action-outcome"]').allTextContents();
  assert.ok(outcomes.every((o) => o.trim().length > 0), 'each action shows its outcome');
  assert.ok(outcomes.some((o) => !/not applied/.test(o)), `the applied actions have outcomes: ${outcomes}`);
  await shot(page, 'audit-run-expanded');
  await toggle.click();
  assert.equal(await detail.isHidden(), true, 'the details collapse again');

  // A summary card opens the runs with its status.
  await page.getByTestId('audit-card-succeeded').click();
  await page.locator('#sw-panel[data-loaded="audit"]').waitFor();
  await page.locator(`[data-testid="run-row"][data-run="${bulk.body.runId}"]`).waitFor();
  assert.equal(await page.getByLabel('Run status').inputValue(), 'succeeded');
  const statuses = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
  assert.ok(statuses.length > 0 && statuses.every((x) => x === 'succeeded'), `only succeeded runs: ${statuses}`);
  assert.deepEqual(browser.consoleErrors, []);
});

test('an older runs request answered last never replaces the filtered list (page size, then operation, answered out of order)', async () => {
  const { page } = browser;
  // A fresh page: the runs filters start from "any operation".
  await page.reload();
  await page.locator('#sw-panel[data-loaded]').waitFor();
  // Hold every unfiltered runs list request until the filtered one has been shown (the held-runs banner's own
  // request asks for awaiting_approval and passes).
  const held = [];
  let holding = true;
  const unfiltered = (url) => url.pathname.endsWith('/api/runs') && !url.searchParams.get('kind') && url.searchParams.get('status') !== 'awaiting_approval';
  await page.route(unfiltered, (route) => { if (holding) held.push(route); else void route.continue(); });
  try {
    await openTab(page, 'audit');
    await page.getByLabel('Runs per page').selectOption('10');
    await page.waitForFunction(() => document.querySelector('[data-testid="runs"]')?.getAttribute('aria-busy') === 'true');
    await page.getByLabel('Operation', { exact: true }).selectOption('scheduled_cleanup');
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-testid="run-row"]')];
      return rows.length > 0 && rows.every((r) => r.getAttribute('data-kind') === 'scheduled_cleanup');
    });
    assert.ok(held.length >= 2, `the first load and the page-size change were held: ${held.length}`);
    // Now the older answers arrive, last.
    holding = false;
    for (const route of held) await route.continue();
    await page.locator('[data-testid="runs"][aria-busy="false"]').waitFor();
  } finally {
    holding = false;
    await page.unroute(unfiltered);
  }
  const shown = await page.locator('[data-testid="run-row"]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-run'), e.getAttribute('data-kind')]));
  const apiFirst = (await api(page, 'runs?kind=scheduled_cleanup&limit=10')).body.runs.map((r) => String(r.id));
  assert.deepEqual(shown.map(([id]) => id), apiFirst, 'the list is still the filtered page');
  assert.ok(shown.every(([, kind]) => kind === 'scheduled_cleanup'), `only scheduled cleanups: ${shown}`);
  assert.equal(await page.getByLabel('Operation', { exact: true }).inputValue(), 'scheduled_cleanup');
  assert.deepEqual(browser.consoleErrors, []);
});

test('retention saves twice in a row with a flag each, a cancelled lowering says so, and a stale form gets a conflict and changes nothing', async () => {
  const { page } = browser;
  await openTab(page, 'audit');
  const days = page.getByLabel('Keep entries for (days)');
  const save = page.getByRole('button', { name: 'Save retention' });
  const retentionMsg = page.getByTestId('retention-msg');
  const before = (await api(page, 'audit/retention')).body.days;
  await days.fill('120');
  await save.click();
  // Lowering retention deletes older entries: the dialog asks for the number typed.
  await page.getByLabel('Type 120 to confirm').fill('120');
  await page.getByTestId('confirm-retention').click();
  // The result is a flag at the top (issue 24), saying what the lowering does.
  assert.equal(await flagShown(page, 'Audit retention lowered to 120 days'), 'success');
  const lowered = page.locator('.sw-flag', { hasText: 'Audit retention lowered to 120 days' });
  assert.match(await lowered.innerText(), new RegExp(`older than 120 days are deleted at the next scheduler run \\(they were kept for ${before} days\\)`));
  await dismissFlags(page);
  // The form keeps the version the save answered, so a second save is not stale.
  await days.fill('150');
  await save.click();
  assert.equal(await flagShown(page, 'Audit retention saved: entries kept for 150 days'), 'success');
  assert.equal(await retentionMsg.locator('[data-testid="error"]').count(), 0, 'the second save was not refused');
  assert.equal((await api(page, 'audit/retention')).body.days, 150);
  await dismissFlags(page);
  // A lowering cancelled at its confirmation changes nothing, and a flag says so.
  await days.fill('30');
  await save.click();
  await page.getByLabel('Type 30 to confirm').waitFor();
  await page.keyboard.press('Escape');
  assert.equal(await flagShown(page, 'Audit retention not changed'), 'info');
  assert.equal((await api(page, 'audit/retention')).body.days, 150);
  await dismissFlags(page);
  // Another admin changes the configuration meanwhile.
  const current = (await api(page, 'audit/retention')).body;
  const other = await apiSend(page, 'PUT', 'audit/retention', { days: 200, configVersion: current.configVersion });
  assert.equal(other.status, 200, other.text);
  await days.fill('7');
  await save.click();
  await page.getByLabel('Type 7 to confirm').fill('7');
  await page.getByTestId('confirm-retention').click();
  assert.equal(await flagShown(page, 'Audit retention not saved'), 'error');
  const error = retentionMsg.locator('[data-testid="error"]');
  await error.waitFor();
  assert.match(await error.textContent(), /changed since it was read/);
  assert.equal((await api(page, 'audit/retention')).body.days, 200, 'the stale save changed nothing');
  await shot(page, 'audit-retention-conflict');
});
