// Bundles src/main.ts into dist/ with esbuild and copies the static files.
// Asset URLs stay relative so the same build works at `/` (seatwarden serve)
// and under the plugin's base path (/plugins/servlet/seatwarden/).
import { build } from 'esbuild';
import { cpSync, mkdirSync, rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist', { recursive: true });
await build({
  entryPoints: ['src/main.ts'],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  outfile: 'dist/app.js',
  logLevel: 'warning',
});
cpSync('src/index.html', 'dist/index.html');
cpSync('src/app.css', 'dist/app.css');
cpSync('src/favicon.svg', 'dist/favicon.svg');
