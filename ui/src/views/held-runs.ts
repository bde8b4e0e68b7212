// Runs the mass-change guard holds, wherever an admin may look (Automation
// tab, dashboard, audit log): a banner per run with Review/Approve and
// Discard. Issue 24: a held 02:00 run must never wait unseen; approval was
// reachable only through Audit → run.

import { h, clear, button, fmtTime } from '../dom';
import { get, post } from '../api';
import { showError, confirmDialog } from '../components';
import { navigate } from '../router';
import { RunSummary } from './dashboard';

/** Discards a held run after a confirmation; resolves true when discarded. */
export async function discardRun(run: { id: number; name: string }, out: HTMLElement): Promise<boolean> {
  const yes = await confirmDialog('Discard held run',
    `Discard run #${run.id} (${run.name})? Its plan is never applied and nothing changes; the next scheduled run plans again.`, 'Discard run');
  if (!yes) return false;
  try { await post(`runs/${run.id}/discard`); return true; } catch (e) { showError(out, e); return false; }
}

/** Fills `slot` with one warning banner per run awaiting approval (nothing when none). */
export async function heldRunsBanner(slot: HTMLElement): Promise<void> {
  let runs: RunSummary[];
  try { ({ runs } = await get<{ runs: RunSummary[] }>('runs', { status: 'awaiting_approval', limit: 20 })); } catch (e) { clear(slot); showError(slot, e); return; }
  clear(slot, runs.map((r) => {
    const out = h('div', {});
    return h('div', { class: 'sw-banner sw-banner-warning', role: 'status', 'data-testid': 'held-run', 'data-run': String(r.id) },
      h('strong', {}, `Run #${r.id} (${r.name}) is waiting for approval`),
      ` since ${fmtTime(r.startedAt)}: the mass-change guard stopped it before it changed anything.`,
      h('div', { class: 'sw-toolbar' },
        button('Review and approve', () => navigate(`automation/approve/${r.id}`), 'primary', { 'data-testid': 'held-review' }),
        button('Discard', () => void discardRun(r, out).then((done) => { if (done) void heldRunsBanner(slot); }), 'danger', { 'data-testid': 'held-discard' })),
      out);
  }));
}
