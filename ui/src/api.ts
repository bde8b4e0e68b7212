// The admin API client: base path, session and XSRF handling, one error shape.

import type { components } from './openapi';

/**
 * The answers' types, generated from the server's OpenAPI document
 * (`ui/src/openapi.d.ts`, `npm run gen:api`): a view types an answer as
 * `Schemas['ListRunsResponse']` rather than restating its keys, so a
 * changed schema fails `npm run build` where the view reads it.
 */
export type Schemas = components['schemas'];
/** One element of an array type: `Item<Schemas['ListRunsResponse']['runs']>`. */
export type Item<T extends readonly unknown[]> = T[number];

export interface ApiProblem { path?: string; line?: number; column?: number | string; header?: string; message: string }
export interface ApiErrorBody { kind: string; message: string; details?: unknown }

export class ApiError extends Error {
  constructor(public status: number, public kind: string, message: string, public details?: unknown) {
    super(message);
  }
  /**
   * Every problem the server listed. Validation errors share one shape,
   * `details.problems: [{path, message}]` (CSV problems name `line`,
   * `column` and `header` instead of a path).
   */
  problems(): ApiProblem[] {
    const d = this.details as { problems?: unknown } | undefined;
    if (!d || typeof d !== 'object' || !Array.isArray(d.problems)) return [];
    return d.problems.filter((x): x is ApiProblem => !!x && typeof x === 'object' && typeof (x as ApiProblem).message === 'string');
  }
}

/** Where the page lives: the API and session are siblings of index.html. */
function computeBase(): string {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="seatwarden-api-base"]');
  const explicit = meta?.content.trim();
  if (explicit) return explicit.endsWith('/') ? explicit : `${explicit}/`;
  return new URL('.', window.location.href.split('#')[0]).pathname;
}

export const base = computeBase();
let xsrf: string | null = null;

export function signedIn(): boolean { return xsrf !== null; }

async function parseError(res: Response): Promise<ApiError> {
  let body: { error?: ApiErrorBody } | null = null;
  try { body = (await res.json()) as { error?: ApiErrorBody }; } catch { body = null; }
  const e = body?.error;
  return new ApiError(res.status, e?.kind ?? 'internal', e?.message ?? `the server answered ${res.status}`, e?.details);
}

// The standalone server answers the XSRF token only at sign-in (a session cookie alone must not
// yield it: browsers send 127.0.0.1 cookies to every port). The page keeps it in this origin's
// storage, which no other port can read, and presents it to confirm the session after a reload.
const XSRF_KEY = 'seatwarden.xsrf';
function keep(token: string | null): void {
  try { if (token === null) localStorage.removeItem(XSRF_KEY); else localStorage.setItem(XSRF_KEY, token); } catch { /* storage off: sign in after each reload */ }
}
function kept(): string | null {
  try { return localStorage.getItem(XSRF_KEY); } catch { return null; }
}

/** Restores the session after a reload; false when the browser is not signed in. */
export async function resumeSession(): Promise<boolean> {
  const token = kept();
  const res = await fetch(`${base}session`, { credentials: 'same-origin', headers: { 'X-Seatwarden-XSRF': token ?? '' } });
  if (res.status === 404) { xsrf = ''; return true; } // plugin: the product owns the session
  if (!res.ok || token === null) { keep(null); return false; }
  xsrf = token;
  return true;
}

export async function signIn(token: string): Promise<void> {
  const res = await fetch(`${base}session`, {
    method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token }),
  });
  if (!res.ok) throw await parseError(res);
  xsrf = ((await res.json()) as { xsrfToken: string }).xsrfToken;
  keep(xsrf);
}

export async function signOut(): Promise<void> {
  await fetch(`${base}session`, { method: 'DELETE', credentials: 'same-origin', headers: { 'X-Seatwarden-XSRF': xsrf ?? '' } });
  xsrf = null;
  keep(null);
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export function url(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== null && v !== undefined && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return `${base}api/${path}${qs ? `?${qs}` : ''}`;
}

async function send(method: string, path: string, query: Query, body?: unknown, contentType = 'application/json'): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET') {
    headers['X-Seatwarden-XSRF'] = xsrf ?? '';
    headers['X-Atlassian-Token'] = 'no-check';
  }
  let payload: BodyInit | undefined;
  if (body !== undefined) {
    headers['Content-Type'] = contentType;
    payload = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const res = await fetch(url(path, query), { method, headers, body: payload, credentials: 'same-origin' });
  if (!res.ok) throw await parseError(res);
  return res;
}

/** Every JSON answer is camelCase (the server converts stored records in one place, `api/wire.rs`). */
async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

export async function get<T>(path: string, query: Query = {}): Promise<T> {
  return json<T>(await send('GET', path, query));
}
export async function post<T>(path: string, body: unknown = {}, query: Query = {}): Promise<T> {
  return json<T>(await send('POST', path, query, body));
}
export async function put<T>(path: string, body: unknown): Promise<T> {
  return json<T>(await send('PUT', path, {}, body));
}
export async function del<T>(path: string, query: Query = {}): Promise<T> {
  return json<T>(await send('DELETE', path, query));
}
export async function postCsv<T>(path: string, csv: string, query: Query = {}): Promise<T> {
  return json<T>(await send('POST', path, query, csv, 'text/csv'));
}
export async function getBlob(path: string, query: Query = {}): Promise<{ blob: Blob; name: string }> {
  const res = await send('GET', path, query);
  const cd = res.headers.get('Content-Disposition') ?? '';
  const m = /filename="?([^";]+)"?/.exec(cd);
  return { blob: await res.blob(), name: m?.[1] ?? 'export.csv' };
}

/** A run's progress; `finished` is the server's one "will not move on its own" predicate. */
export interface Progress { done: number; total: number; phase: string; status: string; finished: boolean }

/** Polls a run until it stops being in progress, reporting each step. */
export async function waitForRun(runId: number, onProgress: (p: Progress) => void, intervalMs = 400): Promise<Progress> {
  for (;;) {
    const p = await get<Progress>(`runs/${runId}/progress`);
    onProgress(p);
    if (p.finished) return p;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
