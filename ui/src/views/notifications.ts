// Notifications: the template list, the template editor (live preview,
// placeholder help, test send) and the mail server settings. Templates and
// mail settings are stored with snake_case keys; they are read raw and sent
// back in the same spelling. The SMTP password is write-only: the server
// says whether one is set and never returns it.

import { h, clear, select, field, button, fmtTime, fmtNum, lozenge, banner, plural, shownName, plain, errorText } from '../dom';
import { flag } from '../flag';
import { get, post, put, del, type Schemas } from '../api';
import { section, showError, loading, openDialog, confirmDialog } from '../components';
import { FieldErrors, list, check } from '../form';
import { mailState, mailBanner, countsText, MailState } from './mail-state';
import { renderOutbox } from './outbox';
import { applies } from '../preview';
import { isConflict, conflictBanner } from '../conflict';
import { mailHtml } from '../mail-html';
import { newest } from '../latest';

type Template = Schemas['TemplateListItem'];
type Preview = Schemas['PreviewTemplateResponse'];
/** What the editor sends: the form's kind and timing as typed, for the server to check and name by field. */
type TemplateBody = Omit<Template, 'kind' | 'timing' | 'lastSent' | 'sentCount'> & { kind: string; timing: { type: string; days?: number } };
interface Smtp { host: string; port: number; security: string; username?: string | null; password_set?: boolean; from: string; timeout_secs?: number; hello_name?: string | null; allow_auth_without_tls?: boolean }
type MailChoice = { source: 'product' } | { source: 'off' } | ({ source: 'own' } & Smtp);

const KINDS: [string, string][] = [
  ['warning', 'Warning before an action'], ['licence_alert', 'Licence alert (admins)'], ['welcome', 'Welcome (imported users)'],
  ['password_reset', 'Password link (imported users)'], ['run_report', 'Run report (admins)'], ['guard_tripped', 'Approval needed (admins)'],
  ['review_digest', 'Review digest (reviewers)'], ['access_removed', 'Access removed (link to ask for it back)'],
];

/** What each placeholder stands for; the preview says which ones a template's kind cannot use. */
const PLACEHOLDERS: [string, string][] = [
  ['display_name', 'the recipient’s display name'], ['username', 'their login name'], ['email', 'their email address'],
  ['last_login', 'their last login (UTC date) or “never”'], ['days_inactive', 'whole days since that login'],
  ['action', 'what will happen, in words'], ['action_date', 'the UTC date it happens'], ['days_until_action', 'days left until then'],
  ['request_access_url', 'where to ask to keep access, or for it back (access removed)'], ['instance_name', 'this site’s name'], ['base_url', 'this site’s address'],
  ['password_reset_url', 'link to set a password (welcome, password mails)'], ['seats_used', 'seats in use (licence alert)'],
  ['seat_limit', 'seat limit (licence alert)'], ['application', 'the application (licence alert)'], ['run_id', 'the run (reports, approvals)'],
  ['run_summary', 'a one-line summary of the run'], ['approval_url', 'where to approve a held run'],
  ['policy_name', 'the policy (review digest)'], ['review_count', 'how many users wait, e.g. “14 users”'],
  ['review_url', 'link to the Review list'],
];

/** A policy that sends a warning template, and how many days before its action (its warning rule's days). */
interface Sender { id: string; name: string; daysBefore: number }

/**
 * The policies whose warnings use template `t`: those naming it, and those naming none when it is the
 * default (the first enabled warning template, as the server picks it in `service/mail.rs`).
 * "Days before the action" has one home, the policy's warning rule (issue 24); a template only words the mail.
 */
function sendersOf(t: Template, templates: Template[], policies: Schemas['ListPoliciesResponse']['policies']): Sender[] {
  if (t.kind !== 'warning') return [];
  const isDefault = templates.find((x) => x.kind === 'warning' && x.enabled)?.id === t.id;
  return policies.flatMap(({ policy: p }) => {
    const w = p.warning;
    if (!w || !(w.template === t.id || (!w.template && isDefault))) return [];
    return [{ id: p.id, name: p.name, daysBefore: w.daysBefore }];
  });
}

/** When a template is sent, in words: warnings by each policy's days, everything else when it happens. */
function timingText(kind: string, senders: Sender[]): string {
  if (kind !== 'warning') return 'when it happens';
  if (!senders.length) return 'no policy sends it';
  return senders.map((s) => `${plural(s.daysBefore, 'day')} before the action of ${shownName(s.name)}`).join('; ');
}

function slug(name: string, taken: string[]): string {
  const base = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'template';
  let id = base; let n = 2;
  while (taken.includes(id)) { id = `${base}-${n}`; n += 1; }
  return id;
}

/** The version of the configuration document this page last read or saved. */
interface Doc { version: number }

export async function renderNotifications(host: HTMLElement, selectId?: string): Promise<void> {
  loading(host);
  let templates: Template[]; let mail: { mail: MailChoice; configVersion: number }; let state: MailState; let product: string | undefined;
  let policies: Schemas['ListPoliciesResponse']['policies'];
  try {
    [templates, mail, state, product, policies] = await Promise.all([get<Schemas['ListTemplatesResponse']>('templates').then((t) => t.templates), get<{ mail: MailChoice; configVersion: number }>('settings/mail'), mailState(),
      get<{ product?: string }>('me').then((m) => m.product), get<Schemas['ListPoliciesResponse']>('policies').then((l) => l.policies)]);
  } catch (e) { clear(host); showError(host, e); return; }
  // Templates and the mail server live in one versioned document: every save names the version
  // last read (a stale one gets 409), and each save's new version is shared by the whole page.
  const doc: Doc = { version: mail.configVersion };
  const editor = h('div', { id: 'template-editor' });
  const listMsg = h('div', { 'aria-live': 'polite' });
  const outbox = h('div', { 'data-testid': 'outbox' });
  const senders = (t: Template | null): Sender[] => (t ? sendersOf(t, templates, policies) : []);
  const open = (t: Template | null): void => { templateEditor(editor, t, templates.map((x) => x.id), doc, senders(t), () => void renderNotifications(host, t?.id)); editor.scrollIntoView?.({ block: 'start' }); };
  clear(host,
    mailBanner(state, 'notifications'),
    section('Email templates', listMsg,
      templates.length ? h('table', { class: 'sw-table', 'data-testid': 'templates-table' },
        h('caption', { class: 'sw-sr' }, 'Email templates'),
        h('thead', {}, h('tr', {}, ['Name', 'Purpose', 'Timing', 'Last sent', 'Recipients', 'Outbox', 'Enabled', ''].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, templates.map((t) => {
          const on = h('input', { type: 'checkbox', checked: t.enabled, 'aria-label': `Send ${t.name}` });
          on.addEventListener('change', () => {
            clear(listMsg);
            void put<Schemas['Template']>(`templates/${encodeURIComponent(t.id)}`, { ...t, enabled: on.checked, configVersion: doc.version })
              .then(() => get<{ configVersion: number }>('templates')).then((l) => { doc.version = l.configVersion; t.enabled = on.checked; flag(`${t.name} ${on.checked ? 'enabled' : 'disabled'}`); },
                (e: unknown) => { on.checked = !on.checked; showError(listMsg, e); });
          });
          return h('tr', { 'data-testid': 'template-row', 'data-template': t.id },
            h('td', {}, t.name), h('td', {}, KINDS.find(([k]) => k === t.kind)?.[1] ?? t.kind), h('td', { 'data-testid': 'template-timing' }, timingText(t.kind, senders(t))),
            h('td', {}, t.lastSend ? fmtTime(t.lastSend.at) : 'never'), h('td', {}, t.lastSend ? fmtNum(t.lastSend.recipients.length) : '—'),
            h('td', { 'data-testid': 'template-outbox' }, countsText(state.byTemplate.find((b) => b.template === t.id)?.counts)),
            h('td', {}, on),
            h('td', { class: 'sw-actions' }, button('View', () => void viewTemplate(t), 'subtle', { 'aria-label': `View ${t.name}` }), button('Edit', () => open(t), 'subtle', { 'aria-label': `Edit ${t.name}` })));
        }))) : h('p', { class: 'sw-muted' }, 'No templates.'),
      h('div', { class: 'sw-toolbar' }, button('New template', () => open(null)))),
    editor,
    section('Outbox', outbox),
    section('Mail server', mailForm(mail.mail, doc, product)));
  // After a retry or discard the per-template counts above follow the outbox.
  void renderOutbox(outbox, () => void mailState().then((s) => {
    for (const row of Array.from(host.querySelectorAll('[data-testid="template-row"]'))) {
      const cell = row.querySelector('[data-testid="template-outbox"]');
      if (cell) cell.textContent = countsText(s.byTemplate.find((b) => b.template === row.getAttribute('data-template'))?.counts);
    }
  }));
  const again = selectId ? templates.find((t) => t.id === selectId) : undefined;
  if (again) open(again);
}

/** The preview dialog: subject, rendered body with sample values, and the notice about samples. */
async function viewTemplate(t: Template, daysBefore?: number): Promise<void> {
  const d = openDialog(`Preview: ${t.name}`, h('p', { role: 'status' }, 'Rendering…'));
  try {
    const r = await post<Preview>('templates/preview', { subject: t.subject, body: t.htmlBody, kind: t.kind, ...(daysBefore === undefined ? {} : { daysBefore }) });
    clear(d.body, previewBody(r));
  } catch (e) { clear(d.body); showError(d.body, e); }
}

/** A warning template as a policy sends it: rendered with that policy's "days before the action". */
export function previewAsSent(t: Template, daysBefore: number): Promise<void> {
  return viewTemplate(t, daysBefore);
}

function previewBody(r: Preview): HTMLElement {
  return h('div', { 'data-testid': 'preview' },
    h('div', { class: 'sw-preview-subject' }, h('span', { class: 'sw-muted' }, 'Subject: '), h('strong', { 'data-testid': 'preview-subject' }, r.subject)),
    // Both parts of the mail side by side: the HTML as a mail client shows it (links and bold visible,
    // built as DOM from the server's sanitised HTML) and the plain-text part clients without HTML show.
    h('div', { class: 'sw-preview-parts' },
      h('figure', { class: 'sw-preview-part' }, h('figcaption', { class: 'sw-muted' }, 'HTML'),
        mailHtml(r.html ?? '', h('div', { class: 'sw-preview sw-preview-html', 'data-testid': 'preview-html' }))),
      h('figure', { class: 'sw-preview-part' }, h('figcaption', { class: 'sw-muted' }, 'Plain text'),
        h('div', { class: 'sw-preview', 'data-testid': 'preview-text' }, r.text ?? ''))),
    r.substituted?.length ? h('p', { class: 'sw-muted' }, `Sample values: ${r.substituted.map((x) => `{{${x.placeholder}}} → ${x.sample}`).join(', ')}`) : null,
    r.notice ? h('p', { class: 'sw-muted' }, r.notice) : null);
}

function templateEditor(host: HTMLElement, t: Template | null, taken: string[], doc: Doc, senders: Sender[], saved: () => void): void {
  const errors = new FieldErrors();
  // The test send's own errors (its `to` is no field of the template).
  const testErrors = new FieldErrors();
  const name = h('input', { type: 'text', name: 'templateName', value: t?.name ?? '' });
  const kind = select('kind', KINDS, t?.kind ?? 'warning');
  if (t) kind.disabled = true;
  const subject = h('input', { type: 'text', name: 'subject', value: t?.subject ?? '', class: 'sw-wide' });
  const body = h('textarea', { name: 'body', rows: 10, class: 'sw-code' }, t?.htmlBody ?? '');
  const bcc = h('input', { type: 'text', name: 'bcc', value: (t?.bcc ?? []).join('; '), placeholder: 'e.g. admin@example.test' });
  const enabled = check('enabled', 'Enabled (send this template)', t?.enabled ?? true);
  const preview = h('div', { 'aria-live': 'polite', 'data-testid': 'live-preview' });
  const to = h('input', { type: 'email', name: 'testTo', placeholder: 'e.g. you@example.test' });
  const out = h('div', { 'aria-live': 'polite' });
  // When it is sent is not the template's to say: a warning goes out as many days before the action as the
  // sending policy's warning rule says (its "Days before the action", the one editable field); the rest
  // go out when their event happens. Shown here, derived; the preview can use a sending policy's days.
  const timing = h('div', { class: 'sw-field', 'data-testid': 'template-timing' });
  const previewAs = select('previewPolicy', senders.map((s, i): [string, string] => [String(i), `${shownName(s.name)} (${plural(s.daysBefore, 'day')} before)`]));
  const previewAsField = field('Preview as sent by', previewAs);
  const syncTiming = (): void => {
    const warning = kind.value === 'warning';
    clear(timing, h('span', { class: 'sw-label' }, 'When it is sent'),
      h('p', { class: 'sw-hint' }, warning
        ? (senders.length
          ? `${timingText('warning', senders)}. Each policy sets its days on its warning rule (“Days before the action”); change them there.`
          : 'As many days before the action as the warning rule of the policy that sends it says (“Days before the action” on the policy). No policy sends it yet.')
        : 'When it happens.'));
    previewAsField.hidden = !warning || senders.length === 0;
  };
  kind.addEventListener('change', syncTiming);
  syncTiming();

  let timer = 0;
  const refresh = (): void => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => {
      const sender = kind.value === 'warning' ? senders[Number(previewAs.value)] : undefined;
      void newest(preview, () => post<Preview>('templates/preview', { subject: subject.value, body: body.value, kind: kind.value, ...(sender ? { daysBefore: sender.daysBefore } : {}) }),
        (r) => clear(preview, previewBody(r)), (e) => { clear(preview); showError(preview, e); });
    }, 250);
  };
  for (const c of [subject, body]) c.addEventListener('input', refresh);
  kind.addEventListener('change', refresh);
  previewAs.addEventListener('change', refresh);

  const insert = (p: string): void => {
    const token = `{{${p}}}`;
    const start = body.selectionStart ?? body.value.length;
    const end = body.selectionEnd ?? start;
    body.setRangeText(token, start, end, 'end');
    body.focus();
    refresh();
  };

  const payload = (): TemplateBody => {
    // The stored timing is kept as it is (the server reads no warning timing: the policy's days decide);
    // a new template gets the one its purpose fits.
    const stored: TemplateBody['timing'] = t ? t.timing : kind.value === 'warning' ? { type: 'before_action', days: 7 } : { type: 'on_event' };
    return {
      ...(t ?? {}), id: t?.id ?? slug(name.value, taken), name: name.value, kind: kind.value, timing: stored,
      subject: subject.value, htmlBody: body.value, bcc: list(bcc.value), enabled: enabled.input.checked, lastSend: t?.lastSend ?? null,
    };
  };
  const save = (): void => {
    clear(out); errors.clear();
    const p = payload();
    const body = { ...p, configVersion: doc.version };
    void (t ? put(`templates/${encodeURIComponent(t.id)}`, body) : post('templates', body)).then(() => {
      saved();
    // Each problem's path names the field it belongs to (`subject`, `htmlBody`, `bcc[1]`, `timing.days`);
    // problems no field claims go to the banner.
    }, (e: unknown) => {
      // Someone else saved meanwhile: Reload reads the templates again and reopens this one.
      if (isConflict(e)) { clear(out, conflictBanner('template', saved)); return; }
      if (errors.show(e).length || !errors.hasShown()) showError(out, e);
    });
  };

  clear(host, section(t ? `Edit template: ${t.name}` : 'New template',
    h('div', { class: 'sw-grid2 sw-editor' },
      h('form', { class: 'sw-form', 'aria-label': 'Template', novalidate: true, onsubmit: (e: Event) => { e.preventDefault(); save(); } },
        errors.field('name', 'Template name', name),
        errors.field('kind', 'Purpose', kind, t ? 'The purpose of an existing template cannot change.' : 'Decides which placeholders the template may use.'),
        timing,
        errors.field('subject', 'Subject', subject),
        errors.field('htmlBody', 'Body', body, 'HTML: headings (h1–h3), paragraphs, line breaks, bold, italic and lists are kept; anything else is removed when sent.'),
        errors.field('bcc', 'BCC recipients', bcc, 'Addresses separated by ; that get a blind copy of every message.'),
        enabled.el,
        h('div', { class: 'sw-toolbar' },
          h('button', { type: 'submit', class: 'sw-btn sw-btn-primary' }, 'Save template'),
          t ? button('Delete template', () => void confirmDialog('Delete template', `Delete template ${t.name}?`, 'Delete template').then((yes) => { if (yes) void del(`templates/${encodeURIComponent(t.id)}`, { configVersion: String(doc.version) }).then(saved, (e: unknown) => showError(out, e)); }), 'danger') : null,
          button('Cancel', () => clear(host), 'subtle')),
        t ? h('div', { class: 'sw-toolbar' }, testErrors.field('to', 'Send a test to', to),
          h('div', { class: 'sw-field sw-field-button' }, applies(button('Send test', () => {
            clear(out); testErrors.clear();
            // The server refuses an address it cannot send to (a field error, nothing sent); the result
            // of a send is a flag at the top of the page, and stays beside the form as well.
            void post<{ ok: boolean; reply: string }>(`templates/${encodeURIComponent(t.id)}/test`, { to: to.value })
              .then((r) => {
                const words = `${r.ok ? 'The mail server accepted the test' : 'The mail server refused the test'}: ${plain(r.reply)}`;
                flag(r.ok ? `Test of ${t.name} sent` : `Test of ${t.name} not sent`, r.ok ? 'success' : 'error', r.reply);
                out.appendChild(banner(words, r.ok ? 'success' : 'error'));
              }, (e: unknown) => {
                if (testErrors.show(e).length || !testErrors.hasShown()) { showError(out, e); flag(`Test of ${t.name} not sent`, 'error', errorText(e)); }
              });
          })))) : null,
        out),
      h('div', {},
        h('h3', {}, 'Live preview'), previewAsField, preview,
        h('details', { class: 'sw-placeholders', open: true }, h('summary', {}, 'Placeholders'),
          h('p', { class: 'sw-hint' }, 'Write {{name}} in the subject or body. Click one to insert it at the cursor; the preview fills each with a sample value and says when a placeholder does not fit the template’s purpose.'),
          h('ul', { class: 'sw-compact' }, PLACEHOLDERS.map(([p, what]) => h('li', {}, button(`{{${p}}}`, () => insert(p), 'subtle', { 'aria-label': `Insert placeholder ${p}` }), ` ${what}`))))))));
  refresh();
}

/**
 * Where the SMTP password is kept, said next to the field (issue 18, item 8): the standalone server's
 * `store.db` (docs/standalone.md, "What protects the SMTP password"), or the product's database, where the
 * plugin keeps its configuration in Active Objects tables (docs/plugin.md, "Store"). Neither encrypts it.
 */
function passwordHome(product: string | undefined): string {
  return product === 'standalone'
    ? 'Stored encrypted in store.db (ChaCha20-Poly1305) with a key kept apart from it: SEATWARDEN_SECRET_KEY or the data folder’s secret.key (0600). Backups of store.db hold it encrypted; keep a copy of the key to restore them.'
    : 'Stored unencrypted in the product’s database (Seatwarden’s configuration table); anyone who can read that database or its backups can read it.';
}

function mailForm(choice: MailChoice, doc: Doc, product: string | undefined): HTMLElement {
  const errors = new FieldErrors();
  const smtp: Partial<Smtp> = choice.source === 'own' ? choice : {};
  const source = select('source', [['product', 'Use the product’s outgoing mail server'], ['own', 'Use this SMTP server'], ['off', 'Send no mail']], choice.source);
  const hostIn = h('input', { type: 'text', name: 'smtpHost', value: smtp.host ?? '' });
  const port = h('input', { type: 'number', name: 'smtpPort', min: 1, max: 65535, class: 'sw-narrow', value: smtp.port ?? 587 });
  const security = select('security', [['start_tls', 'STARTTLS (usually port 587)'], ['tls', 'TLS from the start (usually 465)'], ['none', 'None (trusted network only)']], smtp.security ?? 'start_tls');
  const user = h('input', { type: 'text', name: 'smtpUser', autocomplete: 'off', value: smtp.username ?? '' });
  const password = h('input', { type: 'password', name: 'smtpPassword', autocomplete: 'new-password', placeholder: smtp.password_set ? 'saved — leave empty to keep' : '' });
  const from = h('input', { type: 'text', name: 'smtpFrom', value: smtp.from ?? '', placeholder: 'e.g. Jira <jira@example.test>' });
  const timeout = h('input', { type: 'number', name: 'smtpTimeout', min: 1, class: 'sw-narrow', value: smtp.timeout_secs ?? 30 });
  const hello = h('input', { type: 'text', name: 'helloName', value: smtp.hello_name ?? '' });
  const plainAuth = h('input', { type: 'checkbox', name: 'allowAuthWithoutTls', checked: smtp.allow_auth_without_tls ?? false });
  // The danger is spelled out whenever the box is ticked, not only in its hint: ticking it is the moment to read it.
  const plainWarning = h('div', { class: 'sw-banner sw-banner-error', role: 'note', 'data-testid': 'plain-auth-warning' },
    'Danger: the SMTP username and password will cross the network unencrypted whenever Security is None. Anyone on the path, or any program listening where the host points, can read them. Seatwarden still only sends them to a loopback host (127.0.0.1, ::1, localhost), such as a local relay.');
  const out = h('div', { 'aria-live': 'polite' });
  const own = h('div', {},
    h('div', { class: 'sw-row' }, errors.field('host', 'SMTP host', hostIn), errors.field('port', 'Port', port), errors.field('security', 'Security', security)),
    h('div', { class: 'sw-row' }, errors.field('username', 'SMTP username', user), errors.field('password', 'SMTP password', password,
      `${smtp.password_set ? 'A password is saved. It is never shown; type a new one to replace it. Changing the host, port or security drops it.' : 'Never shown again after saving.'} ${passwordHome(product)}`)),
    h('label', { class: 'sw-check' }, plainAuth, ' Allow sending the password without TLS (loopback relay only)'), plainWarning,
    errors.field('from', 'Sender (From)', from),
    h('div', { class: 'sw-row' }, errors.field('timeout_secs', 'Timeout (seconds)', timeout), errors.field('hello_name', 'EHLO name', hello, 'Empty: this machine’s host name.')));
  const sync = (): void => { own.hidden = source.value !== 'own'; plainWarning.hidden = !plainAuth.checked; };
  source.addEventListener('change', sync);
  plainAuth.addEventListener('change', sync);
  sync();
  return h('form', { class: 'sw-form', 'aria-label': 'Mail server settings', novalidate: true, onsubmit: (e: Event) => {
    e.preventDefault(); clear(out); errors.clear();
    const body: Record<string, unknown> = { source: source.value, configVersion: doc.version };
    if (source.value === 'own') {
      Object.assign(body, { host: hostIn.value.trim(), port: Number(port.value), security: security.value, username: user.value.trim() || null, from: from.value.trim(),
        timeout_secs: Number(timeout.value), hello_name: hello.value.trim() || null, allow_auth_without_tls: plainAuth.checked });
      if (password.value) body.password = password.value;
    }
    void put<{ mail: MailChoice; configVersion: number }>('settings/mail', body).then((r) => {
      doc.version = r.configVersion;
      password.value = '';
      const set = r.mail.source === 'own' && r.mail.password_set;
      password.placeholder = set ? 'saved — leave empty to keep' : '';
      flag('Mail settings saved');
    }, (err: unknown) => { if (errors.show(err).length || !errors.hasShown()) showError(out, err); });
  } },
  errors.field('source', 'Mail server', source), own,
  h('div', { class: 'sw-toolbar' }, h('button', { type: 'submit', class: 'sw-btn sw-btn-primary' }, 'Save mail settings'), lozenge(choice.source === 'own' ? 'own server' : choice.source === 'off' ? 'mail off' : 'product server', 'neutral')),
  out);
}
