// Tiny DOM helpers: no framework, every view builds plain elements.

export type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

/** Creates an element; `on*` attributes become listeners, `false`/`null` attributes are left out. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'style') {
      // CSSOM, not the style attribute: the server's CSP forbids inline style attributes.
      el.style.cssText = String(value);
    } else if (name === 'value' && 'value' in el) {
      (el as HTMLInputElement).value = String(value);
    } else if (name === 'checked' && 'checked' in el) {
      (el as HTMLInputElement).checked = Boolean(value);
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

export function clear(el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren();
  append(el, children);
}

let uid = 0;
/** A unique id for label/aria wiring. */
export function nextId(prefix: string): string {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** A labelled form field: label + control, wired by id. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  const target = labelTarget(control);
  const id = target.id || nextId('f');
  target.id = id;
  const hintEl = hint ? h('span', { class: 'sw-hint', id: `${id}-hint` }, hint) : null;
  if (hintEl) target.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'sw-field' }, h('label', { for: id }, label), control, hintEl);
}

/**
 * The element a field's label names: `control` itself, or, for a composite
 * control (a picker: chips around an input), its part marked `data-label-target`.
 */
export function labelTarget(control: HTMLElement): HTMLElement {
  return control.hasAttribute('data-label-target') ? control : control.querySelector<HTMLElement>('[data-label-target]') ?? control;
}

export function select(name: string, options: [string, string][], value?: string): HTMLSelectElement {
  const s = h('select', { name });
  for (const [v, text] of options) s.appendChild(h('option', { value: v }, text));
  if (value !== undefined) s.value = value;
  return s;
}

export function button(text: string, onClick: () => void, kind: 'primary' | 'default' | 'danger' | 'subtle' = 'default', attrs: Attrs = {}): HTMLButtonElement {
  return h('button', { type: 'button', class: `sw-btn sw-btn-${kind}`, onclick: () => onClick(), ...attrs }, text);
}

export function fmtTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

export function fmtDate(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return 'never';
  return new Date(ms).toISOString().slice(0, 10);
}

export function fmtNum(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : n.toLocaleString('en');
}

/** A status lozenge. */
export function lozenge(text: string, tone: 'success' | 'danger' | 'warning' | 'info' | 'neutral' = 'neutral'): HTMLElement {
  return h('span', { class: `sw-lozenge sw-lozenge-${tone}` }, text);
}

export function statusTone(status: string): 'success' | 'danger' | 'warning' | 'info' | 'neutral' {
  if (status === 'succeeded' || status === 'success') return 'success';
  if (status === 'failed' || status === 'failure') return 'danger';
  if (status === 'partially_failed' || status === 'awaiting_approval' || status === 'interrupted') return 'warning';
  if (status === 'in_progress' || status === 'previewed') return 'info';
  return 'neutral';
}

/** A message banner; errors are announced to screen readers. */
export function banner(text: string, tone: 'error' | 'success' | 'info' | 'warning' = 'info'): HTMLElement {
  return h('div', { class: `sw-banner sw-banner-${tone}`, role: tone === 'error' ? 'alert' : 'status' }, text);
}

/** Triggers a browser download of `blob` as `name`. */
export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * Server text for display: the engine's messages quote names in Markdown backticks (`staff`),
 * which the page showed as literal backticks; here they become typographic quotes (“staff”).
 * The one message formatter: every server message the page shows goes through it, caught
 * errors through {@link errorText}.
 */
export function plain(text: string | null | undefined): string {
  return (text ?? '').replace(/`([^`]*)`/g, '“$1”');
}

/** A caught error's message as the page shows it ({@link plain}). */
export function errorText(e: unknown): string {
  return plain(e instanceof Error ? e.message : String(e));
}

/** "1 user", "1,289 users": a count with its noun in the right number. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${fmtNum(n)} ${n === 1 ? one : many}`;
}

/**
 * A stored name as text safe to show: control and bidirectional control characters (which
 * reorder what follows, so `Idle\u202Eeteled` would display as another name) are written out as
 * `⟨U+202E⟩`. New names cannot hold them (the server refuses them on save); a configuration stored
 * before that rule still loads, and its names are shown this way so the admin sees what to rename.
 */
export function shownName(name: string): string {
  return name.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `⟨U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`);
}
