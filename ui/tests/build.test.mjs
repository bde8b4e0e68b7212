// The build works under any base path, carries the admin decorator tags,
// names its script and stylesheet after their content and ships no source map.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { uiDir } from './harness.mjs';

const dist = path.join(uiDir, 'dist');
const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
const script = refs.find((r) => r.endsWith('.js'));

test('assets are referenced relatively (the plugin serves the UI under a base path)', () => {
  assert.ok(refs.length >= 2);
  for (const ref of refs) assert.match(ref, /^\.\//, `${ref} must be relative`);
  const js = readFileSync(path.join(dist, script), 'utf8');
  assert.ok(!/fetch\(["'`]\/api/.test(js), 'no hard-coded absolute API path');
});

test('script and stylesheet are named after their content; no source map is shipped', () => {
  const stylesheet = refs.find((r) => r.endsWith('.css'));
  // The servers cache `<stem>-<8+ of A-Z0-9>.<ext>` forever (immutable).
  assert.match(script, /^\.\/app-[A-Z0-9]{8,}\.js$/);
  assert.match(stylesheet, /^\.\/app-[A-Z0-9]{8,}\.css$/);
  const css = readFileSync(path.join(dist, stylesheet));
  const hash = createHash('sha256').update(css).digest('hex').slice(0, 12).toUpperCase();
  assert.equal(stylesheet, `./app-${hash}.css`, 'the name follows the content');
  const files = readdirSync(dist);
  assert.deepEqual(files.filter((f) => f.endsWith('.map')), []);
  assert.ok(!readFileSync(path.join(dist, script), 'utf8').includes('sourceMappingURL'), 'no map reference');
  assert.ok(!files.includes('app.js') && !files.includes('app.css'), 'no unhashed copies');
});

test('the page carries the product admin decorator meta tags', () => {
  assert.match(html, /<meta name="decorator" content="atl.admin">/);
  assert.match(html, /<meta name="admin.active.section"/);
  assert.match(html, /<meta name="admin.active.tab"/);
});
