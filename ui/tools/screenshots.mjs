// Refreshes docs/screenshots/ (issue 24): `npm run screenshots`.
//
// Why through the browser tests: each screenshot shows a state a test
// reaches and checks (a filtered user list, a preview, a run in progress, a
// field error), so the tests are the scripts that get there. This runs the
// test files that take the documented screenshots — the same harness, so the
// same `seatwarden serve --demo`, Chromium and flags — and copies the named
// shots from test-artifacts/ to docs/screenshots/. A shot a test no longer
// takes fails the script by name instead of leaving a stale picture.
//
// Needs what the tests need: `cargo build -p seatwarden-cli` (or
// SEATWARDEN_BIN) and `npm run build`.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const uiDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const artifacts = path.join(uiDir, 'test-artifacts');
const target = path.resolve(uiDir, '../docs/screenshots');

/** docs/screenshots/<name>.png ← the test file that takes it. */
const SHOTS = {
  'tab-dashboard': 'tabs.test.mjs',
  'story-users-filtered': 'story.test.mjs',
  'story-preview': 'story.test.mjs',
  'story-run-progress': 'story.test.mjs',
  'story-audit-run': 'story.test.mjs',
  'users-date-ranges': 'users-filters.test.mjs',
  'automation-policies': 'policy-editor.test.mjs',
  'policy-editor-deactivate': 'policy-editor.test.mjs',
  'guard-approval': 'guard.test.mjs',
  'audit-run-expanded': 'audit-runs.test.mjs',
  'import-bad-row': 'import.test.mjs',
  'import-preview': 'import.test.mjs',
  'notifications-editor': 'notifications.test.mjs',
  'settings-error': 'settings.test.mjs',
  'picker-groups': 'pickers.test.mjs',
  'policy-preview-paged': 'admin-list-a.test.mjs',
  'policy-conflict-reload': 'admin-list-a.test.mjs',
  'template-preview-html-text': 'admin-list-a.test.mjs',
  'users-filters-in-url': 'users-url-detail.test.mjs',
  'user-detail-action-plan': 'users-url-detail.test.mjs',
  'dashboard-chart-axes': 'users-url-detail.test.mjs',
  'dashboard-activity-trend': 'activity-trend.test.mjs',
  'forecast-history-axes': 'forecast.test.mjs',
  'forecast-curves-axes': 'forecast.test.mjs',
  'user-detail-cloud-suspend': 'cloud-user-detail.test.mjs',
  'users-1280': 'walkthrough-leftovers.test.mjs',
};

/**
 * The screenshots the README and docs/ link (`screenshots/<name>.png`): each must be one this
 * script takes, and each it takes must be linked, so none is missing and none goes stale unseen.
 */
function linkedShots() {
  const docs = path.resolve(uiDir, '../docs');
  const pages = [path.resolve(uiDir, '../README.md'), ...readdirSync(docs, { recursive: true }).filter((f) => String(f).endsWith('.md')).map((f) => path.join(docs, String(f)))];
  const names = new Set();
  for (const page of pages) for (const m of readFileSync(page, 'utf8').matchAll(/screenshots\/([A-Za-z0-9_-]+)\.png/g)) names.add(m[1]);
  return names;
}
const linked = linkedShots();
const unlinked = Object.keys(SHOTS).filter((n) => !linked.has(n));
const untaken = [...linked].filter((n) => !(n in SHOTS));
if (unlinked.length || untaken.length) {
  console.error(`screenshots: taken but linked from no page: ${unlinked.join(', ') || 'none'}; linked but taken by no test: ${untaken.join(', ') || 'none'}`);
  process.exit(1);
}

const started = Date.now();
const files = [...new Set(Object.values(SHOTS))].map((f) => path.join('tests', f));
const run = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...files], { cwd: uiDir, stdio: 'inherit', env: process.env });
if (run.status !== 0) {
  console.error('screenshots: a test failed; docs/screenshots/ was left as it was');
  process.exit(1);
}
mkdirSync(target, { recursive: true });
const missing = [];
for (const name of Object.keys(SHOTS)) {
  const from = path.join(artifacts, `${name}.png`);
  // Only a picture this run took: an old artifact would be a stale screenshot.
  if (!existsSync(from) || statSync(from).mtimeMs < started) { missing.push(`${name} (${SHOTS[name]})`); continue; }
  copyFileSync(from, path.join(target, `${name}.png`));
}
if (missing.length) {
  console.error(`screenshots: not taken by their tests: ${missing.join(', ')}`);
  process.exit(1);
}
// A picture in docs/screenshots/ that no test takes any more is stale: say so by name.
const stale = readdirSync(target).filter((f) => f.endsWith('.png') && !(f.slice(0, -4) in SHOTS));
if (stale.length) {
  console.error(`screenshots: stale pictures no test takes (delete them): ${stale.join(', ')}`);
  process.exit(1);
}
console.log(`screenshots: ${Object.keys(SHOTS).length} refreshed in ${path.relative(process.cwd(), target)}`);
