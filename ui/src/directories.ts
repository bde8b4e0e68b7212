// The host's user directories (internal, LDAP, Crowd…), for filters and policy
// scopes. Hosts that do not serve the list yet answer 404: the screens then
// offer no directory choice instead of failing.

import { get, ApiError, type Item, type Schemas } from './api';

/** How the server verifies a deactivated user of a directory at login (it decides; the UI shows it). */
export type LoginVerification = 'proof' | 'proof_if_update_on_auth' | 'probe' | 'none';

export type Directory = Item<Schemas['DirectoryList']['directories']>;

let cache: Promise<Directory[] | null> | null = null;

/** The directories, or `null` when this host does not list them. */
export function directories(): Promise<Directory[] | null> {
  cache ??= get<Schemas['DirectoryList']>('directories').then((r) => r.directories, (e: unknown) => {
    cache = null;
    if (e instanceof ApiError && (e.status === 404 || e.status === 405)) return null;
    throw e;
  });
  return cache;
}

/** Drops the cached list (after a settings change that alters what the server says per directory). */
export function forgetDirectories(): void {
  cache = null;
}

export function directoryLabel(d: Directory): string {
  return `${d.name}${d.readOnly && !/read-only/i.test(d.name) ? ' (read-only)' : ''}`;
}
