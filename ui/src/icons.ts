// Inline SVG icons for the tab bar and a few action buttons. Drawn here on
// a 24×24 grid in the spirit of Atlassian's icon set (outlined, 2 px
// strokes, currentColor) rather than taken from @atlaskit/icon, which is
// React. Built with createElementNS so the CSP needs no inline style or
// image source. Icons are decorative (aria-hidden): the text beside them
// names the tab or button.

const NS = 'http://www.w3.org/2000/svg';

/** Each icon is a list of path `d` strings stroked in the current colour. */
const PATHS = {
  dashboard: ['M4 4h7v9H4z', 'M13 4h7v5h-7z', 'M13 11h7v9h-7z', 'M4 15h7v5H4z'],
  users: ['M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8z', 'M2 21v-1a6 6 0 0 1 12 0v1', 'M16 3.5a4 4 0 0 1 0 7', 'M18 14.5a6 6 0 0 1 4 5.5v1'],
  automation: ['M12 2v3', 'M12 19v3', 'M4.9 4.9l2.1 2.1', 'M17 17l2.1 2.1', 'M2 12h3', 'M19 12h3', 'M12 8l-2 4h4l-2 4'],
  groups: ['M3 7h18v12H3z', 'M8 7V4h8v3', 'M3 12h18'],
  import: ['M12 3v12', 'M7 10l5 5 5-5', 'M4 17v3h16v-3'],
  audit: ['M6 2h9l5 5v15H6z', 'M14 2v6h6', 'M9 13h8', 'M9 17h8'],
  review: ['M10 6h10', 'M10 12h10', 'M10 18h10', 'M3 6l1.5 1.5L7 5', 'M3 12l1.5 1.5L7 11', 'M3 18l1.5 1.5L7 17'],
  notifications: ['M4 5h16v14H4z', 'M4 6l8 7 8-7'],
  reports: ['M4 20h16', 'M7 16v-5', 'M12 16V6', 'M17 16v-8'],
  access: ['M14 3h6v18h-6', 'M10 17l5-5-5-5', 'M15 12H3'],
  settings: ['M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z', 'M12 2v3', 'M12 19v3', 'M2 12h3', 'M19 12h3', 'M4.9 4.9l2.1 2.1', 'M17 17l2.1 2.1', 'M4.9 19.1L7 17', 'M17 7l2.1-2.1'],
  play: ['M7 4l13 8-13 8z'],
  preview: ['M2 12s4-7 10-7 10 7 10 7-4 7-10 7S2 12 2 12z', 'M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z'],
  save: ['M5 12l5 5 9-10'],
} as const;

export type IconName = keyof typeof PATHS;

/** An 16 px decorative icon in the current text colour. */
export function icon(name: IconName): SVGSVGElement {
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '16');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', 'sw-icon');
  svg.dataset.icon = name;
  for (const d of PATHS[name]) {
    const p = document.createElementNS(NS, 'path');
    p.setAttribute('d', d);
    svg.appendChild(p);
  }
  return svg;
}

/** Puts `name`'s icon before the element's text (a tab or a button). */
export function withIcon<T extends HTMLElement>(el: T, name: IconName): T {
  el.prepend(icon(name));
  el.classList.add('sw-has-icon');
  return el;
}
