// Licence history, forecast and what-if (issue 22): a live bulk run frees seats, the
// dashboard's 12-month chart shows the seats used with the licence limit and marks the
// run; the forecast shows both curves with their assumptions in words; the policy
// editor's what-if slider answers "with N instead of M days"; prices are edited in Settings
// (refused with reasons beside the boxes, version-checked) and shown read-only on the report.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, openBrowser, openTab, shot, api, apiSend, createPolicy, settle } from './harness.mjs';

let server; let browser;
before(async () => {
  server = await startServer();
  browser = await openBrowser(server);
});
after(async () => { await browser?.close(); await server?.stop(); });

test('the dashboard charts the licence history with its limit and marks the run that freed seats', async () => {
  const { page } = browser;
  // Three licensed, active users deactivated by a live bulk run.
  const users = (await api(page, `users?filter=${encodeURIComponent(JSON.stringify({ status: 'active', licence: 'licensed', directories: [1], pageSize: 10 }))}`)).body;
  const keys = (users.rows ?? []).slice(0, 3).map((r) => r.key);
  assert.equal(keys.length, 3, JSON.stringify(users).slice(0, 300));
  const plan = await apiSend(page, 'POST', 'bulk/plan', { action: 'deactivate', keys });
  assert.equal(plan.status, 200, plan.text);
  const ran = await apiSend(page, 'POST', `bulk/${plan.body.planId}/run`, { planHash: plan.body.planHash });
  assert.equal(ran.status, 202, ran.text);
  const done = await settle(page, ran.body.runId);
  assert.equal(done.status, 'succeeded');

  const history = (await api(page, 'licences/history?days=365')).body;
  assert.ok(history.records.length > 0, 'the live run wrote today\'s records');
  assert.ok(history.freed.some((f) => f.run === ran.body.runId && f.accounts === 3), JSON.stringify(history.freed));

  await openTab(page, 'dashboard');
  const chart = page.getByTestId('history-chart').first();
  await chart.waitFor();
  assert.match(await chart.getAttribute('aria-label'), /over the last 12 months/);
  assert.equal(await chart.locator('[data-series="sw-series-used"]').count(), 1, 'a line of seats used');
  const limited = history.records.some((r) => r.limit !== null);
  if (limited) assert.ok(await page.getByTestId('history-chart').locator('[data-series="sw-series-limit"]').count() >= 1, 'the limit line');
  const marker = page.getByTestId('freed-marker').first();
  await marker.waitFor();
  assert.match(await marker.locator('title').textContent(), new RegExp(`run #${ran.body.runId} freed 3 accounts`));
  await shot(page, 'forecast-history');
});

test('the forecast shows both curves with their assumptions in words', async () => {
  const { page } = browser;
  const created = await createPolicy(page, {
    name: 'Forecast idle 60', enabled: true, mode: 'safe', condition: { kind: 'inactive', days: 60 }, action: { kind: 'deactivate' },
  });
  assert.equal(created.status, 201, created.text);
  const answer = (await api(page, 'forecast?days=90')).body;
  await openTab(page, 'dashboard');
  const forecast = page.getByTestId('forecast');
  await forecast.getByTestId('forecast-chart').first().waitFor();
  assert.match(await forecast.getByTestId('assumption-upper').innerText(), /nobody logs in again/i);
  // The earlier run freed accounts and none came back: a rate of 0 % is observed, so the likely curve is drawn.
  assert.equal(answer.forecast.returnRate, 0);
  assert.match(await forecast.getByTestId('assumption-likely').innerText(), /come back/);
  const first = forecast.getByTestId('forecast-chart').first();
  assert.equal(await first.locator('[data-series="sw-series-upper"]').count(), 1);
  assert.equal(await first.locator('[data-series="sw-series-likely"]').count(), 1);
  const app = answer.forecast.applications[0];
  const row = forecast.getByTestId('forecast-upper').first();
  assert.equal((await row.locator('td').first().innerText()).replace(/\D/g, ''), String(app.upper[0]));
  assert.ok(await forecast.getByTestId('run-out').first().innerText());
  await shot(page, 'forecast-curves');
});

// What an axis must show for a series: ticks from 0 in equal round steps up to at least the highest value.
async function assertValueAxis(chart, values) {
  const ticks = (await chart.locator('[data-testid="y-tick"]').allTextContents()).map((t) => Number(t.replace(/,/g, '')));
  const max = Math.max(0, ...values);
  assert.ok(ticks.length >= 2 && ticks[0] === 0, `ticks from 0: ${ticks}`);
  const step = ticks[1] - ticks[0];
  assert.ok(ticks.every((t, i) => i === 0 || t - ticks[i - 1] === step), `equal steps: ${ticks}`);
  assert.match(String(step), /^[125]0*$/, `a round step: ${step}`);
  assert.ok(ticks.at(-1) >= max && ticks.at(-2) < max + (max === 0 ? 1 : 0), `the top tick ${ticks.at(-1)} is the first to reach the highest value ${max}`);
}

async function dateLabels(chart) {
  return chart.locator('[data-testid="x-date"]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-date'), e.textContent]));
}

const dayMs = 86_400_000;
const isoOf = (ms) => new Date(ms).toISOString().slice(0, 10);
const en = (iso, year) => new Date(`${iso}T00:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', ...(year ? { year: 'numeric' } : {}), timeZone: 'UTC' });

test('the licence history and forecast charts have a value axis and dates that match their data, and the same points as a table', async () => {
  const { page } = browser;
  const history = (await api(page, 'licences/history?days=365')).body;
  const answer = (await api(page, 'forecast?days=90')).body;
  await openTab(page, 'dashboard');

  // History: one chart per application over the server's 365 days, the year on each date label.
  const app = history.records[0].application;
  const records = history.records.filter((r) => r.application === app);
  const figure = page.locator(`[data-testid="licence-history"] figure.sw-figure[data-application="${app}"]`);
  const chart = figure.getByTestId('history-chart');
  await chart.waitFor();
  await assertValueAxis(chart, records.flatMap((r) => [r.seatsUsed, r.limit ?? 0]));
  const hist = await dateLabels(chart);
  assert.equal(hist[0][0], history.from, 'the first day of the window is labelled');
  assert.equal(hist.at(-1)[0], history.to, 'today is labelled');
  assert.ok(hist.length >= 3 && hist.length <= 6, `a readable number of dates: ${hist}`);
  for (const [iso, text] of hist) assert.equal(text, en(iso, true), 'a 12-month axis carries the year');
  assert.ok(hist.every(([iso], i) => i === 0 || iso > hist[i - 1][0]), 'dates in order');
  assert.match(await chart.getAttribute('aria-label'), new RegExp(`to ${en(history.to, true)}: highest seats used`));
  await figure.getByText('Show as a table').click();
  const histRows = await figure.getByTestId('history-chart-table').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  const fmt = (n) => (n === null ? '—' : n.toLocaleString('en'));
  assert.deepEqual(histRows, records.map((r) => [r.date, fmt(r.seatsUsed), fmt(r.limit)]), 'the table lists every recorded day');
  await shot(page, 'forecast-history-axes');

  // Forecast: day 0 is the server's today, one date per day of the horizon.
  const a = answer.forecast.applications[0];
  const fig = page.locator(`[data-testid="forecast"] figure.sw-figure[data-application="${a.application}"]`);
  const fc = fig.getByTestId('forecast-chart');
  await fc.waitFor();
  await assertValueAxis(fc, [...a.upper, ...(a.likely ?? [])]);
  const fdates = await dateLabels(fc);
  const start = Math.floor(answer.forecast.now / dayMs) * dayMs;
  assert.equal(fdates[0][0], isoOf(start));
  assert.equal(fdates.at(-1)[0], isoOf(start + (a.upper.length - 1) * dayMs));
  for (const [iso, text] of fdates) assert.equal(text, en(iso, false), 'a 90-day axis: day and month');
  await shot(page, 'forecast-curves-axes');
  await fig.getByText('Show as a table').click();
  const fRows = await fig.getByTestId('forecast-chart-table').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.equal(fRows.length, a.upper.length, 'every forecast day');
  assert.deepEqual(fRows.map((r) => r.slice(0, 2)), a.upper.map((v, i) => [isoOf(start + i * dayMs), fmt(v)]));
  if (a.likely) assert.deepEqual(fRows.map((r) => r[2]), a.likely.map(fmt));
});

test('the policy editor\'s what-if slider answers with N instead of M days', async () => {
  const { page } = browser;
  const list = (await api(page, 'policies')).body.policies;
  const policy = list.map((p) => p.policy).find((p) => p.name === 'Forecast idle 60');
  assert.ok(policy, 'created by the previous test');
  await page.goto(`${server.url}#/automation/edit/${encodeURIComponent(policy.id)}`);
  const panel = page.getByTestId('whatif');
  await panel.waitFor();
  const slider = panel.getByLabel('Threshold in days for the what-if');
  await slider.fill('30');
  const summary = page.getByTestId('whatif-summary');
  await page.locator('[data-testid="whatif-summary"][data-days="30"]').waitFor();
  const text = await summary.innerText();
  assert.match(text, /^with 30 instead of 60 days: [+-]\d+ seats now, [+-]\d+ in 30 days$/);
  const direct = await apiSend(page, 'POST', `policies/${encodeURIComponent(policy.id)}/whatif`, { days: 30 });
  assert.equal(direct.body.summary, text);
  assert.ok(direct.body.whatIf.deltaNow >= 0, 'a lower threshold never frees fewer seats');
  // The slider explores only: the form still says 60 days.
  assert.equal(await page.getByLabel('Days without login').inputValue(), '60');
  await shot(page, 'forecast-whatif');
});

test('prices are edited in Settings, refused there with a reason beside each box, and shown read-only on the report', async () => {
  const { page } = browser;
  const apps = (await api(page, 'licences')).body.applications;
  const app0 = apps[0].application;
  await openTab(page, 'reports');
  // The report shows the prices read-only and links to Settings.
  await page.getByTestId('prices-read-only').waitFor();
  assert.equal(await page.getByTestId('costs-form').count(), 0, 'no price form on the report');
  await page.getByTestId('edit-prices').click();
  const prices = page.getByTestId('prices');
  await prices.waitFor();
  // Refused with reasons in words: unknown currency, negative and non-numeric prices; nothing saved.
  const before = (await api(page, 'settings')).body;
  await page.getByLabel('Currency (ISO 4217)').fill('EUE');
  await page.getByLabel(`Seat price of ${app0}`, { exact: true }).fill('-5');
  await page.getByLabel(`Cloud price of ${app0}`, { exact: true }).fill('eight');
  await page.getByRole('button', { name: 'Save settings' }).click();
  const row = prices.locator(`[data-testid="price-row"][data-application="${app0}"]`);
  await row.getByText('must not be negative').waitFor();
  await row.getByText('must be a number such as 52.50').waitFor();
  await prices.getByText('“EUE” is not a currency in circulation').waitFor();
  const after = (await api(page, 'settings')).body;
  assert.equal(after.configVersion, before.configVersion, 'a refused save changes nothing');
  // Fixed and saved: the settings' version moves on and the audit log has old → new.
  await page.getByLabel('Currency (ISO 4217)').fill('EUR');
  await page.getByLabel('Next renewal').fill('2027-06-30');
  for (const { application } of apps) {
    await page.getByLabel(`Seat price of ${application}`, { exact: true }).fill('52.50');
    await page.getByLabel(`Cloud price of ${application}`, { exact: true }).fill('8.60');
  }
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Settings saved').first().waitFor();
  const saved = (await api(page, 'settings')).body;
  assert.equal(saved.configVersion, before.configVersion + 1);
  assert.equal(saved.settings.costs.currency, 'EUR');
  assert.equal(saved.settings.costs.renewalDate, '2027-06-30');
  assert.deepEqual(saved.settings.costs.applications.map((a) => [a.application, a.seatPrice, a.cloudUserPrice]), apps.map((a) => [a.application, 52.5, 8.6]));
  const entries = (await api(page, 'audit?action=settings_changed&limit=20')).body.entries;
  assert.ok(entries.some((e) => /costs\.currency/.test(e.description) && /EUR/.test(e.description)), JSON.stringify(entries).slice(0, 600));
  // A stale version (another admin saved meanwhile) is refused with 409.
  const stale = await apiSend(page, 'PUT', 'settings', { settings: { ...saved.settings, costs: { ...saved.settings.costs, currency: 'USD' } }, configVersion: before.configVersion });
  assert.equal(stale.status, 409, stale.text);
  await openTab(page, 'reports');
  await page.getByTestId('prices-table').filter({ hasText: '52.50 EUR' }).waitFor();
  await shot(page, 'forecast-prices');
  // The refusals above were meant (one 422 from the form, one 409 from the stale save); nothing else failed.
  const meant = (e) => /\/api\/settings$/.test(e.split(' ').pop()) || /status of (422|409)/.test(e);
  const unexpected = browser.consoleErrors.filter((e) => !meant(e));
  assert.deepEqual(unexpected, []);
  assert.equal(browser.consoleErrors.filter((e) => e.startsWith('HTTP ')).length, 2, browser.consoleErrors.join('\n'));
  browser.consoleErrors.length = 0;
});

test('the report page prices the freed seats, exports the month as CSV and lists who not to migrate', async () => {
  const { page, consoleErrors } = browser;
  await openTab(page, 'reports');
  // The prices saved in Settings by the previous test.
  await page.locator('[data-testid="savings-applications"]').filter({ hasText: '52.50 EUR' }).waitFor();
  const savings = (await api(page, 'savings')).body;
  // The first test's live run freed seats this month; each is worth the seat price.
  const row = savings.applications.find((a) => a.seatsThisMonth >= 1);
  assert.ok(row, JSON.stringify(savings.applications));
  const app = row.application;
  assert.equal(row.valueThisMonth, Math.round(row.seatsThisMonth * 5250) / 100);
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('savings-csv').click()]);
  const text = readFileSync(await csv.path(), 'utf8');
  assert.match(text, /^month,kind,id,name,seatsFreedThisMonth,valueThisMonth,seatsFreedToDate,valueToDate,currency\r\n/);
  assert.ok(text.includes(`,application,${app},`), text);

  const plan = (await api(page, 'migration?idleDays=90')).body.plan;
  const product = plan.products.find((p) => p.application === app);
  assert.equal(product.monthlyCostLeftOut, Math.round(product.cloudSeatsLeftOut * 860) / 100);
  await page.getByTestId('migration-products').waitFor();
  const [list] = await Promise.all([page.waitForEvent('download'), page.getByTestId('migration-csv').click()]);
  const users = readFileSync(await list.path(), 'utf8');
  const lines = users.trim().split('\r\n');
  assert.equal(lines[0], 'UserKey,UserName,ErrorType,OldEmail,NewEmail,Tombstone,AccountType');
  assert.equal(lines.length - 1, plan.deactivated + plan.neverLoggedIn + plan.inactive);
  assert.ok(lines.slice(1).every((l) => l.endsWith(',TRUE,USER')));
  await shot(page, 'forecast-report');
  assert.deepEqual(consoleErrors, []);
});
