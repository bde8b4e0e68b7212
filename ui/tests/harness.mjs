// Test harness: starts `seatwarden serve --demo` on a free loopback port with
// a fresh data folder, signs a real Chromium in with the printed admin token,
// and collects console errors. No responses are faked: every screen talks to
// the real server (one test answers a single path with 404 on purpose, to
// check the screens degrade on a host that lacks it).
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const uiDir = path.resolve(here, '..');
export const artifacts = path.join(uiDir, 'test-artifacts');
mkdirSync(artifacts, { recursive: true });

export function binary() {
  const bin = process.env.SEATWARDEN_BIN ?? path.resolve(uiDir, '../target/debug/seatwarden');
  if (!existsSync(bin)) throw new Error(`seatwarden binary not found at ${bin}; build it or set SEATWARDEN_BIN`);
  return bin;
}

/** Starts the server; resolves once it printed its URL and token. */
export async function startServer({ users = 400, extraArgs = [], demo = true, tickSeconds = 3600, data = mkdtempSync(path.join(tmpdir(), 'seatwarden-ui-')) } = {}) {
  // `demo: false` for a server on its own directory (`--snapshot FILE` in `extraArgs`).
  const child = spawn(binary(), ['serve', ...(demo ? ['--demo', '--users', String(users)] : []), '--port', '0', '--data', data,
    '--ui-dir', path.join(uiDir, 'dist'), '--tick-seconds', String(tickSeconds), ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time\nstdout:\n${out}\nstderr:\n${err}`)), 120_000);
    child.stdout.on('data', (d) => {
      out += d;
      const url = /running at (http:\/\/\S+)/.exec(out);
      const token = /Admin token: ([0-9a-f]+)/.exec(out);
      if (url && token) { clearTimeout(timer); resolve({ url: url[1], token: token[1] }); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited with ${code}\n${out}\n${err}`)); });
  });
  return {
    ...ready,
    data,
    stderr: () => err,
    /** Stops the server; `keep` leaves its data folder for a restart (the caller removes it later). */
    async stop({ keep = false } = {}) {
      child.kill('SIGTERM');
      await new Promise((r) => { if (child.exitCode !== null) r(); else child.on('exit', r); setTimeout(r, 25_000); });
      if (!keep) rmSync(data, { recursive: true, force: true });
    },
  };
}

/** A fresh headless Chromium with its own profile, signed in to `server`. */
export async function openBrowser(server) {
  const profile = mkdtempSync(path.join(tmpdir(), 'seatwarden-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1360, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const page = context.pages()[0] ?? await context.newPage();
  // Success flags hide by themselves after a while (src/flag.ts); on a loaded
  // machine that could be before a test looks for one, so they stay up here.
  await context.addInitScript(() => {
    const hold = () => document.documentElement?.setAttribute('data-sw-flags-hold', '');
    if (document.documentElement) hold(); else document.addEventListener('DOMContentLoaded', hold);
  });
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('response', (r) => { if (r.status() >= 400) consoleErrors.push(`HTTP ${r.status()} ${r.url()}`); });
  await page.goto(`${server.url}#token=${server.token}`);
  await page.locator('#sw-panel[data-loaded="dashboard"]').waitFor({ timeout: 30_000 });
  return {
    page, context, consoleErrors,
    async close() { await context.close(); rmSync(profile, { recursive: true, force: true }); },
  };
}

/** Opens tab `id` and waits for its view to finish loading. */
export async function openTab(page, id) {
  // Wait for a render that started after this click: when the tab is already
  // open, `data-loaded` names it before the new render has finished.
  // The newest render begun, not the last finished: a render still under way when this is called (the editor
  // after a save) must not pass for the one this click starts.
  const panel = page.locator('#sw-panel');
  const before = Number(await panel.getAttribute('data-started') ?? await panel.getAttribute('data-generation') ?? 0);
  await page.locator(`[role=tab][data-tab="${id}"]`).click();
  await page.waitForFunction(([tab, gen]) => {
    const panel = document.getElementById('sw-panel');
    return panel?.dataset.loaded === tab && Number(panel.dataset.generation ?? 0) > gen;
  }, [id, before], { timeout: 30_000 });
}

/** Calls the API from the signed-in page (same cookie), for checks only. */
export async function api(page, pathAndQuery) {
  return page.evaluate(async (p) => {
    const r = await fetch(new URL(`api/${p}`, document.baseURI).href, { credentials: 'same-origin' });
    return { status: r.status, body: await r.json() };
  }, pathAndQuery);
}

export async function shot(page, name) {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}

/** Sends a change to the API from the signed-in page (with the session's XSRF token), for test setup only. */
/** Creates `policy` through the API, naming the configuration version it was read at (a policy write without one is refused). */
export async function createPolicy(page, policy) {
  const list = await apiSend(page, 'GET', 'policies');
  return apiSend(page, 'POST', 'policies', { ...policy, configVersion: list.body.configVersion });
}

export async function apiSend(page, method, pathAndQuery, body) {
  return page.evaluate(async ([m, p, b]) => {
    // The page keeps the XSRF token from its sign-in (the server never answers it again).
    const xsrf = localStorage.getItem('seatwarden.xsrf') ?? '';
    const r = await fetch(new URL(`api/${p}`, document.baseURI).href, {
      method: m, credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-Seatwarden-XSRF': xsrf },
      body: b === undefined ? undefined : JSON.stringify(b),
    });
    const text = await r.text();
    let json = null;
    try { json = JSON.parse(text); } catch { json = null; }
    return { status: r.status, body: json, text };
  }, [method, pathAndQuery, body]);
}

/**
 * Polls `GET api/<path>` until `holds(body)` is true; the last body, or an error at the deadline.
 * (`page.waitForFunction` with an async predicate does not wait: the promise it gets back is
 * truthy at once, microsoft/playwright#29132.)
 */
export async function until(page, pathAndQuery, holds) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { body } = await api(page, pathAndQuery);
    if (holds(body)) return body;
    if (Date.now() > deadline) throw new Error(`api/${pathAndQuery} never met the condition: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits (via the API) until run `id` stops being in progress. */
export async function settle(page, id) {
  for (let i = 0; i < 600; i += 1) {
    const p = (await api(page, `runs/${id}/progress`)).body;
    if (p.finished) return p;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`run ${id} did not finish`);
}

/** A `yyyy-mm-dd` UTC date for `ms`. */
export function isoDay(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Confirms the "what will change" dialog a live Run now or a bulk action
 * shows (issue 24): types the number of users when it asks for it, then
 * clicks the confirm button. Returns the summary's text.
 */
export async function confirmChange(page) {
  const summary = page.getByTestId('change-summary');
  await summary.waitFor();
  const text = await summary.innerText();
  const typed = summary.locator('input[name="confirmCount"]');
  if (await typed.count()) {
    const wanted = (await typed.getAttribute('aria-label')).replace(/\D/g, '');
    await typed.fill(wanted);
  }
  await page.getByTestId('confirm-change').click();
  return text;
}

/**
 * Chooses `text` in the searchable picker labelled `label` by keyboard only
 * (issue 24): types it, presses Enter (the picker asks the server for that
 * text and chooses the option whose name, username, email or key equals
 * it), and waits for its chip. Returns the picker's root locator.
 */
export async function pick(page, label, text) {
  const input = page.getByLabel(label, { exact: true });
  const root = page.locator('.sw-picker').filter({ has: input });
  await input.fill(text);
  await input.press('Enter');
  await root.locator('[data-testid="chip"]', { hasText: text }).first().waitFor();
  return root;
}

/**
 * Waits for a flag (src/flag.ts) with `text` that this helper has not seen
 * yet in this document, and marks it seen: flags stay up in tests
 * (`data-sw-flags-hold`), so an older "Settings saved" must not answer for
 * the next save. Returns the flag's tone.
 */
export async function flagShown(page, text) {
  const handle = await page.waitForFunction((t) => {
    const seen = window.__swFlagsSeen ?? 0;
    const f = [...document.querySelectorAll('.sw-flags .sw-flag')]
      .filter((x) => Number(x.dataset.seq) > seen && x.textContent.includes(t))
      .sort((a, b) => Number(a.dataset.seq) - Number(b.dataset.seq))[0];
    if (!f) return null;
    window.__swFlagsSeen = Number(f.dataset.seq);
    return f.dataset.tone;
  }, text);
  return handle.jsonValue();
}

/** Flags stay up in tests; close them so none covers a dialog's buttons. */
export async function dismissFlags(page) {
  const close = page.locator('.sw-flags .sw-flag-close');
  while (await close.count()) await close.first().click();
  await page.waitForFunction(() => document.querySelectorAll('.sw-flags .sw-flag').length === 0, null, { timeout: 5000 }).catch(async (e) => {
    throw new Error(`${e.message}: ${JSON.stringify(await page.locator('.sw-flags').innerHTML())}`);
  });
}
