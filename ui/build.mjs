// Bundles src/main.ts into dist/ with esbuild and copies the static files.
// Asset URLs stay relative so the same build works at `/` (seatwarden serve)
// and under the plugin's base path (/plugins/servlet/seatwarden/).
//
// The script and the stylesheet are named after their content
// (`app-<HASH>.js`, `app-<HASH>.css`) and index.html names them, so servers
// cache them forever and revalidate only index.html: an upgrade can never
// leave a browser on a stale UI. No source map is written: a public map
// would publish the sources (set SEATWARDEN_UI_SOURCEMAP=1 for an inline
// one while debugging locally; never for a release).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist', { recursive: true });
const result = await build({
  entryPoints: ['src/main.ts'],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: process.env.SEATWARDEN_UI_SOURCEMAP === '1' ? 'inline' : false,
  outdir: 'dist',
  entryNames: 'app-[hash]',
  metafile: true,
  logLevel: 'warning',
});
const script = Object.keys(result.metafile.outputs).find((f) => f.endsWith('.js'));
if (!script) throw new Error('esbuild wrote no script');
// Atlassian's CSS reset and design tokens (issue 24, "Look and feel"; docs/ui.md):
// the reset, then the token themes (light, dark, spacing, typography, shape:
// each is a CSS text exported by @atlaskit/tokens, applied by the `data-theme`
// and `data-color-mode` attributes on <html>), then our own rules, which read
// only `var(--ds-*, fallback)`. One file, so still one hashed request.
const themes = ['atlassian-light', 'atlassian-dark', 'atlassian-spacing', 'atlassian-typography', 'atlassian-shape'];
const tokenCss = [];
for (const theme of themes) {
  const mod = await import(`@atlaskit/tokens/dist/esm/artifacts/themes/${theme}.js`);
  if (typeof mod.default !== 'string') throw new Error(`@atlaskit/tokens: theme ${theme} is not CSS text`);
  tokenCss.push(`/* @atlaskit/tokens ${theme} (Apache-2.0) */${mod.default}`);
}
const reset = readFileSync('node_modules/@atlaskit/css-reset/dist/bundle.css', 'utf8');
const css = Buffer.from([`/* @atlaskit/css-reset (Apache-2.0) */\n${reset}`, ...tokenCss, readFileSync('src/app.css', 'utf8')].join('\n'));
// Uppercase hex: the servers recognise a hashed name by `-<8+ of A-Z0-9>.`
const cssName = `app-${createHash('sha256').update(css).digest('hex').slice(0, 12).toUpperCase()}.css`;
writeFileSync(path.join('dist', cssName), css);
let html = readFileSync('src/index.html', 'utf8');
for (const [from, to] of [['./app.js', `./${path.basename(script)}`], ['./app.css', `./${cssName}`]]) {
  if (!html.includes(`"${from}"`)) throw new Error(`src/index.html does not reference ${from}`);
  html = html.replace(`"${from}"`, `"${to}"`);
}
writeFileSync('dist/index.html', html);
cpSync('src/favicon.svg', 'dist/favicon.svg');
