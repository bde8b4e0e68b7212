// The audit tab's operation runs: newest first, filtered by operation kind
// and status on the server, paged by cursor; each run expands in place to
// its actions with their reasons and outcomes (also paged by the server).

import { h, clear, select, field, button, fmtTime, fmtNum, lozenge, statusTone } from '../dom';
import { get, type Schemas, type Item } from '../api';
import { showError, opLabel, runKindLabel } from '../components';
import { RunSummary } from './dashboard';
import { newest } from '../latest';

export const RUN_KINDS: [string, string][] = [
  ['', 'Any operation'], ['scheduled_cleanup', 'Scheduled cleanup'], ['manual_bulk_action', 'Manual bulk action'], ['import', 'Import'],
  ['login_automation', 'Login automation'], ['revert', 'Revert'], ['purge', 'Purge'],
];
const RUN_STATUSES: [string, string][] = [
  ['', 'Any status'], ['succeeded', 'Succeeded'], ['previewed', 'Previewed (safe mode)'], ['partially_failed', 'Partially failed'], ['failed', 'Failed'],
  ['in_progress', 'In progress'], ['awaiting_approval', 'Awaiting approval'], ['interrupted', 'Interrupted'], ['reverted', 'Reverted'], ['discarded', 'Discarded'],
];

type ActionsPage = Schemas['ListRunActionsResponse'];
type RunAction = Item<ActionsPage['actions']>;

/** `since`: only runs started at or after this UTC ms (a summary card's window), or `null` for any time. */
const state: { kind: string; status: string; limit: string; since: number | null } = { kind: '', status: '', limit: '20', since: null };
let cursors: string[] = [];

/** Sets the runs filter (from the audit summary cards) and starts again at the first page. */
export function setRunFilter(patch: Partial<typeof state>): void {
  Object.assign(state, patch);
  cursors = [];
}

function initiatorText(r: RunSummary): string {
  const i = r.initiator;
  return i.kind === 'manual' ? `manual · ${i.name ?? i.user ?? ''}` : 'automated';
}

/** The runs section: filters, the page of runs, the pager. */
export function runsSection(onOpen: (id: number) => void): HTMLElement {
  const kind = select('runKind', RUN_KINDS, state.kind);
  const status = select('runStatus', RUN_STATUSES, state.status);
  const limit = select('runLimit', [['10', '10'], ['20', '20'], ['50', '50']], state.limit);
  const list = h('div', { 'data-testid': 'runs' });
  const apply = (): void => { Object.assign(state, { kind: kind.value, status: status.value, limit: limit.value }); cursors = []; void loadRuns(list, 0, onOpen); };
  for (const c of [kind, status, limit]) c.addEventListener('change', apply);
  // The window a summary card set stays visible and can be dropped.
  const windowChip = state.since === null ? null : h('div', { class: 'sw-field sw-field-button', 'data-testid': 'runs-window' },
    h('span', { class: 'sw-muted' }, `Started since ${fmtTime(state.since)}`),
    button('Any time', () => { state.since = null; windowChip?.remove(); cursors = []; void loadRuns(list, 0, onOpen); }, 'subtle', { 'aria-label': 'Show runs from any time' }));
  const form = h('form', { class: 'sw-filters', role: 'search', 'aria-label': 'Filter runs', onsubmit: (e: Event) => { e.preventDefault(); apply(); } },
    field('Operation', kind), field('Run status', status), field('Runs per page', limit), windowChip);
  void loadRuns(list, 0, onOpen);
  return h('div', {}, form, list);
}

/**
 * Loads a page of runs into `host`. Filters and pages can change faster than the server answers (a page size, then an
 * operation, chosen in a row): only the newest request's answer is shown, so the list always matches the filters on
 * screen, whatever order the answers come in (`newest`).
 */
function loadRuns(host: HTMLElement, pageIndex: number, onOpen: (id: number) => void): Promise<void> {
  const cursor = pageIndex > 0 ? cursors[pageIndex - 1] ?? '' : '';
  return newest(host,
    () => get<Schemas['ListRunsResponse']>('runs', { kind: state.kind, status: state.status, limit: state.limit, cursor }),
    (page) => showRuns(host, pageIndex, onOpen, page),
    (e) => { clear(host); showError(host, e); });
}

function showRuns(host: HTMLElement, pageIndex: number, onOpen: (id: number) => void, answer: Schemas['ListRunsResponse']): void {
  let page = answer;
  // The runs API takes no start-time filter (it refuses unknown parameters); runs come newest started first, so
  // the window ends at the first older run and no older page is offered after it.
  const since = state.since;
  if (since !== null && page.runs.some((r) => r.startedAt < since)) page = { runs: page.runs.filter((r) => r.startedAt >= since), next: null };
  if (page.next) cursors[pageIndex] = page.next;
  const body = h('tbody', {});
  for (const r of page.runs) {
    const detailId = `run-detail-${r.id}`;
    const detailCell = h('td', { colspan: 10 });
    const detail = h('tr', { id: detailId, class: 'sw-run-detail', hidden: true, 'data-testid': 'run-detail', 'data-run': r.id }, detailCell);
    const toggle = button('Details', () => {
      const open = toggle.getAttribute('aria-expanded') !== 'true';
      toggle.setAttribute('aria-expanded', String(open));
      toggle.textContent = open ? 'Hide' : 'Details';
      detail.hidden = !open;
      if (open && !detailCell.hasChildNodes()) void loadActions(detailCell, r, 0);
    }, 'subtle', { 'aria-expanded': 'false', 'aria-controls': detailId, 'aria-label': `Details of run ${r.id}` });
    body.append(
      h('tr', { 'data-testid': 'run-row', 'data-run': r.id, 'data-kind': r.kind, 'data-status': r.status },
        h('td', {}, h('a', { href: `#/audit/run/${r.id}`, onclick: (e: Event) => { e.preventDefault(); onOpen(r.id); } }, `#${r.id}`)),
        h('td', {}, r.name, h('div', { class: 'sw-muted' }, runKindLabel(r))),
        h('td', {}, fmtTime(r.finishedAt ?? r.startedAt)),
        h('td', {}, initiatorText(r)),
        h('td', {}, lozenge(r.status.replace(/_/g, ' '), statusTone(r.status))),
        h('td', {}, fmtNum(r.counts.usersAffected)), h('td', {}, fmtNum(r.counts.succeeded)), h('td', {}, fmtNum(r.counts.failed)), h('td', {}, fmtNum(r.counts.skipped)),
        h('td', { 'data-testid': 'run-duration' }, durationCell(r)),
        h('td', {}, toggle)),
      detail);
  }
  clear(host,
    page.runs.length ? h('table', { class: 'sw-table', 'data-testid': 'runs-table' },
      h('caption', { class: 'sw-sr' }, 'Operation runs, newest first'),
      h('thead', {}, h('tr', {}, ['Run', 'Operation', 'Finished', 'Initiator', 'Status', 'Affected', 'Succeeded', 'Failed', 'Skipped', 'Duration', ''].map((c) => h('th', { scope: 'col' }, c)))),
      body) : h('p', { class: 'sw-muted' }, 'No runs match.'),
    h('nav', { class: 'sw-pager', 'aria-label': 'Run pages' },
      button('Newer', () => void loadRuns(host, pageIndex - 1, onOpen), 'subtle', { disabled: pageIndex === 0 }),
      h('span', { 'aria-live': 'polite', 'data-testid': 'runs-page' }, `Page ${pageIndex + 1}`),
      button('Older', () => void loadRuns(host, pageIndex + 1, onOpen), 'subtle', { disabled: !page.next })));
}

/** One run's actions, appended page by page. */
async function loadActions(cell: HTMLElement, run: RunSummary, offset: number): Promise<void> {
  let page: ActionsPage;
  try { page = await get<ActionsPage>(`runs/${run.id}/actions`, { cursor: offset ? String(offset) : '', limit: 50 }); } catch (e) { showError(cell, e); return; }
  let tbody = cell.querySelector('tbody');
  if (!tbody) {
    tbody = h('tbody', {});
    cell.append(
      h('p', { class: 'sw-muted' }, `${fmtNum(page.total)} planned actions · ${fmtNum(run.counts.succeeded)} succeeded, ${fmtNum(run.counts.failed)} failed, ${fmtNum(run.counts.skipped)} skipped`),
      page.total ? h('table', { class: 'sw-table sw-nested' }, h('caption', { class: 'sw-sr' }, `Actions of run ${run.id}`),
        h('thead', {}, h('tr', {}, ['User', 'Action', 'Why', 'Outcome'].map((c) => h('th', { scope: 'col' }, c)))), tbody) : h('p', {}, 'This run planned no actions.'));
  }
  for (const { action: a, outcome } of page.actions) {
    tbody.appendChild(h('tr', { 'data-testid': 'run-action' },
      h('td', {}, a.username || a.user), h('td', {}, opLabel(a.operation)), h('td', { 'data-testid': 'action-reason' }, a.reason),
      h('td', { 'data-testid': 'action-outcome' }, outcome ? [lozenge(outcome.status.replace(/_/g, ' '), statusTone(outcome.status)), outcome.detail ? ` ${outcome.detail}` : ''] : lozenge(run.status === 'previewed' ? 'previewed' : 'not applied', 'neutral'))));
  }
  cell.querySelector('.sw-more')?.remove();
  if (page.next) {
    const next = Number(page.next);
    cell.appendChild(h('div', { class: 'sw-more' }, button(`Show more (${fmtNum(page.total - next)} left)`, () => void loadActions(cell, run, next), 'subtle')));
  }
}

/** A span of milliseconds in words an admin reads at a glance: "4.0 s", "12 min", "6 h 5 min", "2 d 3 h". */
export function spanText(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const min = Math.floor(ms / 60_000);
  if (min < 60) return `${min} min`;
  const hours = Math.floor(min / 60);
  if (hours < 48) return min % 60 ? `${hours} h ${min % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/**
 * A run's duration: the time it worked (the server leaves out the wait for approval), and the
 * wait beside it. Servers without `durationMs` get start to finish.
 */
export function durationCell(r: Schemas['Run']): (string | HTMLElement)[] | string {
  if (!r.finishedAt) return '—';
  const worked = spanText(r.durationMs ?? r.finishedAt - r.startedAt);
  return r.approvalWaitMs !== undefined
    ? [worked, h('div', { class: 'sw-muted', 'data-testid': 'approval-wait' }, `waited ${spanText(r.approvalWaitMs)} for approval`)]
    : worked;
}
