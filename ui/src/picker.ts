// Searchable pickers for users and groups (issue 24, item 6).
//
// Why: user fields took internal keys (JIRAUSER12345) and group fields were
// free text or Ctrl-click list boxes holding every group, which neither
// scales to 20,000 users nor stops a typo. A picker asks the server for the
// best matches of what was typed (`GET /api/pick/users`, `/api/pick/groups`,
// answered from the index), shows users by name and username and groups with
// their member counts, and only lets the admin choose what the server
// listed: a name that does not exist cannot be chosen.
//
// The markup follows the WAI-ARIA 1.2 combobox pattern with a listbox popup
// (https://www.w3.org/WAI/ARIA/apg/patterns/combobox/examples/combobox-autocomplete-list/):
// focus stays in the input, `aria-activedescendant` names the highlighted
// option; ArrowDown/ArrowUp move, Enter chooses, Escape closes (then
// clears), Backspace in an empty input removes the last chip. Typing is
// debounced and an answer that arrives after a newer one was asked for is
// dropped, so the list never shows stale matches.
//
// State for tests and screen readers: the root carries `data-state`
// (`idle`, `loading`, `ready`) and `data-query` (the text the shown options
// answer), and a polite live region says how many matched.

import { h, clear, fmtNum, nextId, errorText } from './dom';
import { get, type Schemas } from './api';

export type PickedUser = Schemas['PickedUser'];
export type PickedGroup = Schemas['PickedGroup'];

/** Milliseconds of quiet after a keystroke before the server is asked. */
const DEBOUNCE_MS = 150;

interface Option { value: string; label: string; detail: string; match: string[] }

interface Source {
  noun: string; plural: string;
  search(q: string): Promise<{ options: Option[]; total: number }>;
  resolve(values: string[]): Promise<{ options: Option[]; missing: string[] }>;
}

function userOption(u: PickedUser): Option {
  const name = u.displayName || u.username;
  return {
    value: u.key,
    label: u.displayName && u.displayName !== u.username ? `${u.displayName} (${u.username})` : u.username,
    detail: [u.email, u.directory, u.active ? '' : 'deactivated'].filter(Boolean).join(' · '),
    match: [u.key, u.username, u.email, name].map((x) => x.toLowerCase()),
  };
}

function groupOption(g: PickedGroup): Option {
  const flags = [g.admin ? 'admin' : '', g.licence ? 'licence' : ''].filter(Boolean).join(', ');
  return {
    value: g.name,
    label: g.name,
    detail: `${fmtNum(g.members)} ${g.members === 1 ? 'member' : 'members'}${flags ? ` · ${flags}` : ''}`,
    match: [g.name.toLowerCase()],
  };
}

const USERS: Source = {
  noun: 'user', plural: 'users',
  async search(q) {
    const r = await get<Schemas['PickUsersResponse']>('pick/users', { q, limit: 20 });
    return { options: r.users.map(userOption), total: r.total };
  },
  async resolve(keys) {
    const params = new URLSearchParams();
    for (const k of keys) params.append('key', k);
    const r = await get<Schemas['PickUsersResponse']>(`pick/users?${params.toString()}`);
    return { options: r.users.map(userOption), missing: r.missing };
  },
};

const GROUPS: Source = {
  noun: 'group', plural: 'groups',
  async search(q) {
    const r = await get<Schemas['PickGroupsResponse']>('pick/groups', { q, limit: 20 });
    return { options: r.groups.map(groupOption), total: r.total };
  },
  async resolve(names) {
    const params = new URLSearchParams();
    for (const n of names) params.append('name', n);
    const r = await get<Schemas['PickGroupsResponse']>(`pick/groups?${params.toString()}`);
    return { options: r.groups.map(groupOption), missing: r.missing };
  },
};

export interface Picker {
  /** The wrapper: chips, the combobox input and its listbox. */
  el: HTMLElement;
  /** The combobox input (what a label names). */
  input: HTMLInputElement;
  /** The chosen values: group names, or user keys. */
  values(): string[];
  /** Called after every change of the chosen values. */
  onChange(fn: (values: string[]) => void): void;
}

interface PickerOptions {
  /** The input's `name` (tests and autofill tell fields apart by it). */
  name: string;
  /** Several values (chips) or one. */
  multiple: boolean;
  placeholder?: string;
}

function picker(source: Source, initial: readonly string[], opts: PickerOptions): Picker {
  let chosen: { value: string; label: string; missing: boolean }[] = initial.filter(Boolean).map((v) => ({ value: v, label: v, missing: false }));
  let options: Option[] = [];
  let active = -1;
  let generation = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending: Promise<void> | null = null;
  const listeners: ((values: string[]) => void)[] = [];

  const listId = nextId('picker-list');
  const input = h('input', {
    type: 'text', name: opts.name, role: 'combobox', autocomplete: 'off', 'aria-autocomplete': 'list',
    'aria-expanded': 'false', 'aria-controls': listId, placeholder: opts.placeholder ?? `Search ${source.plural}…`,
    'data-label-target': '', class: 'sw-picker-input',
  });
  const list = h('ul', { id: listId, role: 'listbox', class: 'sw-picker-list', hidden: true, 'aria-label': `Matching ${source.plural}` });
  const chips = h('ul', { class: 'sw-chips', 'aria-label': `Chosen ${source.plural}` });
  const status = h('div', { class: 'sw-picker-status', 'aria-live': 'polite' });
  const el = h('div', { class: 'sw-picker', 'data-picker': source.plural, 'data-name': opts.name, 'data-state': 'idle', 'data-query': '' },
    chips, h('div', { class: 'sw-picker-box' }, input, list), status);

  const changed = (): void => { drawChips(); for (const fn of listeners) fn(chosen.map((c) => c.value)); };

  function drawChips(): void {
    clear(chips, chosen.map((c, i) => h('li', {
      class: `sw-chip${c.missing ? ' sw-chip-missing' : ''}`, 'data-testid': 'chip', 'data-value': c.value,
      title: c.missing ? `No ${source.noun} by this ${source === USERS ? 'key' : 'name'} exists any more` : null,
    }, h('span', {}, c.label), c.missing ? h('span', { class: 'sw-chip-note' }, ' (not found)') : null,
    h('button', {
      type: 'button', class: 'sw-chip-remove', 'aria-label': `Remove ${c.label}`,
      onclick: () => { chosen.splice(i, 1); changed(); input.focus(); },
    }, '×'))));
    chips.hidden = chosen.length === 0;
    el.dataset.count = String(chosen.length);
  }

  function open(on: boolean): void {
    list.hidden = !on;
    input.setAttribute('aria-expanded', String(on));
    if (!on) { active = -1; input.removeAttribute('aria-activedescendant'); }
  }

  function highlight(i: number): void {
    const items = [...list.querySelectorAll<HTMLElement>('[role=option]')];
    if (!items.length) return;
    active = (i + items.length) % items.length;
    items.forEach((item, j) => item.setAttribute('aria-selected', String(j === active)));
    const current = items[active];
    if (current) { input.setAttribute('aria-activedescendant', current.id); current.scrollIntoView({ block: 'nearest' }); }
  }

  function choose(o: Option): void {
    if (opts.multiple) {
      if (!chosen.some((c) => c.value === o.value)) chosen.push({ value: o.value, label: o.label, missing: false });
    } else {
      chosen = [{ value: o.value, label: o.label, missing: false }];
    }
    input.value = '';
    open(false);
    status.textContent = `${o.label} chosen.`;
    changed();
  }

  function drawOptions(q: string, total: number): void {
    const answered = options.length;
    const taken = new Set(chosen.map((c) => c.value));
    const shown = options.filter((o) => !taken.has(o.value));
    clear(list, shown.map((o) => {
      const item = h('li', { role: 'option', id: nextId('picker-opt'), 'aria-selected': 'false', 'data-value': o.value, class: 'sw-picker-option' },
        h('span', { class: 'sw-picker-label' }, o.label), h('span', { class: 'sw-picker-detail' }, o.detail));
      // mousedown, not click: keep the focus in the input (a blur would close the list first).
      item.addEventListener('mousedown', (e) => { e.preventDefault(); choose(o); });
      return item;
    }));
    options = shown;
    active = -1;
    input.removeAttribute('aria-activedescendant');
    if (!shown.length) list.appendChild(h('li', { class: 'sw-picker-empty', role: 'presentation' }, q ? `No ${source.noun} matches “${q}”.` : `No ${source.plural} to choose.`));
    // `total` counts every match on the server, chosen ones too; the answer held `answered` of them.
    status.textContent = total > answered && shown.length
      ? `${fmtNum(shown.length)} shown of ${fmtNum(total)} matching ${source.plural}; type more to narrow.`
      : `${fmtNum(shown.length)} ${shown.length === 1 ? source.noun : source.plural} to choose.`;
    el.dataset.query = q;
    el.dataset.state = 'ready';
  }

  /** Asks the server for `input.value` now; resolves when its answer is drawn (or superseded). */
  function search(): Promise<void> {
    if (timer !== undefined) { clearTimeout(timer); timer = undefined; }
    const mine = ++generation;
    const q = input.value.trim();
    el.dataset.state = 'loading';
    pending = source.search(q).then((r) => {
      if (mine !== generation) return;
      if (document.activeElement !== input) { el.dataset.state = 'idle'; return; }
      options = r.options;
      drawOptions(q, r.total);
      open(true);
    }, (e: unknown) => {
      if (mine !== generation) return;
      status.textContent = `Search failed: ${errorText(e)}`;
      el.dataset.state = 'ready';
    });
    return pending;
  }

  function schedule(): void {
    if (timer !== undefined) clearTimeout(timer);
    el.dataset.state = 'loading';
    timer = setTimeout(() => { timer = undefined; void search(); }, DEBOUNCE_MS);
  }

  input.addEventListener('input', schedule);
  input.addEventListener('focus', () => { if (list.hidden) void search(); });
  input.addEventListener('blur', () => {
    // What was typed but not chosen is not a value: do not leave it looking like one.
    if (timer !== undefined) { clearTimeout(timer); timer = undefined; }
    generation += 1;
    input.value = '';
    open(false);
    el.dataset.state = 'idle';
  });
  input.addEventListener('keydown', (e: KeyboardEvent) => {
    switch (e.key) {
      case 'ArrowDown': case 'ArrowUp': {
        e.preventDefault();
        const step = e.key === 'ArrowDown' ? 1 : -1;
        if (list.hidden || el.dataset.state !== 'ready' || timer !== undefined) {
          void search().then(() => highlight(step > 0 ? 0 : -1));
        } else {
          highlight(active < 0 && step < 0 ? -1 : active + step);
        }
        break;
      }
      case 'Enter': {
        // Never submits the surrounding form: Enter here means "choose".
        e.preventDefault();
        const typed = input.value.trim().toLowerCase();
        const pick = (): void => {
          const o = active >= 0 ? options[active] : options.find((x) => typed !== '' && x.match.includes(typed));
          if (o) choose(o);
          else if (typed) status.textContent = `No ${source.noun} “${input.value.trim()}”: choose one from the list.`;
        };
        if (active >= 0 && !list.hidden) pick();
        else void search().then(pick);
        break;
      }
      case 'Escape':
        if (!list.hidden) { e.preventDefault(); e.stopPropagation(); open(false); }
        else if (input.value) { e.preventDefault(); e.stopPropagation(); input.value = ''; }
        break;
      case 'Backspace':
        if (input.value === '' && chosen.length) { e.preventDefault(); const gone = chosen.pop(); changed(); status.textContent = `${gone?.label ?? ''} removed.`; }
        break;
      case 'Tab':
        open(false);
        break;
      default:
    }
  });

  drawChips();
  // Show saved values by name; flag those that no longer exist.
  if (chosen.length) {
    el.dataset.resolved = 'false';
    void source.resolve(chosen.map((c) => c.value)).then((r) => {
      const byValue = new Map(r.options.map((o) => [o.value.toLowerCase(), o]));
      const missing = new Set(r.missing);
      chosen = chosen.map((c) => {
        const o = byValue.get(c.value.toLowerCase());
        return { value: c.value, label: o?.label ?? c.value, missing: missing.has(c.value) };
      });
      drawChips();
    }, () => { /* keep the raw values: saving still works, the server validates */ }).finally(() => { el.dataset.resolved = 'true'; });
  }

  return { el, input, values: () => chosen.map((c) => c.value), onChange: (fn) => { listeners.push(fn); } };
}

/** A picker of several groups (chips), by name with member counts. */
export function groupPicker(name: string, initial: readonly string[], placeholder?: string): Picker {
  return picker(GROUPS, initial, { name, multiple: true, placeholder });
}

/** A picker of one user, by username, name or email; its value is the user's key. */
export function userPicker(name: string, initial: string | null | undefined, placeholder?: string): Picker {
  return picker(USERS, initial ? [initial] : [], { name, multiple: false, placeholder });
}
