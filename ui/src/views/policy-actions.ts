// Preview and run-now of one policy, shared by the policy list and the editor.

import { h, clear, button, banner, shownName, plain } from '../dom';
import { post, del, type Schemas } from '../api';
import { showError, openDialog, followRun, confirmDialog } from '../components';
import { flag } from '../flag';
import { navigate } from '../router';
import { confirmChange, summaryOf } from './confirm-change';
import { pagedPlanView } from './bulk-preview';

type PolicyPreview = Schemas['PreviewPolicyResponse'];

/** What a run of the policy does with each row, in the Mode column (a preview itself applies nothing). */
const MODE_NOTE: Record<PolicyPreview['policyMode'], string> = {
  live: 'Mode: this policy is live, so its run applies each row.',
  review: 'Mode: this policy is in review mode, so its run puts each user on the review list; only approved users are acted on.',
  safe: 'Mode: this policy is in safe mode, so its run only records each row; nothing changes until you switch it to live.',
};

/** The preview's plan: warnings in the server's words, what the Mode column means, and the paged rows. */
function previewView(r: PolicyPreview): HTMLElement[] {
  // The warning rule's effect, in the server's words (who waits for a warning, and until when).
  const notices = r.warningNotices.map((n) => h('div', { class: 'sw-banner sw-banner-info', role: 'status', 'data-testid': 'warning-notice' }, plain(n.text)));
  return [...notices, h('p', { class: 'sw-muted', 'data-testid': 'mode-note' }, MODE_NOTE[r.policyMode]), pagedPlanView(r, r.policyMode)];
}

/** Shows the plan the policy would make now: who, what, why; who is skipped and why. */
export async function preview(id: string): Promise<void> {
  const d = openDialog(`Preview of ${id}`, h('p', { role: 'status' }, 'Evaluating…'));
  try {
    const r = await post<PolicyPreview>(`policies/${encodeURIComponent(id)}/preview`);
    clear(d.body, ...previewView(r));
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
    let r: PolicyPreview;
    try { r = await post<typeof r>(`policies/${encodeURIComponent(id)}/preview`); } catch (e) { clear(d.body); showError(d.body, e); return; }
    const yes = await new Promise<boolean>((resolve) => {
      const c = confirmChange(summaryOf(r.document), 'Run now and apply', () => { d.close(); resolve(true); });
      clear(d.body, h('p', {}, 'This policy is live: running it now applies these changes at once.'), c.el, ...previewView(r));
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

/**
 * Deletes a policy after its confirmation, then goes back to the list. It lives in the policy editor, not in
 * every row of the list: a red button beside Pause invites a slip, and Atlassian's admin pages keep destructive
 * actions out of a row's main actions. Resolves true when the policy is gone; errors are shown in `out`.
 */
export async function deletePolicy(id: string, name: string, configVersion: number | undefined, out: HTMLElement): Promise<boolean> {
  const yes = await confirmDialog('Delete policy', `Delete policy ${shownName(name)}? Its past runs stay in the audit log. This cannot be undone.`, 'Delete policy');
  if (!yes) return false;
  try {
    await del(`policies/${encodeURIComponent(id)}`, configVersion === undefined ? {} : { configVersion });
  } catch (e) { clear(out); showError(out, e); return false; }
  flag(`Deleted policy ${shownName(name)}`);
  navigate('automation');
  return true;
}
