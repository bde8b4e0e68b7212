// Settings: protected groups, mass-change guard, login-data health check,
// timezone and scheduler time, licence alert, and the finer points of the
// engine. The form edits the settings document the server returned and sends
// all of it back; the server validates it and names each problem's path.

import { h, clear, select, button, banner } from '../dom';
import { get, put } from '../api';
import { section, showError, loading } from '../components';
import { FieldErrors, list, joinList, check } from '../form';
import { timezoneList } from './policy-editor';

interface Settings {
  protectedGroups?: string[]; timezone?: string; schedulerAt?: string;
  guard?: { enabled?: boolean; maxAccounts?: number; maxPercent?: number; minLicensed?: number };
  health?: { enabled?: boolean; maxDaysWithoutLogin?: number; maxNeverLoggedInJumpPoints?: number };
  licenceAlert?: { enabled?: boolean; percent?: number; applications?: { application: string; percent: number }[]; recipients?: string[] };
  auditRetentionDays?: number; onceLoggedInWindowHours?: number; deactivationTime?: string;
  [other: string]: unknown;
}
interface Answer { settings: Settings; automationAccount: string | null; configVersion: number }

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
  try { a = await get<Answer>('settings'); } catch (e) { clear(host); showError(host, e); return; }
  const s = a.settings;
  const errors = new FieldErrors();
  const out = h('div', { 'aria-live': 'polite' });

  const protectedGroups = h('input', { type: 'text', name: 'protectedGroups', class: 'sw-wide', value: joinList(s.protectedGroups) });
  const timezone = h('input', { type: 'text', name: 'timezone', list: 'sw-timezones', value: s.timezone ?? 'UTC' });
  const schedulerAt = h('input', { type: 'time', name: 'schedulerAt', value: s.schedulerAt ?? '02:00' });
  const account = h('input', { type: 'text', name: 'automationAccount', value: a.automationAccount ?? '' });

  const guardOn = check('guardEnabled', 'Hold large live runs for approval', s.guard?.enabled ?? true);
  const maxAccounts = num('maxAccounts', s.guard?.maxAccounts, 1);
  const maxPercent = num('maxPercent', s.guard?.maxPercent, 1);
  const minLicensed = num('minLicensed', s.guard?.minLicensed);

  const healthOn = check('healthEnabled', 'Pause live runs when login data looks broken', s.health?.enabled ?? true);
  const maxDays = num('maxDaysWithoutLogin', s.health?.maxDaysWithoutLogin, 1);
  const jump = num('maxNeverLoggedInJumpPoints', s.health?.maxNeverLoggedInJumpPoints, 1);

  const alertOn = check('alertEnabled', 'Email when licence use crosses the threshold', s.licenceAlert?.enabled ?? false);
  const alertPercent = num('alertPercent', s.licenceAlert?.percent, 1);
  const alertApps = h('input', { type: 'text', name: 'alertApplications', class: 'sw-wide', placeholder: 'jira-software=95; jira-servicedesk=80',
    value: (s.licenceAlert?.applications ?? []).map((x) => `${x.application}=${x.percent}`).join('; ') });
  const recipients = h('input', { type: 'text', name: 'alertRecipients', class: 'sw-wide', value: joinList(s.licenceAlert?.recipients) });

  const retention = num('auditRetentionDays', s.auditRetentionDays, 1);
  const onceWindow = num('onceLoggedInWindowHours', s.onceLoggedInWindowHours, 1);
  const deactivationTime = select('deactivationTime', [['latest', 'The later of the product’s date and our audit trail'], ['host_first', 'The product’s date when it has one'], ['audit_first', 'Our audit trail when it has one']], s.deactivationTime ?? 'latest');

  let version = a.configVersion;
  const save = (): void => {
    clear(out); errors.clear();
    const settings: Settings = {
      ...s,
      protectedGroups: list(protectedGroups.value),
      timezone: timezone.value.trim(),
      schedulerAt: schedulerAt.value,
      guard: { ...s.guard, enabled: guardOn.input.checked, maxAccounts: numberOf(maxAccounts) as number, maxPercent: numberOf(maxPercent) as number, minLicensed: numberOf(minLicensed) as number },
      health: { ...s.health, enabled: healthOn.input.checked, maxDaysWithoutLogin: numberOf(maxDays) as number, maxNeverLoggedInJumpPoints: numberOf(jump) as number },
      licenceAlert: {
        ...s.licenceAlert, enabled: alertOn.input.checked, percent: numberOf(alertPercent) as number, recipients: list(recipients.value),
        applications: list(alertApps.value).map((x) => { const [app = '', pct = ''] = x.split('='); return { application: app.trim(), percent: pct.trim() === '' ? Number.NaN : Number(pct) }; }),
      },
      auditRetentionDays: numberOf(retention) as number,
      onceLoggedInWindowHours: numberOf(onceWindow) as number,
      deactivationTime: deactivationTime.value,
    };
    void put<Answer>('settings', { settings, configVersion: version, automationAccount: account.value.trim() || null }).then((r) => {
      version = r.configVersion;
      Object.assign(s, r.settings);
      out.appendChild(banner('Settings saved', 'success'));
    }, (e: unknown) => { if (errors.show(e, 'settings.').length || !errors.hasShown()) showError(out, e); });
  };

  clear(host, h('form', { class: 'sw-form', 'aria-label': 'Settings', novalidate: true, onsubmit: (e: Event) => { e.preventDefault(); save(); } },
    section('General',
      errors.field('protectedGroups', 'Protected groups', protectedGroups, 'Group names separated by ;. No policy, bulk action or import ever touches their members. Sysadmins are always protected.'),
      h('div', { class: 'sw-row' },
        errors.field('timezone', 'Timezone', timezone, 'IANA name, e.g. Europe/Berlin. Schedules without their own timezone use it.'), timezoneList(),
        errors.field('schedulerAt', 'Daily scheduler run at', schedulerAt, '24-hour time in that timezone. If today’s time has passed, the first run is tomorrow.')),
      errors.field('automationAccount', 'Automation acts as (user key)', account, 'The admin account named in the audit log for automated changes. Empty: the host’s default.')),
    section('Mass-change guard',
      fieldset('Guard', guardOn.el,
        h('div', { class: 'sw-row' },
          errors.field('guard.maxAccounts', 'Maximum accounts per run', maxAccounts, 'A live run that would deactivate, delete or revoke more accounts waits for approval.'),
          errors.field('guard.maxPercent', 'Maximum percent of licensed users', maxPercent),
          errors.field('guard.minLicensed', 'Percent rule applies above (licensed users)', minLicensed)))),
    section('Login-data health check',
      fieldset('Health check', healthOn.el,
        h('div', { class: 'sw-row' },
          errors.field('health.maxDaysWithoutLogin', 'Days without any login before pausing', maxDays, 'No login recorded anywhere for this long, while users are active, pauses live runs.'),
          errors.field('health.maxNeverLoggedInJumpPoints', 'Never-logged-in jump (percentage points)', jump, 'A sudden rise of never-logged-in licensed users since the previous run pauses live runs.')))),
    section('Licence alert',
      fieldset('Alert', alertOn.el,
        errors.field('licenceAlert.percent', 'Alert at percent of seats used', alertPercent),
        errors.field('licenceAlert.applications', 'Per-application thresholds', alertApps, 'application=percent pairs separated by ;, overriding the percent above.'),
        errors.field('licenceAlert.recipients', 'Alert recipients', recipients, 'Email addresses separated by ;.'))),
    section('Details',
      h('div', { class: 'sw-row' },
        errors.field('auditRetentionDays', 'Keep audit entries for (days)', retention),
        errors.field('onceLoggedInWindowHours', '“Logged in once” window (hours)', onceWindow, 'Where the product counts no logins: a last login this close to account creation counts as the only one.')),
      errors.field('deactivationTime', 'When was an account deactivated?', deactivationTime, 'Used by delete policies. With no date at all an account is never deleted.')),
    h('div', { class: 'sw-toolbar' }, h('button', { type: 'submit', class: 'sw-btn sw-btn-primary' }, 'Save settings'), button('Discard changes', () => void renderSettings(host), 'subtle')),
    out));
}
