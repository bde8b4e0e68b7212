// A save refused because someone else saved first. Every configuration write
// names the version it was based on; a stale one answers 409 `conflict` and
// changes nothing. The server's sentence ("version 16, now 17; reload and try
// again") told the admin what to do but gave no way to do it: the admin had
// to find the browser's reload, which also left the tab and the route.
//
// `conflictBanner` says it in words and offers Reload, which loads the
// current version in place (the caller re-renders its own screen from the
// server), so the page, the tab and the other screens stay as they were.

import { h, button } from './dom';
import { ApiError } from './api';

/** True for the 409 a stale configuration version gets. */
export function isConflict(e: unknown): boolean {
  return e instanceof ApiError && e.status === 409 && e.kind === 'conflict';
}

/**
 * The banner for a refused save: what happened, that nothing was saved, and
 * a Reload button that runs `reload` (which loads the current version).
 */
export function conflictBanner(what: string, reload: () => void | Promise<void>): HTMLElement {
  const again = button('Reload', () => { again.disabled = true; void Promise.resolve(reload()).finally(() => { again.disabled = false; }); }, 'primary', { 'data-testid': 'conflict-reload' });
  return h('div', { class: 'sw-banner sw-banner-warning', role: 'alert', 'data-testid': 'conflict' },
    h('p', {}, h('strong', {}, `This ${what} was changed by someone else`), ` since you opened it. Nothing was saved. Reload to see the current version, then make your change again.`),
    again);
}
