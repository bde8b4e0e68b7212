// What a policy's "I still need access" settings (`warning.accessRequest`) do, in words: one
// function for the policy editor's live summary and the policy list, so both say the same thing
// the anonymous page will promise (crates/seatwarden-service/src/access/request.rs `promise`).

/** The settings as the policy JSON carries them. */
export interface AccessRequestJson {
  onRequest: { kind: string; days?: number; atOnce?: boolean };
  linkDays?: number;
  noticeOnRemoval?: boolean;
}

/** Actions after which the "access removed" notice can be sent (service `notice::removes_access`). */
export const REMOVES_ACCESS: readonly string[] = ['deactivate', 'suspend', 'remove_licence_groups'];

function plural(n: number, one: string): string { return `${n} ${one}${n === 1 ? '' : 's'}`; }

/** The short form for the policy list: "request → exempt 30 days". */
export function accessRequestShort(a: AccessRequestJson | undefined): string | null {
  if (!a) return null;
  const o = a.onRequest;
  const what = o.kind === 'exempt' ? `exempt ${plural(o.days ?? 0, 'day')}`
    : o.kind === 'review' ? 'review list'
      : o.atOnce ? 'restore at once' : 'restore on approval';
  return `“I still need access” → ${what}${a.noticeOnRemoval ? '; notice on removal' : ''}`;
}

/**
 * Every sentence an admin needs: what a request does before the action, after it, how long
 * links work and whether removed users are told. `action` is the policy's action kind, `mode`
 * its mode (only a review-mode policy waits for the review list's decision).
 */
export function accessRequestWords(a: AccessRequestJson, action: string, mode: string): string[] {
  const o = a.onRequest;
  const out: string[] = [];
  const days = o.days ?? 0;
  if (o.kind === 'exempt') {
    out.push(Number.isInteger(days) && days >= 1 && days <= 365
      ? `A user who asks to keep access is exempt from this policy for ${plural(days, 'day')} at once; the request and its reason are listed on Access requests.`
      : 'A user who asks to keep access is exempt from this policy for the number of days set here (1 to 365).');
  } else if (o.kind === 'review') {
    out.push(mode === 'review'
      ? 'A request puts the user on this policy’s review list: nothing happens to them until an admin approves (the policy acts) or rejects (they are exempt).'
      : 'A request puts the user on this policy’s review list, where rejecting it exempts them. It does not hold this policy back: outside review mode the policy still acts when the warning period ends, unless the request was rejected by then.');
  } else {
    out.push('Before the action, a request is only recorded on Access requests: the account is still active, nothing changes.');
  }
  const removes = REMOVES_ACCESS.includes(action);
  const atOnce = o.kind === 'restore' && o.atOnce === true;
  if (o.kind === 'restore' || a.noticeOnRemoval) {
    out.push(atOnce
      ? 'After the action, a user who asks gets their access back at once, if a licence seat is free.'
      : 'After the action, a request waits on Access requests until an admin approves it; approval gives the access back.');
  }
  const link = a.linkDays ?? 14;
  out.push(`The warning email carries the link; it works for ${plural(Number.isInteger(link) && link > 0 ? link : 14, 'day')} and only once.`);
  if (a.noticeOnRemoval) {
    out.push(removes
      ? 'Users whose access this policy removed also get an “access removed” notice with a link to ask for it back.'
      : 'The “access removed” notice is sent only by policies that deactivate, suspend or remove a licence; this one sends none.');
  }
  return out;
}
