// Confirmation before one click changes users (issue 24: "Run now" on a live
// policy and bulk Delete changed 162 users, or deleted one, with no
// question). Shows what will happen by action, in the server's counts, says
// "cannot be undone" for deletes, uses danger styling, and above a threshold
// asks the admin to type the number of users.

import { h, button, fmtNum } from '../dom';
import type { Schemas } from '../api';
import { applies } from '../preview';

/**
 * Above this many users the admin types the number to confirm: a click is
 * fine for a handful of accounts, not for a department. 50 is a judgement
 * call (the guard's default is 500 accounts); it applies to deletes always.
 */
export const TYPED_ABOVE = 50;

/** "remove_from_group" or "removeFromGroup" (camelCased on the wire) as words. */
function words(op: string): string {
  return op.replace(/([A-Z])/g, ' $1').replace(/_/g, ' ').toLowerCase().trim();
}

/** What the confirmation counts: a plan's `totals` (core plan::render::PlanTotals). */
export type ChangeSummary = Pick<Schemas['PlanTotals'], 'users' | 'byOperation'>;

/** The totals of a plan document (`totals.users`, `totals.byOperation`). */
export function summaryOf(doc: unknown): ChangeSummary {
  const t = (doc as { totals?: { users?: number; byOperation?: Record<string, number> } } | null)?.totals ?? {};
  return { users: t.users ?? 0, byOperation: t.byOperation ?? {} };
}

/** "684 users · 1,289 actions: 684 deactivate, 605 remove from group" (actions are not users). */
export function totalsText(s: ChangeSummary): string {
  const ops = Object.entries(s.byOperation).filter(([, n]) => n > 0);
  const actions = ops.reduce((a, [, n]) => a + n, 0);
  return `${fmtNum(s.users)} ${s.users === 1 ? 'user' : 'users'} · ${fmtNum(actions)} ${actions === 1 ? 'action' : 'actions'}${ops.length ? `: ${ops.map(([op, n]) => `${fmtNum(n)} ${words(op)}`).join(', ')}` : ''}`;
}

/** Skipped users counted by reason ("12 × member of protected group `staff`"). */
export function skipTotals(doc: unknown): [string, number][] {
  const skipped = (doc as { skipped?: { because: string }[] } | null)?.skipped ?? [];
  const by = new Map<string, number>();
  for (const s of skipped) by.set(s.because, (by.get(s.because) ?? 0) + 1);
  return [...by.entries()].sort((a, b) => b[1] - a[1]);
}

/**
 * The confirmation block and its button: `onConfirm` runs only when the
 * admin clicks, and, above the threshold or for any delete, only after
 * typing the number of users.
 */
export function confirmChange(s: ChangeSummary, label: string, onConfirm: () => void): { el: HTMLElement; button: HTMLButtonElement } {
  const ops = Object.entries(s.byOperation).filter(([, n]) => n > 0);
  const deletes = ops.filter(([op]) => words(op) === 'delete').reduce((a, [, n]) => a + n, 0);
  const typed = deletes > 0 || s.users > TYPED_ABOVE;
  const input = h('input', { type: 'text', name: 'confirmCount', inputmode: 'numeric', autocomplete: 'off', 'aria-label': `Type ${s.users} to confirm` });
  const go = button(label, () => { if (!typed || input.value.trim() === String(s.users)) onConfirm(); }, 'danger', { 'data-testid': 'confirm-change', disabled: typed || s.users === 0 });
  applies(go);
  input.addEventListener('input', () => { go.disabled = go.dataset.previewOnly === 'true' || input.value.trim() !== String(s.users); });
  const el = h('div', { class: 'sw-confirm sw-danger-zone', 'data-testid': 'change-summary' },
    h('p', {}, h('strong', {}, `This changes ${fmtNum(s.users)} ${s.users === 1 ? 'user' : 'users'}: `),
      ops.map(([op, n]) => `${fmtNum(n)} ${words(op)}`).join(', ') || 'nothing', '.'),
    deletes ? h('div', { class: 'sw-banner sw-banner-error', role: 'alert' }, `Deleting ${fmtNum(deletes)} ${deletes === 1 ? 'account' : 'accounts'} cannot be undone: a revert does not bring deleted users back.`) : null,
    typed ? h('label', { class: 'sw-field' }, `Type ${s.users} to confirm`, input) : null);
  return { el, button: go };
}
