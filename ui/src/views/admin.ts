// Groups, Import/Export, Notifications and Settings.

import { h, clear, field, button, fmtNum, lozenge, download, banner, fmtTime } from '../dom';
import { get, getRaw, post, put, del, postCsv, getBlob } from '../api';
import { section, showError, loading, followRun } from '../components';
import { forgetGroups, Group } from './users';

interface Outcome { name?: string; line?: number; status?: unknown; outcome?: unknown; message?: string; detail?: string }

function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v.replace(/_/g, ' ');
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return [o.kind ?? o.status ?? o.result, o.message ?? o.reason ?? o.detail].filter((x) => x !== undefined).map(String).join(': ') || JSON.stringify(v);
  }
  return String(v);
}

/** The per-group summary the server returns for create, import and delete. */
function outcomes(list: Outcome[]): HTMLElement {
  return h('ul', { 'data-testid': 'outcomes', 'aria-live': 'polite' }, list.map((o) => h('li', {},
    `${o.name ?? (o.line !== undefined ? `line ${o.line}` : '')}: ${text(o.status ?? o.outcome)}${o.message || o.detail ? ` — ${o.message ?? o.detail}` : ''}`)));
}

export async function renderGroups(host: HTMLElement): Promise<void> {
  loading(host);
  let groups: Group[];
  try { groups = (await get<{ groups: Group[] }>('groups', { withCounts: 'true' })).groups; } catch (e) { clear(host); showError(host, e); return; }
  const names = h('input', { type: 'text', name: 'names', placeholder: 'team-a;team-b;team-c' });
  const file = h('input', { type: 'file', name: 'groupsCsv', accept: '.csv,text/csv' });
  const out = h('div', { 'aria-live': 'polite' });
  const picked = new Set<string>();
  const done = (r: { outcomes?: Outcome[]; results?: Outcome[] }): void => { forgetGroups(); void renderGroups(host).then(() => host.prepend(outcomes(r.outcomes ?? r.results ?? []))); };
  clear(host, out,
    section('Create groups', h('form', { class: 'sw-filters', onsubmit: (e: Event) => { e.preventDefault(); void post<{ outcomes?: Outcome[] }>('groups', { names: names.value }).then(done, (err: unknown) => showError(out, err)); } },
      field('Group names, separated by ;', names), h('div', { class: 'sw-field sw-field-button' }, h('button', { type: 'submit', class: 'sw-btn sw-btn-primary' }, 'Create')))),
    section('Import and export', h('div', { class: 'sw-filters' }, field('Groups CSV', file),
      h('div', { class: 'sw-field sw-field-button' }, button('Import', () => { const f = file.files?.[0]; if (f) void f.text().then((t) => postCsv<{ outcomes?: Outcome[] }>('groups/import', t)).then(done, (err: unknown) => showError(out, err)); })),
      h('div', { class: 'sw-field sw-field-button' }, button('Export with member counts', () => void getBlob('groups/export', { counts: 'true' }).then(({ blob, name }) => download(blob, name), (err: unknown) => showError(out, err)))))),
    section(`Groups (${fmtNum(groups.length)})`,
      h('div', { class: 'sw-toolbar' }, button('Delete selected…', () => {
        if (!picked.size || !window.confirm(`Delete ${picked.size} groups?`)) return;
        void post<{ outcomes?: Outcome[] }>('groups/delete', { names: [...picked] }).then(done, (err: unknown) => showError(out, err));
      }, 'danger')),
      h('table', { class: 'sw-table', 'data-testid': 'groups-table' },
        h('thead', {}, h('tr', {}, ['', 'Group', 'Members', 'Kind'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, groups.map((g) => {
          const box = h('input', { type: 'checkbox', 'aria-label': `Select ${g.name}` });
          box.addEventListener('change', () => { if (box.checked) picked.add(g.name); else picked.delete(g.name); });
          return h('tr', {}, h('td', {}, box), h('td', {}, g.name), h('td', {}, fmtNum(g.members ?? null)), h('td', {}, g.admin ? lozenge('admin', 'warning') : null, g.licence ? lozenge('licence', 'info') : null));
        })))));
}

export async function renderImport(host: HTMLElement): Promise<void> {
  const file = h('input', { type: 'file', name: 'usersCsv', accept: '.csv,text/csv' });
  const createGroups = h('input', { type: 'checkbox', name: 'createGroups' });
  const out = h('div', { 'data-testid': 'import-result' });
  const validate = async (): Promise<void> => {
    clear(out);
    const f = file.files?.[0];
    if (!f) { out.appendChild(banner('Choose a CSV file first.', 'error')); return; }
    try {
      const r = await postCsv<{ planId: string; planHash: string; actionCount: number; summary: Record<string, unknown> }>('import/validate', await f.text(), { createGroups: createGroups.checked ? 'true' : 'false' });
      const s = r.summary as { rows?: number; create?: number; update?: number; unchanged?: number };
      out.appendChild(banner(`Valid: ${s.rows ?? 0} rows — ${s.create ?? 0} to create, ${s.update ?? 0} to update, ${s.unchanged ?? 0} unchanged; ${r.actionCount} changes.`, 'success'));
      const apply = button('Apply the import', () => {
        apply.disabled = true;
        void post<{ runId: number }>(`import/${encodeURIComponent(r.planId)}/apply`, { planHash: r.planHash }).then((x) => followRun(out, x.runId, 'Import progress'), (e: unknown) => showError(out, e));
      }, 'primary', { disabled: r.actionCount === 0 });
      out.appendChild(apply);
    } catch (e) { showError(out, e); }
  };
  clear(host,
    section('Import users', h('p', {}, 'Download the template, fill it in, upload it: every row is checked first and nothing changes until you apply the plan.'),
      h('div', { class: 'sw-filters' },
        h('div', { class: 'sw-field sw-field-button' }, button('Download template', () => void getBlob('import/template').then(({ blob, name }) => download(blob, name), (e: unknown) => showError(out, e)))),
        field('Users CSV', file), h('label', { class: 'sw-check' }, createGroups, ' Create missing groups'),
        h('div', { class: 'sw-field sw-field-button' }, button('Validate', () => void validate(), 'primary'))), out),
    section('Export users', h('p', {}, 'Exports live on the Users tab: filter, then "Export…" with the columns you need.')));
}

/** A template as the server stores it (snake_case keys, sent back unchanged apart from the edited fields). */
interface Template { id: string; name: string; subject: string; html_body?: string; body?: string; enabled?: boolean; kind?: string; timing?: Record<string, unknown> | null; last_send?: number | null; last_sent?: number | null }

function timingText(t: Template['timing']): string {
  if (!t) return '';
  const days = t.days as number | undefined;
  const type = String(t.type ?? t.kind ?? '').replace(/_/g, ' ');
  return days !== undefined ? `${days} days ${type}` : type;
}

export async function renderNotifications(host: HTMLElement): Promise<void> {
  loading(host);
  let list: Template[]; let mail: Record<string, unknown>;
  try {
    const t = await getRaw<{ templates: Template[] } | Template[]>('templates');
    list = Array.isArray(t) ? t : t.templates;
    mail = await get<Record<string, unknown>>('settings/mail');
  } catch (e) { clear(host); showError(host, e); return; }
  const editor = h('div', {});
  clear(host,
    section('Templates', list.length ? h('table', { class: 'sw-table', 'data-testid': 'templates-table' },
      h('thead', {}, h('tr', {}, ['Name', 'Subject', 'Timing', 'Last sent', 'Enabled', ''].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, list.map((t) => h('tr', {}, h('td', {}, t.name), h('td', {}, t.subject), h('td', {}, timingText(t.timing)), h('td', {}, fmtTime(t.last_send ?? t.last_sent ?? null)), h('td', {}, t.enabled === false ? 'no' : 'yes'),
        h('td', {}, button('Edit', () => templateEditor(editor, t), 'subtle')))))) : h('p', { class: 'sw-muted' }, 'No templates.'),
      button('New template', () => templateEditor(editor, null))),
    editor,
    section('Mail server', h('pre', { class: 'sw-pre' }, JSON.stringify(mail, null, 2))));
}

function templateEditor(host: HTMLElement, t: Template | null): void {
  const name = h('input', { type: 'text', name: 'templateName', value: t?.name ?? '' });
  const subject = h('input', { type: 'text', name: 'subject', value: t?.subject ?? '' });
  const body = h('textarea', { name: 'body', rows: 8 }, t?.html_body ?? t?.body ?? '');
  const preview = h('div', { class: 'sw-preview', 'aria-live': 'polite' });
  const to = h('input', { type: 'email', name: 'testTo' });
  const out = h('div', {});
  let timer = 0;
  const refresh = (): void => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void post<{ subject: string; text?: string; html?: string; substituted?: { placeholder: string; sample: string }[]; notice?: string }>('templates/preview', { subject: subject.value, body: body.value, ...(t?.kind ? { kind: t.kind } : {}) })
      .then((r) => clear(preview, h('strong', {}, r.subject), h('div', { class: 'sw-preview-text' }, r.text ?? ''),
        r.substituted?.length ? h('p', { class: 'sw-muted' }, `Placeholders filled with samples: ${r.substituted.map((x) => `${x.placeholder} → ${x.sample}`).join(', ')}`) : null,
        r.notice ? h('p', { class: 'sw-muted' }, r.notice) : null), (e: unknown) => { clear(preview); showError(preview, e); }), 300);
  };
  subject.addEventListener('input', refresh); body.addEventListener('input', refresh);
  clear(host, section(t ? `Edit ${t.name}` : 'New template',
    field('Name', name), field('Subject', subject), field('Body', body, 'Placeholders such as {{display_name}}, {{username}}, {{days_inactive}}, {{last_login}}, {{action}}, {{action_date}} and {{base_url}} are filled in when the mail is sent.'),
    h('h3', {}, 'Preview'), preview,
    h('div', { class: 'sw-toolbar' },
      button('Save', () => { const payload = { ...(t ?? {}), name: name.value, subject: subject.value, html_body: body.value }; void (t ? put(`templates/${encodeURIComponent(t.id)}`, payload) : post('templates', payload)).then(() => out.appendChild(banner('Template saved', 'success')), (e: unknown) => showError(out, e)); }, 'primary'),
      t ? button('Delete', () => void del(`templates/${encodeURIComponent(t.id)}`).then(() => clear(host), (e: unknown) => showError(out, e)), 'danger') : null,
      field('Send a test to', to), t ? button('Send test', () => void post<Record<string, unknown>>(`templates/${encodeURIComponent(t.id)}/test`, { to: to.value }).then((r) => out.appendChild(banner(JSON.stringify(r), 'info')), (e: unknown) => showError(out, e))) : null),
    out));
  refresh();
}

export async function renderSettings(host: HTMLElement): Promise<void> {
  loading(host);
  let s: Record<string, unknown>;
  try { s = await get<Record<string, unknown>>('settings'); } catch (e) { clear(host); showError(host, e); return; }
  const doc = h('textarea', { name: 'settings', rows: 24, class: 'sw-code', spellcheck: 'false' }, JSON.stringify(s.settings ?? s, null, 2));
  const out = h('div', {});
  clear(host, section('Global settings',
    h('p', {}, 'Protected groups, mass-change guard thresholds, login-data health check, timezone, scheduler time and licence alert. The server validates every field and names the path of each problem.'),
    field('Settings (JSON)', doc), out,
    button('Save settings', () => {
      clear(out);
      let parsed: unknown;
      try { parsed = JSON.parse(doc.value); } catch (e) { out.appendChild(banner(`Not valid JSON: ${(e as Error).message}`, 'error')); return; }
      void put('settings', s.settings !== undefined ? { settings: parsed, configVersion: s.configVersion } : parsed).then(() => out.appendChild(banner('Settings saved', 'success')), (e: unknown) => showError(out, e));
    }, 'primary')));
}

