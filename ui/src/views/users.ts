// Users tab: server-side filters, sort and paging; row reasons; bulk actions
// (plan with reasons and skipped users, then run with progress); export.

import { h, clear, select, field, button, nextId, fmtDate, fmtNum, lozenge, download, plural } from '../dom';
import { get, post, getBlob, ApiError, type Schemas } from '../api';
import { pager, showError, openDialog, planView, followRun } from '../components';
import { directories, directoryLabel, Directory } from '../directories';
import { dayToMs, FieldErrors } from '../form';
import { confirmChange, summaryOf } from './confirm-change';
import { bulkPlanView, type BulkPlan } from './bulk-preview';
import { exemptDialog, exemptBadge, exemptionList, removeExemptions } from './exemptions';
import { signalDateLabel, productLabel, type SignalDate } from '../signals';
import { groupPicker } from '../picker';
import { routeQuery, pushQuery } from '../router';

type Page = Schemas['ListUsersResponse'];
export interface Group { name: string; admin: boolean; licence: boolean; members?: number }

interface Filters {
  search: string; searchMode: string; status: string; licence: string; activity: string; days: string; activityIn: string;
  includeGroups: string[]; excludeGroups: string[]; directories: string[];
  lastFrom: string; lastTo: string; createdFrom: string; createdTo: string;
  sort: string; order: string; pageSize: number; page: number;
  /** '' any, 'yes' only exempt users, 'no' only users without an exemption. */
  exempt: string;
}

const DEFAULTS: Filters = {
  search: '', searchMode: 'contains', status: 'all', licence: 'all', activity: 'all', days: '90', activityIn: '', includeGroups: [], excludeGroups: [], directories: [],
  lastFrom: '', lastTo: '', createdFrom: '', createdTo: '', sort: 'username', order: 'asc', pageSize: 20, page: 1, exempt: '',
};
const state: Filters = { ...DEFAULTS };

// The filters live in the URL (`#/users?status=active&group=jira-software-users&page=2`, issue 24):
// reload, back/forward and a shared link open the same view. Only values that differ from the
// defaults are written; a value the tab does not offer is read as its default (the server still
// checks what it gets, e.g. `days=0` is refused beside its field).
const ONE_OF: Partial<Record<keyof Filters, string[]>> = {
  searchMode: ['contains', 'exact'], status: ['all', 'active', 'deactivated'], licence: ['all', 'licensed', 'unlicensed'],
  activity: ['all', 'within', 'notWithin', 'never'], sort: ['username', 'lastActivity', 'lastLogin', 'created'], order: ['asc', 'desc'], exempt: ['', 'yes', 'no'],
};
/** URL parameter of each filter (lists repeat their parameter). */
const PARAM: Record<keyof Filters, string> = {
  search: 'search', searchMode: 'match', status: 'status', licence: 'licence', activity: 'activity', days: 'days', activityIn: 'activityIn',
  includeGroups: 'group', excludeGroups: 'notGroup', directories: 'directory', lastFrom: 'lastLoginFrom', lastTo: 'lastLoginTo',
  createdFrom: 'createdFrom', createdTo: 'createdTo', sort: 'sort', order: 'order', pageSize: 'pageSize', page: 'page', exempt: 'exempt',
};
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/** The filters a URL query names, every other filter at its default. */
function filtersFrom(q: URLSearchParams): Filters {
  const f: Filters = { ...DEFAULTS, includeGroups: [], excludeGroups: [], directories: [] };
  const text = (k: keyof Filters): string | null => q.get(PARAM[k]);
  for (const k of ['search', 'searchMode', 'status', 'licence', 'activity', 'days', 'activityIn', 'sort', 'order', 'exempt'] as const) {
    const v = text(k);
    if (v !== null && (ONE_OF[k]?.includes(v) ?? true)) f[k] = v;
  }
  for (const k of ['lastFrom', 'lastTo', 'createdFrom', 'createdTo'] as const) {
    const v = text(k);
    if (v !== null && DAY_RE.test(v)) f[k] = v;
  }
  f.includeGroups = q.getAll(PARAM.includeGroups).filter(Boolean);
  f.excludeGroups = q.getAll(PARAM.excludeGroups).filter(Boolean);
  f.directories = q.getAll(PARAM.directories).filter((d) => /^-?\d+$/.test(d));
  const size = Number(text('pageSize'));
  if ([10, 20, 50, 100].includes(size)) f.pageSize = size;
  const page = Number(text('page'));
  if (Number.isInteger(page) && page >= 1) f.page = page;
  return f;
}

/** The URL query of `f`: only what differs from the defaults. */
function queryOf(f: Filters): URLSearchParams {
  const q = new URLSearchParams();
  for (const k of Object.keys(PARAM) as (keyof Filters)[]) {
    const v = f[k];
    if (Array.isArray(v)) { for (const x of v) q.append(PARAM[k], x); } else if (v !== DEFAULTS[k]) q.set(PARAM[k], String(v));
  }
  return q;
}
const selected = new Set<string>();
/** Filter problems shown beside their fields (`filter.activity.days`). */
let filterErrors = new FieldErrors();
let allMatching = false;
let groupsCache: Group[] | null = null;
/** Milliseconds of quiet after a keystroke in the search box before the table is asked for. */
export const SEARCH_DEBOUNCE_MS = 250;
/** The newest table request; an answer to an older one is dropped (typing outruns the server). */
let loadSeq = 0;

export async function groupNames(): Promise<Group[]> {
  if (!groupsCache) groupsCache = (await get<{ groups: Group[] }>('groups', { withCounts: 'false' })).groups;
  return groupsCache;
}
export function forgetGroups(): void { groupsCache = null; }

/** The Query JSON the server's query engine reads. */
function query(): Record<string, unknown> {
  const q: Record<string, unknown> = { sort: state.sort, order: state.order, pageSize: state.pageSize, page: state.page, status: state.status, licence: state.licence };
  if (state.search.trim()) q.search = { text: state.search.trim(), mode: state.searchMode };
  // Empty or 0 is refused by the server beside the field (it used to become 1 here, silently).
  const days = state.days.trim() === '' ? 0 : Number(state.days);
  if (state.activity === 'within') q.activity = { kind: 'within', days };
  else if (state.activity === 'notWithin') q.activity = { kind: 'notWithin', days };
  else if (state.activity === 'never') q.activity = { kind: 'never' };
  // One product's activity (Atlassian Cloud), read exactly as a rule with `signals: ["seen:<product>"]` reads it.
  if (state.activityIn) q.signals = [state.activityIn];
  if (state.includeGroups.length) q.includeGroups = state.includeGroups;
  if (state.excludeGroups.length) q.excludeGroups = state.excludeGroups;
  if (state.directories.length) q.directories = state.directories.map(Number);
  const range = (from: string, to: string): Record<string, number> | undefined => {
    const r: Record<string, number> = {};
    const f = dayToMs(from); const t = dayToMs(to, true);
    if (f !== undefined) r.from = f;
    if (t !== undefined) r.to = t;
    return Object.keys(r).length ? r : undefined;
  };
  const last = range(state.lastFrom, state.lastTo);
  if (last) q.lastLogin = last;
  const created = range(state.createdFrom, state.createdTo);
  if (created) q.created = created;
  return q;
}

function filterOnly(): Record<string, unknown> {
  const q = query();
  delete q.page; delete q.pageSize; delete q.sort; delete q.order;
  return q;
}

/** Atlassian Cloud products a per-product filter offers (docs/cloud.md); a product the organization has no date for is refused by the server. */
const CLOUD_PRODUCTS: [string, string][] = [['jira-software', 'Jira'], ['jira-servicedesk', 'Jira Service Management'], ['confluence', 'Confluence'], ['bitbucket', 'Bitbucket']];

/** The products the page's rows carry a last-active date for (Cloud), in first-seen order: one column each. */
function productColumns(rows: Page['rows']): string[] {
  const out: string[] = [];
  for (const r of rows) for (const d of r.signals ?? []) if (d.signal === 'declared' && d.product && !out.includes(d.product)) out.push(d.product);
  return out;
}
function productDate(r: Page['rows'][number], product: string): number | null | undefined {
  const d = (r.signals ?? []).find((x) => x.signal === 'declared' && x.product === product);
  return d?.at;
}

const MULTI_HINT = 'Directory: nothing selected means any; hold Ctrl (⌘ on a Mac) to pick several.';

/** A list box allowing several choices (none chosen means no restriction). */
function multi(name: string, options: [string, string][], values: string[]): HTMLSelectElement {
  const s = h('select', { name, multiple: true, size: Math.min(4, Math.max(2, options.length)), class: 'sw-multi' });
  for (const [v, text] of options) s.appendChild(h('option', { value: v, selected: values.includes(v) }, text));
  return s;
}
function picked(s: HTMLSelectElement): string[] {
  return [...s.selectedOptions].map((o) => o.value);
}

export async function renderUsers(host: HTMLElement): Promise<void> {
  // A URL with a query (reload, back/forward, a shared link) says what to show; the bare tab
  // link shows what the tab showed last, and the URL is brought in line with it.
  const fromUrl = routeQuery();
  if (fromUrl) { Object.assign(state, filtersFrom(fromUrl)); selected.clear(); allMatching = false; } else pushQuery(queryOf(state), true);
  let dirs: Directory[] | null = null;
  try { dirs = await directories(); } catch (e) { showError(host, e); }

  const search = h('input', { type: 'search', name: 'search', value: state.search, placeholder: 'Username, name or email' });
  const searchMode = select('searchMode', [['contains', 'Contains'], ['exact', 'Exact username or email']], state.searchMode);
  const cloud = (dirs ?? []).some((d) => d.kind === 'cloud_managed' || d.kind === 'cloud_external');
  // Cloud tells a suspended user (restorable, keeps groups) from a deactivated account: its own status.
  const statuses: [string, string][] = [['all', 'All'], ['active', 'Active'], ['deactivated', 'Deactivated'], ...(cloud ? [['suspended', 'Suspended'] as [string, string]] : [])];
  const status = select('status', statuses, state.status);
  const licence = select('licence', [['all', 'All'], ['licensed', 'Licensed'], ['unlicensed', 'Unlicensed']], state.licence);
  // Activity is the latest date among the counted signals (Settings → Activity signals), the date policies decide on.
  const activity = select('activity', [['all', 'Any'], ['within', 'Active within'], ['notWithin', 'Inactive for at least'], ['never', 'No activity recorded']], state.activity);
  const days = h('input', { type: 'number', name: 'days', min: 1, value: state.days, class: 'sw-narrow' });
  filterErrors = new FieldErrors();
  const activityIn = cloud ? select('activityIn', [['', 'Any product (the counted signals)'], ...CLOUD_PRODUCTS.map(([k, label]): [string, string] => [`seen:${k}`, `In ${label} only`])], state.activityIn) : null;
  const include = groupPicker('includeGroups', state.includeGroups, 'Any group');
  const exclude = groupPicker('excludeGroups', state.excludeGroups, 'No group left out');
  const sort = select('sort', [['username', 'Username'], ['lastActivity', 'Last active'], ['lastLogin', 'Last login'], ['created', 'Created']], state.sort);
  const order = select('order', [['asc', 'Ascending'], ['desc', 'Descending']], state.order);
  const directory = dirs ? multi('directories', dirs.map((d): [string, string] => [String(d.id), directoryLabel(d)]), state.directories) : null;
  const date = (name: string, value: string): HTMLInputElement => h('input', { type: 'date', name, value });
  const lastFrom = date('lastFrom', state.lastFrom);
  const lastTo = date('lastTo', state.lastTo);
  const createdFrom = date('createdFrom', state.createdFrom);
  const createdTo = date('createdTo', state.createdTo);
  const exempt = select('exempt', [['', 'Any'], ['yes', 'Exempt'], ['no', 'Not exempt']], state.exempt);
  const pageSize = select('pageSize', [['10', '10'], ['20', '20'], ['50', '50'], ['100', '100']], String(state.pageSize));

  const results = h('div', { class: 'sw-results' });
  const apply = (): void => {
    Object.assign(state, {
      search: search.value, searchMode: searchMode.value, status: status.value, licence: licence.value, activity: activity.value, days: days.value, activityIn: activityIn?.value ?? '',
      includeGroups: include.values(), excludeGroups: exclude.values(), directories: directory ? picked(directory) : [],
      lastFrom: lastFrom.value, lastTo: lastTo.value, createdFrom: createdFrom.value, createdTo: createdTo.value, sort: sort.value, order: order.value, pageSize: Number(pageSize.value), page: 1, exempt: exempt.value,
    });
    selected.clear(); allMatching = false;
    pushQuery(queryOf(state));
    void load(results);
  };
  for (const c of [exempt, searchMode, status, licence, activity, activityIn, directory, sort, order, pageSize, lastFrom, lastTo, createdFrom, createdTo]) c?.addEventListener('change', apply);
  days.addEventListener('change', apply);
  // Search as you type, debounced: at 1M users a keystroke's query costs milliseconds, but one per
  // keystroke still queues requests behind each other; the table asks once typing pauses.
  let typing: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => {
    clearTimeout(typing);
    results.dataset.state = 'typing';
    typing = setTimeout(() => { if (search.value !== state.search) apply(); else results.dataset.state = 'ready'; }, SEARCH_DEBOUNCE_MS);
  });
  include.onChange(apply); exclude.onChange(apply);
  const hintId = nextId('multi-hint');
  directory?.setAttribute('aria-describedby', hintId);
  const form = h('form', { class: 'sw-filters sw-filters-rows', role: 'search', 'aria-label': 'Filter users', onsubmit: (e: Event) => { e.preventDefault(); apply(); } },
    h('div', { class: 'sw-filter-row' }, field('Search', search), field('Match', searchMode), field('Status', status), field('Licence', licence), field('Activity', activity), filterErrors.field('filter.activity.days', 'Days', days), field('Exemption', exempt), activityIn ? field('Activity in', activityIn) : null),
    h('div', { class: 'sw-filter-row sw-filter-top' }, field('Member of', include.el), field('Not member of', exclude.el), directory ? field('Directory', directory) : null,
      h('span', { class: 'sw-hint sw-filter-note', id: hintId }, MULTI_HINT)),
    h('div', { class: 'sw-filter-row' },
      h('fieldset', { class: 'sw-range' }, h('legend', {}, 'Last login (UTC)'), field('Last login from', lastFrom), field('Last login to', lastTo)),
      h('fieldset', { class: 'sw-range' }, h('legend', {}, 'Created (UTC)'), field('Created from', createdFrom), field('Created to', createdTo))),
    h('div', { class: 'sw-filter-row' }, field('Sort by', sort), field('Order', order), field('Rows per page', pageSize),
      h('div', { class: 'sw-field sw-field-button' }, h('button', { type: 'submit', class: 'sw-btn sw-btn-primary' }, 'Apply filters')),
      h('div', { class: 'sw-field sw-field-button' }, button('Clear all filters', () => { Object.assign(state, DEFAULTS); selected.clear(); allMatching = false; pushQuery(queryOf(state)); void renderUsers(host); }, 'subtle'))));
  clear(host, form, results);
  await load(results);
}

async function load(results: HTMLElement): Promise<void> {
  // `data-state` (loading, ready) and `data-search` (the search text the rows answer) let tests
  // and assistive tools wait for the table of the latest filter.
  const seq = ++loadSeq;
  results.dataset.state = 'loading';
  let page: Page;
  clearTimeout(indexingPoll);
  try { page = await get<Page>('users', tableParams()); } catch (e) {
    if (seq !== loadSeq) return;
    results.dataset.state = 'ready';
    // A bad filter never empties the table: the error goes beside its field (or above the table),
    // and the rows of the last filter that worked stay, marked as such.
    for (const old of results.querySelectorAll('[data-testid="filter-error"]')) old.remove();
    const left = filterErrors.show(e);
    const note = h('div', { 'data-testid': 'filter-error' });
    if (left.length || !(e instanceof ApiError)) showError(note, e);
    if (results.querySelector('[data-testid="users-table"]')) note.append(h('p', { class: 'sw-muted' }, 'The table still shows the last filter that worked.'));
    results.prepend(note);
    return;
  }
  if (seq !== loadSeq) return;
  draw(results, page, seq);
}

/** The table request's parameters for the current filters. */
function tableParams(): Record<string, string> {
  return { filter: JSON.stringify(query()), ...(state.exempt ? { exempt: state.exempt } : {}) };
}

/**
 * Waits between the polls of a page answered while the directory is indexed (after a restart):
 * half a second, then doubling up to five. A million users take a few seconds to index; a small
 * directory is ready by the first poll.
 */
export const INDEXING_POLL_MS = [500, 1_000, 2_000, 4_000, 5_000];
/** The pending poll, so a new table request (or leaving the tab) cancels it. */
let indexingPoll: ReturnType<typeof setTimeout> | undefined;

/**
 * While `indexing` is true the page came straight from the directory (the default view's first
 * pages, before the index is built after a restart); filters, other sorts and later pages are
 * answered once the index is ready. The same request is asked again, with backoff, until an answer
 * says the index is ready, and that answer is drawn: polling rather than waiting for the admin's next
 * click, so the note goes away by itself and the next filter is answered at once. The poll is the
 * page's own cheap request (the first users only, while indexing), and it stops as soon as
 * another table request is made.
 */
function pollIndexing(results: HTMLElement, seq: number, step: number, since: number): void {
  clearTimeout(indexingPoll);
  const wait = INDEXING_POLL_MS[Math.min(step, INDEXING_POLL_MS.length - 1)];
  indexingPoll = setTimeout(() => {
    if (seq !== loadSeq || !results.isConnected) return;
    void get<Page>('users', tableParams()).then((page) => {
      if (seq !== loadSeq || !results.isConnected) return;
      // How many polls were answered (tests wait on it).
      results.dataset.polls = String(step + 1);
      if (page.indexing) {
        const seconds = results.querySelector('[data-testid="indexing-seconds"]');
        if (seconds) seconds.textContent = String(Math.round((Date.now() - since) / 1000));
        pollIndexing(results, seq, step + 1, since);
      } else draw(results, page, seq);
    }, () => { if (seq === loadSeq) pollIndexing(results, seq, step + 1, since); });
  }, wait);
}

function draw(results: HTMLElement, page: Page, seq: number): void {
  clearTimeout(indexingPoll);
  results.dataset.state = 'ready';
  results.dataset.search = state.search;
  results.dataset.indexing = page.indexing ? 'true' : 'false';
  filterErrors.clear();
  const since = Date.now();
  if (page.indexing) pollIndexing(results, seq, 0, since);
  const selInfo = h('span', { 'data-testid': 'selection-count', 'aria-live': 'polite' });
  const refreshSel = (): void => { selInfo.textContent = allMatching ? `All ${fmtNum(page.total)} matching users selected` : `${selected.size} selected`; };
  refreshSel();
  const headerBox = h('input', { type: 'checkbox', 'aria-label': 'Select every user on this page' });
  headerBox.checked = page.rows.length > 0 && page.rows.every((r) => selected.has(r.key));
  const boxes: HTMLInputElement[] = [];
  headerBox.addEventListener('change', () => { allMatching = false; for (const b of boxes) { b.checked = headerBox.checked; if (b.checked) selected.add(b.value); else selected.delete(b.value); } refreshSel(); });
  const bulkAction = select('bulkAction', [['deactivate', 'Deactivate'], ['activate', 'Activate'], ['suspend', 'Suspend access (Cloud)'], ['restore', 'Restore access (Cloud)'], ['delete', 'Delete'], ['add_to_groups', 'Add to groups'], ['remove_from_groups', 'Remove from groups'], ['exempt', 'Exempt from policies…'], ['unexempt', 'Remove exemption']]);
  const bulkGroups = groupPicker('bulkGroups', []);
  const products = productColumns(page.rows);
  const idleDays = Number(state.days) >= 1 ? Number(state.days) : Number(DEFAULTS.days);
  clear(results,
    page.indexing ? h('p', { class: 'sw-hint', role: 'status', 'data-testid': 'users-indexing' },
      'The directory is still being indexed (', h('span', { 'data-testid': 'indexing-seconds' }, '0'), ' s so far): these first pages come straight from it. ',
      'Filters, other sorts and later pages are answered once indexing is done; this note then goes away by itself.') : null,
    h('div', { class: 'sw-toolbar' },
      h('strong', { 'data-testid': 'user-total' }, plural(page.total, 'user')), selInfo,
      button('Select all that match', () => { allMatching = true; refreshSel(); }, 'subtle'),
      button('Clear selection', () => { allMatching = false; selected.clear(); boxes.forEach((b) => { b.checked = false; }); headerBox.checked = false; refreshSel(); }, 'subtle'),
      field('Bulk action', bulkAction), field('Groups (for group actions)', bulkGroups.el),
      button('Preview bulk action', () => void bulk(bulkAction.value, bulkGroups.values(), results), 'primary'),
      button('Export…', () => exportDialog(page.total))),
    // The wrapper scrolls a table wider than the page (many product columns) instead of the page itself.
    h('div', { class: 'sw-table-wrap', 'data-testid': 'users-table-wrap' }, h('table', { class: 'sw-table sw-users-table', 'data-testid': 'users-table' },
      h('caption', { class: 'sw-sr' }, 'Users'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, headerBox), ['Username', 'Name', 'Email', 'Directory', 'Status', 'Created', 'Last login', 'Last active', ...products.map((p) => `Last active in ${productLabel(p)}`), 'Why inactive', 'Exempt', 'Groups'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, page.rows.map((r) => {
        const box = h('input', { type: 'checkbox', value: r.key, 'aria-label': `Select ${r.username}` });
        box.checked = selected.has(r.key);
        box.addEventListener('change', () => { allMatching = false; if (box.checked) selected.add(r.key); else selected.delete(r.key); refreshSel(); });
        boxes.push(box);
        return h('tr', { 'data-testid': 'user-row' },
          h('td', {}, box), h('td', {}, h('a', { href: '#', onclick: (e: Event) => { e.preventDefault(); void userDialog(r.key, r.username, results); } }, trunc(r.username, 'name'))), h('td', {}, trunc(r.displayName, 'name')), h('td', {}, trunc(r.email, 'email')), h('td', { 'data-testid': 'row-directory' }, trunc(r.directoryName, 'directory')),
          h('td', {}, statusLozenge(r), r.licensed ? [' ', lozenge('licensed', 'info')] : null),
          h('td', { class: 'sw-date' }, fmtDate(r.created)), h('td', { class: 'sw-date' }, fmtDate(r.lastLogin)), h('td', { class: 'sw-date', 'data-testid': 'row-last-active' }, fmtDate(r.lastActivity)),
          products.map((p) => h('td', { class: 'sw-date', 'data-product': p }, fmtDate(productDate(r, p)))), reasonCell(r, idleDays),
          h('td', { 'data-testid': 'row-exempt' }, exemptBadge(page.exemptions?.[r.key])),
          h('td', { class: 'sw-groups' }, trunc(r.groups.join(', '), 'groups')));
      })))),
    page.total === 0 ? emptyState() : null,
    pager(page.page, page.pageCount, (p) => { state.page = p; pushQuery(queryOf(state)); void load(results); }));
}

/**
 * One line of a long value (issue 24: at 1280 px directory names wrapped onto three lines): cut with an
 * ellipsis at a width that grows with the window (app.css `.sw-trunc-*`), the whole value in its title.
 */
function trunc(text: string, kind: 'name' | 'email' | 'directory' | 'groups'): HTMLElement {
  return h('span', { class: `sw-trunc sw-trunc-${kind}`, title: text }, text);
}

/**
 * "Why inactive" only for inactive users (issue 24): a deactivated account, one never active, or one
 * idle for at least the Days field's number of days (the tab's meaning of inactive, 90 unless changed). An active user
 * gets a dash, with what counts as inactive as its description.
 */
function reasonCell(r: Page['rows'][number], idleDays: number): HTMLElement {
  // Never active at all counts as inactive, as the Activity filter's "inactive for at least" does.
  const inactive = !r.active || r.inactiveBecause.neverLoggedIn || r.inactiveBecause.days >= idleDays;
  return inactive ? h('td', { 'data-testid': 'row-reason' }, r.inactiveBecause.text)
    : h('td', { 'data-testid': 'row-reason', 'data-active': 'true', title: `Active within the last ${plural(idleDays, 'day')}` }, '—');
}

/** Active, suspended (Cloud: restorable, keeps groups) or deactivated, in the table and the detail alike. */
function statusLozenge(r: { active: boolean; suspended?: boolean }): HTMLElement {
  return r.active ? lozenge('active', 'success') : r.suspended ? lozenge('suspended', 'warning') : lozenge('deactivated', 'neutral');
}

/** What an admin can do when no user matches: say it instead of an empty table. */
function emptyState(): HTMLElement {
  return h('div', { class: 'sw-empty', role: 'status', 'data-testid': 'users-empty' },
    h('strong', {}, 'No user matches these filters.'),
    h('p', {}, 'Remove a group or directory, widen the date ranges or the activity days, or press “Clear all filters”.'));
}

/**
 * A bulk action on the selection, or on the one user `only` (the user detail's actions): both go
 * through the same server plan, its reasons and skips, and the same confirmation.
 */
async function bulk(action: string, groups: string[], results: HTMLElement, only?: string, backToUser?: () => void): Promise<void> {
  if (only === undefined && !allMatching && selected.size === 0) { const d = openDialog('Nothing selected', 'Select users, or "Select all that match", first.'); void d; return; }
  const every = only === undefined && allMatching;
  const keys = only === undefined ? [...selected] : [only];
  const who: Record<string, unknown> = every ? { filter: filterOnly() } : { users: keys };
  if (action === 'exempt') { exemptDialog(who, every ? null : keys.length, () => void load(results)); return; }
  if (action === 'unexempt') { removeExemptions(who, () => void load(results)); return; }
  const body: Record<string, unknown> = { action };
  if (action.endsWith('_groups')) body.groups = groups;
  if (every) body.filter = filterOnly(); else body.keys = keys;
  const dialog = openDialog('Bulk action: review the plan', h('p', { role: 'status' }, 'Planning…'));
  let plan: BulkPlan;
  try { plan = await post<BulkPlan>('bulk/plan', body); } catch (e) { clear(dialog.body); showError(dialog.body, e); return; }
  clear(dialog.body, bulkPlanView(plan));
  const foot = dialog.el.querySelector('.sw-dialog-foot');
  const confirm = confirmChange(summaryOf(plan.document), `Apply ${fmtNum(plan.actionCount)} ${plan.actionCount === 1 ? 'change' : 'changes'}`, () => {
    run.disabled = true;
    void (async () => {
      try {
        const { runId } = await post<{ runId: number }>(`bulk/${encodeURIComponent(plan.planId)}/run`, { planHash: plan.planHash });
        await followRun(dialog.body, runId, 'Bulk action progress');
        void load(results);
        // From the user detail: back to it, showing what the run changed.
        if (backToUser) foot?.appendChild(button('Back to the user', () => { dialog.close(); backToUser(); }, 'primary'));
      } catch (e) { showError(dialog.body, e); }
    })();
  });
  const run = confirm.button;
  if (plan.actionCount === 0) run.disabled = true;
  dialog.body.prepend(confirm.el);
  foot?.appendChild(run);
}

const COLUMNS = ['key', 'username', 'display name', 'email', 'directory', 'active', 'suspended', 'created', 'last login', 'login count', 'groups', 'licensed applications'];

function exportDialog(total: number): void {
  const boxes = COLUMNS.map((c) => h('input', { type: 'checkbox', name: 'column', value: c, checked: c !== 'key' }));
  const bom = h('input', { type: 'checkbox', name: 'bom' });
  const scope = select('scope', [['filter', `All ${total} users matching the filter`], ['selection', `Only the selected users (${selected.size})`]], selected.size && !allMatching ? 'selection' : 'filter');
  const status = h('div', {});
  const d = openDialog('Export users', [
    field('Which users', scope),
    h('fieldset', { class: 'sw-columns' }, h('legend', {}, 'Columns'), boxes.map((b) => h('label', { class: 'sw-check' }, b, ` ${b.value}`))),
    h('label', { class: 'sw-check' }, bom, ' Add a byte-order mark (for Excel)'), status,
  ], [button('Download CSV', () => {
    const columns = boxes.filter((b) => b.checked).map((b) => b.value).join(',');
    const q: Record<string, string> = { columns, bom: bom.checked ? 'true' : 'false' };
    // The table's sort goes along: the file lists users in the order the table shows them, and the
    // server names the file after the filter (`users-inactive-90d-group-jira-software-users.csv`).
    q.filter = JSON.stringify({ ...filterOnly(), sort: state.sort, order: state.order });
    if (scope.value === 'selection') q.keys = [...selected].join(',');
    if (state.exempt) q.exempt = state.exempt;
    void getBlob('users/export', q).then(({ blob, name }) => { download(blob, name); d.close(); }, (e: unknown) => showError(status, e));
  }, 'primary')]);
}

type UserDetail = Schemas['GetUserResponse'];

/** Each counted signal's date for one user, latest first (absent where login is the only signal). */
function signalDates(signals: SignalDate[] | undefined): HTMLElement | null {
  if (!signals?.length) return null;
  return h('table', { class: 'sw-table', 'data-testid': 'user-signals' },
    h('caption', {}, 'Activity by signal (latest first; the latest counts)'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Signal'), h('th', { scope: 'col' }, 'Date'))),
    h('tbody', {}, signals.map((d) => h('tr', { 'data-testid': 'user-signal' }, h('td', {}, signalDateLabel(d)), h('td', { class: 'sw-date' }, d.at === null ? 'never' : fmtDate(d.at))))));
}

/**
 * The user detail's actions (issue 24): each closes the detail and opens the bulk action's plan for
 * this one user, with its reasons, skips and confirmation, so a single change is checked and audited
 * exactly like a bulk one.
 */
function userActions(u: UserDetail, cloud: boolean, close: () => void, results: HTMLElement): HTMLElement {
  const reopen = (): void => void userDialog(u.row.key, u.row.username, results);
  const act = (action: string, groups: string[] = []): void => { close(); void bulk(action, groups, results, u.row.key, reopen); };
  const theirs = select('detailRemoveGroup', u.row.groups.map((g): [string, string] => [g, g]));
  const add = groupPicker('detailAddGroup', [], 'Choose a group');
  const exempt = (u.exemptions ?? []).length > 0;
  return h('div', { class: 'sw-user-actions', role: 'group', 'aria-label': 'Actions on this user', 'data-testid': 'user-actions' },
    h('div', { class: 'sw-toolbar' },
      // Cloud suspends organization access (restorable, keeps groups): offered beside Deactivate for an
      // active Cloud user, and Restore instead of Reactivate for a suspended one.
      u.row.active ? button('Deactivate…', () => act('deactivate'), 'default') : u.row.suspended ? null : button('Reactivate…', () => act('activate'), 'primary'),
      cloud && u.row.active ? button('Suspend access…', () => act('suspend'), 'default') : null,
      cloud && u.row.suspended ? button('Restore access…', () => act('restore'), 'primary') : null,
      button('Exempt from policies…', () => act('exempt'), 'subtle'),
      exempt ? button('Remove exemption…', () => act('unexempt'), 'subtle') : null,
      button('Delete…', () => act('delete'), 'danger')),
    h('div', { class: 'sw-toolbar' },
      u.row.groups.length ? [field('Their group', theirs), button('Remove from group…', () => act('remove_from_groups', [theirs.value]), 'default')] : null,
      field('Add to group', add.el), button('Add to group…', () => { const g = add.values(); if (g.length) act('add_to_groups', g); }, 'default')));
}

/** One user: why they count as inactive, which policies would act on them now, and actions on them. */
async function userDialog(key: string, username: string, results: HTMLElement): Promise<void> {
  const d = openDialog(`User ${username}`, h('p', { role: 'status' }, 'Loading…'));
  try {
    const [u, dirs] = await Promise.all([get<UserDetail>(`users/${encodeURIComponent(key)}`), directories()]);
    const kind = (dirs ?? []).find((x) => x.id === u.row.directory)?.kind;
    const cloud = kind === 'cloud_managed' || kind === 'cloud_external';
    clear(d.body, userActions(u, cloud, d.close, results),
      h('dl', { class: 'sw-dl' },
        h('dt', {}, 'Status'), h('dd', { 'data-testid': 'user-status' }, statusLozenge(u.row)),
        h('dt', {}, 'Name'), h('dd', {}, u.row.displayName), h('dt', {}, 'Email'), h('dd', {}, u.row.email),
        h('dt', {}, 'Directory'), h('dd', {}, u.row.directoryName), h('dt', {}, 'Created'), h('dd', {}, fmtDate(u.row.created)),
        h('dt', {}, 'Logins'), h('dd', {}, fmtNum(u.row.loginCount)), h('dt', {}, 'Why inactive'), h('dd', { 'data-testid': 'user-why-inactive' }, u.row.inactiveBecause.text),
        h('dt', {}, 'Groups'), h('dd', {}, u.row.groups.join(', '))),
      h('h3', {}, 'Exemptions'), exemptionList(u.exemptions ?? []),
      signalDates(u.row.signals),
      h('h3', {}, 'Policies that would act now'), planView(null, u.policies));
  } catch (e) { clear(d.body); showError(d.body, e); }
}
