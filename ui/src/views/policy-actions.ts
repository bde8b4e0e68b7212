// Preview and run-now of one policy, shared by the policy list and the editor.

import { h, clear, button, banner } from '../dom';
import { post, type Schemas } from '../api';
import { showError, openDialog, planView, followRun } from '../components';
import { navigate } from '../router';
import { confirmChange, summaryOf } from './confirm-change';

/** Shows the plan the policy would make now: who, what, why; who is skipped and why. */
export async function preview(id: string): Promise<void> {
  const d = openDialog(`Preview of ${id}`, h('p', { role: 'status' }, 'Evaluating…'));
  try {
    const r = await post<Schemas['PreviewPolicyResponse']>(`policies/${encodeURIComponent(id)}/preview`);
    // The warning rule's effect, in the server's words (who waits for a warning, and until when).
    const notices = r.warningNotices.map((n) => h('div', { class: 'sw-banner sw-banner-info', role: 'status', 'data-testid': 'warning-notice' }, n.text));
    clear(d.body, ...notices, planView(r.document, r.actions));
  } catch (e) { clear(d.body); showError(d.body, e); }
}

/**
 * Runs the policy now inside `out`, with a progress bar; offers approval when the guard stops it.
 * A live policy first shows what it would change and waits for the admin's confirmation.
 */
export async function runNow(id: string, out: HTMLElement, live = false): Promise<void> {
  clear(out);
  if (live) {
    const d = openDialog(`Run ${id} now`, h('p', { role: 'status' }, 'Evaluating…'));
    let r: Schemas['PreviewPolicyResponse'];
    try { r = await post<typeof r>(`policies/${encodeURIComponent(id)}/preview`); } catch (e) { clear(d.body); showError(d.body, e); return; }
    const yes = await new Promise<boolean>((resolve) => {
      const c = confirmChange(summaryOf(r.document), 'Run now and apply', () => { d.close(); resolve(true); });
      clear(d.body, h('p', {}, 'This policy is live: running it now applies these changes at once.'), c.el, planView(r.document, r.actions));
      d.el.querySelector('.sw-dialog-foot')?.appendChild(c.button);
      const observer = new MutationObserver(() => { if (!d.el.isConnected) { observer.disconnect(); resolve(false); } });
      observer.observe(document.body, { childList: true });
    });
    if (!yes) return;
  }
  try {
    const { runId } = await post<{ runId: number }>(`policies/${encodeURIComponent(id)}/run`);
    const final = await followRun(out, runId, `Run of ${id}`);
    if (final.status === 'awaiting_approval') {
      out.appendChild(h('p', {}, banner('The mass-change guard stopped this run before its first change.', 'warning'), button('Review and approve', () => navigate(`automation/approve/${runId}`), 'primary')));
    }
  } catch (e) { showError(out, e); }
}
