// A bulk action's preview at any size (issue 19): the server answers the
// totals by action and by skip reason plus the first page; the rest of the
// writes and skipped users are paged from the plan it keeps. Before, the
// whole plan came in one answer (205 MB at a million users) and only its
// first rows were shown. A policy's preview (issue 24) is kept and paged
// the same way, and either plan exports as CSV.

import { h, clear, fmtNum, lozenge, button, download, plain } from '../dom';
import { get, getBlob, type Schemas } from '../api';
import { opLabel, pager, showError } from '../components';
import { summaryOf, totalsText } from './confirm-change';

export type BulkPlan = Schemas['PlanBulkResponse'];
type ActionsPage = Schemas['ListBulkActionsResponse'];
type SkipsPage = Schemas['ListBulkSkipsResponse'];
type Action = Schemas['ActionInfo'];
type Skip = Schemas['PlanSkip'];

/** Rows per page: the server's first page is this size too. */
const PAGE = 500;

/** What a paged preview needs: a bulk plan's answer or a policy preview's. */
export interface PagedPlan {
  planId: string; actionCount: number; actions: Action[]; skipCount: number;
  skipsByReason: Schemas['SkipCount'][]; document: Schemas['PlanDocument']; guard?: string[];
}

/**
 * Rows of writes. `mode`: what a run does with every row (a policy preview: the policy's mode,
 * since a preview itself applies nothing); absent, each row's own `live` says it.
 */
function actionRows(mode?: string): (rows: Action[]) => HTMLElement[] {
  return (rows) => rows.map((a) => h('tr', { 'data-testid': 'plan-row' }, h('td', {}, a.username || a.user), h('td', {}, opLabel(a.operation)), h('td', {}, a.reason),
    h('td', { 'data-testid': 'plan-mode' }, mode ?? (a.live ? 'live' : 'safe'))));
}

function skipRows(rows: Skip[]): HTMLElement[] {
  return rows.map((s) => h('tr', { 'data-testid': 'skip-row' }, h('td', {}, s.username || s.user), h('td', {}, s.because)));
}

/**
 * A table whose pages come from `fetchPage` (page 1 is `first`); `total`
 * rows in all. Errors (a plan dropped meanwhile answers 410) show in place.
 */
function pagedTable<T>(caption: string, heads: string[], first: T[], total: number, rows: (r: T[]) => HTMLElement[], fetchPage: (offset: number) => Promise<T[]>, testid: string): HTMLElement {
  const pages = Math.max(1, Math.ceil(total / PAGE));
  const body = h('tbody', {}, rows(first));
  const status = h('div', {});
  const nav = h('div', { 'data-testid': testid });
  const show = (page: number): void => {
    clear(nav, pager(page, pages, (p) => void go(p)));
  };
  const go = async (page: number): Promise<void> => {
    clear(status);
    try {
      const got = page === 1 ? first : await fetchPage((page - 1) * PAGE);
      clear(body, rows(got));
      show(page);
    } catch (e) { showError(status, e); }
  };
  show(1);
  return h('div', {},
    h('table', { class: 'sw-table' }, h('caption', { class: 'sw-sr' }, caption),
      h('thead', {}, h('tr', {}, heads.map((t) => h('th', { scope: 'col' }, t)))), body),
    pages > 1 ? nav : null, status);
}

/** The preview: guard, totals by action and by skip reason, then the paged writes and skips. */
export function bulkPlanView(plan: BulkPlan): HTMLElement {
  return pagedPlanView(plan);
}

/**
 * Any kept plan: guard and login-data notes, totals by action and by skip reason, the paged writes
 * and skips, and the whole plan as CSV. `mode` fills the Mode column (see `actionRows`).
 */
export function pagedPlanView(plan: PagedPlan, mode?: string): HTMLElement {
  const id = encodeURIComponent(plan.planId);
  const actions = pagedTable('Planned actions', ['User', 'Action', 'Why', 'Mode'], plan.actions, plan.actionCount, actionRows(mode),
    async (offset) => (await get<ActionsPage>(`bulk/${id}/actions`, { offset: String(offset), limit: String(PAGE) })).actions, 'plan-pager');
  const skipped = pagedTable('Skipped users', ['User', 'Why skipped'], plan.document.skipped, plan.skipCount, skipRows,
    async (offset) => (await get<SkipsPage>(`bulk/${id}/skipped`, { offset: String(offset), limit: String(PAGE) })).skipped, 'skip-pager');
  const guard = [...(plan.guard ?? []), ...(plan.guard ? [] : plan.document.guard.map((g) => g.message))];
  const health = plan.document.health.map((x) => x.message);
  const exportOut = h('div', {});
  const exportButton = button('Export plan (CSV)', () => {
    clear(exportOut);
    void getBlob(`bulk/${id}/export`).then(({ blob, name }) => download(blob, name), (e: unknown) => showError(exportOut, e));
  }, 'default', { 'data-testid': 'plan-export' });
  return h('div', { class: 'sw-plan', 'data-testid': 'plan' },
    guard.length ? h('div', { class: 'sw-banner sw-banner-warning', role: 'status', 'data-testid': 'guard' }, h('strong', {}, 'Mass-change guard: '), plain(guard.join(' · '))) : null,
    health.length ? h('div', { class: 'sw-banner sw-banner-warning', role: 'status' }, h('strong', {}, 'Login data check: '), plain(health.join(' · '))) : null,
    h('p', { 'data-testid': 'plan-totals' }, lozenge(totalsText(summaryOf(plan.document)), 'info'), ' ', lozenge(`${fmtNum(plan.skipCount)} skipped`, 'neutral')),
    plan.skipsByReason.length ? h('ul', { class: 'sw-list', 'data-testid': 'skip-reasons' },
      plan.skipsByReason.map((r) => h('li', {}, `${fmtNum(r.users)} × ${plain(r.because)}`))) : null,
    plan.actionCount ? actions : h('p', { class: 'sw-muted' }, 'Nobody would be changed.'),
    plan.skipCount ? h('details', { class: 'sw-skipped' }, h('summary', {}, `Skipped (${fmtNum(plan.skipCount)}) and why`), skipped) : null,
    plan.actionCount || plan.skipCount ? h('div', { class: 'sw-toolbar' }, exportButton) : null, exportOut);
}
