// Exemptions in the Users tab: the Exempt badge (its reason on hover), the
// bulk "Exempt…" dialog (an end date by default: 90 days preselected), bulk
// "Remove exemption", and the list in a user's detail.

import { h, select, field, button, fmtNum, lozenge, banner } from '../dom';
import { get, post, type Schemas } from '../api';
import { showError, openDialog } from '../components';

type Exemption = Schemas['Exemption'];

/** The Exempt column: a badge whose title (hover) and text say why. */
export function exemptBadge(list: Exemption[] | undefined): HTMLElement | null {
  if (!list || list.length === 0) return null;
  const text = list.map((e) => e.text).join('\n');
  const badge = lozenge(list.length === 1 ? 'exempt' : `exempt ×${list.length}`, 'info');
  badge.title = text;
  badge.setAttribute('aria-label', text);
  return badge;
}

/** A user's exemptions, each in words. */
export function exemptionList(list: Exemption[]): HTMLElement {
  if (list.length === 0) return h('p', { class: 'sw-hint' }, 'None.');
  return h('ul', { 'data-testid': 'user-exemptions' }, list.map((e) => h('li', {}, e.text, e.active ? null : [' ', lozenge('lapsed', 'neutral')])));
}

/** "Exempt…": which policies, until when, why; then grants. */
export function exemptDialog(who: Record<string, unknown>, count: number | null, done: () => void): void {
  const status = h('div', {});
  const policy = select('exemptPolicy', [['*', 'Every policy']], '*');
  void get<{ policies: { policy: { id: string; name: string } }[] }>('policies').then((r) => {
    for (const { policy: p } of r.policies) policy.appendChild(h('option', { value: p.id }, p.name));
  }, () => undefined);
  const period = select('exemptPeriod', [['30', '30 days'], ['90', '90 days'], ['180', '180 days'], ['365', 'One year'], ['until', 'Until a date…'], ['indefinite', 'Indefinitely (no end date)']], '90');
  const until = h('input', { type: 'date', name: 'exemptUntil' });
  const reason = h('input', { type: 'text', name: 'exemptReason', maxlength: 500, required: true, placeholder: 'e.g. parental leave' });
  const who_ = count === null ? 'every user matching the filter' : `${fmtNum(count)} selected ${count === 1 ? 'user' : 'users'}`;
  const d = openDialog('Exempt users', [
    h('p', {}, `Exempt ${who_}: the chosen policies skip them until the end date, and say why in every plan.`),
    field('From', policy), field('For', period), field('Until (for "until a date")', until), field('Reason', reason), status,
  ], [button('Exempt', () => {
    const body: Record<string, unknown> = { ...who, reason: reason.value };
    if (policy.value !== '*') body.policy = policy.value;
    if (period.value === 'until') body.until = until.value; else if (period.value === 'indefinite') body.indefinite = true; else body.days = Number(period.value);
    void post<{ granted: number }>('exemptions', body).then((r) => {
      d.close();
      done();
      document.querySelector('.sw-results')?.prepend(banner(`${fmtNum(r.granted)} ${r.granted === 1 ? 'user' : 'users'} exempted.`, 'success'));
    }, (e: unknown) => showError(status, e));
  }, 'primary', { 'data-testid': 'confirm-exempt' })]);
}

/** "Remove exemption": every exemption of the chosen users. */
export function removeExemptions(who: Record<string, unknown>, done: () => void): void {
  const status = h('div', {});
  const d = openDialog('Remove exemptions', [h('p', {}, 'Remove every exemption of the chosen users? Policies act on them again from their next run.'), status],
    [button('Remove', () => {
      void post<{ revoked: number }>('exemptions/revoke', who).then((r) => {
        d.close();
        done();
        document.querySelector('.sw-results')?.prepend(banner(`${fmtNum(r.revoked)} ${r.revoked === 1 ? 'exemption' : 'exemptions'} removed.`, 'success'));
      }, (e: unknown) => showError(status, e));
    }, 'danger')]);
}
