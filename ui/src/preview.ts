// Preview-only mode (`seatwarden serve --snapshot FILE`): the directory is a file the admin loaded
// to try policies on their own users. The server refuses everything that applies (typed error
// `preview_only`); the UI says so before the click: a banner above every tab, and each applying
// button disabled with the reason as its description.

import { h, banner, clear, errorText } from './dom';
import { postCsv, type Schemas } from './api';

let previewOnly = false;

/** The reason every applying button gives in preview mode. */
export const PREVIEW_REASON = 'Preview only: these users were loaded from a file, so nothing can be applied here. Save the policy and run it on the real instance.';

export function setPreviewOnly(on: boolean): void { previewOnly = on; }
export function isPreviewOnly(): boolean { return previewOnly; }

/** In preview mode, disables `b` and gives the reason (tooltip and accessible description). */
export function applies<T extends HTMLButtonElement>(b: T): T {
  if (!previewOnly) return b;
  b.disabled = true;
  b.title = PREVIEW_REASON;
  b.dataset.previewOnly = 'true';
  b.setAttribute('aria-description', PREVIEW_REASON);
  return b;
}

/** The banner above every tab, with "Try on your own users" (an upload that replaces the loaded users). */
export function previewBanner(onLoaded: () => void): HTMLElement {
  const file = h('input', { type: 'file', accept: '.csv,.json,text/csv,application/json', 'aria-label': 'Users file (snapshot, Atlassian user export or users export)' });
  const result = h('span', { class: 'sw-preview-result', role: 'status' });
  const load = h('button', { type: 'button', class: 'sw-btn sw-btn-default' }, 'Load these users');
  load.addEventListener('click', () => {
    const f = file.files?.[0];
    if (!f) { clear(result, 'Choose a file first.'); return; }
    load.disabled = true;
    void f.text()
      .then((text) => postCsv<Schemas['LoadPreviewDirectoryResponse']>('preview/directory', text))
      .then((r) => { clear(result, `Loaded ${r.users.toLocaleString('en-US')} ${r.users === 1 ? 'user' : 'users'} from ${KIND[r.kind] ?? r.kind}.`); onLoaded(); },
        (e: unknown) => { clear(result, banner(errorText(e), 'error')); })
      .finally(() => { load.disabled = false; });
  });
  const el = banner('Preview only: the users here were loaded from a file. Policies can be written and previewed; nothing is applied, scheduled or mailed.', 'warning');
  el.dataset.previewBanner = 'true';
  el.append(h('div', { class: 'sw-filters' }, h('span', {}, 'Try on your own users: '), file, load, result));
  return el;
}

const KIND: Record<string, string> = { snapshot: 'a snapshot', atlassianExport: 'an Atlassian user export', atlassianSiteExport: 'an Atlassian site administration export (the older export)', usersExport: 'a users export' };
