// The dashboard's activity trend (issue 24): the counts the server records once a day (active
// in the last 30 and 7 days as lines, in the last day as bars) drawn through axisChart with a
// value axis, dates, a legend and the same points as a table, all checked against the API.
// The demo organisation starts with 90 made-up past days (marked as demo data) and today's
// real record. A day without a record is a gap and no table row; before the first record the
// section says when the first point appears. The old "last seen per day" bars stay, titled for
// what they are.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, openBrowser, openTab, api, artifacts } from './harness.mjs';

let server; let browser;
before(async () => {
  server = await startServer();
  browser = await openBrowser(server);
});
after(async () => { await browser?.close(); await server?.stop(); });

const dayMs = 86_400_000;
const isoOf = (ms) => new Date(ms).toISOString().slice(0, 10);
const en = (iso, year) => new Date(`${iso}T00:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', ...(year ? { year: 'numeric' } : {}), timeZone: 'UTC' });
const fmt = (n) => (n === null ? '—' : n.toLocaleString('en'));

async function trendChart(page) {
  const section = page.getByTestId('activity-trend');
  const chart = section.getByTestId('trend-chart');
  await chart.waitFor();
  return { section, chart };
}

async function tableRows(section) {
  await section.getByText('Show as a table').click();
  return section.getByTestId('trend-chart-table').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
}

test('the trend charts the recorded days with axes, dates, a legend and the same points as a table', async () => {
  const { page } = browser;
  const history = (await api(page, 'activity/history?days=90')).body;
  const records = history.records;
  const demo = records.filter((r) => r.demo === true);
  const real = records.filter((r) => r.demo !== true);
  assert.equal(demo.length, 89, 'the demo starts with made-up past days, marked as demo data');
  assert.equal(real.length, 1, 'and today\'s real record');
  assert.equal(real[0].date, history.to);
  assert.equal(history.todayRecorded, true);
  assert.deepEqual(history.windows, [1, 7, 30]);
  // The trend's latest point is the dashboard's own count (one definition).
  const dash = (await api(page, 'dashboard?days=30')).body.figures;
  assert.equal(real[0].active30d, dash.activeInWindow);
  assert.equal(real[0].activeAccounts, dash.active);

  await openTab(page, 'dashboard');
  const { section, chart } = await trendChart(page);
  // Value axis: from 0 in equal round steps, the top tick the first to reach the highest value.
  const all = records.flatMap((r) => [r.active30d, r.active7d, r.active1d]);
  const max = Math.max(...all);
  const ticks = (await chart.locator('[data-testid="y-tick"]').allTextContents()).map((t) => Number(t.replace(/,/g, '')));
  assert.ok(ticks.length >= 2 && ticks[0] === 0, `ticks from 0: ${ticks}`);
  const step = ticks[1] - ticks[0];
  assert.ok(ticks.every((t, i) => i === 0 || t - ticks[i - 1] === step), `equal steps: ${ticks}`);
  assert.match(String(step), /^[125]0*$/, `a round step: ${step}`);
  assert.ok(ticks.at(-1) >= max && ticks.at(-2) < max, `the top tick ${ticks.at(-1)} is the first to reach ${max}`);
  // Dates: the first recorded day and today labelled, in order, day and month (a 90-day axis).
  const dates = await chart.locator('[data-testid="x-date"]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-date'), e.textContent]));
  assert.equal(dates[0][0], records[0].date, 'the first recorded day is labelled');
  assert.equal(dates.at(-1)[0], history.to, 'today is labelled');
  assert.ok(dates.length >= 3 && dates.length <= 8, `a readable number of dates: ${dates}`);
  assert.ok(dates.every(([iso], i) => i === 0 || iso > dates[i - 1][0]), 'dates in order');
  for (const [iso, text] of dates) assert.equal(text, en(iso, false));
  // Two lines, a bar per recorded day, and a legend naming the three series.
  assert.equal(await chart.locator('[data-series="sw-series-used"]').count(), 1, 'the 30-day line');
  assert.equal(await chart.locator('[data-series="sw-series-upper"]').count(), 1, 'the 7-day line');
  const bars = await chart.locator('[data-testid="day-bar"]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-date'), Number(e.getAttribute('data-value'))]));
  assert.deepEqual(bars, records.map((r) => [r.date, r.active1d]));
  const legend = await section.locator('.sw-legend li').allTextContents();
  assert.deepEqual(legend, ['Active in the last 30 days', 'Active in the last 7 days', 'Active in the last day']);
  // Each swatch has the colour of its series: the lines' stroke, the bars' fill (none transparent).
  const colours = await section.evaluate((s) => {
    const chart = s.querySelector('[data-testid="trend-chart"]');
    const swatches = [...s.querySelectorAll('.sw-legend .sw-swatch')].map((e) => getComputedStyle(e).backgroundColor);
    const drawn = [...chart.querySelectorAll('path.sw-chart-line')].map((e) => getComputedStyle(e).stroke);
    drawn.push(getComputedStyle(chart.querySelector('[data-testid="day-bar"]')).fill);
    return { swatches, drawn };
  });
  assert.deepEqual(colours.swatches, colours.drawn, 'the legend matches the chart');
  assert.equal(new Set(colours.drawn).size, 3, `three colours: ${colours.drawn}`);
  assert.ok(colours.swatches.every((c) => c !== 'rgba(0, 0, 0, 0)'), `no transparent swatch: ${colours.swatches}`);
  assert.match(await chart.getAttribute('aria-label'), new RegExp(`to ${en(history.to, false)}: highest active in the last 30 days ${fmt(Math.max(...records.map((r) => r.active30d)))} users`));
  // The latest figures in words, and the demo days said to be demo data.
  const latest = real[0];
  assert.equal(await section.getByTestId('trend-latest').innerText(),
    `On ${en(latest.date, true)}: ${fmt(latest.active30d)} of ${fmt(latest.activeAccounts)} active accounts were active in the last 30 days, ${fmt(latest.active7d)} in the last 7 days and ${fmt(latest.active1d)} in the last day.`);
  assert.match(await section.getByTestId('trend-demo-note').innerText(), new RegExp(`the 89 days before ${en(latest.date, true)} were made up by the demo organisation`));
  // The documented picture: the section as an admin first sees it (table closed).
  await page.locator('section.sw-section', { has: section }).screenshot({ path: path.join(artifacts, 'dashboard-activity-trend.png') });
  // The same points as a table: every recorded day.
  const rows = await tableRows(section);
  assert.deepEqual(rows, records.map((r) => [r.date, fmt(r.active30d), fmt(r.active7d), fmt(r.active1d)]));
  // The last-activity bars stay, titled for what they are.
  const seen = page.locator('section', { has: page.getByTestId('seen-chart') });
  assert.equal(await seen.locator('h2').innerText(), 'When users were last active');
  assert.match(await seen.getByTestId('seen-chart-note').innerText(), /counts once, on the day of their latest activity/);
});

test('a day without a record is a gap and no table row, never a zero', async () => {
  const { page } = browser;
  const history = (await api(page, 'activity/history?days=90')).body;
  const missing = history.records[40];
  const answer = { ...history, records: history.records.filter((r) => r.date !== missing.date) };
  await page.route('**/api/activity/history*', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(answer) }));
  try {
    await openTab(page, 'dashboard');
    const { section, chart } = await trendChart(page);
    // Each line breaks at the missing day: two pieces, no point drawn at zero.
    for (const cls of ['sw-series-used', 'sw-series-upper']) {
      const d = await chart.locator(`[data-series="${cls}"]`).getAttribute('d');
      assert.equal((d.match(/M/g) ?? []).length, 2, `${cls} breaks once: ${d.slice(0, 80)}`);
    }
    const bars = await chart.locator('[data-testid="day-bar"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-date')));
    assert.ok(!bars.includes(missing.date), 'no bar on the missing day');
    assert.equal(bars.length, history.records.length - 1);
    const rows = await tableRows(section);
    assert.ok(!rows.some((r) => r[0] === missing.date), 'no row for the missing day');
    assert.equal(rows.length, history.records.length - 1);
  } finally {
    await page.unroute('**/api/activity/history*');
  }
});

test('before the first record the trend says when its first point appears', async () => {
  const { page } = browser;
  const history = (await api(page, 'activity/history?days=90')).body;
  const empty = { ...history, records: [], firstRecorded: null, todayRecorded: false, nextRecord: history.to };
  await page.route('**/api/activity/history*', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(empty) }));
  try {
    await openTab(page, 'dashboard');
    const message = page.getByTestId('activity-trend').getByTestId('trend-empty');
    await message.waitFor();
    const text = await message.innerText();
    assert.match(text, /No activity recorded yet/);
    assert.match(text, new RegExp(`the first point, for ${en(history.to, true)}, appears at the scheduler's next check`));
    assert.equal(await page.getByTestId('activity-trend').getByTestId('trend-chart').count(), 0);
  } finally {
    await page.unroute('**/api/activity/history*');
  }
  // A refused range is an error in words (not a 5xx, not a silent default).
  const bad = await api(page, 'activity/history?days=0');
  assert.equal(bad.status, 400);
  assert.match(bad.body.error.message, /`days` must be between 1 and 3650/);
});

test('the trend period chooses how far back the chart reaches, and the table follows', async () => {
  const { page } = browser;
  browser.consoleErrors.length = 0; // the test before asked for a refused range on purpose
  await openTab(page, 'dashboard');
  const period = page.getByLabel('Trend period');
  assert.equal(await period.inputValue(), '90', 'the trend starts at 90 days');
  const trend = page.getByTestId('activity-trend');
  for (const days of ['30', '365', '90']) {
    const history = (await api(page, `activity/history?days=${days}`)).body;
    await period.selectOption(days);
    await page.locator('[data-testid="activity-trend"][aria-busy="false"]').waitFor();
    const { section, chart } = await trendChart(page);
    const bars = await chart.locator('[data-testid="day-bar"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-date')));
    assert.deepEqual(bars, history.records.map((r) => r.date), `${days} days: a bar per recorded day of the period`);
    const rows = await tableRows(section);
    assert.deepEqual(rows.map((r) => r[0]), history.records.map((r) => r.date), `${days} days: the table has the same days`);
    await section.getByText('Show as a table').click();
  }
  // 30 days is the last 30 of the demo's 90.
  const thirty = (await api(page, 'activity/history?days=30')).body.records;
  assert.equal(thirty.length, 30);
  assert.equal(await trend.getByTestId('trend-chart').count(), 1);
  assert.deepEqual(browser.consoleErrors, []);
});
