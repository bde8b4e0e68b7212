// Audit: a summary card counts the last 24 h, and clicking it shows the runs
// of that window only. A run is moved two days into the past by stopping the
// server and rewriting its start in the store, then the server is restarted
// on the same data folder.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { startServer, openBrowser, openTab, shot, api, apiSend, createPolicy, settle } from './harness.mjs';

const DAY = 86_400_000;
let server; let browser; let data;
after(async () => { await browser?.close(); await server?.stop(); if (data) rmSync(data, { recursive: true, force: true }); });

/** Moves run `id`'s start (and finish) `ms` into the past in every SQLite file of `dir` that has a runs table. */
function backdate(dir, id, ms) {
  const script = `
import sqlite3, sys, os
dir, rid, shift = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
done = 0
for root, _, files in os.walk(dir):
    for f in files:
        p = os.path.join(root, f)
        try:
            with open(p, 'rb') as fh:
                if fh.read(16) != b'SQLite format 3\\x00':
                    continue
            db = sqlite3.connect(p)
            cols = [r[1] for r in db.execute("PRAGMA table_info(runs)")]
            if 'started_at' not in cols:
                db.close(); continue
            sets = ', '.join(f"{c} = {c} - ?" for c in ('started_at', 'finished_at') if c in cols)
            n = len([c for c in ('started_at', 'finished_at') if c in cols])
            done += db.execute(f"UPDATE runs SET {sets} WHERE id = ?", [shift] * n + [rid]).rowcount
            db.commit(); db.close()
        except sqlite3.DatabaseError:
            pass
print(done)
`;
  return Number(execFileSync('/usr/bin/python3', ['-c', script, dir, String(id), String(ms)]).toString().trim());
}

async function runPolicy(page, id) {
  const r = await apiSend(page, 'POST', `policies/${id}/run`);
  assert.equal(r.status, 202, r.text);
  await settle(page, r.body.runId);
  return r.body.runId;
}

test('a summary card shows only the runs of its 24 h window', async () => {
  server = await startServer();
  data = server.data;
  browser = await openBrowser(server);
  let { page } = browser;
  const created = await createPolicy(page, { name: 'Window probe', action: { kind: 'deactivate' }, condition: { kind: 'inactive', days: 60 } });
  assert.equal(created.status, 201, created.text);
  const policy = created.body.policy.id;
  const old = await runPolicy(page, policy);
  await browser.close(); browser = null;
  await server.stop({ keep: true }); server = null;
  assert.equal(backdate(data, old, 2 * DAY), 1, 'the old run was moved back');

  server = await startServer({ data });
  browser = await openBrowser(server);
  ({ page } = browser);
  const fresh = await runPolicy(page, policy);
  const oldRun = (await api(page, `runs/${old}`)).body.run;
  assert.ok(oldRun.startedAt < Date.now() - DAY, `the old run started more than a day ago: ${JSON.stringify(oldRun)}`);

  await openTab(page, 'audit');
  const rows = page.locator('[data-testid="run-row"]');
  // Unfiltered, both runs are listed.
  await page.locator(`[data-testid="run-row"][data-run="${old}"]`).waitFor();
  await page.getByTestId('audit-card-operations').focus();
  await page.keyboard.press('Enter');
  await page.locator('#sw-panel[data-loaded="audit"]').waitFor();
  await page.locator(`[data-testid="run-row"][data-run="${fresh}"]`).waitFor();
  await page.getByTestId('runs-window').waitFor();
  const ids = await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-run'))));
  assert.ok(!ids.includes(old), `the run from two days ago is outside the card's window: ${ids}`);
  const summary = (await api(page, 'audit/summary')).body;
  assert.equal(ids.length, summary.operations, 'the list holds as many runs as the card counts');
  await shot(page, 'audit-card-window');

  // The window can be dropped: all times again.
  await page.getByRole('button', { name: 'Show runs from any time' }).click();
  await page.locator(`[data-testid="run-row"][data-run="${old}"]`).waitFor();
  assert.equal(await page.getByTestId('runs-window').count(), 0);
  assert.deepEqual(browser.consoleErrors, []);
});
