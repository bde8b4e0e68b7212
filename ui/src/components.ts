// Shared widgets: progress bar, modal dialog, plan preview, paged table.

import { h, clear, button, banner, lozenge, fmtNum, Child, plain, errorText } from './dom';
import { ApiError, ApiProblem, Progress, waitForRun, type Schemas } from './api';
import { flag } from './flag';

/** An accessible progress bar bound to a run's progress. */
export function progressBar(label: string): { el: HTMLElement; update: (p: Progress) => void } {
  const fill = h('div', { class: 'sw-progress-fill' });
  const bar = h('div', {
    class: 'sw-progress', role: 'progressbar', 'aria-label': label,
    'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': 0,
  }, fill);
  const text = h('div', { class: 'sw-progress-text', 'aria-live': 'polite' }, 'Queued…');
  const el = h('div', { class: 'sw-progress-wrap', 'data-testid': 'run-progress' }, bar, text);
  return {
    el,
    update(p: Progress) {
      const pct = p.total > 0 ? Math.round((p.done * 100) / p.total) : (p.status === 'in_progress' ? 0 : 100);
      fill.style.width = `${pct}%`;
      bar.setAttribute('aria-valuenow', String(pct));
      bar.setAttribute('aria-valuetext', `${p.done} of ${p.total}`);
      text.textContent = `${fmtNum(p.done)} of ${fmtNum(p.total)} · ${p.phase} · ${p.status.replace(/_/g, ' ')}`;
      el.dataset.status = p.status;
    },
  };
}

/** Runs `runId` to completion inside `host`, showing a progress bar. */
export async function followRun(host: HTMLElement, runId: number, label: string): Promise<Progress> {
  const bar = progressBar(label);
  host.appendChild(h('div', { class: 'sw-run-follow' }, h('div', { class: 'sw-muted' }, `Run #${runId}`), bar.el));
  const what = label.replace(/ progress$/, '');
  flag(`Run #${runId} started`, 'info', what);
  const final = await waitForRun(runId, bar.update);
  const tone = final.status === 'succeeded' ? 'success' : final.status === 'failed' ? 'error' : 'warning';
  const result = `Run #${runId}: ${final.status.replace(/_/g, ' ')}`;
  host.appendChild(banner(result, tone));
  flag(result, tone, what);
  return final;
}

/** A modal dialog; Escape and the close button dismiss it, focus is kept inside. */
export function openDialog(title: string, body: Child | Child[], actions: HTMLElement[] = []): { el: HTMLElement; close: () => void; body: HTMLElement } {
  const previous = document.activeElement as HTMLElement | null;
  const titleId = `dlg-${Math.random().toString(36).slice(2)}`;
  const bodyEl = h('div', { class: 'sw-dialog-body' }, body as Child);
  const closeBtn = button('Close', () => close(), 'subtle', { 'aria-label': 'Close dialog' });
  const dialog = h('div', { class: 'sw-dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': titleId, tabindex: -1 },
    h('div', { class: 'sw-dialog-head' }, h('h2', { id: titleId }, title), closeBtn),
    bodyEl,
    h('div', { class: 'sw-dialog-foot' }, actions));
  const backdrop = h('div', { class: 'sw-backdrop' }, dialog);
  function close(): void {
    backdrop.remove();
    document.removeEventListener('keydown', onKey);
    previous?.focus();
  }
  function onKey(e: KeyboardEvent): void {
    if (e.key === 'Escape') close();
    if (e.key === 'Tab') {
      const focusables = [...dialog.querySelectorAll<HTMLElement>('button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])')].filter((x) => !x.hasAttribute('disabled'));
      const first = focusables[0];
      const last = focusables[focusables.length - 1];
      if (!first || !last) return;
      if (e.shiftKey && document.activeElement === first) { last.focus(); e.preventDefault(); }
      else if (!e.shiftKey && document.activeElement === last) { first.focus(); e.preventDefault(); }
    }
  }
  document.addEventListener('keydown', onKey);
  document.body.appendChild(backdrop);
  dialog.focus();
  return { el: dialog, close, body: bodyEl };
}

/** Asks before something irreversible; resolves true when the admin confirms. */
export function confirmDialog(title: string, message: string, action: string): Promise<boolean> {
  return new Promise((resolve) => {
    let answered = false;
    const done = (yes: boolean): void => { if (!answered) { answered = true; d.close(); resolve(yes); } };
    const d = openDialog(title, h('p', {}, message), [button('Cancel', () => done(false), 'subtle'), button(action, () => done(true), 'danger')]);
    // Escape or the close button count as "no".
    const observer = new MutationObserver(() => { if (!d.el.isConnected) { observer.disconnect(); if (!answered) { answered = true; resolve(false); } } });
    observer.observe(document.body, { childList: true });
  });
}

/** Shows an API error (with every listed problem) in `host`. */
export function showError(host: HTMLElement, err: unknown): void {
  if (err instanceof ApiError) {
    const problems = err.problems();
    host.appendChild(h('div', { class: 'sw-banner sw-banner-error', role: 'alert', 'data-testid': 'error' },
      h('strong', {}, plain(err.message)),
      problems.length ? h('ul', {}, problems.map((p) => h('li', { 'data-testid': 'problem', 'data-path': p.path ?? '' }, `${problemPlace(p)}${plain(p.message)}`))) : null));
  } else {
    host.appendChild(banner(errorText(err), 'error'));
  }
}

/** Where a problem is, as a prefix: its path (`subject: `), or a CSV problem's line, column and header. */
function problemPlace(p: ApiProblem): string {
  if (p.path) return `${p.path}: `;
  if (p.line === undefined) return '';
  return `Line ${p.line}${p.column != null ? `, column ${p.column}` : ''}${p.header ? ` (${p.header})` : ''}: `;
}

/** A short label for an operation as the API serialises it. */
export function opLabel(op: unknown): string {
  if (typeof op === 'string') return op.replace(/_/g, ' ');
  if (op && typeof op === 'object') {
    const o = op as Record<string, unknown>;
    const kind = (o.kind ?? o.op ?? o.type ?? Object.keys(o)[0] ?? 'operation') as string;
    const detail = (o.detail ?? o[kind]) as Record<string, unknown> | undefined;
    const group = (o.group ?? detail?.group) as string | undefined;
    return `${String(kind).replace(/_/g, ' ')}${group ? ` ${group}` : ''}`;
  }
  return 'operation';
}

interface PlanUser { user: string; username: string; actions: { source: string; mode?: string; operation: unknown; because: string }[] }
interface PlanSkip { user: string; username: string; source: string; because: string }
/**
 * What planView reads of a plan: the engine's `Schemas['PlanDocument']` fits it, and so does an
 * import's own plan view (`ValidateImportResponse.document`, a different, looser shape).
 */
interface PlanDoc { status?: string | { state?: string; reason?: string }; totals?: { users?: number }; guard?: { message: string }[]; health?: { message: string }[]; users?: PlanUser[]; skipped?: PlanSkip[]; warnings?: { message: string }[] }
export type ActionInfo = Schemas['ActionInfo'];
/** What planView reads of an action: an `ActionInfo`, or a revert step shown the same way. */
type PlanRow = Pick<ActionInfo, 'user' | 'username' | 'source' | 'reason'> & { operation: unknown; live?: boolean };

/** A plan preview: who, what, why; who is skipped and why; guard and health notes. */
export function planView(answer: PlanDoc | Schemas['GetRunResponse']['plan'] | undefined, actions: PlanRow[] = [], guard: string[] = [], totalActions?: number): HTMLElement {
  // A revert's or an import's journaled summary names no users, skips or guard: shown as no plan document.
  const doc: PlanDoc | null | undefined = answer && ('irreversible' in answer || 'groupsToCreate' in answer) ? null : answer;
  const users = doc?.users ?? [];
  const skipped = doc?.skipped ?? [];
  const guardMsgs = [...guard, ...(doc?.guard ?? []).map((g) => g.message)];
  const healthMsgs = (doc?.health ?? []).map((x) => x.message);
  const rows: HTMLElement[] = [];
  if (users.length) {
    for (const u of users.slice(0, 200)) {
      for (const a of u.actions) rows.push(h('tr', { 'data-testid': 'plan-row' }, h('td', {}, u.username || u.user), h('td', {}, opLabel(a.operation)), h('td', {}, plain(a.because)), h('td', {}, a.mode ?? '')));
    }
  } else {
    for (const a of actions.slice(0, 200)) rows.push(h('tr', { 'data-testid': 'plan-row' }, h('td', {}, a.username || a.user), h('td', {}, opLabel(a.operation)), h('td', {}, plain(a.reason)), h('td', {}, a.live === false ? 'safe' : 'live')));
  }
  // Users and actions are counted apart: one user may have several actions (deactivate and remove a group).
  const count = users.length || totalActions || actions.length;
  const countLabel = users.length ? `${fmtNum(count)} ${count === 1 ? 'user' : 'users'} acted on` : `${fmtNum(count)} ${count === 1 ? 'action' : 'actions'}`;
  return h('div', { class: 'sw-plan', 'data-testid': 'plan' },
    guardMsgs.length ? h('div', { class: 'sw-banner sw-banner-warning', role: 'status', 'data-testid': 'guard' }, h('strong', {}, 'Mass-change guard: '), plain(guardMsgs.join(' · '))) : null,
    healthMsgs.length ? h('div', { class: 'sw-banner sw-banner-warning', role: 'status' }, h('strong', {}, 'Login data check: '), plain(healthMsgs.join(' · '))) : null,
    h('p', {}, lozenge(countLabel, 'info'), ' ', lozenge(`${fmtNum(skipped.length)} skipped`, 'neutral'), doc?.status ? [' ', lozenge(`plan ${typeof doc.status === 'string' ? doc.status : (doc.status.state ?? '').replace(/_/g, ' ')}`, 'neutral')] : null),
    rows.length ? h('table', { class: 'sw-table' }, h('caption', { class: 'sw-sr' }, 'Planned actions'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'User'), h('th', { scope: 'col' }, 'Action'), h('th', { scope: 'col' }, 'Why'), h('th', { scope: 'col' }, 'Mode'))),
      h('tbody', {}, rows)) : h('p', { class: 'sw-muted' }, 'Nobody would be changed.'),
    totalActions === undefined && count > 200 ? h('p', { class: 'sw-muted' }, `Showing the first 200 of ${fmtNum(count)} ${users.length ? 'users' : 'actions'}.`) : null,
    skipped.length ? h('details', { class: 'sw-skipped' }, h('summary', {}, `Skipped (${fmtNum(skipped.length)}) and why`),
      h('table', { class: 'sw-table' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'User'), h('th', { scope: 'col' }, 'Why skipped'))),
        h('tbody', {}, skipped.slice(0, 200).map((s) => h('tr', { 'data-testid': 'skip-row' }, h('td', {}, s.username || s.user), h('td', {}, plain(s.because))))))) : null);
}

/** Pager for server-side pages. */
export function pager(page: number, pageCount: number, go: (p: number) => void): HTMLElement {
  return h('nav', { class: 'sw-pager', 'aria-label': 'Pages' },
    button('Previous', () => go(page - 1), 'subtle', { disabled: page <= 1 }),
    h('span', { 'aria-live': 'polite' }, `Page ${page} of ${Math.max(pageCount, 1)}`),
    button('Next', () => go(page + 1), 'subtle', { disabled: page >= pageCount }));
}

export function section(title: string, ...children: (Child | Child[])[]): HTMLElement {
  return h('section', { class: 'sw-section' }, h('h2', {}, title), ...children);
}

export function loading(host: HTMLElement): void {
  clear(host, h('p', { class: 'sw-muted', role: 'status' }, 'Loading…'));
}

/**
 * What kind of run it was, in words. A policy's Run now is stored as the policy's run kind
 * (`scheduled_cleanup`) with a manual initiator: it is not "scheduled".
 */
export function runKindLabel(r: { kind: string; initiator: { kind: string } }): string {
  if (r.kind === 'scheduled_cleanup') return r.initiator.kind === 'manual' ? 'policy run (Run now)' : 'scheduled policy run';
  return r.kind.replace(/_/g, ' ');
}
