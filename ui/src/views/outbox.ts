// The outbox itself (issue 24 item 3): which messages wait or failed, why, and when they are tried next,
// with Retry and Discard. Recipients come masked from the server; "Show" opens one message whole.

import { h, clear, button, fmtTime, fmtNum, lozenge } from '../dom';
import { flag } from '../flag';
import { get, post } from '../api';
import { showError, pager, openDialog } from '../components';
import { applies } from '../preview';

interface OutboxRow {
  id: number; template: string; recipients: string[]; subject: string; status: string; attempts: number;
  lastError: string | null; createdAt: number; nextAttemptAt: number | null; canRetry: boolean; canDiscard: boolean;
}
interface OutboxPage { messages: OutboxRow[]; next: string | null }
interface OutboxMessage extends OutboxRow { userName: string | null; user: string | null; textBody: string }

const tone = (s: string): 'danger' | 'warning' | 'neutral' | 'info' =>
  s === 'failed' ? 'danger' : s === 'queued' ? 'warning' : s === 'sending' ? 'info' : 'neutral';

/** The outbox list with its own pager; `changed` runs after a retry or discard (counts elsewhere on the page). */
export async function renderOutbox(host: HTMLElement, changed: () => void, cursors: string[] = [], pageIndex = 0): Promise<void> {
  let page: OutboxPage;
  try { page = await get<OutboxPage>('mail/outbox', { cursor: cursors[pageIndex - 1] ?? '', limit: 25 }); } catch (e) { clear(host); showError(host, e); return; }
  if (page.next) cursors[pageIndex] = page.next;
  const msg = h('div', { 'aria-live': 'polite' });
  const act = (m: OutboxRow, verb: 'retry' | 'discard'): void => {
    clear(msg);
    void post<OutboxRow>(`mail/outbox/${m.id}/${verb}`).then(() => {
      changed();
      void renderOutbox(host, changed, cursors, pageIndex).then(() => flag(verb === 'retry' ? `Message ${m.id} queued again` : `Message ${m.id} discarded`));
    }, (e: unknown) => showError(msg, e));
  };
  clear(host, msg,
    page.messages.length ? h('table', { class: 'sw-table', 'data-testid': 'outbox-table' },
      h('caption', { class: 'sw-sr' }, 'Outbox'),
      h('thead', {}, h('tr', {}, ['Template', 'Recipient', 'Status', 'Attempts', 'Last error', 'Next attempt', ''].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, page.messages.map((m) => h('tr', { 'data-testid': 'outbox-row', 'data-id': String(m.id) },
        h('td', {}, m.template), h('td', { 'data-testid': 'outbox-recipient' }, m.recipients.join(', ')),
        h('td', {}, lozenge(m.status, tone(m.status))), h('td', {}, fmtNum(m.attempts)),
        h('td', {}, m.lastError ?? '—'), h('td', {}, m.nextAttemptAt === null ? '—' : fmtTime(m.nextAttemptAt)),
        h('td', { class: 'sw-actions' },
          button('Show', () => void showMessage(m.id), 'subtle', { 'aria-label': `Show message ${m.id}` }),
          applies(button('Retry', () => act(m, 'retry'), 'subtle', { disabled: !m.canRetry, 'aria-label': `Retry message ${m.id}` })),
          button('Discard', () => act(m, 'discard'), 'subtle', { disabled: !m.canDiscard, 'aria-label': `Discard message ${m.id}` })))))) :
      h('p', { class: 'sw-muted', 'data-testid': 'outbox-empty' }, 'Nothing is waiting or failed: every message was delivered.'),
    pager(pageIndex + 1, page.next ? pageIndex + 2 : pageIndex + 1, (p) => void renderOutbox(host, changed, cursors, p - 1)));
}

/** One message with its recipients unmasked (the admin asked for them). */
async function showMessage(id: number): Promise<void> {
  const d = openDialog(`Message ${id}`, h('p', { role: 'status' }, 'Loading…'));
  try {
    const m = await get<OutboxMessage>(`mail/outbox/${id}`);
    clear(d.body,
      h('p', { 'data-testid': 'outbox-full-recipient' }, h('strong', {}, 'To: '), m.recipients.join(', '), m.userName ? ` (${m.userName})` : ''),
      h('p', {}, h('strong', {}, 'Subject: '), m.subject),
      h('pre', { class: 'sw-pre' }, m.textBody));
  } catch (e) { clear(d.body); showError(d.body, e); }
}
