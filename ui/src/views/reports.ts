// Reports (issue 22): the monthly savings report (printable, CSV for finance), the prices it
// multiplies by (read-only here: edited in Settings), and the Cloud migration plan with the
// user list for the migration assistant.

import { h, clear, button, field, banner, fmtNum, download } from '../dom';
import { get, getBlob, type Schemas } from '../api';
import { section, showError, loading } from '../components';

type Savings = Schemas['SavingsResponse'];
type Migration = Schemas['MigrationResponse'];
type SettingsAnswer = Schemas['GetSettingsResponse'];
type Costs = Schemas['CostSettings'];

let month = new Date().toISOString().slice(0, 7);
let idleDays = '90';

function money(v: number | null | undefined, currency: string | null | undefined): string {
  if (v === null || v === undefined) return '—';
  return `${v.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}${currency ? ` ${currency}` : ''}`;
}

function table(head: string[], rows: (string | number)[][], testid: string): HTMLElement {
  return h('table', { class: 'sw-table', 'data-testid': testid },
    h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, String(c)))))));
}

function savingsView(s: Savings): HTMLElement {
  const cur = s.currency;
  const renewal = s.renewal;
  return h('div', { 'data-testid': 'savings' },
    cur ? null : banner('No prices yet: set a currency and seat prices in Settings (Prices) to see values.', 'info'),
    h('h3', {}, 'Per application'),
    table(['Application', 'Seat price (year)', 'Seats used', `Freed in ${s.month}`, 'Value', 'Freed to date', 'Value to date'],
      s.applications.map((a) => [a.name || a.application, money(a.seatPrice, cur), fmtNum(a.seatsUsed), fmtNum(a.seatsThisMonth), money(a.valueThisMonth, cur), fmtNum(a.seatsToDate), money(a.valueToDate, cur)]),
      'savings-applications'),
    h('h3', {}, 'Per policy'),
    s.policies.length
      ? table(['Policy', `Seats freed in ${s.month}`, 'Value', 'Seats freed to date', 'Value to date'],
        s.policies.map((p) => [p.name, fmtNum(p.seatsThisMonth), money(p.valueThisMonth, cur), fmtNum(p.seatsToDate), money(p.valueToDate, cur)]), 'savings-policies')
      : h('p', { class: 'sw-muted' }, 'No policy has freed a seat yet (as far back as the audit log goes).'),
    s.accountsWithoutSeats ? h('p', { class: 'sw-muted' }, `${fmtNum(s.accountsWithoutSeats)} freed accounts no longer in the directory (deleted) or holding no seat are not counted.`) : null,
    h('h3', {}, 'Next renewal'),
    renewal
      ? h('p', { 'data-testid': 'renewal' }, `Renewal on ${renewal.date} (in ${fmtNum(renewal.inDays)} days): the enabled policies would free about ${fmtNum(renewal.applications.reduce((n, a) => n + a.seats, 0))} more seats by then (${renewal.basis === 'likely' ? 'likely case' : 'upper bound'}, forecast over ${renewal.forecastDays} days), worth ${money(renewal.value, cur)} a year.`)
      : h('p', { class: 'sw-muted' }, 'Set the renewal date in Settings (Prices) to see the saving expected at the next renewal.'));
}

/** The prices the report multiplies by, read-only: they are edited (version-checked, audited) in Settings. */
function pricesView(answer: SettingsAnswer, apps: string[]): HTMLElement {
  const costs: Costs = (answer.settings as { costs?: Costs }).costs ?? { applications: [] };
  const cur = costs.currency;
  const shown = [...apps, ...costs.applications.map((p) => p.application).filter((a) => !apps.includes(a))];
  return h('div', { 'data-testid': 'prices-read-only' },
    h('p', {}, `Currency: ${cur ?? 'not set'} · Next renewal: ${costs.renewalDate ?? 'not set'}. `,
      h('a', { href: '#/settings', 'data-testid': 'edit-prices' }, 'Edit prices in Settings')),
    shown.length ? table(['Application', 'Data Center price per seat per year', 'Cloud price per user per month'],
      shown.map((app) => {
        const p = costs.applications.find((x) => x.application === app);
        return [app, money(p?.seatPrice, cur), money(p?.cloudUserPrice, cur)];
      }), 'prices-table')
      : h('p', { class: 'sw-muted' }, 'No licensed applications.'));
}

function migrationView(m: Migration): HTMLElement {
  const p = m.plan;
  const cur = p.currency;
  return h('div', { 'data-testid': 'migration' },
    h('p', {}, `Not to migrate: ${fmtNum(p.deactivated)} deactivated, ${fmtNum(p.neverLoggedIn)} never logged in, ${fmtNum(p.inactive)} idle ${p.idleDays} days or more (by the counted activity signals). Cloud cost left out: ${money(p.monthlyCostLeftOut, cur)} a month.`),
    table(['Product', 'Seats used', 'Idle', 'Never logged in', 'Deactivated members', 'Cloud seats left out', 'Cloud seats needed', 'Cost left out (month)'],
      p.products.map((x) => [x.name || x.application, fmtNum(x.seatsUsed), fmtNum(x.inactive), fmtNum(x.neverLoggedIn), fmtNum(x.deactivated), fmtNum(x.cloudSeatsLeftOut), fmtNum(x.cloudSeatsNeeded), money(x.monthlyCostLeftOut, cur)]),
      'migration-products'),
    h('p', { class: 'sw-muted' }, 'The user list has the columns of the Jira Cloud Migration Assistant’s user file with Tombstone TRUE (migrate as a former user). The assistant only takes back its own file: set Tombstone to TRUE there for these user keys.'));
}

export async function renderReports(host: HTMLElement): Promise<void> {
  loading(host);
  let savings: Savings; let migration: Migration; let settings: SettingsAnswer; let apps: string[];
  try {
    [savings, migration, settings, apps] = await Promise.all([
      get<Savings>('savings', { month }),
      get<Migration>('migration', { idleDays }),
      get<SettingsAnswer>('settings'),
      get<Schemas['LicenceList']>('licences').then((l) => l.applications.map((a) => a.application)),
    ]);
  } catch (e) { clear(host); showError(host, e); return; }
  const redraw = (): void => void renderReports(host);
  const monthInput = h('input', { type: 'month', name: 'month', value: month });
  monthInput.addEventListener('change', () => { if (monthInput.value) { month = monthInput.value; redraw(); } });
  const idle = h('input', { type: 'number', name: 'idleDays', min: 1, max: 3650, value: idleDays, class: 'sw-narrow' });
  idle.addEventListener('change', () => { if (Number(idle.value) >= 1) { idleDays = idle.value; redraw(); } });
  const csv = (path: string, query: Record<string, string>): void => {
    void getBlob(path, query).then(({ blob, name }) => download(blob, name), (e: unknown) => showError(host, e));
  };
  clear(host,
    section(`Savings report — ${savings.month}`,
      h('div', { class: 'sw-toolbar sw-no-print' }, field('Month', monthInput),
        button('Download CSV', () => csv('savings/export', { month }), 'default', { 'data-testid': 'savings-csv' }),
        button('Print', () => window.print(), 'default')),
      savingsView(savings)),
    section('Prices', pricesView(settings, apps)),
    section('Cloud migration plan',
      h('div', { class: 'sw-toolbar sw-no-print' }, field('Idle days', idle),
        button('Download user list (CSV)', () => csv('migration/export', { idleDays }), 'default', { 'data-testid': 'migration-csv' })),
      migrationView(migration)));
}
