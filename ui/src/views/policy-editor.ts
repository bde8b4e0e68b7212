// The policy editor: one screen per automation tab (deactivate, revoke access,
// group assignment, release licence seats, floating licence, reactivate on
// login, delete), each a preset of the one policy model the engine reads.
// The editor only shapes the JSON; the server validates it and names the
// path of every problem, shown beside the field that edits that path.

import { h, clear, select, button, banner, nextId, shownName } from '../dom';
import { flag } from '../flag';
import { withIcon } from '../icons';
import { get, post, put, type Schemas } from '../api';
import { showError } from '../components';
import { navigate } from '../router';
import { directories, directoryLabel, Directory } from '../directories';
import { FieldErrors, list, joinList, check } from '../form';
import { preview, runNow, deletePolicy } from './policy-actions';
import { applies } from '../preview';
import { whatIfPanel } from './forecast';
import { groupPicker, userPicker } from '../picker';
import { isConflict, conflictBanner } from '../conflict';
import { previewAsSent } from './notifications';
import { AccessRequestJson, REMOVES_ACCESS, accessRequestWords } from './access-request-words';

export type ActionKind = 'deactivate' | 'suspend' | 'remove_groups' | 'add_groups' | 'remove_licence_groups' | 'floating_licence' | 'reactivate' | 'delete';

/**
 * A policy as the editor writes it (the request body; a draft in session storage). What the API
 * answers is `Schemas['Policy']`, which fits this looser write shape.
 */
export interface PolicyJson {
  id?: string; name?: string; enabled?: boolean; mode?: string; priority?: number;
  trigger?: { kind: string; schedule?: Record<string, unknown> };
  scope?: { directories?: { kind: string; ids?: number[] }; readOnly?: string; target?: { kind: string; groups?: string[] }; excludeGroups?: string[] };
  condition?: { kind: string; days?: number; neverLoggedInDays?: number; onceLoggedInDays?: number };
  signals?: string[];
  action: { kind: string; groups?: string[]; applications?: string[]; renameSuffix?: string; handover?: { to: string; user?: string };
    rules?: { sourceGroups: string[]; targetGroups: string[] }[]; restrictedGroups?: string[]; addGroups?: string[]; removeGroups?: string[] };
  warning?: { daysBefore: number; neverLoggedIn?: boolean; actOnOverdueAtOnce?: boolean; template?: string; accessRequest?: AccessRequestJson };
  review?: { timeoutDays?: number; onTimeout?: string; exemptDays?: number; reviewers?: string[] };
}

interface Tab { kind: ActionKind; label: string; login: boolean; about: string; days: number; name: (days: number) => string }

/** The tabs, in the order admins meet them; `days` is each tab's starting threshold. */
export const TABS: Tab[] = [
  { kind: 'deactivate', label: 'Deactivate', login: false, days: 30, name: (d) => `Deactivate after ${d} days idle`,
    about: 'Deactivates accounts nobody has used for a while. The account and its history stay; the seat is freed.' },
  { kind: 'remove_groups', label: 'Revoke access', login: false, days: 30, name: (d) => `Revoke access after ${d} days idle`,
    about: 'Takes idle users out of the groups you list (usually the groups that grant a licence). The account stays active.' },
  { kind: 'add_groups', label: 'Group assignment', login: false, days: 60, name: (d) => `Tag users idle ${d} days`,
    about: 'Adds idle users to the groups you list, to label them for review or reporting. Nothing else changes.' },
  { kind: 'remove_licence_groups', label: 'Release licence seats', login: false, days: 90, name: (d) => `Release seats after ${d} days idle`,
    about: 'Removes every group that grants a licence of the chosen applications: the seat is released, the account stays active.' },
  { kind: 'floating_licence', label: 'Floating licence', login: true, days: 0, name: () => 'Floating licence at login',
    about: 'When an active user logs in, adds the licence groups of every rule whose source groups they are in, if a seat is left.' },
  { kind: 'reactivate', label: 'Reactivate on login', login: true, days: 0, name: () => 'Reactivate on login',
    about: 'Gives a deactivated user their account back the moment they try to log in, and adjusts their groups.' },
  { kind: 'suspend', label: 'Suspend (Cloud)', login: false, days: 60, name: (d) => `Suspend access after ${d} days idle`,
    about: 'Atlassian Cloud only: suspends the organization access of idle users. They are not billed, keep their groups, and a revert restores them. Data Center directories cannot suspend: their users are skipped with that reason.' },
  { kind: 'delete', label: 'Delete', login: false, days: 90, name: (d) => `Delete ${d} days after deactivation`,
    about: 'Deletes accounts that have been deactivated for long enough. Deletion cannot be reverted.' },
];

const WEEKDAYS: [string, string][] = [['mon', 'Mon'], ['tue', 'Tue'], ['wed', 'Wed'], ['thu', 'Thu'], ['fri', 'Fri'], ['sat', 'Sat'], ['sun', 'Sun']];

/** The editor's working state: what the form shows, flattened. */
interface Model {
  kind: ActionKind; name: string; nameTouched: boolean; enabled: boolean; mode: string; priority: number;
  own: boolean; every: string; at: string; weekDays: string[]; monthDay: number; cron: string; timezone: string;
  dirOnly: boolean; dirIds: number[]; readOnly: string; onlyGroups: boolean; targetGroups: string; excludeGroups: string;
  days: number; neverOn: boolean; neverDays: number; onceOn: boolean; onceDays: number; signalsOwn: boolean; signals: string;
  groups: string; applications: string; suffixOn: boolean; suffix: string; handover: string; handoverUser: string;
  rules: { source: string; target: string }[]; restricted: string; addGroups: string; removeGroups: string;
  warnOn: boolean; warnDays: number; warnNever: boolean; warnAtOnce: boolean; warnTemplate: string;
  /** "I still need access" links in the warning (`warning.accessRequest`): what a request does, how long links work. */
  arOn: boolean; arKind: string; arDays: number; arAtOnce: boolean; arLinkDays: number; arNotice: boolean;
  /** Review mode: days before `onTimeout` applies (0: never), and the exemption a timeout grants. */
  reviewTimeout: number; onTimeout: string; reviewExemptDays: number;
}

function tabOf(kind: string): Tab {
  return TABS.find((t) => t.kind === kind) ?? TABS[0] as Tab;
}

function blank(kind: ActionKind): Model {
  const tab = tabOf(kind);
  return {
    kind, name: tab.name(tab.days), nameTouched: false, enabled: true, mode: 'safe', priority: 0,
    reviewTimeout: 14, onTimeout: 'nothing', reviewExemptDays: 90,
    own: false, every: 'daily', at: '02:00', weekDays: ['mon'], monthDay: 1, cron: '0 2 * * 1-5', timezone: '',
    dirOnly: false, dirIds: [], readOnly: 'skip', onlyGroups: false, targetGroups: '', excludeGroups: '',
    days: tab.days || 30, neverOn: false, neverDays: tab.days || 30, onceOn: false, onceDays: 14, signalsOwn: false, signals: '',
    groups: '', applications: '', suffixOn: false, suffix: '_deactivated', handover: '', handoverUser: '',
    rules: [{ source: '', target: '' }], restricted: '', addGroups: '', removeGroups: '',
    warnOn: false, warnDays: 7, warnNever: false, warnAtOnce: false, warnTemplate: '',
    arOn: false, arKind: 'exempt', arDays: 30, arAtOnce: false, arLinkDays: 14, arNotice: false,
  };
}

/** Thrown for a stored policy whose action this editor has no tab for: opening it as another kind and saving would change what it does. */
export class UnknownActionKind extends Error {
  constructor(kind: string) { super(`This policy's action "${kind}" cannot be edited here; it is kept as it is.`); }
}

function fromPolicy(p: PolicyJson): Model {
  if (!TABS.some((t) => t.kind === p.action.kind)) throw new UnknownActionKind(p.action.kind);
  const kind = p.action.kind as ActionKind;
  const m = blank(kind);
  m.name = p.name ?? m.name; m.nameTouched = true;
  m.enabled = p.enabled ?? true; m.mode = p.mode ?? 'safe'; m.priority = p.priority ?? 0;
  if (p.review) { m.reviewTimeout = p.review.timeoutDays ?? 0; m.onTimeout = p.review.onTimeout ?? 'nothing'; m.reviewExemptDays = p.review.exemptDays ?? 90; }
  const s = p.trigger?.kind === 'schedule' ? p.trigger.schedule ?? {} : null;
  if (s) {
    m.own = true; m.every = String(s.every ?? 'daily'); m.at = String(s.at ?? m.at);
    m.weekDays = Array.isArray(s.days) ? (s.days as string[]) : m.weekDays;
    m.monthDay = Number(s.day ?? 1); m.cron = String(s.expression ?? m.cron); m.timezone = String(s.timezone ?? '');
  }
  const sc = p.scope ?? {};
  m.dirOnly = sc.directories?.kind === 'only'; m.dirIds = sc.directories?.ids ?? [];
  m.readOnly = sc.readOnly ?? 'skip';
  m.onlyGroups = sc.target?.kind === 'only_groups'; m.targetGroups = joinList(sc.target?.groups);
  m.excludeGroups = joinList(sc.excludeGroups);
  const c = p.condition;
  if (c?.days !== undefined) m.days = c.days;
  if (c?.neverLoggedInDays !== undefined) { m.neverOn = true; m.neverDays = c.neverLoggedInDays; }
  if (c?.onceLoggedInDays !== undefined) { m.onceOn = true; m.onceDays = c.onceLoggedInDays; }
  if (p.signals) { m.signalsOwn = true; m.signals = joinList(p.signals); }
  const a = p.action;
  m.groups = joinList(a.groups); m.applications = joinList(a.applications);
  if (a.renameSuffix !== undefined) { m.suffixOn = true; m.suffix = a.renameSuffix; }
  m.handover = a.handover?.to ?? ''; m.handoverUser = a.handover?.user ?? '';
  if (a.rules?.length) m.rules = a.rules.map((r) => ({ source: joinList(r.sourceGroups), target: joinList(r.targetGroups) }));
  m.restricted = joinList(a.restrictedGroups); m.addGroups = joinList(a.addGroups); m.removeGroups = joinList(a.removeGroups);
  if (p.warning) { m.warnOn = true; m.warnDays = p.warning.daysBefore; m.warnNever = p.warning.neverLoggedIn ?? false; m.warnAtOnce = p.warning.actOnOverdueAtOnce ?? false; m.warnTemplate = p.warning.template ?? ''; }
  const ar = p.warning?.accessRequest;
  if (ar) {
    m.arOn = true; m.arKind = ar.onRequest.kind; m.arDays = ar.onRequest.days ?? m.arDays; m.arAtOnce = ar.onRequest.atOnce ?? false;
    m.arLinkDays = ar.linkDays ?? 14; m.arNotice = ar.noticeOnRemoval ?? false;
  }
  return m;
}

/** The policy JSON for the model (only the fields of its kind). */
function toPolicy(m: Model): PolicyJson {
  const tab = tabOf(m.kind);
  const action: PolicyJson['action'] = { kind: m.kind };
  switch (m.kind) {
    case 'deactivate':
      if (m.suffixOn) action.renameSuffix = m.suffix;
      if (m.handover) action.handover = m.handover === 'user' ? { to: 'user', user: m.handoverUser.trim() } : { to: m.handover };
      break;
    case 'remove_groups': case 'add_groups': action.groups = list(m.groups); break;
    case 'remove_licence_groups': action.applications = list(m.applications); break;
    case 'floating_licence': action.rules = m.rules.map((r) => ({ sourceGroups: list(r.source), targetGroups: list(r.target) })); break;
    case 'reactivate': action.restrictedGroups = list(m.restricted); action.addGroups = list(m.addGroups); action.removeGroups = list(m.removeGroups); break;
    case 'suspend': case 'delete': break;
  }
  const scope: NonNullable<PolicyJson['scope']> = {
    directories: m.dirOnly ? { kind: 'only', ids: m.dirIds } : { kind: 'all' },
    readOnly: m.readOnly,
    target: m.onlyGroups ? { kind: 'only_groups', groups: list(m.targetGroups) } : { kind: 'all_except_protected' },
    excludeGroups: list(m.excludeGroups),
  };
  const p: PolicyJson = { name: m.name.trim(), enabled: m.enabled, mode: m.mode, priority: m.priority, scope, action };
  if (m.mode === 'review') {
    p.review = { onTimeout: m.onTimeout, exemptDays: m.reviewExemptDays };
    if (m.reviewTimeout > 0) p.review.timeoutDays = m.reviewTimeout;
  }
  if (tab.login) {
    p.trigger = { kind: 'login' }; p.condition = { kind: 'login' };
    return p;
  }
  if (m.own) {
    const schedule: Record<string, unknown> = { every: m.every };
    if (m.every === 'cron') schedule.expression = m.cron.trim();
    else schedule.at = m.at;
    if (m.every === 'weekly') schedule.days = m.weekDays;
    if (m.every === 'monthly') schedule.day = m.monthDay;
    if (m.timezone.trim()) schedule.timezone = m.timezone.trim();
    p.trigger = { kind: 'schedule', schedule };
  } else p.trigger = { kind: 'scheduler' };
  if (m.kind === 'delete') p.condition = { kind: 'deactivated', days: m.days };
  else {
    p.condition = { kind: 'inactive', days: m.days };
    if (m.neverOn) p.condition.neverLoggedInDays = m.neverDays;
    if (m.onceOn) p.condition.onceLoggedInDays = m.onceDays;
    if (m.signalsOwn) p.signals = list(m.signals);
  }
  if (m.warnOn) {
    p.warning = { daysBefore: m.warnDays, neverLoggedIn: m.warnNever };
    if (m.warnAtOnce) p.warning.actOnOverdueAtOnce = true;
    if (m.warnTemplate) p.warning.template = m.warnTemplate;
    if (m.arOn) p.warning.accessRequest = accessRequestOf(m);
  }
  return p;
}

/** The model's `warning.accessRequest` (only the fields of the chosen outcome). */
function accessRequestOf(m: Model): AccessRequestJson {
  const onRequest: AccessRequestJson['onRequest'] = { kind: m.arKind };
  if (m.arKind === 'exempt') onRequest.days = m.arDays;
  if (m.arKind === 'restore') onRequest.atOnce = m.arAtOnce;
  const a: AccessRequestJson = { onRequest, linkDays: m.arLinkDays };
  if (m.arNotice) a.noticeOnRemoval = true;
  return a;
}

// ---- small bound controls ----

type Keys<T> = { [K in keyof Model]: Model[K] extends T ? K : never }[keyof Model];

function text(m: Model, key: Keys<string>, attrs: Record<string, string> = {}): HTMLInputElement {
  const el = h('input', { type: 'text', name: key, value: m[key], ...attrs });
  el.addEventListener('input', () => { (m[key] as string) = el.value; });
  return el;
}
/** A group picker bound to a `a; b` model field. */
function groups(m: Model, key: Keys<string>): HTMLElement {
  const p = groupPicker(key, list(m[key]));
  p.onChange((v) => { (m[key] as string) = joinList(v); });
  return p.el;
}
function num(m: Model, key: Keys<number>, min = 1): HTMLInputElement {
  const el = h('input', { type: 'number', name: key, min, value: m[key], class: 'sw-narrow' });
  el.addEventListener('input', () => { (m[key] as number) = el.value === '' ? Number.NaN : Number(el.value); });
  return el;
}
/** The handover user, picked by name; the policy stores their key. */
function handoverUser(m: Model): HTMLElement {
  const p = userPicker('handoverUser', m.handoverUser);
  p.onChange((v) => { m.handoverUser = v[0] ?? ''; });
  return p.el;
}
function choice(m: Model, key: Keys<string>, options: [string, string][]): HTMLSelectElement {
  const el = select(key, options, m[key]);
  el.addEventListener('change', () => { (m[key] as string) = el.value; });
  return el;
}
/** A checkbox; `reveal` elements are shown only while it is checked. */
function toggle(m: Model, key: Keys<boolean>, label: string, ...reveal: HTMLElement[]): HTMLElement {
  const c = check(key, label, m[key]);
  const sync = (): void => { for (const r of reveal) r.hidden = !c.input.checked; };
  c.input.addEventListener('change', () => { (m[key] as boolean) = c.input.checked; sync(); });
  sync();
  return c.el;
}
/** The mode choice; login policies act at the moment of login and have no review mode. */
function modeChoice(m: Model, login: boolean, review: HTMLElement): HTMLSelectElement {
  const options: [string, string][] = [['safe', 'Safe mode (preview only, changes nothing)']];
  if (!login) options.push(['review', 'Review (asks before acting: users wait on the review list)']);
  options.push(['live', 'Live (applies changes)']);
  const el = choice(m, 'mode', options);
  const sync = (): void => { review.hidden = el.value !== 'review'; };
  el.addEventListener('change', sync);
  sync();
  return el;
}
/** Review mode: what happens to items nobody decides, in words. */
function reviewSection(m: Model, errors: FieldErrors): HTMLElement {
  const words = h('p', { class: 'sw-hint', 'data-testid': 'review-timeout-words' });
  const outcome = choice(m, 'onTimeout', [['nothing', 'nothing: the item stays on the list until someone decides'], ['act', 'act: the user is acted on as if approved'], ['exempt', 'exempt: the user is exempt from this policy']]);
  const timeout = num(m, 'reviewTimeout', 0);
  const exemptDays = num(m, 'reviewExemptDays');
  const say = (): void => {
    const days = Number(timeout.value) || 0;
    words.textContent = days <= 0 || outcome.value === 'nothing'
      ? 'Items nobody decides stay on the review list; nothing happens to those users until someone approves or rejects them.'
      : outcome.value === 'act'
        ? `Items nobody decides within ${days} days are approved automatically: the next run acts on those users.`
        : `Items nobody decides within ${days} days are rejected automatically: those users are exempt from this policy for ${Number(exemptDays.value) || 90} days.`;
  };
  for (const c of [outcome, timeout, exemptDays]) { c.addEventListener('input', say); c.addEventListener('change', say); }
  say();
  return fieldset('Review',
    errors.field('review.timeoutDays', 'Decide within (days; 0: no limit)', timeout),
    errors.field('review.onTimeout', 'When nobody decides in time', outcome),
    errors.field('review.exemptDays', 'Exemption length for "exempt" (days)', exemptDays),
    words);
}
function fieldset(legend: string, ...children: (HTMLElement | null | false)[]): HTMLElement {
  return h('fieldset', { class: 'sw-fieldset' }, h('legend', {}, legend), ...children);
}
function groupsHint(): string { return 'Type part of a group name and choose from the list; Backspace removes the last one.'; }

// ---- the editor ----

type Template = Schemas['TemplateListItem'];

/** Renders the editor for policy `id`, or a new policy (from a dashboard insight's draft if one is waiting). */
export async function renderPolicyEditor(host: HTMLElement, id: string | null, kindHint?: string): Promise<void> {
  let model: Model; let version: number | undefined;
  let dirs: Directory[] | null = null; let templates: Template[] = [];
  try {
    const [d, t] = await Promise.all([directories(), get<{ templates: Template[] }>('templates')]);
    dirs = d; templates = t.templates.filter((x) => x.kind === 'warning');
    if (id) {
      const item = await get<Schemas['GetPolicyResponse']>(`policies/${encodeURIComponent(id)}`);
      model = fromPolicy(item.policy); version = item.configVersion;
    } else {
      // A new policy names the version it was drafted against too: a change saved meanwhile is a 409, not lost.
      version = (await get<Schemas['ListPoliciesResponse']>('policies')).configVersion;
      const draft = sessionStorage.getItem('seatwarden.draftPolicy');
      sessionStorage.removeItem('seatwarden.draftPolicy');
      model = draft ? fromPolicy(JSON.parse(draft) as PolicyJson) : blank((TABS.some((x) => x.kind === kindHint) ? kindHint : 'deactivate') as ActionKind);
      if (draft) model.mode = 'safe';
    }
  } catch (e) { clear(host); showError(host, e); return; }
  // The name as stored (the delete confirmation names the policy it deletes, not an unsaved edit).
  let storedName = model.name;

  const out = h('div', { 'aria-live': 'polite' });
  const formHost = h('div', {});
  const tabBar = h('div', { class: 'sw-subtabs', role: 'tablist', 'aria-label': 'Kind of automation' });
  const tabButtons = TABS.map((t, i) => {
    const b = h('button', { type: 'button', role: 'tab', id: `kind-${t.kind}`, 'aria-controls': 'policy-form', 'data-kind': t.kind, class: 'sw-subtab' }, t.label);
    b.addEventListener('click', () => switchTo(t.kind));
    b.addEventListener('keydown', (e: KeyboardEvent) => {
      const dir = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
      if (!dir || id) return;
      e.preventDefault();
      const next = TABS[(i + dir + TABS.length) % TABS.length];
      if (next) { switchTo(next.kind); document.getElementById(`kind-${next.kind}`)?.focus(); }
    });
    return b;
  });
  tabBar.append(...tabButtons);

  const switchTo = (kind: ActionKind): void => {
    if (kind === model.kind) return;
    const tab = tabOf(kind);
    const keep = model;
    model = { ...blank(kind), name: keep.nameTouched ? keep.name : tabOf(kind).name(tab.days), nameTouched: keep.nameTouched,
      mode: keep.mode, enabled: keep.enabled, priority: keep.priority, excludeGroups: keep.excludeGroups, dirOnly: keep.dirOnly, dirIds: keep.dirIds, readOnly: keep.readOnly };
    draw();
  };

  const save = async (): Promise<string | null> => {
    clear(out);
    errors.clear();
    const body: Record<string, unknown> = { ...toPolicy(model) };
    if (version !== undefined) body.configVersion = version;
    try {
      const saved = id ? await put<Schemas['GetPolicyResponse']>(`policies/${encodeURIComponent(id)}`, body)
        : await post<Schemas['GetPolicyResponse']>('policies', body);
      version = saved.configVersion;
      storedName = saved.policy.name;
      const message = `Saved policy ${saved.policy.name ?? saved.policy.id} (${saved.policy.mode ?? 'safe'} mode)`;
      flag(message);
      return saved.policy.id;
    } catch (e) {
      if (isConflict(e)) { clear(out, conflictBanner('policy', reload)); out.scrollIntoView?.({ block: 'nearest' }); return null; }
      const left = errors.show(e);
      if (left.length || !errors.hasShown()) showError(out, e);
      return null;
    }
  };

  // After a 409: an existing policy is read again (the other admin's version replaces this form);
  // a new policy keeps the admin's draft and takes the current configuration version to save against.
  const reload = async (): Promise<void> => {
    try {
      if (id) {
        const item = await get<Schemas['GetPolicyResponse']>(`policies/${encodeURIComponent(id)}`);
        model = fromPolicy(item.policy); version = item.configVersion; storedName = model.name;
        clear(out, banner('Reloaded: this is the current version of the policy.', 'info'));
      } else {
        version = (await get<Schemas['ListPoliciesResponse']>('policies')).configVersion;
        clear(out, banner('Reloaded: your new policy is kept and will be saved against the current configuration.', 'info'));
      }
      draw();
    } catch (e) { clear(out); showError(out, e); }
  };

  let errors = new FieldErrors();
  const draw = (): void => {
    errors = new FieldErrors();
    const tab = tabOf(model.kind);
    for (const b of tabButtons) {
      const on = b.dataset.kind === model.kind;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
      // An existing policy keeps its kind: its runs and audit trail belong to it.
      if (id && !on) b.setAttribute('disabled', ''); else b.removeAttribute('disabled');
    }
    const name = text(model, 'name', { required: 'true' });
    name.addEventListener('input', () => { model.nameTouched = true; });
    // Until the admin edits the name, the default name follows the days field ("… after 45 days idle").
    const followDays = (e: Event): void => {
      const t = e.target;
      if (model.nameTouched || !(t instanceof HTMLInputElement) || t.name !== 'days' || !Number.isInteger(model.days) || model.days < 1) return;
      model.name = tab.name(model.days); name.value = model.name;
    };
    const review = reviewSection(model, errors);
    // What depends on the mode outside its own section (the access-request summary) is said again when it changes.
    const modeChanged: (() => void)[] = [];
    const form = h('form', { id: 'policy-form', class: 'sw-form sw-policy-form', role: 'tabpanel', 'aria-labelledby': `kind-${tab.kind}`, novalidate: true, 'data-kind': tab.kind, oninput: followDays,
      onsubmit: (e: Event) => { e.preventDefault(); void save().then((pid) => { if (pid && !id) navigate(`automation/edit/${pid}`); }); } },
      h('p', { class: 'sw-about' }, tab.about),
      errors.field('name', 'Name', name),
      errors.field('mode', 'Mode', modeChoice(model, !!tab.login, review),
        'New policies start in safe mode: their runs record the plan and change nothing. Review mode puts each user the policy would act on onto the review list; only users someone approves are acted on. Switch to live once the preview looks right.'),
      review,
      h('div', { class: 'sw-row' }, toggle(model, 'enabled', 'Enabled'), errors.field('priority', 'Priority', num(model, 'priority', -1000), 'Higher wins when two policies want different things for one user.')),
      tab.login ? loginNote(tab) : scheduleSection(model, errors),
      tab.kind === 'reactivate' ? verificationSection(dirs) : null,
      tab.login ? null : conditionSection(model, errors),
      id && !tab.login ? whatIfPanel(id, model.days, () => toPolicy(model)) : null,
      actionSection(model, errors, drawRules),
      scopeSection(model, errors, dirs, tab),
      tab.login ? null : warningSection(model, errors, templates, modeChanged),
      h('div', { class: 'sw-toolbar' },
        h('button', { type: 'submit', class: 'sw-btn sw-btn-primary' }, 'Save'),
        id && !tab.login ? withIcon(button('Preview', () => void preview(id), 'default'), 'preview') : null,
        id && !tab.login ? applies(withIcon(button('Run now', () => void runNow(id, out, model.mode === 'live'), 'default'), 'play')) : null,
        button('Back', () => navigate('automation'), 'subtle'),
        // Deleting is here, apart from the row's everyday actions, behind its confirmation.
        id ? button('Delete policy', () => void deletePolicy(id, storedName, version, out), 'danger', { class: 'sw-btn sw-btn-danger sw-toolbar-end', 'data-testid': 'delete-policy' }) : null));
    form.addEventListener('change', (e) => { if (e.target instanceof HTMLSelectElement && e.target.name === 'mode') for (const say of modeChanged) say(); });
    clear(formHost, form);
  };
  const drawRules = (): void => draw();

  clear(host,
    h('h2', {}, id ? `Edit policy ${shownName(model.name)}` : 'New policy'),
    tabBar, formHost, out);
  draw();
}

function loginNote(tab: Tab): HTMLElement {
  return fieldset('When it runs', h('p', {}, tab.kind === 'floating_licence'
    ? 'At every login of an active user. Deactivated users are never considered.'
    : 'At every login attempt of a deactivated user (and every login, for group removal).'));
}

const VERIFICATION: Record<string, string> = {
  proof: 'Verified by the directory itself: it checks the password before refusing the deactivated account. Nothing changes before the proof.',
  proof_if_update_on_auth: 'Verified by the directory when "update users on authentication" (or "create") is on; otherwise not verifiable here.',
  probe: 'Probe (opted in): the account is active for the length of one password check, during which its other credentials (tokens, remember-me, scripts) work.',
  none: 'Not verifiable: this directory refuses a deactivated account before it looks at the password. Use "Release licence seats" instead of "Deactivate" here.',
};

/**
 * Per directory, how a deactivated user is verified at login (the server's answer, `GET /api/directories`),
 * with the confirm window and the recommendation to release seats where deactivation cannot be undone safely.
 */
function verificationSection(dirs: Directory[] | null): HTMLElement | null {
  if (!dirs || dirs.length === 0) return null;
  // Atlassian Cloud calls nothing at login (issue 20): say so where reactivation is configured.
  if (dirs.some((d) => d.kind === 'cloud_managed' || d.kind === 'cloud_external')) {
    return fieldset('How a returning user is verified', h('div', { 'data-testid': 'cloud-no-reactivation' },
      banner('No reactivation at login in Atlassian Cloud: Cloud has no login hook, so this policy never runs for Cloud users. Restore their access from Users (bulk action "Restore access") instead.', 'warning')));
  }
  const rows = dirs.map((d) => h('tr', { 'data-testid': 'login-verification' },
    h('td', {}, directoryLabel(d)),
    h('td', {}, d.loginVerification ? VERIFICATION[d.loginVerification] ?? d.loginVerification : 'Not reported by this server.')));
  const window = dirs.find((d) => d.confirmWindowMinutes !== undefined)?.confirmWindowMinutes;
  const recommend = dirs.some((d) => d.loginVerification !== undefined && d.loginVerification !== 'proof');
  return fieldset('How a returning user is verified',
    h('p', {}, 'Access given back at login is provisional: unless the product completes that login (every check it makes, '
      + `two-step verification included) within ${window ?? 'the confirm window of'} minute${window === 1 ? '' : 's'}, it is taken back and audited as "login not completed".`),
    h('table', { class: 'sw-table' }, h('thead', {}, h('tr', {}, h('th', {}, 'Directory'), h('th', {}, 'Deactivated users'))), h('tbody', {}, rows)),
    h('p', {}, 'Users whose licence groups were released (the account stays active) are verified by the product\'s own login in every directory.'),
    recommend ? banner('Where reactivation at login matters and the directory cannot verify a deactivated user, prefer "Release licence seats" to "Deactivate".', 'info') : null);
}

function scheduleSection(m: Model, errors: FieldErrors): HTMLElement {
  const own = select('own', [['no', 'With the daily scheduler run (time set in Settings)'], ['yes', 'On its own schedule']], m.own ? 'yes' : 'no');
  const detail = h('div', { class: 'sw-row' });
  const every = choice(m, 'every', [['daily', 'Daily'], ['weekly', 'Weekly'], ['monthly', 'Monthly'], ['cron', 'Cron expression']]);
  // 24-hour text (HH:MM) like Settings: a time input shows "02:00 AM" in a 12-hour locale.
  const at = h('input', { type: 'text', name: 'at', value: m.at, inputmode: 'numeric', maxlength: 5, autocomplete: 'off', class: 'sw-narrow' });
  at.addEventListener('input', () => { m.at = at.value; });
  const days = h('fieldset', { class: 'sw-inline' }, h('legend', {}, 'On these days'), WEEKDAYS.map(([v, label]) => {
    const c = check(`day-${v}`, label, m.weekDays.includes(v));
    c.input.addEventListener('change', () => { m.weekDays = WEEKDAYS.map(([d]) => d).filter((d) => d === v ? c.input.checked : m.weekDays.includes(d)); });
    return c.el;
  }));
  const atWrap = errors.field('trigger.schedule.at', 'At (24 h)', at);
  const daysWrap = h('div', {}, days);
  errors.register('trigger.schedule.days', days, daysWrap);
  const monthWrap = errors.field('trigger.schedule.day', 'Day of the month', num(m, 'monthDay'), 'Days past the end of a short month run on its last day.');
  const cronWrap = errors.field('trigger.schedule.expression', 'Cron expression', text(m, 'cron'), 'Five fields: minute hour day-of-month month day-of-week.');
  const tzWrap = errors.field('trigger.schedule.timezone', 'Timezone', text(m, 'timezone', { placeholder: 'the settings’ timezone', list: 'sw-timezones' }), 'An IANA name such as Europe/Berlin; empty uses the timezone from Settings.');
  detail.append(errors.field('trigger.schedule.every', 'Repeat', every), atWrap, daysWrap, monthWrap, cronWrap, tzWrap, timezoneList());
  const sync = (): void => {
    detail.hidden = !m.own;
    atWrap.hidden = m.every === 'cron';
    daysWrap.hidden = m.every !== 'weekly';
    monthWrap.hidden = m.every !== 'monthly';
    cronWrap.hidden = m.every !== 'cron';
  };
  own.addEventListener('change', () => { m.own = own.value === 'yes'; sync(); });
  every.addEventListener('change', sync);
  sync();
  return fieldset('When it runs', errors.field('trigger', 'Runs', own), detail);
}

let tzList: HTMLDataListElement | null = null;
/** Timezone suggestions from the browser (the server still checks the name). */
export function timezoneList(): HTMLElement {
  if (!tzList) {
    tzList = h('datalist', { id: 'sw-timezones' });
    const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
    for (const z of intl.supportedValuesOf?.('timeZone') ?? []) tzList.appendChild(h('option', { value: z }));
  }
  return tzList.isConnected ? h('span', {}) : tzList;
}

function conditionSection(m: Model, errors: FieldErrors): HTMLElement {
  if (m.kind === 'delete') {
    return fieldset('Which accounts',
      errors.field('condition.days', 'Days since deactivation', num(m, 'days'), 'Deactivated accounts older than this are deleted. When the deactivation date is unknown the account is skipped, never deleted on a guess.'));
  }
  const never = errors.field('condition.neverLoggedInDays', 'Days since account creation', num(m, 'neverDays'));
  const once = errors.field('condition.onceLoggedInDays', 'Days since their only login', num(m, 'onceDays'));
  return fieldset('Who counts as inactive',
    errors.field('condition.days', 'Days without login', num(m, 'days'), 'Active users whose last activity is at least this many days ago: the latest date among the counted signals below.'),
    toggle(m, 'neverOn', 'Include users who never logged in', never), never,
    toggle(m, 'onceOn', 'Judge users who logged in only once by their own threshold', once), once,
    signalsChoice(m, errors));
}

/**
 * Which activity signals this policy counts: the settings' (default) or its own list, e.g. `seen:confluence`
 * for "inactive in Confluence" in Atlassian Cloud, or `seen; lastAuthenticated` to ignore the login date.
 * The server refuses unknown names with the closest one; the plan warns about a signal the directory does not record.
 */
function signalsChoice(m: Model, errors: FieldErrors): HTMLElement {
  const own = select('signalsOwn', [['no', 'The signals counted in Settings (Activity signals)'], ['yes', 'Only the signals listed here']], m.signalsOwn ? 'yes' : 'no');
  const names = errors.field('signals', 'Signals this policy counts', text(m, 'signals', { placeholder: 'e.g. seen:confluence; lastAuthenticated', list: 'sw-signal-names' }),
    'Separated by ;. login, lastAuthenticated, seen (every product), or seen:<product> for one Cloud product: seen:confluence, seen:jira-software, seen:jira-servicedesk, seen:bitbucket. '
    + 'A user is inactive when none of these has a date within the threshold.');
  const suggestions = h('datalist', { id: 'sw-signal-names' },
    ['login', 'lastAuthenticated', 'seen', 'seen:confluence', 'seen:jira-software', 'seen:jira-servicedesk', 'seen:bitbucket'].map((v) => h('option', { value: v })));
  const sync = (): void => { names.hidden = !m.signalsOwn; };
  own.addEventListener('change', () => { m.signalsOwn = own.value === 'yes'; sync(); });
  sync();
  return h('div', { 'data-testid': 'policy-signals' }, errors.field('signalsOwn', 'Activity that counts', own), names, suggestions);
}

function actionSection(m: Model, errors: FieldErrors, redraw: () => void): HTMLElement {
  switch (m.kind) {
    case 'deactivate': {
      const suffix = errors.field('action.renameSuffix', 'Username suffix', text(m, 'suffix'), 'Appended to the username so deactivated accounts stand out, e.g. _deactivated.');
      const user = errors.field('action.handover.user', 'User who takes over', handoverUser(m));
      const handover = choice(m, 'handover', [['', 'Leave them as they are'], ['unassigned', 'Unassign them'], ['project_lead', 'Assign each to its project lead'], ['user', 'Assign all to one user']]);
      const sync = (): void => { user.hidden = m.handover !== 'user'; };
      handover.addEventListener('change', sync);
      sync();
      return fieldset('What it does',
        toggle(m, 'suffixOn', 'Rename deactivated accounts', suffix), suffix,
        errors.field('action.handover', 'Open issues before deactivation', handover, 'Jira only: what happens to the unresolved issues assigned to the user.'), user);
    }
    case 'remove_groups':
      return fieldset('What it does', errors.field('action.groups', 'Groups to remove', groups(m, 'groups'), groupsHint()));
    case 'add_groups':
      return fieldset('What it does', errors.field('action.groups', 'Groups to add', groups(m, 'groups'), groupsHint()));
    case 'remove_licence_groups':
      return fieldset('What it does', errors.field('action.applications', 'Applications', text(m, 'applications', { placeholder: 'e.g. jira-software' }), 'Application keys separated by ;. Empty: every application.'));
    case 'delete':
      return fieldset('What it does', h('p', {}, 'Deletes the account. Deleted accounts cannot be restored by a revert.'));
    case 'suspend':
      return fieldset('What it does', h('p', {}, 'Suspends the user\'s access to the organization (Atlassian Cloud). External accounts can only be suspended; Data Center directories skip the user with that reason.'));
    case 'reactivate':
      return fieldset('What it does',
        errors.field('action.restrictedGroups', 'Never reactivate members of', groups(m, 'restricted'), groupsHint()),
        errors.field('action.addGroups', 'Add these groups when reactivating', groups(m, 'addGroups'), groupsHint()),
        errors.field('action.removeGroups', 'Remove these groups at login', groups(m, 'removeGroups'), 'Removed from reactivated and already-active users alike.'));
    case 'floating_licence': {
      const rows = m.rules.map((r, i) => {
        const src = groupPicker(`rule-${i}-source`, list(r.source));
        src.onChange((v) => { r.source = joinList(v); });
        const dst = groupPicker(`rule-${i}-target`, list(r.target));
        dst.onChange((v) => { r.target = joinList(v); });
        return h('div', { class: 'sw-rule', 'data-testid': 'floating-rule' },
          errors.field(`action.rules[${i}].sourceGroups`, `Rule ${i + 1}: if in any of these groups`, src.el),
          errors.field(`action.rules[${i}].targetGroups`, `Rule ${i + 1}: then add these groups`, dst.el),
          m.rules.length > 1 ? h('div', { class: 'sw-field sw-field-button' }, button(`Remove rule ${i + 1}`, () => { m.rules.splice(i, 1); redraw(); }, 'subtle')) : null);
      });
      const wrap = h('div', {}, rows);
      errors.register('action.rules', wrap, wrap);
      return fieldset('Rules (every rule that matches applies, top to bottom)', wrap,
        button('Add rule', () => { m.rules.push({ source: '', target: '' }); redraw(); }),
        h('p', { class: 'sw-hint' }, 'Only active users are considered. When a group\'s licence has no seat left, the group is not added and the login is recorded as skipped with that reason (not as a failure).'));
    }
  }
}

function scopeSection(m: Model, errors: FieldErrors, dirs: Directory[] | null, tab: Tab): HTMLElement {
  const dirOnly = select('dirOnly', [['all', 'Every directory'], ['only', 'Only the directories ticked below']], m.dirOnly ? 'only' : 'all');
  const ticks = h('fieldset', { class: 'sw-inline' }, h('legend', {}, 'Directories to include'),
    dirs ? dirs.map((d) => {
      const c = check(`dir-${d.id}`, directoryLabel(d), m.dirIds.includes(d.id));
      c.input.addEventListener('change', () => { m.dirIds = c.input.checked ? [...m.dirIds.filter((x) => x !== d.id), d.id] : m.dirIds.filter((x) => x !== d.id); });
      return c.el;
    }) : h('p', { class: 'sw-hint' }, 'This host does not list its directories; enter their ids instead.'));
  const idsText = h('input', { type: 'text', name: 'dirIds', id: nextId('f'), value: m.dirIds.join('; ') });
  idsText.addEventListener('input', () => { m.dirIds = list(idsText.value).map(Number).filter((n) => Number.isInteger(n)); });
  const ticksWrap = h('div', {}, ticks, dirs ? null : h('div', { class: 'sw-field' }, h('label', { for: idsText.id }, 'Directory ids'), idsText));
  errors.register('scope.directories', ticks, ticksWrap);
  const target = select('target', [['all', 'Everyone except protected groups'], ['only', 'Only members of these groups']], m.onlyGroups ? 'only' : 'all');
  const targetGroups = errors.field('scope.target.groups', 'Target groups', groups(m, 'targetGroups'), groupsHint());
  const sync = (): void => { ticksWrap.hidden = !m.dirOnly; targetGroups.hidden = !m.onlyGroups; };
  dirOnly.addEventListener('change', () => { m.dirOnly = dirOnly.value === 'only'; sync(); });
  target.addEventListener('change', () => { m.onlyGroups = target.value === 'only'; sync(); });
  sync();
  const ro = tab.kind === 'delete'
    ? [['skip', 'Skip their users (a delete is never attempted there)']] as [string, string][]
    : [['skip', 'Skip their users'], ['membership_only', tab.kind === 'deactivate' ? 'Do what they allow (remove licence groups instead of deactivating)' : 'Do what they allow (group changes in local groups)']] as [string, string][];
  return fieldset('Whom it considers',
    errors.field('scope.directories.kind', 'Directories', dirOnly), ticksWrap,
    errors.field('scope.readOnly', 'Read-only directories (LDAP, Crowd)', choice(m, 'readOnly', ro)),
    tab.kind === 'floating_licence' || tab.kind === 'reactivate' ? null : errors.field('scope.target', 'Target users', target), targetGroups,
    errors.field('scope.excludeGroups', 'Protected groups of this policy', groups(m, 'excludeGroups'),
      'Members are never touched by this policy. Sysadmins, you, and the global protected groups in Settings are always protected.'));
}

function warningSection(m: Model, errors: FieldErrors, templates: Template[], modeChanged: (() => void)[]): HTMLElement {
  // The one home of these days (issue 24): the template only words the mail; its editor shows these days, derived.
  const days = errors.field('warning.daysBefore', 'Days before the action', num(m, 'warnDays'), 'The warning mail goes out this many days before the action. Must be fewer than the condition’s days.');
  const never = h('div', {}, toggle(m, 'warnNever', 'Also warn users who never logged in'));
  errors.register('warning.neverLoggedIn', never.querySelector('input') as HTMLElement, never);
  const template = errors.field('warning.template', 'Template', choice(m, 'warnTemplate', [['', 'The default warning template'], ...templates.map((t): [string, string] => [t.id, t.name])]));
  const rule = h('p', { class: 'sw-hint', 'data-testid': 'warning-rule' },
    'Nobody is acted on without this warning: users already past the threshold are warned first and acted on once their warning has been delivered for this many days. '
    + 'A warning that cannot be delivered (no mail server) holds the action. Preview shows how many users wait, and until when.');
  const atOnce = h('div', { class: 'sw-danger-zone' }, toggle(m, 'warnAtOnce', 'Act at once on overdue users who were never warned (they get no notice)'));
  errors.register('warning.actOnOverdueAtOnce', atOnce.querySelector('input') as HTMLElement, atOnce);
  const request = accessRequestSection(m, errors, modeChanged);
  // The chosen template (or the default: the first enabled warning template) as this policy would send it.
  const previewMail = h('div', { class: 'sw-field sw-field-button' }, button('Preview the warning mail', () => {
    const t = templates.find((x) => x.id === m.warnTemplate) ?? templates.find((x) => x.enabled);
    if (t) void previewAsSent(t, m.warnDays);
    else flag('No enabled warning template: add or enable one on the Notifications tab.', 'warning');
  }, 'default', { 'data-testid': 'preview-warning-mail' }));
  return fieldset('Warn by email first',
    toggle(m, 'warnOn', 'Send a warning email before acting', days, never, rule, atOnce, template, previewMail, request), days, never, rule, atOnce, template, previewMail, request);
}

/**
 * "I still need access": the warning's link and what a request sent through it does, with the
 * same words the user's page will say (`access-request-words.ts`), updated as the admin edits.
 */
function accessRequestSection(m: Model, errors: FieldErrors, modeChanged: (() => void)[]): HTMLElement {
  const outcome = choice(m, 'arKind', [
    ['exempt', 'Exempt the user from this policy for a number of days, at once'],
    ['review', 'Put the user on this policy’s review list for an admin'],
    ['restore', 'Give access back after the action (at once or when an admin approves)']]);
  const days = errors.field('warning.accessRequest.onRequest.days', 'Exempt for (days)', num(m, 'arDays'), '1 to 365 days.');
  days.querySelector('input')?.setAttribute('max', '365');
  const atOnceBox = h('div', {}, toggle(m, 'arAtOnce', 'Give access back at once, without an admin (the licence-seat check still applies)'));
  errors.register('warning.accessRequest.onRequest.atOnce', atOnceBox.querySelector('input') as HTMLElement, atOnceBox);
  const linkDays = errors.field('warning.accessRequest.linkDays', 'Links work for (days)', num(m, 'arLinkDays'), '1 to 90 days after the email is sent.');
  linkDays.querySelector('input')?.setAttribute('max', '90');
  const noticeBox = h('div', {}, toggle(m, 'arNotice', 'Also send an “access removed” notice, with a link to ask for it back, to each user this policy removes access from'));
  errors.register('warning.accessRequest.noticeOnRemoval', noticeBox.querySelector('input') as HTMLElement, noticeBox);
  noticeBox.hidden = !REMOVES_ACCESS.includes(m.kind) && !m.arNotice;
  const words = h('div', { class: 'sw-hint', 'data-testid': 'access-request-words', 'aria-live': 'polite' });
  const say = (): void => {
    days.hidden = m.arKind !== 'exempt';
    atOnceBox.hidden = m.arKind !== 'restore';
    clear(words, ...accessRequestWords(accessRequestOf(m), m.kind, m.mode).map((t) => h('p', {}, t)));
  };
  const detail = h('div', {}, errors.field('warning.accessRequest.onRequest.kind', 'When a user asks to keep access', outcome), days, atOnceBox, linkDays, noticeBox, words);
  detail.addEventListener('input', say);
  detail.addEventListener('change', say);
  modeChanged.push(say);
  say();
  const on = h('div', {}, toggle(m, 'arOn', 'Offer an “I still need access” link in the warning', detail));
  errors.register('warning.accessRequest', on.querySelector('input') as HTMLElement, on);
  return h('div', { class: 'sw-fieldset', 'data-testid': 'access-request-settings' }, on, detail);
}
