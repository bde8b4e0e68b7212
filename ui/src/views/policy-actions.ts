// Preview and run-now of one policy, shared by the policy list and the editor.

import { h, clear, button, banner } from '../dom';
import { post } from '../api';
import { showError, openDialog, planView, followRun, ActionInfo } from '../components';
import { navigate } from '../router';

/** Shows the plan the policy would make now: who, what, why; who is skipped and why. */
export async function preview(id: string): Promise<void> {
  const d = openDialog(`Preview of ${id}`, h('p', { role: 'status' }, 'Evaluating…'));
  try {
    const r = await post<{ planHash: string; status: string; document: Parameters<typeof planView>[0]; actions: ActionInfo[]; warningNotices?: { text: string }[] }>(`policies/${encodeURIComponent(id)}/preview`);
    // The warning rule's effect, in the server's words (who waits for a warning, and until when).
    const notices = (r.warningNotices ?? []).map((n) => h('div', { class: 'sw-banner sw-banner-info', role: 'status', 'data-testid': 'warning-notice' }, n.text));
    clear(d.body, ...notices, planView(r.document, r.actions));
  } catch (e) { clear(d.body); showError(d.body, e); }
}

/** Runs the policy now inside `out`, with a progress bar; offers approval when the guard stops it. */
export async function runNow(id: string, out: HTMLElement): Promise<void> {
  clear(out);
  try {
    const { runId } = await post<{ runId: number }>(`policies/${encodeURIComponent(id)}/run`);
    const final = await followRun(out, runId, `Run of ${id}`);
    if (final.status === 'awaiting_approval') {
      out.appendChild(h('p', {}, banner('The mass-change guard stopped this run before its first change.', 'warning'), button('Review and approve', () => navigate(`automation/approve/${runId}`), 'primary')));
    }
  } catch (e) { showError(out, e); }
}
