// The Atlassian Cloud connection (issue 20): organization id and API key, site URL, site admin email and
// API token; "Test connection" checks every credential and writes nothing, "Save" checks then stores.
// Secrets are never echoed: the server answers only whether each is set, the password boxes start empty
// (empty = keep the stored one), and a refusal is shown beside the field of the credential at fault.
// A server without a Cloud connector (the Data Center plugin) answers 404 and the section stays hidden.

import { h, clear, banner } from './dom';
import { get, post, put, ApiError, type Schemas } from './api';
import { showError, section } from './components';
import { FieldErrors } from './form';

type View = Schemas['CloudConnection'];
type Connected = Schemas['CloudConnected'];

function connectedText(c: Connected): string {
  return `Connected to org \u201c${c.orgName}\u201d, ${c.users.toLocaleString('en')} users, site ${c.siteUrl} (${c.licences} Jira licence${c.licences === 1 ? '' : 's'} read with the site token).`;
}

/** The section for the Settings page, or null where the server has no Cloud connector. */
export async function cloudConnectionSection(): Promise<HTMLElement | null> {
  let view: View;
  try { view = await get<View>('cloud/connection'); } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    const box = h('div', {}); showError(box, e); return section('Atlassian Cloud connection', box);
  }
  const host = h('div', { 'data-testid': 'cloud-connection' });
  draw(host, view);
  return section('Atlassian Cloud connection', host);
}

function draw(host: HTMLElement, view: View): void {
  const errors = new FieldErrors();
  const out = h('div', { 'aria-live': 'polite', 'data-testid': 'cloud-status' });
  const text = (name: string, value: string, attrs: Record<string, string> = {}): HTMLInputElement => h('input', { type: 'text', name, value, class: 'sw-wide', ...attrs });
  const secret = (name: string, isSet: boolean): HTMLInputElement => h('input', { type: 'password', name, value: '', autocomplete: 'off', class: 'sw-wide',
    placeholder: isSet ? 'stored (leave empty to keep it)' : '' });
  const orgId = text('orgId', view.orgId);
  const apiKey = secret('apiKey', view.apiKeySet);
  const siteUrl = text('siteUrl', view.siteUrl, { placeholder: 'e.g. https://your-domain.atlassian.net' });
  const siteEmail = text('siteEmail', view.siteEmail, { type: 'email' });
  const siteToken = secret('siteToken', view.siteTokenSet);
  const body = (): Record<string, string> => {
    const b: Record<string, string> = { orgId: orgId.value, siteUrl: siteUrl.value, siteEmail: siteEmail.value };
    if (apiKey.value) b.apiKey = apiKey.value;
    if (siteToken.value) b.siteToken = siteToken.value;
    return b;
  };
  const failed = (e: unknown): void => { const left = errors.show(e); if (left.length || !errors.hasShown()) showError(out, e); };
  const testIt = async (): Promise<void> => {
    errors.clear(); clear(out, h('p', { role: 'status' }, 'Testing the connection\u2026'));
    try {
      const r = await post<{ connected: Connected }>('cloud/connection/test', body());
      clear(out, banner(connectedText(r.connected), 'success'));
    } catch (e) { clear(out); failed(e); }
  };
  const save = async (): Promise<void> => {
    errors.clear(); clear(out, h('p', { role: 'status' }, 'Checking and saving\u2026'));
    try {
      const saved = await put<View>('cloud/connection', body());
      draw(host, saved);
      const note = h('div', { 'aria-live': 'polite', 'data-testid': 'cloud-saved' }, banner(saved.inUse ? 'Saved. Live now: this server runs on this connection without a restart (a run already in progress finishes on the previous one) and reads its users again.' : 'Saved. The server uses this connection from its next start.', 'success'));
      host.prepend(note);
    } catch (e) { clear(out); failed(e); }
  };
  const state = view.status ? banner(connectedText(view.status), 'success')
    : view.configured ? banner(view.inUse ? 'Stored; not checked since the server started.' : 'Stored; used from the next start of the server.', 'info')
      : banner('Not connected. Enter the organization\u2019s key and the site\u2019s token (docs/cloud.md explains how to create them).', 'info');
  clear(host,
    state,
    view.demo ? h('p', { class: 'sw-hint' }, 'Demo: this is a fake Atlassian Cloud organization running inside the server.') : null,
    h('form', { class: 'sw-form', novalidate: true, 'aria-label': 'Atlassian Cloud connection', onsubmit: (e: Event) => { e.preventDefault(); void save(); } },
      h('fieldset', { class: 'sw-fieldset' }, h('legend', {}, 'Organization (admin.atlassian.com)'),
        errors.field('orgId', 'Organization ID', orgId),
        errors.field('apiKey', 'Organization API key', apiKey, 'Create it without scopes (Settings \u203a API keys): deactivating managed accounts refuses scoped keys.')),
      h('fieldset', { class: 'sw-fieldset' }, h('legend', {}, 'Site (Jira licence counts)'),
        errors.field('siteUrl', 'Site URL', siteUrl),
        errors.field('siteEmail', 'Site admin email', siteEmail),
        errors.field('siteToken', 'Site admin API token', siteToken, 'id.atlassian.com \u203a Security \u203a API tokens; the account needs the Administer Jira permission.')),
      h('p', { class: 'sw-hint', 'data-testid': 'cloud-stored-in' }, `Stored in ${view.storedIn}.`),
      h('p', { class: 'sw-hint' }, 'Last-active dates reach Atlassian up to 24 hours late. Reactivation at login is not available in Cloud: there is no login hook.'),
      h('div', { class: 'sw-toolbar' },
        h('button', { type: 'button', class: 'sw-btn', onclick: () => void testIt() }, 'Test connection'),
        h('button', { type: 'submit', class: 'sw-btn sw-btn-primary' }, 'Save connection'))),
    out);
}
