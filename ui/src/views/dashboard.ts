// Dashboard: count cards, the activity trend, seats, pie, last-activity bars, insights, recent runs.

import { h, clear, select, field, button, fmtNum, fmtTime, lozenge, statusTone, plain } from '../dom';
import { newest } from '../latest';
import { get, type Schemas } from '../api';
import { section, showError, loading, runKindLabel } from '../components';
import { navigate } from '../router';
import { heldRunsBanner } from './held-runs';
import { mailState, mailBanner } from './mail-state';
import { signalsPanel, type SignalStatus } from '../signals';
import { licenceHistorySection, forecastSection } from './forecast';
import { axisChart, dayBars, isoDay, shortDate } from '../chart';
import { durationCell } from './runs';
import { productInsightsSection } from './product-insights';

type DashboardAnswer = Schemas['GetDashboardResponse'];
type ActivityHistory = Schemas['ActivityHistory'];
export type RunSummary = Schemas['Run'];

let windowDays = '30';

function card(label: string, value: number | null | undefined, testid: string): HTMLElement {
  return h('div', { class: 'sw-card', 'data-testid': testid }, h('div', { class: 'sw-card-value' }, fmtNum(value ?? null)), h('div', { class: 'sw-card-label' }, label));
}

const PIE_COLOURS = ['#1F845A', '#E2B203', '#C9372C'];

function pie(parts: [string, number][]): HTMLElement {
  const total = parts.reduce((s, [, v]) => s + v, 0) || 1;
  let angle = 0;
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '-1 -1 2 2');
  svg.setAttribute('class', 'sw-pie');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', parts.map(([l, v]) => `${l}: ${v}`).join(', '));
  parts.forEach(([, v], i) => {
    if (v <= 0) return;
    const frac = v / total;
    const a0 = angle * 2 * Math.PI - Math.PI / 2;
    angle += frac;
    const a1 = angle * 2 * Math.PI - Math.PI / 2;
    const el = document.createElementNS(ns, frac >= 0.9999 ? 'circle' : 'path');
    if (frac >= 0.9999) { el.setAttribute('r', '1'); }
    else el.setAttribute('d', `M0 0 L${Math.cos(a0)} ${Math.sin(a0)} A1 1 0 ${frac > 0.5 ? 1 : 0} 1 ${Math.cos(a1)} ${Math.sin(a1)} Z`);
    el.setAttribute('fill', PIE_COLOURS[i % PIE_COLOURS.length] ?? '#888');
    svg.appendChild(el);
  });
  const legend = h('ul', { class: 'sw-legend' }, parts.map(([l, v], i) => h('li', {}, h('span', { class: 'sw-swatch', style: `background:${PIE_COLOURS[i]}` }), `${l}: ${fmtNum(v)} (${Math.round((v * 100) / total)} %)`)));
  return h('div', { class: 'sw-pie-wrap' }, svg as unknown as HTMLElement, legend);
}

const DAY = 86_400_000;
/** How far back the trend chart reaches: the admin's choice, kept while the page is open. */
let trendDays = '90';
const TREND_PERIODS: [string, string][] = [['30', 'Last 30 days'], ['90', 'Last 90 days'], ['180', 'Last 180 days'], ['365', 'Last 365 days']];

/** Every ISO day from `from` to `to`, both included. */
function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let t = start; t <= end; t += DAY) out.push(isoDay(t));
  return out;
}

/**
 * Active users over time (issue 24): the counts the server records once a day (active within
 * 30 and 7 days as lines, within the last day as bars), from the first recorded day to today.
 * A day without a record is a gap, never a zero; before the first record the section says
 * when the first point appears.
 */
export function activityTrendSection(): HTMLElement {
  const body = h('div', { 'data-testid': 'activity-trend' }, h('p', { class: 'sw-muted' }, 'Loading…'));
  const period = select('trendDays', TREND_PERIODS, trendDays);
  const load = (): Promise<void> => newest(body, () => get<ActivityHistory>('activity/history', { days: trendDays }), (data) => drawTrend(body, data), (e) => { clear(body); showError(body, e); });
  period.addEventListener('change', () => { trendDays = period.value; void load(); });
  void load();
  return section('Active users over time', h('div', { class: 'sw-toolbar' }, field('Trend period', period)), body);
}

/** The trend of `data` into `body`: the chart and its words, or what to wait for before the first record. */
function drawTrend(body: HTMLElement, data: ActivityHistory): void {
  const records = data.records;
  const next = shortDate(data.nextRecord, true);
  if (!records.length) {
    clear(body, h('p', { class: 'sw-muted', 'data-testid': 'trend-empty' },
      `No activity recorded yet. Seatwarden counts active users once a day, at the scheduler's first check of each UTC day and after every live run: the first point, for ${next}, appears at the scheduler's next check. Past days cannot be filled in: each user's latest activity hides when they were active before.`));
    return;
  }
  const dates = daysBetween(records[0]?.date ?? data.to, data.to);
  const byDate = new Map(records.map((r) => [r.date, r]));
  const values = (pick: (r: ActivityHistory['records'][number]) => number): (number | null)[] =>
    dates.map((d) => { const r = byDate.get(d); return r ? pick(r) : null; });
  const demo = records.filter((r) => r.demo === true);
  const firstReal = records.find((r) => r.demo !== true);
  const latest = records[records.length - 1];
  clear(body,
    latest ? h('p', { 'data-testid': 'trend-latest' },
      `On ${shortDate(latest.date, true)}: ${fmtNum(latest.active30d)} of ${fmtNum(latest.activeAccounts)} active accounts were active in the last 30 days, ${fmtNum(latest.active7d)} in the last 7 days and ${fmtNum(latest.active1d)} in the last day.`) : null,
    axisChart({
      caption: 'Active users per day',
      unit: 'users',
      dates,
      testid: 'trend-chart',
      series: [
        { label: 'Active in the last 30 days', values: values((r) => r.active30d), cls: 'sw-series-used', kind: 'line' },
        { label: 'Active in the last 7 days', values: values((r) => r.active7d), cls: 'sw-series-upper', kind: 'line' },
        { label: 'Active in the last day', values: values((r) => r.active1d), cls: 'sw-series-bar', kind: 'bar', colour: 'var(--ds-chart-neutral, #8590A2)' },
      ],
    }),
    records.length === 1 || !data.todayRecorded
      ? h('p', { class: 'sw-muted', 'data-testid': 'trend-next' }, `The next point, for ${next}, is recorded at the scheduler's first check of that UTC day.`)
      : null,
    demo.length
      ? h('p', { class: 'sw-muted', 'data-testid': 'trend-demo-note' },
        `Demo data: the ${fmtNum(demo.length)} days before ${firstReal ? shortDate(firstReal.date, true) : 'today'} were made up by the demo organisation so the trend has a history. A real installation records from its first day on.`)
      : null);
}

export function runsTable(runs: RunSummary[], onOpen?: (r: RunSummary) => void): HTMLElement {
  if (!runs.length) return h('p', { class: 'sw-muted' }, 'No runs yet.');
  return h('table', { class: 'sw-table', 'data-testid': 'runs-table' },
    h('thead', {}, h('tr', {}, ['Run', 'Operation', 'Started', 'Initiator', 'Status', 'Affected', 'Succeeded', 'Failed', 'Skipped', 'Duration'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, runs.map((r) => h('tr', { 'data-testid': 'run-row', 'data-run': r.id },
      h('td', {}, onOpen ? h('a', { href: `#/audit/run/${r.id}`, onclick: (e: Event) => { e.preventDefault(); onOpen(r); } }, `#${r.id}`) : `#${r.id}`),
      h('td', {}, r.name, h('div', { class: 'sw-muted' }, runKindLabel(r))),
      h('td', {}, fmtTime(r.startedAt)),
      h('td', {}, r.initiator.kind === 'manual' ? r.initiator.user : r.initiator.kind),
      h('td', {}, lozenge(r.status.replace(/_/g, ' '), statusTone(r.status))),
      h('td', {}, fmtNum(r.counts.usersAffected)), h('td', {}, fmtNum(r.counts.succeeded)), h('td', {}, fmtNum(r.counts.failed)), h('td', {}, fmtNum(r.counts.skipped)),
      h('td', {}, durationCell(r))))));
}

/**
 * Draws the dashboard into `host`. The first draw shows "Loading…"; a window change or Refresh keeps the page on
 * screen, `aria-busy`, until its answer comes. Windows chosen in a row (arrow keys on the select) are answered in any
 * order: only the newest request's answer is drawn (`newest`), so the cards always match the window on screen.
 */
export function renderDashboard(host: HTMLElement): Promise<void> {
  if (!host.hasChildNodes()) loading(host);
  return newest(host, () => get<DashboardAnswer>('dashboard', { days: windowDays }), (data) => drawDashboard(host, data), (e) => { clear(host); showError(host, e); });
}

function drawDashboard(host: HTMLElement, data: DashboardAnswer): void {
  const f = data.figures;
  // The page is drawn anew: the admin choosing windows with the keyboard keeps the focus on the select.
  const focusedWindow = document.activeElement instanceof HTMLSelectElement && document.activeElement.name === 'days' && host.contains(document.activeElement);
  const win = select('days', [['7', '7 days'], ['30', '30 days'], ['60', '60 days'], ['90', '90 days'], ['180', '180 days'], ['365', '365 days']], windowDays);
  win.addEventListener('change', () => { windowDays = win.value; void renderDashboard(host); });
  const held = h('div', { 'data-testid': 'held-runs' });
  void heldRunsBanner(held);
  const mail = h('div', { 'data-testid': 'mail-state' });
  void mailState().then((s) => { const b = mailBanner(s, 'dashboard'); if (b) mail.appendChild(b); }, (e: unknown) => showError(mail, e));
  clear(host,
    held,
    mail,
    h('div', { class: 'sw-toolbar' }, field('Activity window', win), button('Refresh', () => void renderDashboard(host))),
    h('div', { class: 'sw-cards' },
      card('Active users', f.active, 'card-active'),
      card(`Inactive in last ${f.windowDays} days`, f.inactiveInWindow, 'card-inactive'),
      card('Deactivated', f.deactivated, 'card-deactivated'),
      card(`Reactivated in last ${f.windowDays} days`, f.reactivatedInWindow, 'card-reactivated'),
      card('Licensed, never logged in', f.neverLoggedInLicensed, 'card-never'),
      card('Licensed users', f.licensed, 'card-licensed')),
    activityTrendSection(),
    section('Seats per application',
      f.applications.length ? h('table', { class: 'sw-table' },
        h('thead', {}, h('tr', {}, ['Application', 'Seats used', 'Seats available'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, f.applications.map((a) => h('tr', { 'data-testid': 'seats-row', 'data-full': a.seatsAvailable === 0 ? 'true' : null }, h('td', {}, a.name || a.application), h('td', {}, fmtNum(a.seatsUsed)),
          // A full licence (no seat left) in a warning colour: the next new user gets no access.
          h('td', {}, a.seatsAvailable === null ? 'unlimited' : a.seatsAvailable === 0 ? lozenge('0 left: licence full', 'warning') : fmtNum(a.seatsAvailable))))))
        : h('p', { class: 'sw-muted' }, 'No licensed applications.')),
    licenceHistorySection(),
    forecastSection(),
    h('div', { class: 'sw-grid2' },
      section('Accounts', pie([['Active in window', f.activeInWindow], ['Inactive in window', f.inactiveInWindow], ['Deactivated', f.deactivated]])),
      // Kept, titled for what it is: each user counts once, on the day of their latest activity,
      // so older days are smaller by construction. It answers "who went quiet when", not "how
      // many were active" (that is the trend above).
      section('When users were last active',
        h('p', { class: 'sw-muted', 'data-testid': 'seen-chart-note' }, 'Each user counts once, on the day of their latest activity, so older days are smaller by construction. Activity over time is in "Active users over time" above.'),
        dayBars(f.lastSeenPerDay, 'Users last seen per day', 'users', 'seen-chart'))),
    signalsPanel(f.signals),
    section('Insights', data.insights.length ? h('ul', { class: 'sw-insights' }, data.insights.map((i) => h('li', { 'data-testid': 'insight' }, plain(i.message),
      i.suggestedPolicy ? [' ', button('Take action', () => { sessionStorage.setItem('seatwarden.draftPolicy', JSON.stringify(i.suggestedPolicy)); navigate('automation/new'); }, 'primary')] : null)))
      : h('p', { class: 'sw-muted' }, 'Nothing stands out right now.')),
    productInsightsSection(),
    section('Recent activity', runsTable(data.recentRuns, (r) => navigate(`audit/run/${r.id}`))));
  if (focusedWindow) win.focus();
}
