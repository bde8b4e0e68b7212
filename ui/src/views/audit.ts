// Audit: summary cards, runs (expandable), entries with filters, export,
// retention, clear with confirmation, and revert of a live run.

import { h, clear, select, field, button, fmtTime, fmtNum, lozenge, statusTone, download, banner, plain, plural, errorText } from '../dom';
import { get, post, put, getBlob, ApiError, type Schemas } from '../api';
import { section, showError, openDialog, planView, followRun, loading, pager, opLabel, runKindLabel } from '../components';
import { RunSummary } from './dashboard';
import { runsSection, setRunFilter, RUN_KINDS, spanText } from './runs';

/** Which run status each summary card stands for. */
const CARD_STATUS: Record<string, string> = { operations: '', succeeded: 'succeeded', failed: 'failed', partiallyFailed: 'partially_failed', inProgress: 'in_progress', awaitingApproval: 'awaiting_approval' };
import { navigate } from '../router';
import { discardRun } from './held-runs';
import { applies } from '../preview';
import { newest } from '../latest';
import { flag } from '../flag';
/** The cards that count only runs started in the summary's window (the last 24 h). */
const WINDOWED = new Set(['operations', 'succeeded', 'failed', 'partiallyFailed']);

type Entry = Schemas['AuditEntry'];

/** The Actor cell: an admin by username with the key beside it (usernames change, keys do not). */
function actorCell(a: Record<string, unknown> | undefined): HTMLElement {
  if (a && a.kind === 'user') {
    return h('td', { 'data-testid': 'audit-actor' }, String(a.name ?? a.key ?? ''), a.name ? h('div', { class: 'sw-muted' }, String(a.key ?? '')) : null);
  }
  return h('td', { 'data-testid': 'audit-actor' }, a && a.policy ? `automation (${String(a.policy)})` : 'automation');
}

function who(x: Record<string, unknown> | undefined): string {
  if (!x) return '';
  return String(x.name ?? x.userName ?? x.user ?? x.group ?? x.kind ?? '');
}

const filters = { action: '', status: '', kind: '', actor: '', target: '', text: '', from: '', to: '' };

/** The audit log's action names (the server's stable names), for the action filter. */
const ACTIONS = ['user_deactivated', 'user_activated', 'user_reactivated', 'user_suspended', 'user_restored', 'user_deleted', 'user_deletion_cancelled', 'user_renamed', 'user_created', 'user_updated', 'issues_reassigned',
  'added_to_group', 'removed_from_group', 'group_created', 'group_deleted', 'users_imported', 'groups_imported', 'policy_created', 'policy_changed',
  'policy_enabled', 'policy_disabled', 'policy_deleted', 'settings_changed', 'retention_changed', 'logs_purged', 'mail_sent', 'mail_failed', 'run_approved', 'run_discarded', 'run_reverted',
  'login_check_began', 'login_check_ended', 'login_check_repaired',
  'login_provisional', 'login_confirmed', 'login_not_completed', 'run_refused', 'sign_in', 'run_previewed', 'run_held', 'mail_retried', 'mail_discarded',
  'exemption_granted', 'exemption_revoked', 'exemption_lapsed', 'review_queued', 'review_approved',
  'review_rejected', 'review_closed', 'access_requested', 'access_request_decided', 'secret_rotated', 'hook_called',
  'hook_changed', 'directory_loaded'];
const sentence = (name: string): string => { const t = name.replace(/_/g, ' '); return t.charAt(0).toUpperCase() + t.slice(1); };
let cursors: string[] = [];

export async function renderAudit(host: HTMLElement, route: string[]): Promise<void> {
  if (route[0] === 'run' && route[1]) return renderRun(host, Number(route[1]));
  loading(host);
  let summary: Record<string, number>; let retention: Schemas['GetRetentionResponse'];
  try {
    [summary, retention] = await Promise.all([get<Record<string, number>>('audit/summary'), get<Schemas['GetRetentionResponse']>('audit/retention')]);
  } catch (e) { clear(host); showError(host, e); return; }
  const entriesHost = h('div', { 'data-testid': 'audit-entries' });
  const action = select('action', [['', 'Any action'], ...ACTIONS.map((a): [string, string] => [a, sentence(a)])], filters.action);
  const status = select('status', [['', 'Any'], ['success', 'Success'], ['failed', 'Failed'], ['skipped', 'Skipped']], filters.status);
  const kind = select('kind', RUN_KINDS, filters.kind);
  const actor = h('input', { type: 'search', name: 'actor', value: filters.actor, placeholder: 'Username or key' });
  const target = h('input', { type: 'search', name: 'target', value: filters.target, placeholder: 'User or group' });
  const text = h('input', { type: 'search', name: 'text', value: filters.text, placeholder: 'Actor, target or description' });
  const from = h('input', { type: 'date', name: 'from', value: filters.from });
  const to = h('input', { type: 'date', name: 'to', value: filters.to });
  const auditQuery = (): Record<string, string> => {
    const q: Record<string, string> = { action: filters.action, status: filters.status, kind: filters.kind, actor: filters.actor, target: filters.target, text: filters.text };
    if (filters.from) q.from = String(Date.parse(`${filters.from}T00:00:00Z`));
    if (filters.to) q.to = String(Date.parse(`${filters.to}T23:59:59Z`));
    return q;
  };
  const apply = (): void => { Object.assign(filters, { action: action.value, status: status.value, kind: kind.value, actor: actor.value.trim(), target: target.value.trim(), text: text.value, from: from.value, to: to.value }); cursors = []; void loadEntries(entriesHost, auditQuery(), 0); };
  const days = h('input', { type: 'number', name: 'retentionDays', min: 1, value: retention.days, class: 'sw-narrow' });
  const msg = h('div', { 'data-testid': 'retention-msg', 'aria-live': 'polite' });
  clear(host,
    h('div', { class: 'sw-cards' }, Object.entries(summary).filter(([k, v]) => typeof v === 'number' && !k.endsWith('Pct') && k !== 'windowStart').map(([k, v]) => {
      const label = `${k.replace(/([A-Z])/g, ' $1').toLowerCase()} (24 h)`;
      const pct = summary[`${k}Pct`];
      const content = [h('div', { class: 'sw-card-value' }, fmtNum(v)), h('div', { class: 'sw-card-label' }, label, typeof pct === 'number' ? ` · ${Math.round(pct)} %` : '')];
      const status = CARD_STATUS[k];
      // Cards about runs open the runs list filtered to them.
      return status === undefined ? h('div', { class: 'sw-card' }, content)
        : h('button', { type: 'button', class: 'sw-card sw-card-button', 'data-testid': `audit-card-${k}`, 'aria-label': `${label}: ${v}. Show runs with this status`,
          // Runs in progress or held count whatever their start; the other cards count the window's runs.
          onclick: () => { setRunFilter({ status, kind: '', since: WINDOWED.has(k) ? summary.windowStart ?? null : null }); void renderAudit(host, []); } }, content);
    })),
    h('div', { class: 'sw-toolbar' }, button('Refresh', () => void renderAudit(host, []), 'subtle')),
    section('Operation runs', runsSection((id) => navigate(`audit/run/${id}`))),
    section('Entries',
      h('form', { class: 'sw-filters', role: 'search', 'aria-label': 'Filter audit entries', onsubmit: (e: Event) => { e.preventDefault(); apply(); } },
        field('Operation kind', kind), field('Action', action), field('Status', status), field('Performed by', actor), field('Target', target), field('Text', text), field('From (UTC)', from), field('To (UTC)', to),
        h('div', { class: 'sw-field sw-field-button' }, h('button', { type: 'submit', class: 'sw-btn sw-btn-primary' }, 'Apply filters')),
        h('div', { class: 'sw-field sw-field-button' }, button('Export CSV', () => void getBlob('audit/export', auditQuery()).then(({ blob, name }) => download(blob, name), (e: unknown) => showError(msg, e))))),
      entriesHost),
    section('Retention',
      h('form', { class: 'sw-filters', 'aria-label': 'Audit retention', onsubmit: (e: Event) => { e.preventDefault(); clear(msg); void saveRetention(retention, Number(days.value), msg); } },
        field('Keep entries for (days)', days), h('div', { class: 'sw-field sw-field-button' }, h('button', { type: 'submit', class: 'sw-btn' }, 'Save retention')),
        h('div', { class: 'sw-field sw-field-button' }, button('Clear the audit log…', () => clearDialog(host), 'danger'))), msg));
  await loadEntries(entriesHost, auditQuery(), 0);
}

/**
 * Loads a page of entries into `host`. Filters are applied and pages turned faster than a large log answers: only the
 * newest request's answer is drawn (`newest`), so the rows always match the filters on screen.
 */
function loadEntries(host: HTMLElement, q: Record<string, string>, pageIndex: number): Promise<void> {
  return newest(host,
    () => get<Schemas['ListAuditResponse']>('audit', { ...q, cursor: cursors[pageIndex - 1] ?? '', limit: 50 }),
    (page) => showEntries(host, q, pageIndex, page),
    (e) => { clear(host); showError(host, e); });
}

function showEntries(host: HTMLElement, q: Record<string, string>, pageIndex: number, page: Schemas['ListAuditResponse']): void {
  if (page.next) cursors[pageIndex] = page.next;
  clear(host,
    page.entries.length ? h('table', { class: 'sw-table', 'data-testid': 'audit-table' },
      h('thead', {}, h('tr', {}, ['Time', 'Actor', 'IP address', 'Action', 'Target', 'Status', 'Details', 'Run'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, page.entries.map((e) => h('tr', { 'data-testid': 'audit-row' },
        h('td', {}, fmtTime(e.at)), actorCell(e.actor), h('td', { 'data-testid': 'audit-ip' }, e.clientIp ?? '—'), h('td', {}, e.action.replace(/_/g, ' ')), h('td', {}, who(e.target)),
        h('td', {}, lozenge(e.status, statusTone(e.status))), h('td', {}, plain(e.description), e.reason ? h('div', { class: 'sw-muted' }, plain(e.reason)) : null),
        h('td', {}, e.run ? h('a', { href: `#/audit/run/${e.run}` }, `#${e.run}`) : ''))))) : h('p', { class: 'sw-muted' }, 'No entries match.'),
    pager(pageIndex + 1, page.next ? pageIndex + 2 : pageIndex + 1, (p) => void loadEntries(host, q, p - 1)));
}

/**
 * Saves the retention; lowering it (which deletes older entries) asks for the new number typed first.
 * The outcome is a flag at the top of the page (issue 24): saved, lowered (with when older entries
 * go), left unchanged after a cancelled confirmation, or refused (the reason also stays beside the form).
 */
async function saveRetention(retention: { days: number; configVersion?: number }, days: number, msg: HTMLElement): Promise<void> {
  const lowering = days > 0 && (retention.days === 0 || days < retention.days);
  const body: Record<string, unknown> = { days, configVersion: retention.configVersion };
  if (lowering) {
    const typed = h('input', { type: 'text', name: 'confirmDays', inputmode: 'numeric', autocomplete: 'off' });
    const yes = await new Promise<boolean>((resolve) => {
      const d = openDialog('Lower audit retention', [
        h('p', {}, `Entries are kept ${retention.days === 0 ? 'forever' : `for ${retention.days} days`}. Keeping them for ${days} days deletes every older entry at the next scheduler run; this cannot be undone.`),
        field(`Type ${days} to confirm`, typed)],
      [button('Lower retention', () => { if (typed.value.trim() === String(days)) { d.close(); resolve(true); } }, 'danger', { 'data-testid': 'confirm-retention' })]);
      const observer = new MutationObserver(() => { if (!d.el.isConnected) { observer.disconnect(); resolve(false); } });
      observer.observe(document.body, { childList: true });
    });
    if (!yes) { flag('Audit retention not changed', 'info', `Entries are still kept ${keptFor(retention.days)}.`); return; }
    body.confirmDays = days;
  }
  try {
    const before = retention.days;
    const saved = await put<{ days: number; configVersion: number }>('audit/retention', body);
    retention.configVersion = saved.configVersion; retention.days = saved.days;
    if (lowering) flag(`Audit retention lowered to ${plural(saved.days, 'day')}`, 'success', `Entries older than ${plural(saved.days, 'day')} are deleted at the next scheduler run (they were kept ${keptFor(before)}).`);
    else flag(`Audit retention saved: entries kept ${keptFor(saved.days)}`);
  } catch (err) {
    showError(msg, err);
    flag('Audit retention not saved', 'error', errorText(err));
  }
}

/** "for 90 days", or "forever" (0). */
function keptFor(days: number): string {
  return days === 0 ? 'forever' : `for ${plural(days, 'day')}`;
}

function clearDialog(host: HTMLElement): void {
  const phrase = 'CLEAR ALL AUDIT LOGS'; // seatwarden_audit::CLEAR_CONFIRMATION
  const input = h('input', { type: 'text', name: 'confirm', autocomplete: 'off' });
  const out = h('div', {});
  const d = openDialog('Clear the audit log', [h('p', {}, `This removes every audit entry. Type ${phrase} to confirm.`), field('Confirmation', input), out],
    [button('Clear', () => void post('audit/clear', { confirm: input.value }).then(() => { d.close(); flag('Audit log cleared'); void renderAudit(host, []); }, (e: unknown) => showError(out, e)), 'danger')]);
}

type RunDetail = Schemas['GetRunResponse'];

async function renderRun(host: HTMLElement, id: number): Promise<void> {
  loading(host);
  let d: RunDetail; let acts: Schemas['ListRunActionsResponse']; let entries: { entries: Entry[] };
  try {
    [d, acts, entries] = await Promise.all([get<RunDetail>(`runs/${id}`), get<typeof acts>(`runs/${id}/actions`, { limit: 200 }), get<{ entries: Entry[] }>('audit', { run: id, limit: 200 })]);
  } catch (e) { clear(host); showError(host, e); return; }
  const out = h('div', {});
  const r = d.run;
  clear(host,
    h('div', { class: 'sw-toolbar' }, button('Back to audit', () => navigate('audit'), 'subtle'),
      r.status === 'awaiting_approval' ? button('Review approval', () => navigate(`automation/approve/${id}`), 'primary') : null,
      r.status === 'awaiting_approval' ? button('Discard', () => void discardRun({ id, name: r.name }, out).then((done) => { if (done) void renderRun(host, id); }), 'danger', { 'data-testid': 'discard' }) : null,
      applies(button('Revert this run…', () => void revert(id, out), 'danger', { disabled: r.status === 'reverted' || r.status === 'in_progress' || r.status === 'previewed' || r.status === 'discarded' || r.status === 'awaiting_approval' }))),
    h('h2', {}, `Run #${id}: ${r.name}`),
    h('p', {}, lozenge(r.status.replace(/_/g, ' '), statusTone(r.status)), ` ${runKindLabel(r)} · started ${fmtTime(r.startedAt)} · ${fmtNum(r.counts.succeeded)} succeeded, ${fmtNum(r.counts.failed)} failed, ${fmtNum(r.counts.skipped)} skipped`,
      r.finishedAt ? h('span', { 'data-testid': 'run-took' }, ` · took ${spanText(r.durationMs ?? r.finishedAt - r.startedAt)}${r.approvalWaitMs !== undefined ? `, after waiting ${spanText(r.approvalWaitMs)} for approval` : ''}`) : null),
    out,
    section(`Actions (${fmtNum(acts.total)})`, acts.actions.length ? h('table', { class: 'sw-table', 'data-testid': 'run-actions' },
      h('thead', {}, h('tr', {}, ['User', 'Action', 'Why', 'Outcome'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, acts.actions.map(({ action: a, outcome }) => h('tr', {}, h('td', {}, a.username || a.user), h('td', {}, opLabel(a.operation)), h('td', {}, plain(a.reason)),
        h('td', {}, outcome ? [lozenge(outcome.status, statusTone(outcome.status)), outcome.detail ? ` ${outcome.detail}` : ''] : '—'))))) : h('p', { class: 'sw-muted' }, 'No actions.')),
    section('Audit entries of this run', entries.entries.length ? h('table', { class: 'sw-table', 'data-testid': 'audit-table' },
      h('thead', {}, h('tr', {}, ['Time', 'Action', 'Target', 'Status', 'Details'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, entries.entries.map((e) => h('tr', { 'data-testid': 'audit-row' }, h('td', {}, fmtTime(e.at)), h('td', {}, e.action.replace(/_/g, ' ')), h('td', {}, who(e.target)), h('td', {}, lozenge(e.status, statusTone(e.status))), h('td', {}, plain(e.description)))))) : h('p', { class: 'sw-muted' }, 'No entries.')));
}

async function revert(id: number, out: HTMLElement): Promise<void> {
  const d = openDialog(`Revert run #${id}`, h('p', { role: 'status' }, 'Planning the inverse…'));
  let plan: Schemas['PlanRevertResponse'];
  try { plan = await post<typeof plan>(`runs/${id}/revert/plan`); } catch (e) { clear(d.body); showError(d.body, e); return; }
  // The server labels each step with its user's username; users and actions are counted apart.
  const actions = plan.actions;
  clear(d.body,
    h('p', { 'data-testid': 'revert-totals' }, h('strong', {}, `${fmtNum(plan.users)} ${plan.users === 1 ? 'user' : 'users'} · ${fmtNum(actions.length)} ${actions.length === 1 ? 'action' : 'actions'}`)),
    planView(null, actions),
    plan.irreversible.length ? banner(`${plural(plan.irreversible.length, 'change')} cannot be reverted (for example deletions).`, 'warning') : null);
  const go = applies(button('Apply the revert', () => {
    go.disabled = true;
    void (async () => {
      try {
        const { runId } = await post<{ runId: number }>(`runs/${id}/revert`, { planHash: plan.planHash });
        d.close();
        await followRun(out, runId, 'Revert progress');
      } catch (e) { if (e instanceof ApiError) showError(d.body, e); else throw e; }
    })();
  }, 'primary', { disabled: plan.steps.length === 0 }));
  d.el.querySelector('.sw-dialog-foot')?.appendChild(go);
}
