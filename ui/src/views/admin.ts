// Groups: bulk create (`a;b;c`), import, export with member counts, and bulk
// delete with the per-group summary.

import { h, clear, field, button, fmtNum, lozenge, download, plain } from '../dom';
import { get, post, postCsv, getBlob } from '../api';
import { section, showError, loading, confirmDialog } from '../components';
import { forgetGroups, Group } from './users';
import { applies } from '../preview';

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
    // The outcome's text says why ("protected: has admin rights"); the status word alone did not.
    plain(`${o.name ?? (o.line !== undefined ? `line ${o.line}` : '')}: ${typeof o.outcome === 'string' && o.outcome ? o.outcome : text(o.status ?? o.outcome)}${o.message || o.detail ? ` — ${o.message ?? o.detail}` : ''}`))));
}

export async function renderGroups(host: HTMLElement): Promise<void> {
  loading(host);
  let groups: Group[];
  try { groups = (await get<{ groups: Group[] }>('groups', { withCounts: 'true' })).groups; } catch (e) { clear(host); showError(host, e); return; }
  const names = h('input', { type: 'text', name: 'names', placeholder: 'e.g. team-a; team-b' });
  const file = h('input', { type: 'file', name: 'groupsCsv', accept: '.csv,text/csv' });
  const out = h('div', { 'aria-live': 'polite' });
  const picked = new Set<string>();
  // One result at a time: an old error or outcome list never stays beside a new one.
  const fail = (err: unknown): void => {
    // The outcome list of an earlier success sits above the sections: it goes too.
    for (const old of host.querySelectorAll('[data-testid="outcomes"]')) old.remove();
    clear(out); showError(out, err);
  };
  const done = (r: { outcomes?: Outcome[]; results?: Outcome[] }): void => { forgetGroups(); void renderGroups(host).then(() => host.prepend(outcomes(r.outcomes ?? r.results ?? []))); };
  clear(host, out,
    section('Create groups', h('form', { class: 'sw-filters', onsubmit: (e: Event) => { e.preventDefault(); void post<{ outcomes?: Outcome[] }>('groups', { names: names.value }).then(done, fail); } },
      field('Group names, separated by ;', names), h('div', { class: 'sw-field sw-field-button' }, applies(h('button', { type: 'submit', class: 'sw-btn sw-btn-primary' }, 'Create'))))),
    section('Import and export', h('div', { class: 'sw-filters' }, field('Groups CSV', file),
      h('div', { class: 'sw-field sw-field-button' }, applies(button('Import', () => { const f = file.files?.[0]; if (f) void f.text().then((t) => postCsv<{ outcomes?: Outcome[] }>('groups/import', t)).then(done, fail); }))),
      h('div', { class: 'sw-field sw-field-button' }, button('Export with member counts', () => void getBlob('groups/export', { counts: 'true' }).then(({ blob, name }) => download(blob, name), fail))))),
    section(`Groups (${fmtNum(groups.length)})`,
      h('div', { class: 'sw-toolbar' }, applies(button('Delete selected…', () => {
        if (!picked.size) return;
        void confirmDialog('Delete groups', `Delete ${picked.size} group${picked.size === 1 ? '' : 's'}: ${[...picked].join(', ')}? Members lose what these groups granted.`, 'Delete groups').then((yes) => {
          if (yes) void post<{ outcomes?: Outcome[] }>('groups/delete', { names: [...picked] }).then(done, fail);
        });
      }, 'danger'))),
      h('table', { class: 'sw-table', 'data-testid': 'groups-table' },
        h('thead', {}, h('tr', {}, ['', 'Group', 'Members', 'Kind'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, groups.map((g) => {
          const box = h('input', { type: 'checkbox', 'aria-label': `Select ${g.name}` });
          box.addEventListener('change', () => { if (box.checked) picked.add(g.name); else picked.delete(g.name); });
          return h('tr', {}, h('td', {}, box), h('td', {}, g.name), h('td', {}, fmtNum(g.members ?? null)), h('td', {}, g.admin ? lozenge('admin', 'warning') : null, g.licence ? lozenge('licence', 'info') : null));
        })))));
}
