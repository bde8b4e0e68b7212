// Flags: the results of saves, runs, bulk actions and imports, shown at the
// top right of the page (Atlassian's "flag" pattern), not in place where the
// admin may not be looking. Errors that belong next to a form field stay
// there; a flag says what happened to the whole action.
//
// Accessibility: one region with `aria-live="polite"` announces every flag;
// an error flag is `role="alert"` so it interrupts. Every flag has a close
// button. Only a success flag hides by itself, and never while the pointer
// is over it or focus is inside it (WCAG 2.2.1: the reader decides how long).
//
// Tests wait on state: the region's `data-seq` counts flags shown, each flag
// carries `data-seq` and `data-tone`; `data-sw-flags-hold` on <html> keeps
// success flags up (the browser tests set it so a loaded machine cannot hide
// a flag before the test looks for it).

import { h, button, plain } from './dom';

export type FlagTone = 'success' | 'error' | 'info' | 'warning';

/** How long a success flag stays up while nobody is looking at it. */
const SUCCESS_MS = 8000;

let region: HTMLElement | null = null;
let seq = 0;

function flagRegion(): HTMLElement {
  if (region?.isConnected) return region;
  region = h('div', { class: 'sw-flags', role: 'region', 'aria-label': 'Messages', 'aria-live': 'polite', 'data-seq': String(seq) });
  document.body.appendChild(region);
  return region;
}

/** Shows a flag; returns a function that dismisses it. */
export function flag(text: string, tone: FlagTone = 'success', detail?: string): () => void {
  const host = flagRegion();
  // The same message again replaces the old flag instead of stacking.
  for (const old of host.querySelectorAll<HTMLElement>('.sw-flag')) {
    if (old.dataset.text === text && old.dataset.tone === tone) old.remove();
  }
  seq += 1;
  const el = h('div', {
    class: `sw-flag sw-flag-${tone}`, role: tone === 'error' ? 'alert' : 'status',
    'data-seq': String(seq), 'data-tone': tone, 'data-text': text,
  },
  // The detail is often the server's words: names in quotes, not Markdown backticks.
  h('div', { class: 'sw-flag-text' }, h('strong', {}, text), detail ? h('div', {}, plain(detail)) : null),
  button('×', () => dismiss(), 'subtle', { 'aria-label': 'Dismiss message', class: 'sw-btn sw-btn-subtle sw-flag-close' }));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const dismiss = (): void => {
    if (timer) clearTimeout(timer);
    const hadFocus = el.contains(document.activeElement);
    el.remove();
    if (hadFocus) (document.getElementById('sw-panel') ?? document.body).focus();
  };
  const hold = (): boolean => el.matches(':hover') || el.contains(document.activeElement)
    || document.documentElement.hasAttribute('data-sw-flags-hold');
  const arm = (): void => {
    if (tone !== 'success') return;
    if (timer) clearTimeout(timer);
    el.dataset.paused = 'false';
    timer = setTimeout(() => { if (hold()) pause(); else dismiss(); }, SUCCESS_MS);
  };
  const pause = (): void => { if (timer) clearTimeout(timer); timer = undefined; el.dataset.paused = 'true'; };
  el.addEventListener('mouseenter', pause);
  el.addEventListener('focusin', pause);
  el.addEventListener('mouseleave', () => { if (!el.contains(document.activeElement)) arm(); });
  el.addEventListener('focusout', (e: FocusEvent) => { if (!el.contains(e.relatedTarget as Node | null) && !el.matches(':hover')) arm(); });
  host.prepend(el);
  host.dataset.seq = String(seq);
  arm();
  return dismiss;
}
