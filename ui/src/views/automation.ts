// Automation: summary, policy list, preset editors (safe/live), preview,
// run now with progress, and the approval screen for guard trips.

import { h, clear, select, field, button, fmtTime, lozenge, statusTone, banner, fmtNum, download, plain, shownName } from '../dom';
import { get, post, put, getBlob, type Schemas } from '../api';
import { section, showError, planView, followRun, loading, pager } from '../components';
import { withIcon } from '../icons';
import { navigate } from '../router';
import { renderPolicyEditor, TABS } from './policy-editor';
import { preview, runNow } from './policy-actions';
import { heldRunsBanner, discardRun } from './held-runs';
import { summaryOf, totalsText, skipTotals } from './confirm-change';
import { applies } from '../preview';
import { accessRequestShort } from './access-request-words';

type Policy = Schemas['Policy'];
type PolicyItem = Schemas['GetPolicyResponse'];
type Summary = Schemas['GetAutomationSummaryResponse'];

/** How a policy's trigger reads in the list. */
function triggerText(p: Policy): string {
  const t = p.trigger;
  if (t.kind === 'scheduler') return 'daily scheduler run';
  if (t.kind === 'login') return 'at login';
  const s = t.schedule;
  const tz = s.timezone ? ` ${s.timezone}` : '';
  switch (s.every) {
    case 'weekly': return `weekly ${s.days.join(', ')} at ${s.at}${tz}`;
    case 'monthly': return `monthly on day ${s.day} at ${s.at}${tz}`;
    case 'cron': return `cron ${s.expression}${tz}`;
    case 'daily': return `daily at ${s.at}${tz}`;
  }
}

/** What an "I still need access" request does under this policy, under its action (absent: no link offered). */
function accessRequestNote(p: Policy): HTMLElement | null {
  const text = accessRequestShort(p.warning?.accessRequest);
  return text ? h('div', { class: 'sw-hint', 'data-testid': 'policy-access-request' }, text) : null;
}

function thresholdText(p: Policy): string {
  const c = p.condition;
  if (c.kind === 'login') return '—';
  if (c.kind === 'deactivated') return `deactivated ${c.days}+ days`;
  const parts = [`idle ${c.days}+ days`];
  if (c.neverLoggedInDays !== undefined) parts.push(`never logged in ${c.neverLoggedInDays}+ days`);
  if (c.onceLoggedInDays !== undefined) parts.push(`once ${c.onceLoggedInDays}+ days`);
  return parts.join('; ');
}

function kindLabel(kind: string): string {
  return TABS.find((t) => t.kind === kind)?.label ?? kind.replace(/_/g, ' ');
}

export async function renderAutomation(host: HTMLElement, route: string[]): Promise<void> {
  if (route[0] === 'new') return renderPolicyEditor(host, null, route[1]);
  if (route[0] === 'edit' && route[1]) return renderPolicyEditor(host, route[1]);
  if (route[0] === 'approve' && route[1]) return renderApproval(host, Number(route[1]));
  loading(host);
  let summary: Summary; let list: Schemas['ListPoliciesResponse'];
  try { [summary, list] = await Promise.all([get<Summary>('automation/summary'), get<Schemas['ListPoliciesResponse']>('policies')]); } catch (e) { clear(host); showError(host, e); return; }
  const on = summary.automations.filter((a) => a.enabled);
  const out = h('div', {});
  const held = h('div', { 'data-testid': 'held-runs' });
  void heldRunsBanner(held);
  clear(host,
    held,
    h('div', { class: 'sw-cards' },
      h('div', { class: 'sw-card' }, h('div', { class: 'sw-card-value' }, summary.nextRun ? fmtTime(summary.nextRun) : '—'), h('div', { class: 'sw-card-label' }, `Next scheduled run${summary.nextPolicy ? ` (${summary.nextPolicy})` : ''}`)),
      h('div', { class: 'sw-card' }, h('div', { class: 'sw-card-value' }, String(on.length)), h('div', { class: 'sw-card-label' }, 'Automations on')),
      h('div', { class: 'sw-card' }, h('div', { class: 'sw-card-value' }, summary.licenceAlert.enabled ? (summary.licenceAlert.over.length ? `${summary.licenceAlert.over.length} over` : 'OK') : 'off'), h('div', { class: 'sw-card-label' }, 'Licence alert'))),
    h('div', { class: 'sw-cards' }, TABS.map((t) => {
      const mine = summary.automations.filter((a) => a.action === t.kind);
      const live = mine.filter((a) => a.enabled && a.mode === 'live').length;
      const safe = mine.filter((a) => a.enabled && a.mode !== 'live').length;
      return h('div', { class: 'sw-card sw-card-small', 'data-testid': `kind-card-${t.kind}` },
        h('div', { class: 'sw-card-label' }, t.label),
        h('div', {}, mine.length ? [lozenge(live ? `${live} live` : 'no live', live ? 'success' : 'neutral'), ' ', safe ? lozenge(`${safe} safe`, 'info') : null] : lozenge('off', 'neutral')),
        button(`New ${t.label.toLowerCase()} policy`, () => navigate(`automation/new/${t.kind}`), 'subtle', { 'aria-label': `New ${t.label} policy` }));
    })),
    h('div', { class: 'sw-toolbar' }, button('New policy', () => navigate('automation/new'), 'primary')),
    out,
    section('Policies', list.policies.length ? h('table', { class: 'sw-table', 'data-testid': 'policies-table' },
      h('thead', {}, h('tr', {}, ['Name', 'Trigger', 'Action', 'Mode', 'Threshold', 'Protected groups', 'Last run', 'Next run', ''].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, list.policies.map(({ policy: p, lastRun, nextRun }) => h('tr', { 'data-testid': 'policy-row', 'data-policy': p.id },
        h('td', {}, shownName(p.name), p.enabled ? null : [' ', lozenge('paused', 'neutral')]),
        h('td', {}, triggerText(p)), h('td', {}, kindLabel(p.action.kind), accessRequestNote(p)),
        h('td', {}, lozenge(p.mode, p.mode === 'live' ? 'warning' : 'info')),
        h('td', {}, thresholdText(p)),
        h('td', {}, (p.scope?.excludeGroups ?? []).join(', ')),
        h('td', {}, lastRun ? [lozenge(lastRun.status.replace(/_/g, ' '), statusTone(lastRun.status)), ' ', fmtTime(lastRun.startedAt)] : '—'),
        h('td', {}, nextRun ? fmtTime(nextRun) : '—'),
        h('td', { class: 'sw-actions' },
          button('Edit', () => navigate(`automation/edit/${p.id}`), 'subtle'),
          // Login policies act on each login as it happens; there is nothing to preview or run in bulk.
          p.trigger?.kind === 'login' ? null : withIcon(button('Preview', () => void preview(p.id), 'subtle'), 'preview'),
          p.trigger?.kind === 'login' ? null : applies(withIcon(button('Run now', () => void runNow(p.id, out, p.enabled && p.mode === 'live'), 'subtle'), 'play')),
          button(p.enabled ? 'Pause' : 'Resume', () => void post(`policies/${encodeURIComponent(p.id)}/${p.enabled ? 'pause' : 'resume'}`, { configVersion: list.configVersion }).then(() => renderAutomation(host, []), (e: unknown) => showError(out, e)), 'subtle')))))) : h('p', { class: 'sw-muted' }, 'No policies yet.')));
}

type RunDetail = Schemas['GetRunResponse'];

/** Actions per page on the approval screen (every action is reachable by paging; the export has them all). */
const APPROVAL_PAGE = 200;

async function renderApproval(host: HTMLElement, runId: number, page = 1): Promise<void> {
  loading(host);
  let detail: RunDetail; let actions: Schemas['ListRunActionsResponse'];
  try { [detail, actions] = await Promise.all([get<RunDetail>(`runs/${runId}`), get<Schemas['ListRunActionsResponse']>(`runs/${runId}/actions`, { limit: APPROVAL_PAGE, cursor: (page - 1) * APPROVAL_PAGE })]); } catch (e) { clear(host); showError(host, e); return; }
  const headingOf = (r: RunDetail['run']): (HTMLElement | null)[] => r.status === 'awaiting_approval'
    ? [h('h2', {}, `Approval needed: run #${runId} (${r.name})`)]
    : [h('h2', {}, `Run #${runId} (${r.name})`), h('p', { 'data-testid': 'no-longer-waiting' }, `This run no longer waits for approval: it is ${r.status.replace(/_/g, ' ')}.`)];
  const heading = h('div', {}, headingOf(detail.run));
  const pages = Math.max(1, Math.ceil(actions.total / APPROVAL_PAGE));
  const first = (page - 1) * APPROVAL_PAGE;
  const out = h('div', {});
  const approve = applies(button('Approve and apply this exact plan', () => {
    approve.disabled = true;
    void (async () => {
      try {
        const { runId: applied } = await post<{ runId: number }>(`runs/${runId}/approve`, { planHash: detail.run.planHash ?? '' });
        await followRun(out, applied, 'Approved run progress');
        // The page now says what happened instead of "Approval needed" (the progress above stays).
        const now = await get<RunDetail>(`runs/${runId}`);
        clear(heading, headingOf(now.run));
        discard.disabled = true;
      } catch (e) { showError(out, e); approve.disabled = false; }
    })();
  }, 'primary', { disabled: detail.run.status !== 'awaiting_approval', 'data-testid': 'approve' }));
  const discard = button('Discard this plan', () => void discardRun({ id: runId, name: detail.run.name }, out).then((done) => { if (done) void renderApproval(host, runId); }),
    'danger', { disabled: detail.run.status !== 'awaiting_approval', 'data-testid': 'discard' });
  clear(host,
    heading,
    h('p', {}, lozenge(detail.run.status.replace(/_/g, ' '), statusTone(detail.run.status)), ` plan ${detail.run.planHash ?? ''}`),
    // Totals by action and by skip reason, for the whole plan (the table pages through it).
    h('p', { 'data-testid': 'approval-totals' }, h('strong', {}, totalsText(summaryOf(detail.plan)))),
    skipTotals(detail.plan).length ? h('ul', { 'data-testid': 'approval-skips' }, skipTotals(detail.plan).map(([why, n]) => h('li', {}, `${fmtNum(n)} skipped: ${plain(why)}`))) : null,
    planView(detail.plan, actions.actions.map((a) => a.action), [], actions.total),
    h('p', { class: 'sw-muted', 'data-testid': 'approval-range' }, actions.total ? `Actions ${fmtNum(first + 1)}–${fmtNum(first + actions.actions.length)} of ${fmtNum(actions.total)}` : 'No actions.'),
    pages > 1 ? pager(page, pages, (p) => void renderApproval(host, runId, p)) : null,
    h('div', { class: 'sw-toolbar' }, approve, discard,
      button('Export the plan (CSV)', () => void getBlob(`runs/${runId}/actions/export`).then(({ blob, name }) => download(blob, name), (e: unknown) => showError(out, e)), 'default', { 'data-testid': 'export-plan' }),
      button('Back to automation', () => navigate('automation'), 'subtle')), out);
}
