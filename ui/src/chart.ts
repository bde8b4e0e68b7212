// The one home of the admin pages' charts with axes (issue 24: "axes and dates on charts"):
// a value axis with round ticks and grid lines, date labels under the plot, bars or lines
// per series, optional markers on the baseline, a legend, and, for screen readers and
// anyone who wants the numbers, the same points as a table behind "Show as a table".
// The dashboard's per-day bars and the Reports tab's licence history and forecast lines
// are all drawn here, so their axes, dates and tables cannot drift apart.
//
// Inline SVG, no chart library: a few small series, and the product page must not pull a
// dependency in. Colours and type come from the design tokens (app.css `.sw-axis*`,
// `.sw-series-*`).

import { h, fmtNum } from './dom';

const NS = 'http://www.w3.org/2000/svg';
const W = 640;
const H = 200;
/** Room for the value labels on the left and the dates below. */
const LEFT = 48;
const RIGHT = 8;
const TOP = 10;
const BOTTOM = 28;
/** At most this many date labels (they must not overlap at 640 px); fewer when they carry the year. */
const MAX_DATES = 7;
const MAX_DATES_WITH_YEAR = 5;
/** Ranges longer than this label their dates with the year ("7 Dec 2025"). */
const YEAR_AFTER_DAYS = 180;
const DAY = 86_400_000;

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, tag);
  // A style goes through the CSSOM: the server's CSP forbids inline style attributes (as in dom.ts's `h`).
  for (const [k, v] of Object.entries(attrs)) { if (k === 'style') e.style.cssText = String(v); else e.setAttribute(k, String(v)); }
  if (text !== undefined) e.appendChild(el('title', {})).textContent = text;
  return e;
}

function label(attrs: Record<string, string | number>, text: string): SVGTextElement {
  const e = el('text', attrs);
  e.textContent = text;
  return e;
}

/** Round ticks from 0 to at least `max`: steps of 1, 2 or 5 × 10ⁿ, about four of them. */
export function valueTicks(max: number): number[] {
  const top = Math.max(1, max);
  const raw = top / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? power * 10);
  const ticks: number[] = [];
  for (let v = 0; v < top + step; v += step) { ticks.push(v); if (v >= top) break; }
  return ticks;
}

/** `2026-12-07` → `7 Dec` (or `7 Dec 2026` with the year), in UTC: the day the server counted. */
export function shortDate(iso: string, withYear = false): string {
  const d = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', ...(withYear ? { year: 'numeric' } : {}), timeZone: 'UTC' });
}

/** The ISO date (UTC) `offset` days after the UTC day of `ms`. */
export function isoDay(ms: number, offset = 0): string {
  return new Date(Math.floor(ms / DAY) * DAY + offset * DAY).toISOString().slice(0, 10);
}

/** Indices of the days that get a date label: evenly spaced, the first and the last always. */
export function dateLabelDays(n: number, max = MAX_DATES): number[] {
  if (n <= 0) return [];
  const every = Math.max(1, Math.ceil(n / max));
  const out: number[] = [];
  for (let i = 0; i < n; i += every) out.push(i);
  const last = n - 1;
  // The last day replaces a label too close to it.
  if (out[out.length - 1] !== last) { if (last - (out[out.length - 1] ?? 0) < every / 2) out.pop(); out.push(last); }
  return out;
}

/**
 * One series over the chart's days; `null` leaves a gap (a line) or no bar. `colour` (a CSS
 * colour, preferably a design token) overrides the class's colour for the bars or line and
 * the legend's swatch, so a chart can tell a second bar series apart without new CSS.
 */
export interface ChartSeries { label: string; values: (number | null)[]; cls: string; kind: 'bar' | 'line'; colour?: string }
/** A dot on the baseline at day index `at` (e.g. a run that freed seats), with its words as the tooltip. */
export interface ChartMarker { at: number; label: string }

export interface AxisChart {
  /** Names the chart (the start of its accessible name and the table's caption). */
  caption: string;
  /** What the values count ("users", "seats"). */
  unit: string;
  /** One ISO date (UTC) per x position. */
  dates: string[];
  series: ChartSeries[];
  markers?: ChartMarker[];
  /** The SVG's test id; the table's is `${testid}-table`. */
  testid: string;
}

/**
 * A chart over days with a value axis, date labels, a legend when there is more than one
 * series, and the same points as a table: every day that has a value in some series.
 */
export function axisChart(c: AxisChart): HTMLElement {
  const n = c.dates.length;
  const all = c.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const ticks = valueTicks(Math.max(0, ...all));
  const top = ticks[ticks.length - 1] ?? 1;
  const plotW = W - LEFT - RIGHT;
  const plotH = H - TOP - BOTTOM;
  const y = (v: number): number => TOP + plotH - (v * plotH) / top;
  const slot = n ? plotW / n : plotW;
  const cx = (i: number): number => LEFT + i * slot + slot / 2;
  const first = c.dates[0] ?? '';
  const last = c.dates[n - 1] ?? '';
  const withYear = n > YEAR_AFTER_DAYS;
  const main = c.series[0];
  let peak: { at: number; v: number } | null = null;
  main?.values.forEach((v, at) => { if (v !== null && (peak === null || v > peak.v)) peak = { at, v }; });
  const best = peak as { at: number; v: number } | null;
  const unitCap = c.unit.charAt(0).toUpperCase() + c.unit.slice(1);
  const svg = el('svg', {
    viewBox: `0 0 ${W} ${H}`, class: 'sw-axis-chart', role: 'img', 'data-testid': c.testid,
    'aria-label': n && best
      ? `${c.caption}, ${shortDate(first, withYear)} to ${shortDate(last, withYear)}: highest ${c.series.length > 1 ? `${main?.label.toLowerCase()} ` : ''}${fmtNum(best.v)} ${c.unit} on ${shortDate(c.dates[best.at] ?? first, withYear)}. The same numbers are in the table below.`
      : `${c.caption}: no data`,
  });
  for (const t of ticks) {
    svg.appendChild(el('line', { x1: LEFT, x2: W - RIGHT, y1: y(t), y2: y(t), class: t === 0 ? 'sw-axis-line' : 'sw-axis-grid' }));
    svg.appendChild(label({ x: LEFT - 6, y: y(t) + 4, 'text-anchor': 'end', class: 'sw-axis-label', 'data-testid': 'y-tick' }, fmtNum(t)));
  }
  svg.appendChild(el('line', { x1: LEFT, x2: LEFT, y1: TOP, y2: TOP + plotH, class: 'sw-axis-line' }));
  for (const s of c.series) {
    if (s.kind === 'bar') {
      s.values.forEach((v, i) => {
        if (v === null) return;
        const hgt = (v * plotH) / top;
        svg.appendChild(el('rect', { x: LEFT + i * slot + slot * 0.1, y: TOP + plotH - hgt, width: Math.max(1, slot * 0.8), height: hgt, class: `sw-axis-bar ${s.cls}`, 'data-testid': 'day-bar', 'data-date': c.dates[i] ?? '', 'data-value': v, ...(s.colour ? { style: `fill:${s.colour}` } : {}) },
          `${c.dates[i] ?? ''}: ${fmtNum(v)} ${c.unit}`));
      });
      continue;
    }
    let d = '';
    let pen = false;
    s.values.forEach((v, i) => {
      if (v === null) { pen = false; return; }
      d += `${pen ? 'L' : 'M'}${cx(i).toFixed(1)} ${y(v).toFixed(1)} `;
      pen = true;
    });
    if (!d) continue;
    svg.appendChild(el('path', { d, class: `sw-chart-line ${s.cls}`, 'data-series': s.cls, ...(s.colour ? { style: `stroke:${s.colour}` } : {}) }, s.label));
    // A lone value (the first recorded day) draws no line: show it as a dot.
    s.values.forEach((v, i) => {
      const lone = v !== null && (s.values[i - 1] ?? null) === null && (s.values[i + 1] ?? null) === null;
      if (lone) svg.appendChild(el('circle', { cx: cx(i), cy: y(v), r: 3, class: `sw-chart-dot ${s.cls}` }, `${s.label}, ${c.dates[i] ?? ''}: ${fmtNum(v)}`));
    });
  }
  for (const m of c.markers ?? []) {
    svg.appendChild(el('circle', { cx: cx(m.at), cy: TOP + plotH, r: 4, class: 'sw-chart-marker', 'data-testid': 'freed-marker', 'data-date': c.dates[m.at] ?? '' }, m.label));
  }
  for (const i of dateLabelDays(n, withYear ? MAX_DATES_WITH_YEAR : MAX_DATES)) {
    const d = c.dates[i];
    if (d === undefined) continue;
    svg.appendChild(el('line', { x1: cx(i), x2: cx(i), y1: TOP + plotH, y2: TOP + plotH + 4, class: 'sw-axis-line' }));
    svg.appendChild(label({ x: cx(i), y: H - 8, 'text-anchor': i === 0 ? 'start' : i === n - 1 ? 'end' : 'middle', class: 'sw-axis-label', 'data-testid': 'x-date', 'data-date': d }, shortDate(d, withYear)));
  }
  const rows = c.dates.flatMap((date, i) => (c.series.some((s) => (s.values[i] ?? null) !== null) ? [{ date, i }] : []));
  const table = h('table', { class: 'sw-table sw-chart-table', 'data-testid': `${c.testid}-table` },
    h('caption', {}, `${c.caption} (UTC days)`),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Date'), c.series.map((s) => h('th', { scope: 'col' }, c.series.length > 1 ? s.label : unitCap)))),
    h('tbody', {}, rows.map(({ date, i }) => h('tr', {}, h('th', { scope: 'row' }, date), c.series.map((s) => h('td', {}, fmtNum(s.values[i] ?? null)))))));
  return h('figure', { class: 'sw-axis-figure' },
    svg as unknown as HTMLElement,
    c.series.length > 1 ? legend(c.series) : null,
    h('figcaption', { class: 'sw-muted' }, `${unitCap} per day (UTC), ${shortDate(first, withYear)} – ${shortDate(last, withYear)}`),
    h('details', { class: 'sw-chart-details' }, h('summary', {}, 'Show as a table'), table));
}

function legend(series: ChartSeries[]): HTMLElement {
  // A bar series' colour is the bars' fill (`.sw-axis-bar`), which the swatch does not inherit.
  const swatch = (s: ChartSeries): string | null => (s.colour ? `background:${s.colour}` : s.kind === 'bar' ? 'background:var(--sw-brand)' : null);
  return h('ul', { class: 'sw-legend' }, series.map((s) => h('li', {}, h('span', { class: `sw-swatch ${s.cls}`, style: swatch(s) }), s.label)));
}

/** A bar per day (the dashboard's "users last seen per day"). */
export function dayBars(days: { date: string; users: number }[], caption: string, unit: string, testid: string): HTMLElement {
  return axisChart({ caption, unit, testid, dates: days.map((d) => d.date), series: [{ label: caption, values: days.map((d) => d.users), cls: 'sw-series-bar', kind: 'bar' }] });
}
