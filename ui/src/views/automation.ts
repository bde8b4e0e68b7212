// Automation: summary, policy list, preset editors (safe/live), preview,
// run now with progress, and the approval screen for guard trips.

import { h, clear, select, field, button, fmtTime, lozenge, statusTone, banner } from '../dom';
import { get, post, put, del } from '../api';
import { section, showError, openDialog, planView, followRun, loading, ActionInfo } from '../components';
import { navigate } from '../router';
import { RunSummary } from './dashboard';

interface Policy {
  id: string; name: string; enabled: boolean; mode: string; priority: number;
  trigger?: { kind: string }; scope?: { excludeGroups?: string[]; target?: { kind: string; groups?: string[] } };
  condition?: { kind: string; days?: number }; action: { kind: string; groups?: string[]; renameSuffix?: string };
}
interface PolicyItem { policy: Policy; lastRun: RunSummary | null; nextRun: number | null; configVersion: number }
interface Summary { nextRun: number | null; nextPolicy: string | null; automations: { id: string; name: string; enabled: boolean; mode: string; action: string }[]; licenceAlert: { enabled: boolean; over: unknown[] } }

const PRESETS: [string, string][] = [
  ['deactivate', 'Deactivate inactive users'], ['remove_groups', 'Revoke access (remove from groups)'], ['add_groups', 'Group assignment (tag)'],
  ['remove_licence_groups', 'Release licence seats'], ['delete', 'Delete deactivated users'], ['reactivate', 'Reactivate on login'], ['floating_licence', 'Floating licence on login'],
];

export async function renderAutomation(host: HTMLElement, route: string[]): Promise<void> {
  if (route[0] === 'new') return renderEditor(host, null);
  if (route[0] === 'edit' && route[1]) return renderEditor(host, route[1]);
  if (route[0] === 'approve' && route[1]) return renderApproval(host, Number(route[1]));
  loading(host);
  let summary: Summary; let list: { policies: PolicyItem[]; configVersion: number };
  try { [summary, list] = await Promise.all([get<Summary>('automation/summary'), get<{ policies: PolicyItem[]; configVersion: number }>('policies')]); } catch (e) { clear(host); showError(host, e); return; }
  const on = summary.automations.filter((a) => a.enabled);
  const out = h('div', {});
  clear(host,
    h('div', { class: 'sw-cards' },
      h('div', { class: 'sw-card' }, h('div', { class: 'sw-card-value' }, summary.nextRun ? fmtTime(summary.nextRun) : '—'), h('div', { class: 'sw-card-label' }, `Next scheduled run${summary.nextPolicy ? ` (${summary.nextPolicy})` : ''}`)),
      h('div', { class: 'sw-card' }, h('div', { class: 'sw-card-value' }, String(on.length)), h('div', { class: 'sw-card-label' }, 'Automations on')),
      h('div', { class: 'sw-card' }, h('div', { class: 'sw-card-value' }, summary.licenceAlert.enabled ? (summary.licenceAlert.over.length ? `${summary.licenceAlert.over.length} over` : 'OK') : 'off'), h('div', { class: 'sw-card-label' }, 'Licence alert'))),
    h('div', { class: 'sw-toolbar' }, button('New policy', () => navigate('automation/new'), 'primary')),
    out,
    section('Policies', list.policies.length ? h('table', { class: 'sw-table', 'data-testid': 'policies-table' },
      h('thead', {}, h('tr', {}, ['Name', 'Trigger', 'Action', 'Mode', 'Threshold', 'Protected groups', 'Last run', 'Next run', ''].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, list.policies.map(({ policy: p, lastRun, nextRun }) => h('tr', { 'data-testid': 'policy-row', 'data-policy': p.id },
        h('td', {}, p.name, p.enabled ? null : [' ', lozenge('paused', 'neutral')]),
        h('td', {}, p.trigger?.kind ?? ''), h('td', {}, p.action.kind.replace(/_/g, ' ')),
        h('td', {}, lozenge(p.mode, p.mode === 'live' ? 'warning' : 'info')),
        h('td', {}, p.condition?.days !== undefined ? `${p.condition.days} days ${p.condition.kind}` : (p.condition?.kind ?? '')),
        h('td', {}, (p.scope?.excludeGroups ?? []).join(', ')),
        h('td', {}, lastRun ? [lozenge(lastRun.status.replace(/_/g, ' '), statusTone(lastRun.status)), ' ', fmtTime(lastRun.startedAt)] : '—'),
        h('td', {}, nextRun ? fmtTime(nextRun) : '—'),
        h('td', { class: 'sw-actions' },
          button('Edit', () => navigate(`automation/edit/${p.id}`), 'subtle'),
          button('Preview', () => void preview(p.id), 'subtle'),
          button('Run now', () => void runNow(p.id, out), 'subtle'),
          button(p.enabled ? 'Pause' : 'Resume', () => void post(`policies/${encodeURIComponent(p.id)}/${p.enabled ? 'pause' : 'resume'}`).then(() => renderAutomation(host, []), (e: unknown) => showError(out, e)), 'subtle'),
          button('Delete', () => { if (window.confirm(`Delete policy ${p.name}?`)) void del(`policies/${encodeURIComponent(p.id)}`).then(() => renderAutomation(host, []), (e: unknown) => showError(out, e)); }, 'danger')))))) : h('p', { class: 'sw-muted' }, 'No policies yet.')));
}

async function preview(id: string): Promise<void> {
  const d = openDialog(`Preview of ${id}`, h('p', { role: 'status' }, 'Evaluating…'));
  try {
    const r = await post<{ planHash: string; status: string; document: Parameters<typeof planView>[0]; actions: ActionInfo[] }>(`policies/${encodeURIComponent(id)}/preview`);
    clear(d.body, planView(r.document, r.actions));
  } catch (e) { clear(d.body); showError(d.body, e); }
}

async function runNow(id: string, out: HTMLElement): Promise<void> {
  clear(out);
  try {
    const { runId } = await post<{ runId: number }>(`policies/${encodeURIComponent(id)}/run`);
    const final = await followRun(out, runId, `Run of ${id}`);
    if (final.status === 'awaiting_approval') {
      out.appendChild(h('p', {}, banner('The mass-change guard stopped this run before its first change.', 'warning'), button('Review and approve', () => navigate(`automation/approve/${runId}`), 'primary')));
    }
  } catch (e) { showError(out, e); }
}

interface RunDetail { run: RunSummary & { planHash?: string }; planStatus: string | null; plannedActions: number; plan: Parameters<typeof planView>[0] }

async function renderApproval(host: HTMLElement, runId: number): Promise<void> {
  loading(host);
  let detail: RunDetail; let actions: { actions: { action: ActionInfo }[] };
  try { [detail, actions] = await Promise.all([get<RunDetail>(`runs/${runId}`), get<{ actions: { action: ActionInfo }[] }>(`runs/${runId}/actions`, { limit: 200 })]); } catch (e) { clear(host); showError(host, e); return; }
  const out = h('div', {});
  const approve = button('Approve and apply this exact plan', () => {
    approve.disabled = true;
    void (async () => {
      try {
        const { runId: applied } = await post<{ runId: number }>(`runs/${runId}/approve`, { planHash: detail.run.planHash ?? '' });
        await followRun(out, applied, 'Approved run progress');
      } catch (e) { showError(out, e); approve.disabled = false; }
    })();
  }, 'primary', { disabled: detail.run.status !== 'awaiting_approval', 'data-testid': 'approve' });
  clear(host,
    h('h2', {}, `Approval needed: run #${runId} (${detail.run.name})`),
    h('p', {}, lozenge(detail.run.status.replace(/_/g, ' '), statusTone(detail.run.status)), ` ${detail.plannedActions} planned actions · plan ${detail.run.planHash ?? ''}`),
    planView(detail.plan, actions.actions.map((a) => a.action)),
    h('div', { class: 'sw-toolbar' }, approve, button('Back to automation', () => navigate('automation'), 'subtle')), out);
}

async function renderEditor(host: HTMLElement, id: string | null): Promise<void> {
  let policy: Policy | null = null; let version: number | undefined;
  if (id) {
    try { const item = await get<PolicyItem>(`policies/${encodeURIComponent(id)}`); policy = item.policy; version = item.configVersion; } catch (e) { clear(host); showError(host, e); return; }
  } else {
    const draft = sessionStorage.getItem('seatwarden.draftPolicy');
    sessionStorage.removeItem('seatwarden.draftPolicy');
    if (draft) policy = JSON.parse(draft) as Policy;
  }
  const name = h('input', { type: 'text', name: 'name', required: true, value: policy?.name ?? '' });
  const kind = select('actionKind', PRESETS, policy?.action.kind ?? 'deactivate');
  const mode = select('mode', [['safe', 'Safe mode (preview only, changes nothing)'], ['live', 'Live (applies changes)']], policy?.mode ?? 'safe');
  const days = h('input', { type: 'number', name: 'days', min: 1, value: policy?.condition?.days ?? 90, class: 'sw-narrow' });
  const groups = h('input', { type: 'text', name: 'groups', value: (policy?.action.groups ?? []).join('; '), placeholder: 'group-a; group-b' });
  const exclude = h('input', { type: 'text', name: 'excludeGroups', value: (policy?.scope?.excludeGroups ?? []).join('; '), placeholder: 'protected-group' });
  const suffix = h('input', { type: 'text', name: 'renameSuffix', value: policy?.action.renameSuffix ?? '' });
  const enabled = h('input', { type: 'checkbox', name: 'enabled', checked: policy?.enabled ?? true });
  const out = h('div', {});
  const list = (s: string): string[] => s.split(/[;,]/).map((x) => x.trim()).filter(Boolean);
  const save = async (): Promise<string | null> => {
    clear(out);
    const k = kind.value;
    const action: Record<string, unknown> = { kind: k };
    if (k === 'remove_groups' || k === 'add_groups') action.groups = list(groups.value);
    if (k === 'deactivate' && suffix.value.trim()) action.renameSuffix = suffix.value.trim();
    const body: Record<string, unknown> = {
      ...(policy ?? {}), name: name.value, mode: mode.value, enabled: enabled.checked, action,
      scope: { ...(policy?.scope ?? {}), excludeGroups: list(exclude.value) },
    };
    if (k === 'reactivate' || k === 'floating_licence') { body.trigger = { kind: 'login' }; body.condition = { kind: 'login' }; }
    else { body.trigger = policy?.trigger && policy.trigger.kind !== 'login' ? policy.trigger : { kind: 'scheduler' }; body.condition = { kind: k === 'delete' ? 'deactivated' : 'inactive', days: Number(days.value) }; }
    if (version !== undefined) body.configVersion = version;
    try {
      const saved = id ? await put<PolicyItem>(`policies/${encodeURIComponent(id)}`, body) : await post<PolicyItem>('policies', body);
      version = saved.configVersion;
      out.appendChild(banner(`Saved policy ${saved.policy.name} (${saved.policy.mode} mode)`, 'success'));
      return saved.policy.id;
    } catch (e) { showError(out, e); return null; }
  };
  clear(host,
    h('h2', {}, id ? `Edit policy ${policy?.name ?? id}` : 'New policy'),
    h('form', { class: 'sw-form', 'aria-label': 'Policy', onsubmit: (e: Event) => { e.preventDefault(); void save().then((pid) => { if (pid && !id) navigate(`automation/edit/${pid}`); }); } },
      field('Name', name), field('What it does', kind), field('Mode', mode, 'New policies start in safe mode: runs record the plan and change nothing.'),
      field('Inactive (or deactivated, for delete) for at least N days', days), field('Groups to add or remove', groups), field('Rename suffix on deactivation', suffix),
      field('Protected groups of this policy', exclude, 'Members are never touched by this policy; global protected groups and sysadmins always apply.'),
      h('label', { class: 'sw-check' }, enabled, ' Enabled'),
      h('div', { class: 'sw-toolbar' },
        h('button', { type: 'submit', class: 'sw-btn sw-btn-primary' }, 'Save'),
        id ? button('Preview', () => void preview(id), 'default') : null,
        id ? button('Run now', () => void runNow(id, out), 'default') : null,
        button('Back', () => navigate('automation'), 'subtle'))),
    out);
}
