// The UI's response types are generated from the server's OpenAPI document: `npm run check:api`
// (run by `npm run build`) passes on the committed file and fails on one the document has moved past.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { uiDir } from './harness.mjs';

const generator = path.join(uiDir, 'tools', 'openapi-types', 'generate.mjs');
const committed = path.join(uiDir, 'src', 'openapi.d.ts');
const check = (output) => spawnSync(process.execPath, [generator, '--output', output], { encoding: 'utf8' });

test('the committed openapi.d.ts is what the generator produces', () => {
  const r = check(committed);
  assert.equal(r.status, 0, r.stderr);
});

test('a types file the document has moved past fails the check, naming the fix', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-openapi-'));
  try {
    const stale = path.join(dir, 'openapi.d.ts');
    // A run's start renamed back to snake_case, as the types read before the wire DTOs.
    const text = readFileSync(committed, 'utf8');
    assert.ok(text.includes('startedAt: number;'));
    writeFileSync(stale, text.replace('startedAt: number;', 'started_at: number;'));
    const r = check(stale);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /is not what openapi-typescript generates/);
    assert.match(r.stderr, /npm run gen:api/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
