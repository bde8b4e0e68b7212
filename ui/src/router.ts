// Hash routing: works under any base path and needs no server rewrite rules.

type Listener = () => void;
const listeners: Listener[] = [];

export function currentRoute(): string[] {
  const raw = window.location.hash.replace(/^#\/?/, '');
  if (raw.startsWith('token=')) return [];
  return raw.split('/').filter(Boolean).map(decodeURIComponent);
}

export function navigate(path: string): void {
  window.location.hash = `#/${path}`;
}

export function onRoute(fn: Listener): void {
  listeners.push(fn);
}

window.addEventListener('hashchange', () => listeners.forEach((fn) => fn()));
