// The build works under any base path and carries the admin decorator tags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { uiDir } from './harness.mjs';

const html = readFileSync(path.join(uiDir, 'dist', 'index.html'), 'utf8');

test('assets are referenced relatively (the plugin serves the UI under a base path)', () => {
  const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(refs.length >= 2);
  for (const ref of refs) assert.match(ref, /^\.\//, `${ref} must be relative`);
  const js = readFileSync(path.join(uiDir, 'dist', 'app.js'), 'utf8');
  assert.ok(!/fetch\(["'`]\/api/.test(js), 'no hard-coded absolute API path');
});

test('the page carries the product admin decorator meta tags', () => {
  assert.match(html, /<meta name="decorator" content="atl.admin">/);
  assert.match(html, /<meta name="admin.active.section"/);
  assert.match(html, /<meta name="admin.active.tab"/);
});
