// Settings: protected groups, mass-change guard, login-data health check,
// timezone and scheduler time, licence alert, and the finer points of the
// engine. The form edits the settings document the server returned and sends
// all of it back; the server validates it and names each problem's path.

import { h, clear, select, button, banner, fmtNum, nextId } from '../dom';
import { cloudConnectionSection } from '../cloud';
import { flag } from '../flag';
import { withIcon } from '../icons';
import { get, put, ApiError, type Item, type Schemas } from '../api';
import { section, showError, loading } from '../components';
import { FieldErrors, list, joinList, check } from '../form';
import { timezoneList } from './policy-editor';
import { directories, directoryLabel, forgetDirectories, Directory } from '../directories';
import { groupPicker, userPicker } from '../picker';
import { isConflict, conflictBanner } from '../conflict';
import { pricesSection } from './prices';

interface Settings {
  protectedGroups?: string[]; timezone?: string; schedulerAt?: string;
  guard?: { enabled?: boolean; maxAccounts?: number; maxPercent?: number; minLicensed?: number };
  health?: { enabled?: boolean; maxDaysWithoutLogin?: number; maxNeverLoggedInJumpPoints?: number };
  licenceAlert?: { enabled?: boolean; percent?: number; applications?: { application: string; percent: number }[]; recipients?: string[] };
  adminMail?: { recipients?: string[] };
  auditRetentionDays?: number; onceLoggedInWindowHours?: number; deactivationTime?: string;
  login?: { confirmWindowMinutes?: number; probeDirectories?: number[] };
  activity?: { login?: boolean; lastAuthenticated?: boolean; seen?: boolean };
  [other: string]: unknown;
}
interface Answer { settings: Settings; automationAccount: string | null; configVersion: number }
/** A licensed application with its seats (`GET /api/licences`). */
type Seats = Item<Schemas['LicenceList']['applications']>;

/** One row of the per-application thresholds: an application and its percentage box (empty: the general threshold). */
interface ThresholdRow { application: string; input: HTMLInputElement }

/**
 * The per-application thresholds as a table: one row per licensed application
 * (from `GET /api/licences`) plus any saved override for an
 * application no longer licensed, so saving never drops it silently.
 */
function thresholdTable(errors: FieldErrors, apps: Seats[] | null, saved: { application: string; percent: number }[], general: HTMLInputElement): { el: HTMLElement; rows: ThresholdRow[] } {
  const known = apps ?? [];
  const extra = saved.filter((x) => !known.some((a) => a.application === x.application));
  const rows: ThresholdRow[] = [];
  const tr = (application: string, name: string, seats: string): HTMLElement => {
    const value = saved.find((x) => x.application === application)?.percent;
    // An unlimited licence never runs out: no threshold to set (a saved one stays editable so it can be cleared).
    const unlimited = known.some((a) => a.application === application && a.seatsAvailable === null) && value === undefined;
    const input = h('input', { type: 'number', name: `alertPercent-${application}`, id: nextId('f'), min: 1, max: 100, class: 'sw-narrow', value: value ?? '', placeholder: unlimited ? 'unlimited' : general.value, 'data-application': application, disabled: unlimited, title: unlimited ? 'Unlimited licence: it never runs out of seats, so there is nothing to alert on.' : null });
    const wrap = h('div', { class: 'sw-cell-field' }, input);
    errors.register(`licenceAlert.applications#${application}`, input, wrap);
    rows.push({ application, input });
    return h('tr', { 'data-testid': 'alert-app-row', 'data-application': application },
      h('th', { scope: 'row' }, h('label', { for: input.id }, `${name} (%)`)), h('td', {}, seats), h('td', {}, wrap));
  };
  const body = [
    ...known.map((a) => tr(a.application, a.name || a.application,
      a.seatsAvailable === null ? `${fmtNum(a.seatsUsed)} used · unlimited` : `${fmtNum(a.seatsUsed)} of ${fmtNum(a.seatsUsed + a.seatsAvailable)} used`)),
    ...extra.map((x) => tr(x.application, `${x.application} (not licensed now)`, '—')),
  ];
  // Keep the empty boxes' hint in step with the general threshold.
  general.addEventListener('input', () => { for (const r of rows) if (!r.input.disabled) r.input.placeholder = general.value; });
  const hintId = nextId('hint');
  const el = h('div', { class: 'sw-field', 'data-path': 'licenceAlert.applications', tabindex: -1 },
    h('span', { class: 'sw-label', id: `${hintId}-label` }, 'Per-application thresholds'),
    body.length ? h('table', { class: 'sw-table sw-thresholds', 'data-testid': 'alert-thresholds', 'aria-labelledby': `${hintId}-label`, 'aria-describedby': hintId },
      h('thead', {}, h('tr', {}, ['Application', 'Seats', 'Alert at percent'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, body)) : null,
    h('span', { class: 'sw-hint', id: hintId }, apps === null
      ? 'The licensed applications could not be read; only saved thresholds are shown.'
      : body.length ? 'Empty: the application uses the percent above.' : 'No licensed applications.'));
  errors.register('licenceAlert.applications', el, el);
  return { el, rows };
}

/** The rows that carry a value, in the order they are sent; each row's box is pointed at its index for error messages. */
function thresholdsOf(errors: FieldErrors, rows: ThresholdRow[]): { application: string; percent: number }[] {
  const out: { application: string; percent: number }[] = [];
  for (const r of rows) {
    if (r.input.value.trim() === '') { errors.repath(r.input, `licenceAlert.applications#${r.application}`); continue; }
    errors.repath(r.input, `licenceAlert.applications[${out.length}]`);
    out.push({ application: r.application, percent: Number(r.input.value) });
  }
  return out;
}

function num(name: string, value: number | undefined, min = 0): HTMLInputElement {
  return h('input', { type: 'number', name, min, class: 'sw-narrow', value: value ?? '' });
}
/** A number input's value; an empty or unreadable box is sent as `null` for the server to name. */
function numberOf(el: HTMLInputElement): number | null {
  return el.value.trim() === '' || Number.isNaN(Number(el.value)) ? null : Number(el.value);
}
function fieldset(legend: string, ...children: (HTMLElement | null)[]): HTMLElement {
  return h('fieldset', { class: 'sw-fieldset' }, h('legend', {}, legend), ...children);
}

export async function renderSettings(host: HTMLElement): Promise<void> {
  loading(host);
  let a: Answer;
  let apps: Seats[] | null;
  let dirs: Directory[] | null;
  try {
    [a, apps, dirs] = await Promise.all([get<Answer>('settings'),
      // The licensed applications; without them only saved rows show.
      get<Schemas['LicenceList']>('licences').then((d) => d.applications, () => null),
      directories().catch(() => null)]);
  } catch (e) { clear(host); showError(host, e); return; }
  const s = a.settings;
  const errors = new FieldErrors();
  const out = h('div', { 'aria-live': 'polite' });

  const protectedGroups = groupPicker('protectedGroups', s.protectedGroups ?? []);
  const timezone = h('input', { type: 'text', name: 'timezone', list: 'sw-timezones', value: s.timezone ?? 'UTC' });
  // Text, not type=time: the browser shows a time input in the locale's 12-hour form ("02:00 AM") beside a 24-hour hint.
  const schedulerAt = h('input', { type: 'text', name: 'schedulerAt', value: s.schedulerAt ?? '02:00', inputmode: 'numeric', maxlength: 5, autocomplete: 'off', class: 'sw-narrow' });
  const account = userPicker('automationAccount', a.automationAccount);

  const guardOn = check('guardEnabled', 'Hold large live runs for approval', s.guard?.enabled ?? true);
  const maxAccounts = num('maxAccounts', s.guard?.maxAccounts, 1);
  const maxPercent = num('maxPercent', s.guard?.maxPercent, 1);
  const minLicensed = num('minLicensed', s.guard?.minLicensed);

  const healthOn = check('healthEnabled', 'Pause live runs when login data looks broken', s.health?.enabled ?? true);
  const maxDays = num('maxDaysWithoutLogin', s.health?.maxDaysWithoutLogin, 1);
  const jump = num('maxNeverLoggedInJumpPoints', s.health?.maxNeverLoggedInJumpPoints, 1);

  const alertOn = check('alertEnabled', 'Email when licence use crosses the threshold', s.licenceAlert?.enabled ?? false);
  const alertPercent = num('alertPercent', s.licenceAlert?.percent, 1);
  const thresholds = thresholdTable(errors, apps, s.licenceAlert?.applications ?? [], alertPercent);
  const recipients = h('input', { type: 'text', name: 'alertRecipients', class: 'sw-wide', value: joinList(s.licenceAlert?.recipients) });

  const adminRecipients = h('input', { type: 'text', name: 'adminRecipients', class: 'sw-wide', value: joinList(s.adminMail?.recipients) });

  const retention = num('auditRetentionDays', s.auditRetentionDays, 1);
  const onceWindow = num('onceLoggedInWindowHours', s.onceLoggedInWindowHours, 1);
  const deactivationTime = select('deactivationTime', [['latest', 'The later of the product’s date and our audit trail'], ['host_first', 'The product’s date when it has one'], ['audit_first', 'Our audit trail when it has one']], s.deactivationTime ?? 'latest');

  // Which activity signals count (docs/activity.md §4): each off only makes users look *less* active,
  // so the server refuses all three off (nobody could ever look active); its field error shows here.
  const signalLogin = check('activityLogin', 'Last login (the product’s login date)', s.activity?.login ?? true);
  const signalAuth = check('activityLastAuthenticated', 'Last authenticated (Crowd’s lastAuthenticated: SSO, Basic auth, other applications using this user server)', s.activity?.lastAuthenticated ?? true);
  const signalSeen = check('activitySeen', 'Seen by Seatwarden (any request: remember-me cookies, tokens, mobile)', s.activity?.seen ?? true);
  const signals = fieldset('Activity that counts', h('p', {}, 'A user is inactive only when none of the ticked signals has a date within a policy’s threshold. Turning a signal off makes more users look inactive.'),
    signalLogin.el, signalAuth.el, signalSeen.el);
  errors.register('activity', signalLogin.input, signals);

  const confirmWindow = num('confirmWindowMinutes', s.login?.confirmWindowMinutes ?? 10, 1);
  // The probe is only ever an explicit opt-in, per directory whose deactivated users nothing else can verify.
  const probeable = (dirs ?? []).filter((d) => d.loginVerification === 'none' || d.loginVerification === 'probe'
    || (s.login?.probeDirectories ?? []).includes(d.id));
  const probes = probeable.map((d) => ({ id: d.id, box: check(`probe-${d.id}`, `Probe deactivated users of ${directoryLabel(d)}`, (s.login?.probeDirectories ?? []).includes(d.id)) }));

  const prices = pricesSection(errors, apps, s.costs as Schemas['CostSettings'] | undefined);

  let version = a.configVersion;
  const save = (): void => {
    clear(out); clear(summary); errors.clear();
    const settings: Settings = {
      ...s,
      protectedGroups: protectedGroups.values(),
      timezone: timezone.value.trim(),
      schedulerAt: schedulerAt.value,
      guard: { ...s.guard, enabled: guardOn.input.checked, maxAccounts: numberOf(maxAccounts) as number, maxPercent: numberOf(maxPercent) as number, minLicensed: numberOf(minLicensed) as number },
      health: { ...s.health, enabled: healthOn.input.checked, maxDaysWithoutLogin: numberOf(maxDays) as number, maxNeverLoggedInJumpPoints: numberOf(jump) as number },
      licenceAlert: {
        ...s.licenceAlert, enabled: alertOn.input.checked, percent: numberOf(alertPercent) as number, recipients: list(recipients.value),
        applications: thresholdsOf(errors, thresholds.rows),
      },
      adminMail: { ...s.adminMail, recipients: list(adminRecipients.value) },
      auditRetentionDays: numberOf(retention) as number,
      onceLoggedInWindowHours: numberOf(onceWindow) as number,
      deactivationTime: deactivationTime.value,
      activity: { login: signalLogin.input.checked, lastAuthenticated: signalAuth.input.checked, seen: signalSeen.input.checked },
      login: {
        ...s.login,
        confirmWindowMinutes: numberOf(confirmWindow) as number,
        // Directories not listed here (ids the page could not show) keep their saved choice.
        probeDirectories: [...(s.login?.probeDirectories ?? []).filter((id) => !probes.some((p) => p.id === id)),
          ...probes.filter((p) => p.box.input.checked).map((p) => p.id)],
      },
      costs: prices.value(),
    };
    void put<Answer>('settings', { settings, configVersion: version, automationAccount: account.values()[0] ?? null }).then((r) => {
      version = r.configVersion;
      Object.assign(s, r.settings);
      forgetDirectories();
      flag('Settings saved');
    }, (e: unknown) => {
      // Someone else saved meanwhile: Reload reads the current settings into this form.
      if (isConflict(e)) { clear(summary, conflictBanner('configuration', () => renderSettings(host))); summary.scrollIntoView({ block: 'nearest' }); return; }
      if (errors.show(e, 'settings.').length || !errors.hasShown()) showError(out, e);
      // A summary at the top of a long form: the field errors may sit far below the fold.
      const n = e instanceof ApiError ? e.problems().length : 0;
      clear(summary, banner(n > 1 ? `${n} fields need attention; each says why beside it.` : 'The settings were not saved; see the message beside the field or below.', 'error'));
      summary.scrollIntoView({ block: 'nearest' });
    });
  };
  const summary = h('div', { 'data-testid': 'error-summary' });

  clear(host, h('form', { class: 'sw-form', 'aria-label': 'Settings', novalidate: true, onsubmit: (e: Event) => { e.preventDefault(); save(); } },
    summary,
    section('General',
      errors.field('protectedGroups', 'Protected groups', protectedGroups.el, 'Type part of a group name and choose from the list. No policy, bulk action or import ever touches their members. Sysadmins are always protected.'),
      h('div', { class: 'sw-row' },
        errors.field('timezone', 'Timezone', timezone, 'IANA name, e.g. Europe/Berlin. Schedules without their own timezone use it.'), timezoneList(),
        errors.field('schedulerAt', 'Daily scheduler run at', schedulerAt, '24-hour time in that timezone. If today’s time has passed, the first run is tomorrow.')),
      errors.field('automationAccount', 'Automation acts as', account.el, 'The admin account named in the audit log for automated changes. Empty: the host’s default.')),
    section('Mass-change guard',
      fieldset('Guard', guardOn.el,
        h('div', { class: 'sw-row' },
          errors.field('guard.maxAccounts', 'Maximum accounts per run', maxAccounts, 'A live run that would deactivate, delete or revoke more accounts waits for approval.'),
          errors.field('guard.maxPercent', 'Maximum percent of licensed users', maxPercent),
          errors.field('guard.minLicensed', 'Percent rule applies above (licensed users)', minLicensed)))),
    section('Run reports and approval requests',
      errors.field('adminMail.recipients', 'Admins to notify', adminRecipients,
        'Email addresses separated by ;. They get “A run waits for approval” when the guard holds a run, and the run report when that template is on. Empty: nobody is mailed, and a held run waits until someone opens Automation.')),
    section('Login-data health check',
      fieldset('Health check', healthOn.el,
        h('div', { class: 'sw-row' },
          errors.field('health.maxDaysWithoutLogin', 'Days without any login before pausing', maxDays, 'No login recorded anywhere for this long, while users are active, pauses live runs.'),
          errors.field('health.maxNeverLoggedInJumpPoints', 'Never-logged-in jump (percentage points)', jump, 'A sudden rise of never-logged-in licensed users since the previous run pauses live runs.')))),
    section('Licence alert',
      fieldset('Alert', alertOn.el,
        errors.field('licenceAlert.percent', 'Alert at percent of seats used', alertPercent),
        thresholds.el,
        errors.field('licenceAlert.recipients', 'Alert recipients', recipients, 'Email addresses separated by ;.'))),
    section('Reactivation at login',
      errors.field('login.confirmWindowMinutes', 'Confirm window (minutes)', confirmWindow,
        'Access given back at login is taken back again unless the product completes that login (two-step verification and every other check) within this time. 1 to 60.'),
      probes.length ? fieldset('Probe (opt-in)', h('p', {}, 'These directories refuse a deactivated account before they look at its password, so nothing can verify it. '
        + 'Probing activates the account for the length of one password check; during it, the user’s tokens, remember-me cookies and scripts are accepted too. '
        + 'Prefer “Release licence seats” to deactivation for these users.'), ...probes.map((p) => p.box.el)) : null),
    section('Activity signals', signals),
    section('Prices', prices.el),
    section('Details',
      h('div', { class: 'sw-row' },
        errors.field('auditRetentionDays', 'Keep audit entries for (days)', retention),
        errors.field('onceLoggedInWindowHours', '“Logged in once” window (hours)', onceWindow, 'Where the product counts no logins: a last login this close to account creation counts as the only one.')),
      errors.field('deactivationTime', 'When was an account deactivated?', deactivationTime, 'Used by delete policies. With no date at all an account is never deleted.')),
    h('div', { class: 'sw-toolbar' }, withIcon(h('button', { type: 'submit', class: 'sw-btn sw-btn-primary' }, 'Save settings'), 'save'), button('Discard changes', () => void renderSettings(host), 'subtle')),
    out));
  // The Cloud connection is its own form (its own save), after the settings; absent without a Cloud connector.
  const cloud = await cloudConnectionSection();
  if (cloud) host.appendChild(cloud);
}
