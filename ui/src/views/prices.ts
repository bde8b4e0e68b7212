// Prices (issue 22), a section of the Settings form: the currency, the next
// renewal, and per licensed application what a Data Center seat costs a year
// and a Cloud user a month. They are part of the settings document, so they
// are saved, version-checked and audited with it, and the server names every
// problem's path (`costs.applications[0].seatPrice`) for the message to sit
// beside its box. The Reports tab shows them read-only and links here.

import { h, nextId } from '../dom';
import { FieldErrors } from '../form';
import type { Item, Schemas } from '../api';

type Costs = Schemas['CostSettings'];
type Seats = Item<Schemas['LicenceList']['applications']>;

interface PriceRow { application: string; seat: HTMLInputElement; cloud: HTMLInputElement; row: HTMLElement }

/** A price box's text as sent: a number when it reads as one, else the text itself for the server to name. */
function amount(text: string): number | string {
  const t = text.trim();
  const n = Number(t);
  return t !== '' && Number.isFinite(n) ? n : t;
}

/** The prices section: its element, and the `costs` document its boxes say (rows repathed to their sent index). */
export function pricesSection(errors: FieldErrors, apps: Seats[] | null, saved: Costs | undefined): { el: HTMLElement; value: () => Record<string, unknown> } {
  const costs: Costs = saved ?? { applications: [] };
  const currency = h('input', { type: 'text', name: 'currency', value: costs.currency ?? '', maxlength: 3, class: 'sw-narrow', placeholder: 'e.g. EUR', autocomplete: 'off' });
  const renewal = h('input', { type: 'date', name: 'renewalDate', value: costs.renewalDate ?? '' });
  const known = apps ?? [];
  // A saved price of an application no longer licensed stays editable (saving never drops it silently).
  const extra = costs.applications.filter((p) => !known.some((a) => a.application === p.application));
  const rows: PriceRow[] = [];
  const tr = (application: string, name: string): HTMLElement => {
    const p = costs.applications.find((x) => x.application === application);
    const box = (kind: string, v: number | undefined, label: string): HTMLInputElement =>
      h('input', { type: 'text', inputmode: 'decimal', name: `${kind}-${application}`, id: nextId('f'), value: v ?? '', class: 'sw-narrow', 'aria-label': label, autocomplete: 'off' });
    const seat = box('seatPrice', p?.seatPrice, `Seat price of ${application}`);
    const cloud = box('cloudUserPrice', p?.cloudUserPrice, `Cloud price of ${application}`);
    const seatWrap = h('div', { class: 'sw-cell-field' }, seat);
    const cloudWrap = h('div', { class: 'sw-cell-field' }, cloud);
    const row = h('tr', { 'data-testid': 'price-row', 'data-application': application },
      h('th', { scope: 'row' }, name), h('td', {}, seatWrap), h('td', {}, cloudWrap));
    errors.register(`costs.applications#${application}.seatPrice`, seat, seatWrap);
    errors.register(`costs.applications#${application}.cloudUserPrice`, cloud, cloudWrap);
    errors.register(`costs.applications#${application}`, row, seatWrap);
    rows.push({ application, seat, cloud, row });
    return row;
  };
  const body = [
    ...known.map((a) => tr(a.application, a.name || a.application)),
    ...extra.map((x) => tr(x.application, `${x.application} (not licensed now)`)),
  ];
  const hintId = nextId('hint');
  const el = h('div', { 'data-testid': 'prices' },
    h('p', {}, 'The savings report multiplies the seats the policies free by these prices; the Cloud migration plan prices the users it leaves out. Leave a box empty for no price.'),
    h('div', { class: 'sw-row' },
      errors.field('costs.currency', 'Currency (ISO 4217)', currency, 'Three capital letters, such as EUR or USD. Needed once any price is set.'),
      errors.field('costs.renewalDate', 'Next renewal', renewal, 'The saving expected by this date is shown on the Reports tab.')),
    h('div', { class: 'sw-field', 'data-path': 'costs.applications', tabindex: -1 },
      body.length ? h('table', { class: 'sw-table', 'data-testid': 'price-table', 'aria-describedby': hintId },
        h('thead', {}, h('tr', {}, ['Application', 'Data Center price per seat per year', 'Cloud price per user per month'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, body)) : null,
      h('span', { class: 'sw-hint', id: hintId }, apps === null
        ? 'The licensed applications could not be read; only saved prices are shown.'
        : body.length ? 'Amounts in the currency above, at most two decimals, without a currency sign.' : 'No licensed applications.')));
  const value = (): Record<string, unknown> => {
    const applications: Record<string, unknown>[] = [];
    for (const r of rows) {
      const seat = r.seat.value.trim(); const cloud = r.cloud.value.trim();
      if (seat === '' && cloud === '') {
        errors.repath(r.seat, `costs.applications#${r.application}.seatPrice`);
        errors.repath(r.cloud, `costs.applications#${r.application}.cloudUserPrice`);
        errors.repath(r.row, `costs.applications#${r.application}`);
        continue;
      }
      const at = `costs.applications[${applications.length}]`;
      errors.repath(r.seat, `${at}.seatPrice`);
      errors.repath(r.cloud, `${at}.cloudUserPrice`);
      errors.repath(r.row, at);
      applications.push({ application: r.application, ...(seat !== '' ? { seatPrice: amount(seat) } : {}), ...(cloud !== '' ? { cloudUserPrice: amount(cloud) } : {}) });
    }
    const out: Record<string, unknown> = { applications };
    const code = currency.value.trim().toUpperCase();
    if (code) out.currency = code;
    if (renewal.value) out.renewalDate = renewal.value;
    return out;
  };
  return { el, value };
}
