// Field-level validation messages. The server validates everything and names
// each problem's path (`condition.days`, `settings.guard.maxAccounts`); a form
// registers which control edits which path and shows each problem beside it.
// Nothing here decides what is valid: the browser only places the message.

import { h, labelTarget, nextId, plain } from './dom';
import { ApiError, ApiProblem } from './api';

interface Registered { path: string; control: HTMLElement; wrap: HTMLElement }

export class FieldErrors {
  private fields: Registered[] = [];
  private shown: { el: HTMLElement; control: HTMLElement; describedBy: string | null }[] = [];

  /** A labelled field whose control edits `path`; returns the field's wrapper. */
  field(path: string, label: string, control: HTMLElement, hint?: string): HTMLElement {
    const target = labelTarget(control);
    const id = target.id || nextId('f');
    target.id = id;
    const hintEl = hint ? h('span', { class: 'sw-hint', id: `${id}-hint` }, hint) : null;
    if (hintEl) target.setAttribute('aria-describedby', hintEl.id);
    const wrap = h('div', { class: 'sw-field', 'data-path': path }, h('label', { for: id }, label), control, hintEl);
    this.register(path, target, wrap);
    return wrap;
  }

  /** Registers an existing wrapper (checkbox rows, fieldsets) for `path`. */
  register(path: string, control: HTMLElement, wrap: HTMLElement): void {
    this.fields.push({ path, control, wrap });
  }

  /**
   * Points `control` at a new path. For list rows whose index in the sent
   * document is only known when the form is sent (empty rows are left out).
   */
  repath(control: HTMLElement, path: string): void {
    for (const f of this.fields) if (f.control === control) f.path = path;
  }

  /** True while at least one problem is shown beside its field. */
  hasShown(): boolean { return this.shown.length > 0; }

  clear(): void {
    for (const s of this.shown) {
      s.el.remove();
      s.control.removeAttribute('aria-invalid');
      if (s.describedBy) s.control.setAttribute('aria-describedby', s.describedBy); else s.control.removeAttribute('aria-describedby');
    }
    this.shown = [];
  }

  /** The registered field a problem path belongs to (the most specific match). */
  private owner(path: string): Registered | undefined {
    let best: Registered | undefined;
    for (const f of this.fields) {
      if (f.wrap.closest('[hidden]')) continue;
      const hit = path === f.path || path.startsWith(`${f.path}.`) || path.startsWith(`${f.path}[`) || f.path.startsWith(`${path}.`);
      if (hit && (!best || f.path.length > best.path.length)) best = f;
    }
    return best;
  }

  /**
   * Shows every problem of `err` beside its field (paths first lose `prefix`);
   * returns the problems no field claimed, for a banner.
   */
  show(err: unknown, prefix = ''): ApiProblem[] {
    this.clear();
    if (!(err instanceof ApiError)) return [];
    const left: ApiProblem[] = [];
    let first: HTMLElement | null = null;
    for (const p of err.problems()) {
      const path = p.path && prefix && p.path.startsWith(prefix) ? p.path.slice(prefix.length) : p.path;
      const owner = path ? this.owner(path) : undefined;
      if (!owner) { left.push(p); continue; }
      const id = nextId('err');
      const el = h('div', { class: 'sw-field-error', id, 'data-testid': 'field-error', 'data-path': p.path ?? '' }, plain(p.message));
      owner.wrap.appendChild(el);
      const describedBy = owner.control.getAttribute('aria-describedby');
      owner.control.setAttribute('aria-invalid', 'true');
      owner.control.setAttribute('aria-describedby', describedBy ? `${describedBy} ${id}` : id);
      this.shown.push({ el, control: owner.control, describedBy });
      first ??= owner.control;
    }
    first?.focus();
    return left;
  }
}

/** `a; b, c` → `['a', 'b', 'c']`. */
export function list(text: string): string[] {
  return text.split(/[;,\n]/).map((x) => x.trim()).filter(Boolean);
}

/** A list shown in a text box. */
export function joinList(items: readonly string[] | undefined | null): string {
  return (items ?? []).join('; ');
}

/** A `yyyy-mm-dd` date input's value as UTC milliseconds at the start (or end) of that day. */
export function dayToMs(date: string, end = false): number | undefined {
  if (!date) return undefined;
  const ms = Date.parse(`${date}T${end ? '23:59:59.999' : '00:00:00.000'}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** A checkbox with its label to the right. */
export function check(name: string, label: string, checked: boolean): { input: HTMLInputElement; el: HTMLElement } {
  const input = h('input', { type: 'checkbox', name, checked });
  return { input, el: h('label', { class: 'sw-check' }, input, ` ${label}`) };
}
