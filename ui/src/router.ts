// Hash routing: works under any base path and needs no server rewrite rules.
//
// A route may carry a query after `?` (`#/users?status=active&page=2`): a
// view keeps its filters there so reload, back/forward and a shared link
// open the same view (issue 24). `pushQuery` records a new history entry
// without re-rendering (the view already shows it); going back or forward
// re-renders from the URL, whichever of `popstate`/`hashchange` arrives.

type Listener = () => void;
const listeners: Listener[] = [];
/** The URL last routed (or pushed), so one navigation renders once. */
let routed = '';

function pathPart(): string {
  return window.location.hash.replace(/^#\/?/, '').split('?')[0] ?? '';
}

export function currentRoute(): string[] {
  const raw = pathPart();
  if (raw.startsWith('token=')) return [];
  return raw.split('/').filter(Boolean).map(decodeURIComponent);
}

/** The route's query, or null when the URL has no `?` (the view keeps what it showed last). */
export function routeQuery(): URLSearchParams | null {
  const hash = window.location.hash;
  const at = hash.indexOf('?');
  return at < 0 ? null : new URLSearchParams(hash.slice(at + 1));
}

/** Records `params` as the current route's query: a new history entry (or the same one with `replace`), no re-render. */
export function pushQuery(params: URLSearchParams, replace = false): void {
  const hash = `#/${pathPart()}?${params.toString()}`;
  if (hash === window.location.hash) return;
  const url = `${window.location.pathname}${window.location.search}${hash}`;
  if (replace) history.replaceState(null, '', url); else history.pushState(null, '', url);
  routed = window.location.href;
}

export function navigate(path: string): void {
  window.location.hash = `#/${path}`;
}

export function onRoute(fn: Listener): void {
  listeners.push(fn);
}

function changed(): void {
  if (window.location.href === routed) return;
  routed = window.location.href;
  listeners.forEach((fn) => fn());
}
window.addEventListener('hashchange', changed);
window.addEventListener('popstate', changed);
