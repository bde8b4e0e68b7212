// Import / export: template download, upload, per-row validation results,
// a preview of the plan, and apply with a progress bar. The server validates
// every row and plans the changes; the browser only lists the file's rows so
// each problem can be shown on the row it belongs to.

import { h, clear, append, button, fmtNum, lozenge, download, banner, plural, plain, shownName } from '../dom';
import { postCsv, post, get, getBlob, ApiError, ApiProblem, type Schemas } from '../api';
import { section, showError, followRun, planView, opLabel, ActionInfo } from '../components';
import { check } from '../form';
import { navigate } from '../router';
import { forgetGroups } from './users';
import { applies } from '../preview';

interface Row { line: number; cells: string[] }

/** Splits CSV text into records, remembering the physical line each starts on. */
export function parseCsv(text: string): Row[] {
  const rows: Row[] = [];
  let cells: string[] = []; let cell = ''; let quoted = false; let line = 1; let start = 1; let any = false;
  const src = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < src.length; i += 1) {
    const c = src[i];
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') { cell += '"'; i += 1; } else if (c === '"') quoted = false; else { if (c === '\n') line += 1; cell += c; }
      continue;
    }
    if (c === '"') { quoted = true; any = true; } else if (c === ',') { cells.push(cell); cell = ''; any = true; } else if (c === '\r') { /* part of a line break */ } else if (c === '\n') {
      cells.push(cell);
      if (any || cell) rows.push({ line: start, cells });
      cells = []; cell = ''; any = false; line += 1; start = line;
    } else { cell += c; any = true; }
  }
  if (any || cell) { cells.push(cell); rows.push({ line: start, cells }); }
  return rows;
}

/** The preview answer (`POST /api/import/validate`), as the OpenAPI document describes it. */
type Validated = Schemas['ValidateImportResponse'];
type RowsPage = Schemas['ImportRowsPage'];
type ActionsPage = Schemas['ImportActionsPage'];

/** Rows a page of the table shows; the preview carries the first 500 verdicts, later pages ask the server. */
const SHOWN_ROWS = 200;

/**
 * `unchecked`: the file was refused as a whole (its header, its encoding), so rows without a problem of
 * their own were never checked and must not read "valid".
 */
function rowsTable(rows: Row[], header: string[], problems: Map<number, ApiProblem[]>, plans: Map<number, string>, notes: Map<number, string[]>, offset = 0, unchecked = false): HTMLElement {
  const col = (name: string): number => header.findIndex((x) => x.trim().toLowerCase() === name);
  const iu = col('username'); const ie = Math.max(col('email'), col('email address')); const idn = Math.max(col('display name'), col('full name'));
  const shown = rows.slice(offset, offset + SHOWN_ROWS);
  return h('div', {},
    h('table', { class: 'sw-table', 'data-testid': 'import-rows' },
      h('caption', { class: 'sw-sr' }, 'Rows of the file and their validation result'),
      h('thead', {}, h('tr', {}, ['Line', 'Username', 'Name', 'Email', 'Result'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, shown.map((r) => {
        const bad = problems.get(r.line) ?? [];
        const plan = plans.get(r.line);
        return h('tr', { 'data-testid': 'import-row', 'data-line': r.line, 'data-status': bad.length ? 'error' : unchecked ? 'unchecked' : 'ok', 'data-plan': bad.length ? 'error' : (plan ?? ''), class: bad.length ? 'sw-row-error' : '' },
          h('td', {}, String(r.line)), h('td', {}, r.cells[iu] ?? ''), h('td', {}, r.cells[idn] ?? ''), h('td', {}, r.cells[ie] ?? ''),
          h('td', {}, bad.length ? [lozenge('error', 'danger'), h('ul', { class: 'sw-compact' }, bad.map((p) => h('li', {}, `${p.header ?? (p.column != null ? `column ${p.column}` : '')}: ${plain(p.message)}`)))]
            : unchecked ? lozenge('not checked', 'neutral')
            : [lozenge(plan ?? 'valid', plan === 'unchanged' ? 'neutral' : 'success'), ...(notes.get(r.line) ?? []).map((n) => h('div', { class: 'sw-muted' }, n))]));
      }))),
    rows.length > SHOWN_ROWS ? h('p', { class: 'sw-muted', 'data-testid': 'rows-shown' }, `Showing rows ${fmtNum(offset + 1)}–${fmtNum(offset + shown.length)} of ${fmtNum(rows.length)}.`) : null);
}

/**
 * The valid file's rows, a page at a time: the verdicts past the preview's first 500 come from
 * `GET /api/import/{planId}/rows` (planned again from the kept file on the server).
 */
function pagedRows(planId: string, rows: Row[], header: string[], plans: Map<number, string>, notes: Map<number, string[]>): HTMLElement {
  const host = h('div', { 'data-testid': 'import-rows-pages' });
  let offset = 0;
  const show = async (at: number): Promise<void> => {
    const page = rows.slice(at, at + SHOWN_ROWS);
    if (page.some((r) => !plans.has(r.line))) {
      const answer = await get<RowsPage>(`import/${encodeURIComponent(planId)}/rows`, { offset: String(at), limit: String(SHOWN_ROWS) });
      for (const v of answer.rows) plans.set(v.line, v.plan);
    }
    offset = at;
    const prev = button('Previous rows', () => void show(Math.max(0, offset - SHOWN_ROWS)).catch((e: unknown) => showError(host, e)), 'subtle', { disabled: offset === 0 });
    const next = button('Next rows', () => void show(offset + SHOWN_ROWS).catch((e: unknown) => showError(host, e)), 'subtle', { disabled: offset + SHOWN_ROWS >= rows.length });
    clear(host, rowsTable(rows, header, new Map(), plans, notes, offset), rows.length > SHOWN_ROWS ? h('div', { class: 'sw-toolbar' }, prev, next) : null);
  };
  void show(0).catch((e: unknown) => showError(host, e));
  return host;
}

/** The planned changes past the preview's first 500, fetched on request from `GET /api/import/{planId}/actions`. */
function moreActions(planId: string, shown: number, total: number): HTMLElement | null {
  if (shown >= total) return null;
  const body = h('tbody', {});
  let next: number | null = shown;
  const status = h('p', { class: 'sw-muted', role: 'status' }, `Showing the first ${fmtNum(shown)} of ${fmtNum(total)} changes.`);
  const more: HTMLButtonElement = button('Show more changes', () => {
    if (next === null) return;
    more.disabled = true;
    void get<ActionsPage>(`import/${encodeURIComponent(planId)}/actions`, { offset: String(next), limit: '500' }).then((page) => {
      append(body, page.actions.map((a) => h('tr', { 'data-testid': 'more-action' }, h('td', {}, a.username || a.user), h('td', {}, opLabel(a.operation)), h('td', {}, a.reason))));
      next = page.next ?? null;
      status.textContent = `Showing the first ${fmtNum(page.offset + page.actions.length)} of ${fmtNum(total)} changes.`;
      more.disabled = next === null;
    }, (e: unknown) => { showError(status, e); more.disabled = false; });
  }, 'subtle', { 'data-testid': 'more-actions' });
  return h('div', {},
    h('table', { class: 'sw-table' }, h('caption', { class: 'sw-sr' }, 'More planned changes'),
      h('thead', {}, h('tr', {}, ['User', 'Change', 'Why'].map((c) => h('th', { scope: 'col' }, c)))), body),
    status, h('div', { class: 'sw-toolbar' }, more));
}

/** What the import would do to licence seats and what a revert could not undo, said plainly before it runs. */
function seatsAndUndo(s: Validated['summary']): HTMLElement[] {
  const out: HTMLElement[] = [];
  for (const l of s.seats) {
    const lines = l.shortLines.slice(0, 10).join(', ');
    const text = l.short > 0
      ? `${l.name}: ${fmtNum(l.seatsLeft)} seat${l.seatsLeft === 1 ? '' : 's'} left, and this import gives ${fmtNum(l.seatsTaken)} user${l.seatsTaken === 1 ? '' : 's'} a seat: ${fmtNum(l.short)} row${l.short === 1 ? '' : 's'} would end with no seat (the first at line${l.shortLines.length === 1 ? '' : 's'} ${lines}${l.shortLines.length > 10 ? ', …' : ''}). The import waits for approval.`
      : `${l.name}: this import gives ${fmtNum(l.seatsTaken)} user${l.seatsTaken === 1 ? '' : 's'} a seat; ${fmtNum(l.seatsLeft)} left, enough for all.`;
    const el = banner(text, l.short > 0 ? 'warning' : 'info');
    el.setAttribute('data-testid', 'import-seats');
    out.push(el);
  }
  if (s.irreversible.because) {
    const el = banner(`${s.irreversible.because}.`, 'warning');
    el.setAttribute('data-testid', 'import-irreversible');
    out.push(el);
  }
  return out;
}

/**
 * The file's text, or why it is not a CSV text file: a NUL byte (images, spreadsheets, archives have them;
 * text never does; the first one's 1-based offset is named) or bytes that are not UTF-8.
 */
export function csvText(bytes: Uint8Array): string | { why: string } {
  const nul = bytes.indexOf(0);
  if (nul >= 0) return { why: `byte ${fmtNum(nul + 1)} is a NUL byte, which text never holds (an image, spreadsheet or archive?)` };
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { why: 'it holds bytes that are not UTF-8 text' };
  }
}

/** A file name as the UI quotes names. */
function quoted(name: string): string {
  return `“${shownName(name)}”`;
}

export async function renderImport(host: HTMLElement): Promise<void> {
  const file = h('input', { type: 'file', name: 'usersCsv', accept: '.csv,text/csv', id: 'import-file' });
  const createGroups = check('createGroups', 'Create groups the file names that do not exist', false);
  const removeUnlisted = check('removeUnlisted', 'Remove existing users from groups the file does not list for them', false);
  const welcome = check('welcome', 'Send new users a welcome email', false);
  const reset = check('passwordReset', 'Send new users a link to set their password', false);
  const out = h('div', { 'data-testid': 'import-result' });

  const validate = async (): Promise<void> => {
    clear(out);
    const f = file.files?.[0];
    if (!f) { out.appendChild(banner('Choose a CSV file first.', 'error')); return; }
    // Read the bytes, not `f.text()`: that turns a binary file's bytes into U+FFFD and the server
    // would then check garbage as if it were text. A CSV is UTF-8 text without NUL bytes.
    const textBody = csvText(new Uint8Array(await f.arrayBuffer()));
    if (typeof textBody !== 'string') {
      out.appendChild(h('div', { class: 'sw-banner sw-banner-error', role: 'alert', 'data-testid': 'error' },
        h('strong', {}, `${quoted(f.name)} is not a CSV text file: ${textBody.why}. Nothing was checked and nothing changed.`),
        h('p', {}, 'Save the file as “CSV UTF-8 (comma delimited)” (or download the template above) and choose it again.')));
      return;
    }
    const records = parseCsv(textBody);
    const header = records[0]?.cells ?? [];
    const dataRows = records.slice(1);
    const options = { createGroups: String(createGroups.input.checked), removeUnlisted: String(removeUnlisted.input.checked), welcome: String(welcome.input.checked), passwordReset: String(reset.input.checked) };
    out.appendChild(h('p', { role: 'status' }, `Checking ${plural(dataRows.length, 'row')}…`));
    let r: Validated;
    try {
      r = await postCsv<Validated>('import/validate', textBody, options);
    } catch (e) {
      clear(out);
      if (!(e instanceof ApiError) || !e.problems().length) { showError(out, e); return; }
      const problems = e.problems();
      const byLine = new Map<number, ApiProblem[]>();
      for (const p of problems) if (p.line !== undefined) byLine.set(p.line, [...(byLine.get(p.line) ?? []), p]);
      const total = (e.details as { total?: number } | undefined)?.total ?? problems.length;
      append(out, [
        h('div', { class: 'sw-banner sw-banner-error', role: 'alert', 'data-testid': 'error' },
          h('strong', {}, `The file was not imported: ${fmtNum(total)} problem${total === 1 ? '' : 's'}. Nothing changed. Fix the rows below and validate again.`)),
        h('table', { class: 'sw-table', 'data-testid': 'problems' },
          h('caption', { class: 'sw-sr' }, 'Problems by row'),
          h('thead', {}, h('tr', {}, ['Line', 'Column', 'Problem'].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, problems.map((p) => h('tr', { 'data-testid': 'problem' },
            h('td', {}, p.line !== undefined ? `Line ${p.line}` : ''), h('td', {}, p.header ?? (p.column != null ? String(p.column) : '')), h('td', {}, plain(p.message)))))),
        problems.length < total ? h('p', { class: 'sw-muted' }, `Showing the first ${problems.length} of ${fmtNum(total)} problems.`) : null,
        h('h3', {}, 'Rows'),
        // A problem of the file itself (no line, or the header's line 1): its rows were not checked one by one.
        rowsTable(dataRows, header, byLine, new Map(), new Map(), 0, problems.some((p) => p.line === undefined || p.line <= 1))]);
      return;
    }
    clear(out);
    const s = r.summary;
    const plans = new Map<number, string>((r.rows ?? []).filter((x) => x.plan).map((x) => [x.line, String(x.plan)]));
    const notes = new Map<number, string[]>();
    for (const n of s.notes ?? []) notes.set(n.line, [...(notes.get(n.line) ?? []), plain(n.message)]);
    const groupsToCreate = s.groupsToCreate.length;
    const progressHost = h('div', {});
    const ready = h('div', { 'data-testid': 'import-state' }, banner('Every row is valid. Nothing has changed yet: review the plan, then apply it.', 'success'));
    const apply = applies(button(`Apply the import (${fmtNum(r.actionCount)} ${r.actionCount === 1 ? 'change' : 'changes'})`, () => {
      apply.disabled = true;
      void (async () => {
        try {
          const { runId } = await post<{ runId: number }>(`import/${encodeURIComponent(r.planId)}/apply`, { planHash: r.planHash });
          // The plan is being applied: the "nothing has changed yet" banner would now be false.
          const applying = h('div', { 'data-testid': 'import-state' }, banner(`Applying the plan: run #${runId}.`, 'info'));
          ready.replaceWith(applying);
          const final = await followRun(progressHost, runId, 'Import progress');
          applying.replaceWith(h('div', { 'data-testid': 'import-state', 'data-status': final.status }, banner(`Applied: run #${runId} ${final.status.replace(/_/g, ' ')}. The rows below show the plan as it was checked.`, final.status === 'succeeded' ? 'success' : 'warning')));
          forgetGroups();
          if (final.status === 'succeeded' || final.status === 'partially_failed') {
            progressHost.appendChild(h('p', {}, button('See the users', () => navigate('users'), 'default'), ' ', button('Open the run in the audit log', () => navigate(`audit/run/${runId}`), 'subtle')));
          }
        } catch (e) { showError(progressHost, e); apply.disabled = false; }
      })();
    }, 'primary', { disabled: r.actionCount === 0, 'data-testid': 'apply-import' }));
    append(out, [
      ready,
      s.notices?.missingTemplates?.length ? banner(`No enabled ${s.notices.missingTemplates.map((k) => k.replace(/_/g, ' ')).join(' or ')} template: those emails will not be sent. Enable one on the Notifications tab.`, 'warning') : null,
      h('div', { class: 'sw-cards', 'data-testid': 'import-summary' },
        card('Rows', s.rows), card('Users to create', s.create), card('Users to update', s.update), card('Unchanged', s.unchanged),
        card('Groups to create', groupsToCreate), card('Changes in the plan', r.actionCount)),
      seatsAndUndo(s),
      h('h3', {}, 'Rows'),
      pagedRows(r.planId, dataRows, header, plans, notes),
      r.actions || r.document ? [h('h3', {}, 'Planned changes'), planView(r.document, r.actions ?? [], r.guard ?? []), moreActions(r.planId, (r.actions ?? []).length, r.actionCount)] : null,
      h('div', { class: 'sw-toolbar' }, apply),
      progressHost]);
  };

  clear(host,
    section('Import users',
      h('p', {}, 'Download the template, fill in one user per row, upload it. Every row is checked first; nothing changes until you apply the plan.'),
      h('div', { class: 'sw-filters' },
        h('div', { class: 'sw-field sw-field-button' }, button('Download template', () => void getBlob('import/template').then(({ blob, name }) => download(blob, name), (e: unknown) => showError(out, e)))),
        h('div', { class: 'sw-field' }, h('label', { for: 'import-file' }, 'Users CSV'), file)),
      h('fieldset', { class: 'sw-fieldset' }, h('legend', {}, 'Options'), createGroups.el, removeUnlisted.el, welcome.el, reset.el),
      h('div', { class: 'sw-toolbar' }, button('Validate', () => void validate(), 'primary')),
      out),
    section('Export users', h('p', {}, 'Exports live on the Users tab: filter (or select users), then "Export…" and pick the columns.'),
      button('Go to Users', () => navigate('users'), 'subtle')));
}

function card(label: string, value: number | undefined): HTMLElement {
  return h('div', { class: 'sw-card' }, h('div', { class: 'sw-card-value' }, fmtNum(value ?? 0)), h('div', { class: 'sw-card-label' }, label));
}
