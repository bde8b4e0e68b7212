// Access requests and service-desk webhooks (issue 21 items 3-4): the "I still need access" requests
// users sent through the links in their warnings (who, when, why, what happened; approve or reject the
// ones waiting), and the webhooks a service desk calls to give a requester a seat: the hook's URL, its
// secret shown once (and rotated), the automation steps for Jira Data Center and Cloud, and a test event
// that changes nothing. The server decides everything; this screen only shows and asks.

import { h, clear, button, field, fmtTime, lozenge, banner, plain, errorText } from '../dom';
import { get, post, put, del, ApiError } from '../api';
import { showError, section, confirmDialog, openDialog } from '../components';
import { FieldErrors } from '../form';

interface AccessRequest {
  id: string; user: string; userName?: string; policy: string; purpose: string; at: number;
  reason: string; onRequest: { kind: string; days?: number; atOnce?: boolean }; status: string; outcome: string;
}
interface HookRule {
  name: string; emailDomains?: string[]; projects?: string[]; requestTypes?: string[]; groups?: string[];
  activate?: boolean; addToGroups?: string[];
}
interface HookSettings { name: string; enabled?: boolean; capPerDay?: number; allowToken?: boolean; rules?: HookRule[] }
interface Hook { id: string; url: string; settings: HookSettings; version: string; secret?: string }
interface HookResult { eventId: string; outcome: string; rule?: string; actions: string[]; detail: string; dryRun: boolean }

const tone = (s: string): 'success' | 'danger' | 'warning' | 'info' | 'neutral' =>
  s === 'pending' ? 'warning' : s === 'failed' || s === 'rejected' ? 'danger'
    : s === 'restored' || s === 'exempted' || s === 'approved' ? 'success' : s === 'queued' ? 'info' : 'neutral';

const list = (text: string): string[] => text.split(',').map((s) => s.trim()).filter(Boolean);

export async function renderAccess(host: HTMLElement): Promise<void> {
  const requests = h('div', { 'data-testid': 'access-requests' });
  const hooks = h('div', { 'data-testid': 'hooks' });
  clear(host,
    section('Access requests',
      h('p', { class: 'sw-muted' }, 'Requests users sent through the "I still need access" link in their warning. ',
        'A policy offers the link under its warning settings; what a request does (exempt, review list, restore) is the policy\'s choice.'),
      requests),
    section('Service-desk webhooks',
      h('p', { class: 'sw-muted' }, 'A service desk (Jira Service Management automation, a Slack or Teams workflow) calls a webhook to give a requester a seat. ',
        'Rules decide who gets what; every call is audited with the rule that matched or why none did.'),
      hooks));
  await Promise.all([renderRequests(requests), renderHooks(hooks)]);
}

async function renderRequests(host: HTMLElement): Promise<void> {
  let page: { items: AccessRequest[]; pageUrl: string };
  try { page = await get('access/requests'); } catch (e) { clear(host); showError(host, e); return; }
  const msg = h('div', { 'aria-live': 'polite' });
  const decide = (r: AccessRequest, approve: boolean): void => {
    clear(msg);
    void post<AccessRequest>(`access/requests/${encodeURIComponent(r.id)}/decide`, { approve }).then((after) => {
      void renderRequests(host).then(() => host.prepend(banner(`Request of ${r.userName ?? r.user}: ${after.outcome}`, after.status === 'failed' ? 'error' : 'success')));
    }, (e: unknown) => showError(msg, e));
  };
  const rotate = (): void => {
    void confirmDialog('Rotate the link secret', 'Every "I still need access" link sent so far stops working. New warnings carry new links.', 'Rotate').then((ok) => {
      if (!ok) return;
      void post('access/secret/rotate').then(() => { clear(msg, banner('The link secret was rotated: links sent before no longer work', 'success')); },
        (e: unknown) => showError(msg, e));
    });
  };
  clear(host, msg,
    page.items.length ? h('table', { class: 'sw-table', 'data-testid': 'access-table' },
      h('caption', { class: 'sw-sr' }, 'Access requests'),
      h('thead', {}, h('tr', {}, ['User', 'Policy', 'When', 'Reason', 'Status', 'Outcome', ''].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, page.items.map((r) => h('tr', { 'data-testid': 'access-row', 'data-status': r.status },
        h('td', {}, r.userName ?? r.user), h('td', {}, r.policy), h('td', {}, fmtTime(r.at)),
        h('td', { 'data-testid': 'access-reason' }, r.reason), h('td', {}, lozenge(r.status, tone(r.status))), h('td', {}, r.outcome),
        h('td', { class: 'sw-actions' }, r.status === 'pending' ? [
          button('Approve', () => decide(r, true), 'subtle', { 'aria-label': `Approve the request of ${r.userName ?? r.user}` }),
          button('Reject', () => decide(r, false), 'subtle', { 'aria-label': `Reject the request of ${r.userName ?? r.user}` }),
        ] : r.status === 'queued' ? h('a', { href: '#/review' }, 'Decide on the review list') : null))))) :
      h('p', { class: 'sw-muted', 'data-testid': 'access-empty' }, 'No requests yet.'),
    h('p', { class: 'sw-muted' }, 'The page the links open: ', h('code', {}, page.pageUrl), ' (anonymous; a link is signed, single use and expires).'),
    button('Rotate the link secret…', rotate, 'subtle'));
}

async function renderHooks(host: HTMLElement): Promise<void> {
  let page: { items: Hook[] };
  try { page = await get('hooks'); } catch (e) { clear(host); showError(host, e); return; }
  const msg = h('div', { 'aria-live': 'polite' });
  clear(host, msg,
    page.items.length ? h('ul', { class: 'sw-list' }, page.items.map((hook) => h('li', { 'data-testid': 'hook', 'data-id': hook.id },
      h('strong', {}, hook.settings.name), ' ', hook.settings.enabled === false ? lozenge('disabled', 'neutral') : null,
      h('div', {}, 'URL: ', h('code', { 'data-testid': 'hook-url' }, hook.url)),
      h('div', { class: 'sw-muted' }, `${(hook.settings.rules ?? []).length} rule(s); at most ${hook.settings.capPerDay ?? 50} account change(s) a day; `,
        hook.settings.allowToken ? 'accepts the secret as a token (for Jira automation)' : 'signed calls only'),
      h('div', { class: 'sw-actions' },
        button('Edit rules…', () => editRules(hook, host), 'subtle', { 'aria-label': `Edit the rules of ${hook.settings.name}` }),
        button('Send a test event…', () => testEvent(hook), 'subtle'),
        button('Rotate secret…', () => void rotate(hook, msg), 'subtle'),
        button('Steps for Jira…', () => steps(hook), 'subtle'),
        button('Remove…', () => void remove(hook, msg, host), 'danger'))))) :
      h('p', { class: 'sw-muted', 'data-testid': 'hooks-empty' }, 'No webhooks yet.'),
    createForm(msg, host));
}

function createForm(msg: HTMLElement, host: HTMLElement): HTMLElement {
  const name = h('input', { type: 'text', name: 'hook-name', required: true, maxlength: 100 });
  const rule = h('input', { type: 'text', name: 'hook-rule', value: 'Requesters of our domain' });
  const domains = h('input', { type: 'text', name: 'hook-domains', placeholder: 'e.g. example.com, partner.example' });
  const projects = h('input', { type: 'text', name: 'hook-projects', placeholder: 'e.g. IT' });
  const types = h('input', { type: 'text', name: 'hook-types', placeholder: 'e.g. Request access' });
  const activate = h('input', { type: 'checkbox', name: 'hook-activate', checked: true });
  const groups = h('input', { type: 'text', name: 'hook-groups', placeholder: 'e.g. jira-software-users' });
  const cap = h('input', { type: 'number', name: 'hook-cap', min: 1, max: 10000, value: 50 });
  const token = h('input', { type: 'checkbox', name: 'hook-token' });
  const submit = (e: Event): void => {
    e.preventDefault();
    clear(msg);
    const settings: HookSettings = {
      name: name.value.trim(), capPerDay: Number(cap.value), allowToken: token.checked,
      rules: [{ name: rule.value.trim(), emailDomains: list(domains.value), projects: list(projects.value), requestTypes: list(types.value),
        activate: activate.checked, addToGroups: list(groups.value) }],
    };
    void post<Hook>('hooks', settings).then((created) => {
      void renderHooks(host).then(() => showSecret(created, 'created'));
    }, (err: unknown) => showError(msg, err));
  };
  return h('form', { class: 'sw-form', 'data-testid': 'hook-form', onsubmit: submit },
    h('h3', {}, 'New webhook'),
    field('Name', name),
    field('Rule name', rule),
    field('Requester email domains', domains, 'Comma-separated; empty: any'),
    field('Service-desk projects', projects, 'Project keys, comma-separated; empty: any'),
    field('Request types', types, 'Comma-separated; empty: any'),
    h('label', {}, activate, ' Activate (restore) the requester\'s account'),
    field('Add to groups', groups, 'Licence groups too; the product\'s seat check applies'),
    field('Account changes a day, at most', cap),
    h('label', {}, token, ' Accept the secret as a token (X-Seatwarden-Token): needed for Jira automation, which cannot sign'),
    h('p', {}, h('button', { type: 'submit', class: 'sw-btn sw-btn-primary' }, 'Create webhook')));
}

function showSecret(hook: Hook, what: string): void {
  openDialog(`Webhook ${what}`, [
    h('p', {}, 'Copy the secret now: it is shown this once. Rotate it to get a new one.'),
    h('p', {}, 'Secret: ', h('code', { 'data-testid': 'hook-secret' }, hook.secret ?? '')),
    h('p', {}, 'URL: ', h('code', {}, hook.url)),
  ]);
}

async function rotate(hook: Hook, msg: HTMLElement): Promise<void> {
  if (!await confirmDialog('Rotate the secret', `Calls signed with the old secret of "${hook.settings.name}" are refused from now on.`, 'Rotate')) return;
  try {
    const r = await post<{ id: string; secret: string }>(`hooks/${hook.id}/rotate`);
    showSecret({ ...hook, secret: r.secret }, 'secret rotated');
  } catch (e) { showError(msg, e); }
}

async function remove(hook: Hook, msg: HTMLElement, host: HTMLElement): Promise<void> {
  if (!await confirmDialog('Remove the webhook', `Calls to "${hook.settings.name}" are refused from now on.`, 'Remove')) return;
  try { await del(`hooks/${hook.id}`); await renderHooks(host); } catch (e) { showError(msg, e); }
}

function testEvent(hook: Hook): void {
  const user = h('input', { type: 'text', name: 'test-user', placeholder: 'username or email' });
  const project = h('input', { type: 'text', name: 'test-project', value: hook.settings.rules?.[0]?.projects?.[0] ?? '' });
  const type = h('input', { type: 'text', name: 'test-type', value: hook.settings.rules?.[0]?.requestTypes?.[0] ?? '' });
  const out = h('div', { 'aria-live': 'polite', 'data-testid': 'hook-test-result' });
  const run = (): void => {
    clear(out);
    const who = user.value.trim();
    const event = {
      eventId: `TEST-${Date.now()}`,
      requester: who.includes('@') ? { email: who } : { username: who },
      project: project.value.trim() || undefined,
      requestType: type.value.trim() || undefined,
    };
    void post<HookResult>(`hooks/${hook.id}/test`, event).then((r) => {
      clear(out, h('p', {}, lozenge(r.outcome.replace(/_/g, ' '), r.outcome === 'applied' ? 'success' : 'warning'), ' ', r.detail),
        r.actions.length ? h('ul', {}, r.actions.map((a) => h('li', {}, a))) : null,
        h('p', { class: 'sw-muted' }, 'A test event changes nothing; it is audited as a test.'));
    }, (e: unknown) => showError(out, e));
  };
  openDialog(`Test "${hook.settings.name}"`, [field('Requester', user), field('Project', project), field('Request type', type), out],
    [button('Send test event', run, 'primary')]);
}

function steps(hook: Hook): void {
  const body = '{"eventId":"{{issue.key}}","requester":{"username":"{{reporter.name}}","email":"{{reporter.emailAddress}}"},'
    + '"project":"{{project.key}}","requestType":"{{issue.Customer Request Type.requestType.name}}"}';
  openDialog('Call this webhook from Jira', [
    h('h3', {}, 'Jira Data Center (Automation for Jira)'),
    h('ol', {},
      h('li', {}, 'Project settings → Automation → Create rule. Trigger: Issue created (add a condition on the request type if you like).'),
      h('li', {}, 'Action: Send web request. URL: ', h('code', {}, hook.url), '; method POST; web request body: Custom data.'),
      h('li', {}, 'Headers: Content-Type: application/json and X-Seatwarden-Token: the secret (turn on "accept the secret as a token" for this webhook: automation cannot sign a body).'),
      h('li', {}, 'Custom data: ', h('code', { class: 'sw-pre' }, body)),
      h('li', {}, 'Jira Service Management 4.6 and later: add the URL to the allowlist for outgoing requests.')),
    h('h3', {}, 'Jira Cloud'),
    h('ol', {},
      h('li', {}, 'The same rule under Project settings → Automation, with Send web request, Custom data and the same headers.'),
      h('li', {}, 'The URL must be https on port 443 and reachable from Atlassian\'s automation service.'),
      h('li', {}, 'Send the requester\'s email (Cloud hides usernames).')),
    h('h3', {}, 'Slack, Teams or a script'),
    h('p', {}, 'Post the same JSON. A script should sign instead of sending the token: X-Seatwarden-Timestamp (unix seconds) and X-Seatwarden-Signature: sha256=HMAC-SHA256(secret, "<timestamp>.<body>") in hex.'),
  ]);
}

/** One rule's form: its element, and its inputs read back into a rule. */
interface RuleRow { el: HTMLElement; read: () => HookRule }

const joined = (v?: string[]): string => (v ?? []).join(', ');

/**
 * The rules editor of a webhook: its name, switch, daily cap and token mode, and its rules in order
 * (first match wins): add, edit, move up or down, remove. The save names the version it read, so a
 * change made meanwhile by someone else is refused (409) rather than overwritten; the server checks
 * every field and its problems are shown beside the fields they are about.
 */
export function editRules(hook: Hook, listHost: HTMLElement): void {
  const errors = new FieldErrors();
  const msg = h('div', { 'aria-live': 'polite', 'data-testid': 'rules-message' });
  const name = h('input', { type: 'text', name: 'edit-hook-name', value: hook.settings.name, maxlength: 100 });
  const enabled = h('input', { type: 'checkbox', name: 'edit-hook-enabled', checked: hook.settings.enabled !== false });
  const cap = h('input', { type: 'number', name: 'edit-hook-cap', min: 1, max: 10000, value: hook.settings.capPerDay ?? 50 });
  const token = h('input', { type: 'checkbox', name: 'edit-hook-token', checked: !!hook.settings.allowToken });
  let rules: HookRule[] = (hook.settings.rules ?? []).map((r) => ({ ...r }));
  let rows: RuleRow[] = [];
  const rulesHost = h('ol', { class: 'sw-list', 'data-testid': 'rules' });
  const readAll = (): void => { rules = rows.map((r) => r.read()); };

  const renderRules = (): void => {
    errors.clear();
    rows = rules.map((rule, i) => ruleRow(rule, i, rules.length, errors, (action) => {
      readAll();
      const [moved] = rules.splice(i, 1);
      if (moved && action === 'up') rules.splice(Math.max(0, i - 1), 0, moved);
      if (moved && action === 'down') rules.splice(Math.min(rules.length, i + 1), 0, moved);
      renderRules();
    }));
    clear(rulesHost, rows.length ? rows.map((r, i) => h('li', { 'data-testid': 'rule', 'data-index': String(i) }, r.el)) :
      h('li', { class: 'sw-muted' }, 'No rules: every call is audited as matching none.'));
  };
  function ruleRow(rule: HookRule, i: number, count: number, fe: FieldErrors, act: (a: 'up' | 'down' | 'remove') => void): RuleRow {
    const p = `rules[${i}]`;
    const n = i + 1;
    const ruleName = h('input', { type: 'text', name: `rule-${i}-name`, value: rule.name, maxlength: 100 });
    const domains = h('input', { type: 'text', name: `rule-${i}-domains`, value: joined(rule.emailDomains), placeholder: 'example.com' });
    const projects = h('input', { type: 'text', name: `rule-${i}-projects`, value: joined(rule.projects), placeholder: 'e.g. IT' });
    const types = h('input', { type: 'text', name: `rule-${i}-types`, value: joined(rule.requestTypes) });
    const inGroups = h('input', { type: 'text', name: `rule-${i}-groups`, value: joined(rule.groups) });
    const activate = h('input', { type: 'checkbox', name: `rule-${i}-activate`, checked: !!rule.activate });
    const add = h('input', { type: 'text', name: `rule-${i}-add`, value: joined(rule.addToGroups) });
    const activateRow = h('div', { class: 'sw-field' }, h('label', {}, activate, ` Activate (restore) the requester's account (rule ${n})`));
    fe.register(`${p}.activate`, activate, activateRow);
    return {
      read: () => ({
        name: ruleName.value.trim(), emailDomains: list(domains.value), projects: list(projects.value),
        requestTypes: list(types.value), groups: list(inGroups.value), activate: activate.checked, addToGroups: list(add.value),
      }),
      el: h('fieldset', { class: 'sw-fieldset' },
      h('legend', {}, `Rule ${n}`),
      fe.field(`${p}.name`, `Rule ${n} name`, ruleName),
      h('p', { class: 'sw-muted' }, 'When every condition set holds (empty: any):'),
      fe.field(`${p}.emailDomains`, `Rule ${n}: requester email domains`, domains, 'Comma-separated, without @'),
      fe.field(`${p}.projects`, `Rule ${n}: service-desk projects`, projects, 'Project keys, comma-separated'),
      fe.field(`${p}.requestTypes`, `Rule ${n}: request types`, types, 'Comma-separated'),
      fe.field(`${p}.groups`, `Rule ${n}: requester already in groups`, inGroups, 'Comma-separated'),
      h('p', { class: 'sw-muted' }, 'Then:'),
      activateRow,
      fe.field(`${p}.addToGroups`, `Rule ${n}: add to groups`, add, 'Licence groups too; the product\'s seat check applies'),
      h('div', { class: 'sw-actions' },
        button('Move up', () => act('up'), 'subtle', { 'aria-label': `Move rule ${n} up`, disabled: i === 0 }),
        button('Move down', () => act('down'), 'subtle', { 'aria-label': `Move rule ${n} down`, disabled: i === count - 1 }),
        button('Remove', () => act('remove'), 'danger', { 'aria-label': `Remove rule ${n}` }))),
    };
  }

  const addRule = (): void => {
    readAll();
    rules.push({ name: `Rule ${rules.length + 1}`, emailDomains: [], projects: [], requestTypes: [], groups: [], activate: true, addToGroups: [] });
    renderRules();
  };
  const save = (): void => {
    clear(msg);
    readAll();
    const body = {
      name: name.value.trim(), enabled: enabled.checked, capPerDay: Number(cap.value), allowToken: token.checked,
      rules, version: hook.version,
    };
    void put<Hook>(`hooks/${encodeURIComponent(hook.id)}`, body).then((saved) => {
      dialog.close();
      void renderHooks(listHost).then(() => listHost.prepend(banner(`Webhook "${saved.settings.name}" saved with ${(saved.settings.rules ?? []).length} rule(s)`, 'success')));
    }, (e: unknown) => {
      if (e instanceof ApiError && e.status === 409) {
        clear(msg, banner(errorText(e), 'error'), button('Reload the webhook', () => { dialog.close(); void reload(hook.id, listHost); }, 'default'));
        return;
      }
      const left = errors.show(e);
      if (left.length) clear(msg, banner(left.map((p) => plain(p.message)).join('; '), 'error'));
      else if (!errors.hasShown()) showError(msg, e);
      else clear(msg, banner('Some fields need a change: see the messages beside them', 'error'));
    });
  };
  renderRules();
  const dialog = openDialog(`Rules of "${hook.settings.name}"`, [
    msg,
    errors.field('name', 'Webhook name', name),
    h('div', { class: 'sw-field' }, h('label', {}, enabled, ' Enabled (a disabled webhook refuses every call)')),
    errors.field('capPerDay', 'Account changes a day, at most', cap),
    h('div', { class: 'sw-field' }, h('label', {}, token, ' Accept the secret as a token (for Jira automation)')),
    h('h3', {}, 'Rules, in order: the first that matches wins'),
    rulesHost,
    button('Add a rule', addRule, 'default'),
  ], [button('Save rules', save, 'primary')]);
}

/** Opens the editor again on the webhook as it is now (after a 409). */
async function reload(id: string, listHost: HTMLElement): Promise<void> {
  await renderHooks(listHost);
  try {
    const page = await get<{ items: Hook[] }>('hooks');
    const now = page.items.find((x) => x.id === id);
    if (now) editRules(now, listHost);
  } catch (e) { showError(listHost, e); }
}
