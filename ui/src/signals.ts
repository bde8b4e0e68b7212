// Dashboard panel: which activity signals count towards inactivity and since when
// (figures.signals, docs/activity.md §5). Its own file so the dashboard view needs
// one call site only. A signal with `since` started recording on that day: until
// it covers a policy's threshold it cannot prove inactivity alone, which the plan
// reports as a `warming_up` guard trip; the panel says how many days it covers.

import { h, fmtDate, fmtNum, lozenge } from './dom';
import { section } from './components';
import type { Schemas } from './api';

/** One entry of `figures.signals`, as the OpenAPI document describes it. */
export type SignalStatus = Schemas['SignalStatus'];
/** One counted signal's date for a user (Users tab rows, reasons). */
export type SignalDate = Schemas['SignalDate'];

/** The names admins know products by (core activity::product_label). */
const PRODUCTS: Record<string, string> = {
  confluence: 'Confluence', 'jira-software': 'Jira', 'jira-servicedesk': 'Jira Service Management',
  'jira-core': 'Jira Work Management', 'jira-work-management': 'Jira Work Management',
  'jira-product-discovery': 'Jira Product Discovery', bitbucket: 'Bitbucket', 'other-products': 'other products',
};
export const productLabel = (key: string): string => PRODUCTS[key] ?? key;

/** A user's signal, named as the engine's reasons name it. */
export function signalDateLabel(d: SignalDate): string {
  if (d.signal === 'login') return 'Last login';
  if (d.kind === 'lastAuthenticated') return 'Last authenticated (Crowd)';
  return d.product ? `Last active in ${productLabel(d.product)}` : 'Last seen by the plugin';
}

const DAY_MS = 86_400_000;

function signalName(s: SignalStatus): string {
  if (s.signal === 'login') return 'Last login';
  if (s.kind === 'lastAuthenticated') return 'Last authenticated (Crowd)';
  return s.product ? `Last active in ${productLabel(s.product)}` : 'Seen by the plugin';
}

/** Days since `since`, gaps (plugin disabled, recorder down) not counted: what a threshold can rely on. */
function sinceText(s: SignalStatus, now: number): string {
  if (s.since === null) return 'full history';
  const gaps = s.gaps ?? [];
  const missed = gaps.reduce((n, g) => n + Math.ceil((Math.min(g.to, now) - g.from) / DAY_MS), 0);
  const days = Math.max(0, Math.floor((now - s.since) / DAY_MS) - missed);
  const text = `since ${fmtDate(s.since)} (${fmtNum(days)} days recorded)`;
  if (!gaps.length) return text;
  const last = gaps[gaps.length - 1] as { from: number; to: number };
  return `${text}; ${fmtNum(gaps.length)} gap${gaps.length === 1 ? '' : 's'}, the latest ${fmtDate(last.from)} to ${fmtDate(last.to - 1)}`;
}

/** The panel; `now` is injectable for tests of the day count. */
export function signalsPanel(signals: SignalStatus[] | undefined, now: number = Date.now()): HTMLElement {
  const list = signals ?? [];
  return section('Activity signals',
    h('p', { class: 'sw-muted' }, 'A user is inactive when no counted signal has a date within the policy\u2019s threshold. A signal that started recording recently cannot prove inactivity for a longer threshold; such runs wait for approval.'),
    list.length ? h('table', { class: 'sw-table', 'data-testid': 'signals' },
      h('thead', {}, h('tr', {}, ['Signal', 'Counts', 'Recording', 'Users with a date'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, list.map((s) => h('tr', { 'data-testid': 'signal', 'data-enabled': String(s.enabled) },
        h('td', {}, signalName(s)),
        h('td', {}, s.enabled ? lozenge('counted', 'success') : lozenge('not counted', 'neutral')),
        h('td', {}, sinceText(s, now)),
        h('td', {}, fmtNum(s.usersWithValue))))))
      : h('p', { class: 'sw-muted' }, 'No activity data yet.'));
}
