// The app shell: sign-in, tab bar (WAI-ARIA tabs), and the hash router.

import { h, clear, button, field, banner, errorText } from './dom';
import { resumeSession, signIn, signOut, get, ApiError } from './api';
import { currentRoute, navigate, onRoute } from './router';
import { renderDashboard } from './views/dashboard';
import { renderUsers } from './views/users';
import { renderAutomation } from './views/automation';
import { renderReview } from './views/review';
import { renderAudit } from './views/audit';
import { renderGroups } from './views/admin';
import { renderImport } from './views/import';
import { renderNotifications } from './views/notifications';
import { renderSettings } from './views/settings';
import { setPreviewOnly, previewBanner } from './preview';
import { renderReports } from './views/reports';
import { renderAccess } from './views/access';
import { withIcon, type IconName } from './icons';

type View = (host: HTMLElement, rest: string[]) => Promise<void>;
const TABS: [IconName, string, View][] = [
  ['dashboard', 'Dashboard', (el) => renderDashboard(el)],
  ['users', 'Users', (el) => renderUsers(el)],
  ['automation', 'Automation', renderAutomation],
  ['review', 'Review list', (el) => renderReview(el)],
  ['groups', 'Groups', (el) => renderGroups(el)],
  ['import', 'Import / export', (el) => renderImport(el)],
  ['audit', 'Audit log', renderAudit],
  ['notifications', 'Notifications', (el) => renderNotifications(el)],
  ['reports', 'Reports', (el) => renderReports(el)],
  ['access', 'Access requests', (el) => renderAccess(el)],
  ['settings', 'Settings', (el) => renderSettings(el)],
];

const root = document.getElementById('seatwarden-app') as HTMLElement;

// Light or dark as the system prefers (the token themes switch on `data-color-mode`).
// Only on our own page (`data-sw-theme="auto"`): inside a product page its theme rules.
if (document.documentElement.dataset.swTheme === 'auto' && typeof window.matchMedia === 'function') {
  const dark = window.matchMedia('(prefers-color-scheme: dark)');
  const follow = (): void => { document.documentElement.dataset.colorMode = dark.matches ? 'dark' : 'light'; };
  follow();
  dark.addEventListener('change', follow);
}

function loginForm(error?: string): void {
  const token = h('input', { type: 'password', name: 'token', autocomplete: 'off', required: true });
  clear(root, h('main', { class: 'sw-login' }, h('h1', {}, 'Seatwarden'),
    h('p', {}, 'Paste the admin token that seatwarden serve printed when it started.'),
    error ? banner(error, 'error') : null,
    h('form', { onsubmit: (e: Event) => { e.preventDefault(); void signIn(token.value).then(shell, (err: unknown) => loginForm(errorText(err))); } },
      field('Admin token', token), h('button', { type: 'submit', class: 'sw-btn sw-btn-primary' }, 'Sign in'))));
  token.focus();
}

let panel: HTMLElement;
let tabButtons: HTMLAnchorElement[] = [];

async function shell(): Promise<void> {
  let me: { user?: string; username?: string | null; displayName?: string | null; instanceName?: string; product?: string; demo?: boolean; previewOnly?: boolean } = {};
  // A plugin whose start failed answers 503 with the reason (e.g. the native library could not load
  // on this node): say so above every tab instead of leaving each page to fail on its own.
  let unavailable: HTMLElement | null = null;
  try { me = await get('me'); } catch (e) {
    if (e instanceof ApiError && e.status === 401) { loginForm(); return; }
    if (e instanceof ApiError && e.status === 503) unavailable = banner(errorText(e), 'error');
  }
  setPreviewOnly(me.previewOnly === true);
  const tablist = h('nav', { class: 'sw-tabs', role: 'tablist', 'aria-label': 'Seatwarden sections' });
  tabButtons = TABS.map(([id, label], i) => {
    const a = h('a', { href: `#/${id}`, role: 'tab', id: `tab-${id}`, 'aria-controls': 'sw-panel', 'aria-selected': 'false', tabindex: -1, 'data-tab': id }, label);
    withIcon(a, id);
    a.addEventListener('keydown', (e: KeyboardEvent) => {
      const dir = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
      if (e.key === 'Home' || e.key === 'End' || dir) {
        e.preventDefault();
        const n = e.key === 'Home' ? 0 : e.key === 'End' ? TABS.length - 1 : (i + dir + TABS.length) % TABS.length;
        tabButtons[n]?.focus();
        navigate(TABS[n]?.[0] ?? 'dashboard');
      }
    });
    // Clicking the tab that is already open reloads it: the hash does not
    // change, so no hashchange would fire and the view would stay as it was.
    a.addEventListener('click', (e: MouseEvent) => {
      if (a.getAttribute('href') === window.location.hash) { e.preventDefault(); void route(); }
    });
    return a;
  });
  tablist.append(...tabButtons);
  panel = h('main', { id: 'sw-panel', role: 'tabpanel', class: 'sw-panel', tabindex: -1 });
  clear(root,
    h('header', { class: 'sw-header' }, h('h1', {}, 'Seatwarden'), h('span', { class: 'sw-muted' }, `${me.instanceName ?? ''}${me.demo ? ' · demo data' : ''}`),
      h('span', { class: 'sw-spacer' }), me.user ? h('span', { class: 'sw-muted', 'data-testid': 'signed-in', title: `User key ${me.user}` }, `Signed in as ${signedIn(me)}`) : null,
      me.product === 'standalone' ? button('Sign out', () => void signOut().then(() => loginForm()), 'subtle') : null),
    unavailable, me.previewOnly ? previewBanner(() => void route()) : null, tablist, panel);
  await route();
}

/** "Display Name (username)"; the key only when the directory no longer knows it. */
function signedIn(me: { user?: string; username?: string | null; displayName?: string | null }): string {
  if (!me.username) return me.user ?? '';
  return me.displayName && me.displayName !== me.username ? `${me.displayName} (${me.username})` : me.username;
}

let generation = 0;
async function route(): Promise<void> {
  if (!panel) return;
  const [tab = 'dashboard', ...rest] = currentRoute();
  const entry = TABS.find(([id]) => id === tab) ?? TABS[0];
  if (!entry) return;
  for (const b of tabButtons) {
    const on = b.dataset.tab === entry[0];
    b.setAttribute('aria-selected', String(on));
    b.tabIndex = on ? 0 : -1;
  }
  panel.setAttribute('aria-labelledby', `tab-${entry[0]}`);
  const mine = ++generation;
  // `started` names the newest render begun: a test waiting for the render its click starts compares with it, so a
  // render already under way (an editor after a save) is never taken for the one it waits for.
  panel.dataset.started = String(mine);
  const host = h('div', { 'data-view': entry[0] });
  clear(panel, host);
  try {
    await entry[2](host, rest);
  } catch (e) {
    host.appendChild(banner(`This page failed to load: ${errorText(e)}`, 'error'));
  } finally {
    // `loaded` names the tab; `generation` tells a reload of the same tab
    // from the view it replaced (the browser tests wait on both).
    if (mine === generation) { panel.dataset.loaded = entry[0]; panel.dataset.generation = String(mine); }
  }
}

onRoute(() => void route());

async function start(): Promise<void> {
  const m = /token=([^&]+)/.exec(window.location.hash);
  if (m?.[1]) {
    try { await signIn(decodeURIComponent(m[1])); } catch (e) { loginForm(errorText(e)); return; }
    history.replaceState(null, '', window.location.pathname + window.location.search + '#/dashboard');
    await shell();
    return;
  }
  if (await resumeSession()) await shell(); else loginForm();
}

void start();
