// Licence history chart, forecast curves and the policy editor's what-if (docs/forecast.md).
//
// Charts are inline SVG built here (a line per series, a dashed limit, markers for the
// days runs freed seats): a few dozen lines, where a chart library would add more code
// than the admin pages have. Each chart carries an aria-label that says what it shows
// and a table of the figures behind it, so nothing is only visible.

import { h, clear, fmtNum } from '../dom';
import { get, post, type Schemas } from '../api';
import { section, showError } from '../components';

type History = Schemas['LicenceHistory'];
type ForecastAnswer = Schemas['ForecastResponse'];
type WhatIfAnswer = Schemas['WhatIfResponse'];
type RunOut = Schemas['RunOut'];

const NS = 'http://www.w3.org/2000/svg';
const W = 640;
const H = 180;
const PAD = 28;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...kids: Node[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const kid of kids) el.appendChild(kid);
  return el;
}

interface Series { label: string; values: (number | null)[]; cls: string }
interface Marker { at: number; label: string }

/** A line chart over `count` evenly spaced x positions; `null` values leave a gap. */
function lineChart(label: string, count: number, series: Series[], markers: Marker[] = [], testid = 'chart'): SVGSVGElement {
  const max = Math.max(1, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  const x = (i: number): number => PAD + (count <= 1 ? 0 : (i * (W - 2 * PAD)) / (count - 1));
  const y = (v: number): number => H - PAD - (v * (H - 2 * PAD)) / max;
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'sw-chart', role: 'img', 'aria-label': label, 'data-testid': testid });
  chart.appendChild(svg('line', { x1: PAD, y1: H - PAD, x2: W - PAD, y2: H - PAD, class: 'sw-chart-axis' }));
  chart.appendChild(svg('text', { x: 2, y: PAD - 8, class: 'sw-chart-tick' }, document.createTextNode(fmtNum(max))));
  for (const s of series) {
    let d = '';
    let pen = false;
    s.values.forEach((v, i) => {
      if (v === null) { pen = false; return; }
      d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)} ${y(v).toFixed(1)} `;
      pen = true;
    });
    if (!d) continue;
    chart.appendChild(svg('path', { d, class: `sw-chart-line ${s.cls}`, 'data-series': s.cls }, svg('title', {}, document.createTextNode(s.label))));
    // A lone value (the first recorded day) draws no line: show it as a dot.
    s.values.forEach((v, i) => {
      const lone = v !== null && (s.values[i - 1] ?? null) === null && (s.values[i + 1] ?? null) === null;
      if (lone) chart.appendChild(svg('circle', { cx: x(i), cy: y(v), r: 3, class: `sw-chart-dot ${s.cls}` }, svg('title', {}, document.createTextNode(`${s.label}: ${fmtNum(v)}`))));
    });
  }
  for (const m of markers) {
    chart.appendChild(svg('circle', { cx: x(m.at), cy: H - PAD, r: 4, class: 'sw-chart-marker', 'data-testid': 'freed-marker' },
      svg('title', {}, document.createTextNode(m.label))));
  }
  return chart;
}

function legend(series: Series[]): HTMLElement {
  return h('ul', { class: 'sw-legend' }, series.map((s) => h('li', {}, h('span', { class: `sw-swatch ${s.cls}` }), s.label)));
}

const DAY = 86_400_000;

/** The last 12 months of licence history, one chart per application, with the limit and the runs that freed seats. */
export function licenceHistorySection(now = Date.now()): HTMLElement {
  const body = h('div', { 'data-testid': 'licence-history' }, h('p', { class: 'sw-muted' }, 'Loading…'));
  void get<History>('licences/history', { days: '365' }).then((data) => {
    const today = Math.floor(now / DAY);
    const first = today - 364;
    const apps = [...new Set(data.records.map((r) => r.application))];
    const markers: Marker[] = data.freed.filter((f) => f.run !== null && f.day >= first).map((f) => ({
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
        const used: (number | null)[] = new Array<number | null>(365).fill(null);
        const limit: (number | null)[] = new Array<number | null>(365).fill(null);
        for (const r of data.records) {
          if (r.application !== app || r.day < first) continue;
          used[r.day - first] = r.seatsUsed;
          limit[r.day - first] = r.limit;
        }
        const series: Series[] = [
          { label: 'Seats used', values: used, cls: 'sw-series-used' },
          { label: 'Licence limit', values: limit, cls: 'sw-series-limit' },
        ];
        const last = data.records.filter((r) => r.application === app).at(-1);
        return h('figure', { class: 'sw-figure', 'data-application': app },
          h('figcaption', {}, `${app}: ${fmtNum(last?.seatsUsed)} seats used of ${last?.limit === null ? 'unlimited' : fmtNum(last?.limit)}`),
          lineChart(`Seats used and licence limit of ${app} over the last 12 months`, 365, series, markers, 'history-chart'),
          legend(series));
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
        const series: Series[] = [{ label: 'Upper bound (nobody logs in again)', values: a.upper, cls: 'sw-series-upper' }];
        if (a.likely) series.push({ label: `Likely (return rate ${Math.round((f.returnRate ?? 0) * 100)} %)`, values: a.likely, cls: 'sw-series-likely' });
        const runOut = data.runOut.find((r) => r.application === a.application)?.runOut;
        const at = (v: number[] | null | undefined, d: number): string => (v ? fmtNum(v[Math.min(d, v.length - 1)]) : '—');
        return h('figure', { class: 'sw-figure', 'data-application': a.application },
          h('figcaption', {}, `${a.name || a.application}: seats freed by the enabled policies`),
          lineChart(`Seats of ${a.application} the enabled policies would free over the next ${f.horizonDays} days`, a.upper.length, series, [], 'forecast-chart'),
          legend(series),
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
  let asked = 0;
  const ask = (): void => {
    const n = Number(slider.value);
    const mine = ++asked;
    void post<WhatIfAnswer>(`policies/${encodeURIComponent(policyId)}/whatif`, { days: n, policy: draft() }).then((a) => {
      if (mine !== asked) return;
      out.textContent = a.summary;
      out.dataset.days = String(n);
    }, (e: unknown) => { if (mine === asked) { clear(out); showError(out, e); } });
  };
  slider.addEventListener('input', () => {
    value.textContent = slider.value;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(ask, 250);
  });
  return h('fieldset', { class: 'sw-fieldset sw-whatif', 'data-testid': 'whatif' }, h('legend', {}, 'What if: seats freed with another threshold'),
    h('div', { class: 'sw-row' }, slider, value, ' days'), out);
}
