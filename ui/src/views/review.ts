// Review list: what review-mode policies would do, waiting for a person.
// Approve or reject per user or in batches (ticked rows, or every open item
// of the chosen policy); a rejection exempts the user from the policy for a
// chosen period; "Act now" runs the policy, which acts on the approved users
// through the usual guard, journal and undo (docs/exemptions-and-review.md).

import { h, clear, select, field, button, fmtDate, fmtNum, lozenge, banner } from '../dom';
import { get, post, type Schemas } from '../api';
import { showError, openDialog, followRun } from '../components';

type Item = Schemas['ReviewItem'];
interface List { total: number; items: Item[] }

const state = { policy: '', status: 'pending' };
/** The review-mode policies, as last read ("Act now" needs one chosen). */
let reviewPolicies: { id: string; name: string }[] = [];
const ticked = new Set<number>();

const STATUS_TONE: Record<string, 'success' | 'danger' | 'warning' | 'info' | 'neutral'> = {
  open: 'warning', approved: 'info', rejected: 'neutral', acted: 'success', no_longer_applies: 'neutral',
};

export async function renderReview(host: HTMLElement): Promise<void> {
  let policies: { id: string; name: string; mode: string }[] = [];
  try {
    const answer = await get<{ policies: { policy: { id: string; name: string; mode: string } }[] }>('policies');
    policies = answer.policies.map((p) => p.policy).filter((p) => p.mode === 'review');
  } catch (e) { showError(host, e); }
  const policy = select('policy', [['', 'Every review-mode policy'], ...policies.map((p): [string, string] => [p.id, p.name])], state.policy);
  const status = select('status', [['pending', 'Waiting (open or approved)'], ['open', 'Open'], ['approved', 'Approved'], ['rejected', 'Rejected'], ['acted', 'Acted on'], ['no_longer_applies', 'No longer applies'], ['all', 'All']], state.status);
  const results = h('div', { class: 'sw-results' });
  const apply = (): void => { state.policy = policy.value; state.status = status.value; ticked.clear(); void load(results); };
  policy.addEventListener('change', apply);
  status.addEventListener('change', apply);
  clear(host,
    h('h2', {}, 'Review list'),
    h('p', { class: 'sw-hint' }, 'A policy in review mode changes nothing on its own: each user it would act on waits here. Approved users are acted on by the policy\'s next run (or "Act now"); rejected users are exempt from the policy for the period you choose.'),
    policies.length ? null : banner('No policy is in review mode. Choose "Review" as a policy\'s mode in Automation to use this list.', 'info'),
    h('form', { class: 'sw-filters', role: 'search', 'aria-label': 'Filter the review list', onsubmit: (e: Event) => { e.preventDefault(); apply(); } },
      h('div', { class: 'sw-filter-row' }, field('Policy', policy), field('Status', status))),
    results);
  reviewPolicies = policies;
  await load(results);
}

async function load(results: HTMLElement): Promise<void> {
  let list: List;
  const q: Record<string, string> = { status: state.status };
  if (state.policy) q.policy = state.policy;
  try { list = await get<List>('review', q); } catch (e) { clear(results); showError(results, e); return; }
  const openItems = list.items.filter((i) => i.status === 'open');
  const count = h('span', { 'data-testid': 'review-selection', 'aria-live': 'polite' });
  const refresh = (): void => { count.textContent = `${ticked.size} selected`; };
  refresh();
  const boxes: HTMLInputElement[] = [];
  const all = h('input', { type: 'checkbox', 'aria-label': 'Select every open item listed' });
  all.addEventListener('change', () => { for (const b of boxes) { b.checked = all.checked; if (b.checked) ticked.add(Number(b.value)); else ticked.delete(Number(b.value)); } refresh(); });
  const decide = (decision: 'approve' | 'reject', everyOpen: boolean): void => {
    if (!everyOpen && ticked.size === 0) { openDialog('Nothing selected', 'Tick items, or use the "all open items" buttons.'); return; }
    const body: Record<string, unknown> = everyOpen ? { all: true, policy: state.policy || undefined } : { ids: [...ticked] };
    const n = everyOpen ? openItems.length : ticked.size;
    if (decision === 'approve') { void send({ ...body, decision }, results); return; }
    rejectDialog(n, (extra) => send({ ...body, ...extra, decision }, results));
  };
  const actNow = state.policy && reviewPolicies.some((p) => p.id === state.policy)
    ? button('Act now on approved users', () => void act(state.policy, results), 'primary') : null;
  clear(results,
    h('div', { class: 'sw-toolbar' },
      h('strong', { 'data-testid': 'review-total' }, `${fmtNum(list.total)} items`), count,
      button('Approve selected', () => decide('approve', false), 'primary', { 'data-testid': 'approve-selected' }),
      button('Reject selected…', () => decide('reject', false), 'default', { 'data-testid': 'reject-selected' }),
      button(`Approve all ${fmtNum(openItems.length)} open`, () => decide('approve', true), 'subtle', { 'data-testid': 'approve-all' }),
      button(`Reject all ${fmtNum(openItems.length)} open…`, () => decide('reject', true), 'subtle', { 'data-testid': 'reject-all' }),
      actNow),
    h('table', { class: 'sw-table', 'data-testid': 'review-table' },
      h('caption', { class: 'sw-sr' }, 'Review items'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, all), ['User', 'Policy', 'Would', 'Why', 'Queued', 'Status'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, list.items.map((i) => row(i, boxes, refresh)))));
}

function row(i: Item, boxes: HTMLInputElement[], refresh: () => void): HTMLElement {
  const box = h('input', { type: 'checkbox', value: String(i.id), 'aria-label': `Select ${i.userName ?? i.user}`, disabled: i.status !== 'open' });
  box.checked = ticked.has(i.id);
  box.addEventListener('change', () => { if (box.checked) ticked.add(i.id); else ticked.delete(i.id); refresh(); });
  if (i.status === 'open') boxes.push(box);
  const state = i.state as { reason?: string; run?: number };
  const detail = i.status === 'no_longer_applies' ? state.reason : i.status === 'acted' ? `run ${state.run}` : null;
  return h('tr', { 'data-testid': 'review-row', 'data-user': i.user },
    h('td', {}, box), h('td', {}, i.userName ?? i.user), h('td', {}, i.policyName ?? i.policy), h('td', {}, i.action),
    h('td', {}, i.reasons.join('; ')), h('td', { class: 'sw-date' }, fmtDate(i.queuedAt)),
    h('td', { 'data-testid': 'review-status' }, lozenge(i.status.replace(/_/g, ' '), STATUS_TONE[i.status] ?? 'neutral'), i.overdue ? [' ', lozenge('overdue', 'danger')] : null, detail ? [' ', detail] : null));
}

/** Asks how long a rejection exempts the users (90 days preselected). */
export function rejectDialog(n: number, go: (extra: Record<string, unknown>) => Promise<void> | void): void {
  const period = select('period', [['30', '30 days'], ['90', '90 days'], ['180', '180 days'], ['365', 'One year'], ['until', 'Until a date…'], ['indefinite', 'Indefinitely']], '90');
  const until = h('input', { type: 'date', name: 'until' });
  const note = h('input', { type: 'text', name: 'note', maxlength: 500, placeholder: 'Why (shown with the exemption)' });
  const d = openDialog(`Reject ${fmtNum(n)} ${n === 1 ? 'item' : 'items'}`, [
    h('p', {}, 'The users are not acted on: each gets an exemption from the item\'s policy for the period you choose.'),
    field('Exempt for', period), field('Until (for "until a date")', until), field('Note', note),
  ], [button('Reject', () => {
    const extra: Record<string, unknown> = { note: note.value || undefined };
    if (period.value === 'until') extra.until = until.value; else if (period.value === 'indefinite') extra.indefinite = true; else extra.days = Number(period.value);
    d.close();
    void go(extra);
  }, 'primary', { 'data-testid': 'confirm-reject' })]);
}

async function send(body: Record<string, unknown>, results: HTMLElement): Promise<void> {
  try {
    const r = await post<{ decided: number; notOpen: number }>('review/decide', body);
    ticked.clear();
    await load(results);
    results.prepend(banner(`${fmtNum(r.decided)} decided${r.notOpen ? `; ${fmtNum(r.notOpen)} were no longer open and left as they were` : ''}.`, 'success'));
  } catch (e) { showError(results, e); }
}

async function act(policy: string, results: HTMLElement): Promise<void> {
  try {
    const { runId } = await post<{ runId: number }>('review/act', { policy });
    const box = h('div', {});
    results.prepend(box);
    await followRun(box, runId, 'Acting on approved users');
    await load(results);
  } catch (e) { showError(results, e); }
}
