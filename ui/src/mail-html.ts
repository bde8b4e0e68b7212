// The HTML part of a mail as the recipient's client shows it, built as DOM
// from the server's sanitised HTML. The page never assigns markup
// (innerHTML): the HTML is parsed into an inert document (DOMParser runs no
// script and loads nothing) and only the elements the server's sanitiser
// keeps (crates/seatwarden-mail/src/sanitize.rs: h1–h3, p, br, strong, em,
// ul, ol, li, a with an http(s) or mailto href) are copied, as new elements;
// anything else contributes its text only. A link opens in a new tab, never
// inside the admin page.

const KEPT = new Set(['h1', 'h2', 'h3', 'p', 'br', 'strong', 'em', 'ul', 'ol', 'li', 'a']);
const SCHEMES = ['http:', 'https:', 'mailto:'];

function copy(from: Node, to: Node): void {
  for (const child of Array.from(from.childNodes)) {
    if (child.nodeType === Node.TEXT_NODE) { to.appendChild(document.createTextNode(child.textContent ?? '')); continue; }
    if (!(child instanceof Element)) continue;
    const tag = child.tagName.toLowerCase();
    if (!KEPT.has(tag)) { copy(child, to); continue; }
    const el = document.createElement(tag);
    if (tag === 'a') {
      const href = child.getAttribute('href') ?? '';
      let ok = false;
      try { ok = SCHEMES.includes(new URL(href).protocol); } catch { ok = false; }
      if (ok) { el.setAttribute('href', href); el.setAttribute('target', '_blank'); el.setAttribute('rel', 'noopener noreferrer'); }
    }
    copy(child, el);
    to.appendChild(el);
  }
}

/** `html` (already sanitised by the server) as DOM nodes inside `host`. */
export function mailHtml(html: string, host: HTMLElement): HTMLElement {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  copy(doc.body, host);
  return host;
}
