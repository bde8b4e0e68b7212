// A per-day bar chart with its axes (issue 24: "axes and dates on charts"):
// a value axis with round ticks and grid lines, date labels under the bars,
// and, for screen readers and anyone who wants the numbers, the same series
// as a table behind "Show as a table". Inline SVG, no chart library: the
// dashboard draws one small series and must not pull a dependency into the
// product page.
//
// Colours and type come from the design tokens (app.css `.sw-axis*`).

import { h, fmtNum } from './dom';

const NS = 'http://www.w3.org/2000/svg';
const W = 640;
const H = 200;
/** Room for the value labels on the left and the dates below. */
const LEFT = 48;
const RIGHT = 8;
const TOP = 10;
const BOTTOM = 28;
/** At most this many date labels (they must not overlap at 640 px). */
const MAX_DATES = 7;

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
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

/** `2026-12-07` → `7 Dec` (UTC, the day the server counted). */
export function shortDate(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
}

/** Indices of the days that get a date label: evenly spaced, the first and the last always. */
export function dateLabelDays(n: number): number[] {
  if (n <= 0) return [];
  const every = Math.max(1, Math.ceil(n / MAX_DATES));
  const out: number[] = [];
  for (let i = 0; i < n; i += every) out.push(i);
  const last = n - 1;
  // The last day replaces a label too close to it.
  if (out[out.length - 1] !== last) { if (last - (out[out.length - 1] ?? 0) < every / 2) out.pop(); out.push(last); }
  return out;
}

/**
 * A bar per day with a value axis and date labels; `caption` names the series (also the table's
 * caption), `unit` the values ("users").
 */
export function dayBars(days: { date: string; users: number }[], caption: string, unit: string, testid: string): HTMLElement {
  const max = Math.max(0, ...days.map((d) => d.users));
  const ticks = valueTicks(max);
  const top = ticks[ticks.length - 1] ?? 1;
  const plotW = W - LEFT - RIGHT;
  const plotH = H - TOP - BOTTOM;
  const y = (v: number): number => TOP + plotH - (v * plotH) / top;
  const slot = days.length ? plotW / days.length : plotW;
  const first = days[0]?.date ?? '';
  const last = days[days.length - 1]?.date ?? '';
  const peak = days.reduce<{ date: string; users: number } | null>((m, d) => (m === null || d.users > m.users ? d : m), null);
  const svg = el('svg', {
    viewBox: `0 0 ${W} ${H}`, class: 'sw-axis-chart', role: 'img', 'data-testid': testid,
    'aria-label': days.length ? `${caption}, ${shortDate(first)} to ${shortDate(last)}: highest ${fmtNum(peak?.users ?? 0)} ${unit} on ${shortDate(peak?.date ?? first)}. The same numbers are in the table below.` : `${caption}: no data`,
  });
  for (const t of ticks) {
    svg.appendChild(el('line', { x1: LEFT, x2: W - RIGHT, y1: y(t), y2: y(t), class: t === 0 ? 'sw-axis-line' : 'sw-axis-grid' }));
    svg.appendChild(el('text', { x: LEFT - 6, y: y(t) + 4, 'text-anchor': 'end', class: 'sw-axis-label', 'data-testid': 'y-tick' }, fmtNum(t)));
  }
  svg.appendChild(el('line', { x1: LEFT, x2: LEFT, y1: TOP, y2: TOP + plotH, class: 'sw-axis-line' }));
  days.forEach((d, i) => {
    const hgt = (d.users * plotH) / top;
    const bar = el('rect', { x: LEFT + i * slot + slot * 0.1, y: TOP + plotH - hgt, width: Math.max(1, slot * 0.8), height: hgt, class: 'sw-axis-bar', 'data-testid': 'day-bar', 'data-date': d.date, 'data-value': d.users });
    bar.appendChild(el('title', {}, `${d.date}: ${fmtNum(d.users)} ${unit}`));
    svg.appendChild(bar);
  });
  for (const i of dateLabelDays(days.length)) {
    const d = days[i];
    if (!d) continue;
    const cx = LEFT + i * slot + slot / 2;
    svg.appendChild(el('line', { x1: cx, x2: cx, y1: TOP + plotH, y2: TOP + plotH + 4, class: 'sw-axis-line' }));
    svg.appendChild(el('text', { x: cx, y: H - 8, 'text-anchor': i === 0 ? 'start' : i === days.length - 1 ? 'end' : 'middle', class: 'sw-axis-label', 'data-testid': 'x-date', 'data-date': d.date }, shortDate(d.date)));
  }
  const table = h('table', { class: 'sw-table sw-chart-table', 'data-testid': `${testid}-table` },
    h('caption', {}, `${caption} (UTC days)`),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Date'), h('th', { scope: 'col' }, unit.charAt(0).toUpperCase() + unit.slice(1)))),
    h('tbody', {}, days.map((d) => h('tr', {}, h('th', { scope: 'row' }, d.date), h('td', {}, fmtNum(d.users))))));
  return h('figure', { class: 'sw-axis-figure' },
    svg as unknown as HTMLElement,
    h('figcaption', { class: 'sw-muted' }, `${unit.charAt(0).toUpperCase() + unit.slice(1)} per day (UTC), ${shortDate(first)} – ${shortDate(last)}`),
    h('details', { class: 'sw-chart-details' }, h('summary', {}, 'Show as a table'), table));
}
