// Notifications: a template's test send goes through a real SMTP server.
// The mail crate's loopback sink (aiosmtpd, run with the system Python) is
// started on a free port; the mail server form is pointed at it through the
// UI; the sink's saved message is then checked for recipient and subject.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, openBrowser, openTab, shot, api, uiDir, flagShown } from './harness.mjs';

const SINK = path.resolve(uiDir, '../crates/seatwarden-mail/tests/smtp_sink.py');

/** Starts the sink; resolves with its port once it printed `READY <port>`. It stops when its stdin closes. */
async function startSink() {
  const out = mkdtempSync(path.join(tmpdir(), 'seatwarden-ui-sink-'));
  const child = spawn(process.env.PYTHON_BIN ?? '/usr/bin/python3', [SINK, '--out', out], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = ''; let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`SMTP sink did not start\n${stderr}`)), 30_000);
    child.stdout.on('data', (d) => {
      stdout += d;
      const m = /READY (\d+)/.exec(stdout);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`SMTP sink exited with ${code} (is python3-aiosmtpd installed? scripts/setup.sh)\n${stderr}`)); });
  });
  return {
    port, out,
    /** The messages the sink accepted, in order. */
    messages() {
      return readdirSync(out).filter((f) => /^\d+\.json$/.test(f)).sort((a, b) => parseInt(a, 10) - parseInt(b, 10))
        .map((f) => JSON.parse(readFileSync(path.join(out, f), 'utf8')));
    },
    async stop() {
      child.stdin.end();
      await new Promise((r) => {
        if (child.exitCode !== null || child.signalCode !== null) { r(); return; }
        const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.on('exit', () => { clearTimeout(kill); r(); });
      });
      rmSync(out, { recursive: true, force: true });
    },
  };
}

/** The value of header `name` in a raw message, unfolded. */
function header(raw, name) {
  const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

/** A header value with RFC 2047 encoded words (`=?UTF-8?B?...?=` / `?Q?`) decoded. */
function decodeHeader(value) {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, enc, text) => (enc.toLowerCase() === 'b'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9a-f]{2})/gi, (_m, x) => String.fromCharCode(parseInt(x, 16))), 'latin1').toString('utf8')));
}

let server; let browser; let sink;
before(async () => { sink = await startSink(); server = await startServer(); browser = await openBrowser(server); });
after(async () => { await browser?.close(); await server?.stop(); await sink?.stop(); });

test('a template test send reaches a real SMTP server', async () => {
  const { page } = browser;
  await openTab(page, 'notifications');
  // Point the mail server form at the sink.
  await page.getByLabel('Mail server', { exact: true }).selectOption('own');
  await page.getByLabel('SMTP host').fill('127.0.0.1');
  await page.getByLabel('Port', { exact: true }).fill(String(sink.port));
  await page.getByLabel('Security').selectOption('none');
  await page.getByLabel('SMTP username').fill('');
  await page.getByLabel('Sender (From)').fill('Seatwarden <seatwarden@example.test>');
  await page.getByRole('button', { name: 'Save mail settings' }).click();
  assert.equal(await flagShown(page, 'Mail settings saved'), 'success');
  assert.equal(sink.messages().length, 0, 'saving the settings sends nothing');

  // Open a template and send a test of it, using only the keyboard for the send.
  const row = page.locator('[data-testid="template-row"]').first();
  const name = (await row.locator('td').first().textContent()).trim();
  await page.getByRole('button', { name: `Edit ${name}` }).click();
  // The test is the template itself, rendered with the preview's sample values.
  const previewSubject = page.locator('#template-editor [data-testid="live-preview"] [data-testid="preview-subject"]');
  await previewSubject.waitFor();
  const expectedSubject = `[Test] ${(await previewSubject.textContent()).trim()}`;
  const to = page.getByLabel('Send a test to');
  await to.fill('test-recipient@example.test');
  await page.getByRole('button', { name: 'Send test' }).focus();
  await page.keyboard.press('Enter');
  const ok = page.locator('#template-editor .sw-banner-success', { hasText: 'The mail server accepted the test' });
  await ok.waitFor();
  // The banner carries the server's own reply.
  assert.match(await ok.textContent(), /queued as sink-1/);

  const got = sink.messages();
  assert.equal(got.length, 1, 'exactly one message arrived');
  assert.deepEqual(got[0].rcpt_tos, ['test-recipient@example.test']);
  assert.match(got[0].mail_from, /seatwarden@example\.test/);
  assert.equal(decodeHeader(header(got[0].data, 'Subject') ?? ''), expectedSubject);
  assert.equal(header(got[0].data, 'To'), 'test-recipient@example.test');
  await shot(page, 'notifications-test-send');

  // A refusal from the server is shown as such, and nothing is stored.
  writeFileSync(path.join(sink.out, 'reject_rcpt'), '550 5.1.1 no such mailbox');
  await page.getByRole('button', { name: 'Send test' }).click();
  const refused = page.locator('#template-editor .sw-banner-error', { hasText: 'The mail server refused the test' });
  await refused.waitFor();
  assert.match(await refused.textContent(), /550/);
  assert.equal(sink.messages().length, 1, 'the refused test was not delivered');
  assert.deepEqual(browser.consoleErrors, []);
});
