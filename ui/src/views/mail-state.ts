// Whether mail goes out, in the server's words, for the dashboard and the
// notifications screen (issue 24: warnings queued for ever behind a "use the
// product's mail server" default that has no server, and nothing said so).

import { h, fmtNum } from '../dom';
import { get, type Schemas } from '../api';

export type Counts = Schemas['MailCounts'];
export type MailState = Schemas['GetMailStatusResponse'];

export async function mailState(): Promise<MailState> {
  return get<MailState>('mail/status');
}

/** A warning banner when mail cannot be delivered; nothing when it can. */
export function mailBanner(s: MailState, where: 'dashboard' | 'notifications'): HTMLElement | null {
  if (s.delivery.available) return null;
  const waiting = s.outbox.queued + s.outbox.sending;
  return h('div', { class: 'sw-banner sw-banner-warning', role: 'status', 'data-testid': 'mail-unavailable' },
    h('strong', {}, 'Mail is not being delivered: '), `${s.delivery.problem ?? 'no mail server'}. `,
    waiting ? `${fmtNum(waiting)} ${waiting === 1 ? 'message is' : 'messages are'} waiting in the outbox. ` : '',
    'Policies with a warning do not act on anyone until their warning has been delivered. ',
    where === 'dashboard' ? h('a', { href: '#/notifications' }, 'Choose a mail server') : 'Choose a mail server below.');
}

/** "3 queued · 1 sent · 0 failed" for one template. */
export function countsText(c: Counts | undefined): string {
  const x = c ?? { queued: 0, sending: 0, sent: 0, failed: 0 };
  return `${fmtNum(x.queued + x.sending)} queued · ${fmtNum(x.sent)} sent · ${fmtNum(x.failed)} failed`;
}
