// Licence history chart, forecast curves and the policy editor's what-if (docs/forecast.md).
//
// The charts are drawn by `../chart` (axisChart), the same code as the dashboard's: a value
// axis with round ticks, date labels, a line per series (the limit dashed), markers for the
// days runs freed seats, an aria-label that says what it shows and "Show as a table" with
// the same points, so nothing is only visible.

import { h, clear, fmtNum } from '../dom';
import { get, post, type Schemas } from '../api';
import { section, showError } from '../components';
import { axisChart, isoDay, type ChartMarker, type ChartSeries } from '../chart';
import { newest } from '../latest';

type History = Schemas['LicenceHistory'];
type ForecastAnswer = Schemas['ForecastResponse'];
type WhatIfAnswer = Schemas['WhatIfResponse'];
type RunOut = Schemas['RunOut'];

const DAY = 86_400_000;

/** The last 12 months of licence history, one chart per application, with the limit and the runs that freed seats. */
export function licenceHistorySection(): HTMLElement {
  const body = h('div', { 'data-testid': 'licence-history' }, h('p', { class: 'sw-muted' }, 'Loading…'));
  void get<History>('licences/history', { days: '365' }).then((data) => {
    // The server's window (`from`..`to`, UTC days), not the browser's clock.
    const first = Math.floor(Date.parse(`${data.from}T00:00:00Z`) / DAY);
    const count = Math.floor(Date.parse(`${data.to}T00:00:00Z`) / DAY) - first + 1;
    const dates = Array.from({ length: count }, (_, i) => isoDay(first * DAY, i));
    const apps = [...new Set(data.records.map((r) => r.application))];
    const markers: ChartMarker[] = data.freed.filter((f) => f.run !== null && f.day >= first && f.day < first + count).map((f) => ({
      at: f.day - first, label: `${f.date}: run #${f.run} freed ${fmtNum(f.accounts)} accounts`,
    }));
    if (!apps.length) {
      clear(body, h('p', { class: 'sw-muted', 'data-testid': 'history-empty' },
        'No licence history yet: the scheduler records it once a day and after every live run. Seat counts and limits from before the first record cannot be recovered.'),
      markers.length ? h('p', {}, `${markers.length} runs freed accounts in the last 12 months (from the audit trail).`) : null);
      return;
    }
    clear(body,
      h('p', { class: 'sw-muted' }, `Recorded since ${data.firstRecorded ?? '—'}. Dots mark the days runs freed accounts (from the audit trail, also before the first record).`),
      apps.map((app) => {
        const used: (number | null)[] = new Array<number | null>(count).fill(null);
        const limit: (number | null)[] = new Array<number | null>(count).fill(null);
        for (const r of data.records) {
          if (r.application !== app || r.day < first || r.day >= first + count) continue;
          used[r.day - first] = r.seatsUsed;
          limit[r.day - first] = r.limit;
        }
        const series: ChartSeries[] = [
          { label: 'Seats used', values: used, cls: 'sw-series-used', kind: 'line' },
          { label: 'Licence limit', values: limit, cls: 'sw-series-limit', kind: 'line' },
        ];
        const last = data.records.filter((r) => r.application === app).at(-1);
        return h('figure', { class: 'sw-figure', 'data-application': app },
          h('figcaption', {}, `${app}: ${fmtNum(last?.seatsUsed)} seats used of ${last?.limit === null ? 'unlimited' : fmtNum(last?.limit)}`),
          axisChart({ caption: `Seats used and licence limit of ${app} over the last 12 months`, unit: 'seats', dates, series, markers, testid: 'history-chart' }));
      }));
  }, (e: unknown) => { clear(body); showError(body, e); });
  return section('Licences over the last 12 months', body);
}

function runOutText(r: RunOut): string {
  switch (r.kind) {
    case 'unlimited': return 'Unlimited licence: seats do not run out.';
    case 'full': return 'Every seat is taken.';
    case 'not_enough_history': return `Not enough history to say when seats run out (${r.daysRecorded ?? 0} of ${r.daysNeeded ?? 14} days recorded).`;
    case 'not_growing': return 'Seats used are not growing: at the current rate they do not run out.';
    case 'on': return `At the current growth (${r.seatsPerDay ?? 0} seats a day) seats run out on ${r.date ?? '?'}, in ${fmtNum(r.inDays)} days.`;
    default: return '';
  }
}

/** The next 90 days: seats the enabled policies would free, both curves, their assumptions and the run-out date. */
export function forecastSection(): HTMLElement {
  const body = h('div', { 'data-testid': 'forecast' }, h('p', { class: 'sw-muted' }, 'Loading…'));
  void get<ForecastAnswer>('forecast', { days: '90' }).then((data) => {
    const f = data.forecast;
    clear(body,
      h('ul', { class: 'sw-assumptions' },
        h('li', { 'data-testid': 'assumption-upper' }, data.assumptions.upper),
        h('li', { 'data-testid': 'assumption-likely' }, data.assumptions.likely)),
      f.applications.length ? f.applications.map((a) => {
        const series: ChartSeries[] = [{ label: 'Upper bound (nobody logs in again)', values: a.upper, cls: 'sw-series-upper', kind: 'line' }];
        if (a.likely) series.push({ label: `Likely (return rate ${Math.round((f.returnRate ?? 0) * 100)} %)`, values: a.likely, cls: 'sw-series-likely', kind: 'line' });
        const dates = a.upper.map((_, i) => isoDay(f.now, i));
        const runOut = data.runOut.find((r) => r.application === a.application)?.runOut;
        const at = (v: number[] | null | undefined, d: number): string => (v ? fmtNum(v[Math.min(d, v.length - 1)]) : '—');
        return h('figure', { class: 'sw-figure', 'data-application': a.application },
          h('figcaption', {}, `${a.name || a.application}: seats freed by the enabled policies`),
          axisChart({ caption: `Seats of ${a.application} the enabled policies would free over the next ${f.horizonDays} days`, unit: 'seats', dates, series, testid: 'forecast-chart' }),
          h('table', { class: 'sw-table sw-compact' },
            h('thead', {}, h('tr', {}, ['', 'Today', 'In 30 days', 'In 60 days', 'In 90 days'].map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', {},
              h('tr', { 'data-testid': 'forecast-upper' }, h('th', { scope: 'row' }, 'Upper bound'), [0, 30, 60, 90].map((d) => h('td', {}, at(a.upper, d)))),
              h('tr', { 'data-testid': 'forecast-likely' }, h('th', { scope: 'row' }, 'Likely'), [0, 30, 60, 90].map((d) => h('td', {}, at(a.likely, d)))))),
          runOut ? h('p', { 'data-testid': 'run-out' }, runOutText(runOut)) : null);
      }) : h('p', { class: 'sw-muted' }, 'No licensed applications.'));
  }, (e: unknown) => { clear(body); showError(body, e); });
  return section('Forecast: the next 90 days', body);
}

/**
 * The policy editor's what-if: a slider over the condition's days; each move asks the server
 * (debounced, the latest answer wins) what the draft frees now and in 30 days against the saved policy.
 * The slider explores: it never changes the form, so Save keeps what the admin typed.
 */
export function whatIfPanel(policyId: string, days: number, draft: () => unknown): HTMLElement {
  const out = h('p', { 'data-testid': 'whatif-summary', 'aria-live': 'polite' }, 'Move the slider to compare thresholds.');
  const value = h('output', { 'data-testid': 'whatif-days' }, String(days));
  const slider = h('input', { type: 'range', min: 1, max: 365, value: days, name: 'whatifDays', 'aria-label': 'Threshold in days for the what-if' });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const ask = (): void => {
    const n = Number(slider.value);
    void newest(out, () => post<WhatIfAnswer>(`policies/${encodeURIComponent(policyId)}/whatif`, { days: n, policy: draft() }), (a) => {
      out.textContent = a.summary;
      out.dataset.days = String(n);
    }, (e) => { clear(out); showError(out, e); });
  };
  slider.addEventListener('input', () => {
    value.textContent = slider.value;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(ask, 250);
  });
  return h('fieldset', { class: 'sw-fieldset sw-whatif', 'data-testid': 'whatif' }, h('legend', {}, 'What if: seats freed with another threshold'),
    h('div', { class: 'sw-row' }, slider, value, ' days'), out);
}
