// The mail crate's loopback SMTP sink (aiosmtpd, run with the system Python) for the browser tests
// that check what Seatwarden really sends: started on a free port, each accepted message saved as
// JSON ({mail_from, rcpt_tos, data}). Shared by the tests that read mail.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { uiDir, openTab, flagShown } from './harness.mjs';

const SINK = path.resolve(uiDir, '../crates/seatwarden-mail/tests/smtp_sink.py');

/** Starts the sink; resolves with its port once it printed `READY <port>`. It stops when its stdin closes. */
export async function startSink() {
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


/** Points the mail server form (Notifications tab) at the sink on `port`, through the UI, and saves it. */
export async function pointMailAt(page, port) {
  await openTab(page, 'notifications');
  await page.getByLabel('Mail server', { exact: true }).selectOption('own');
  await page.getByLabel('SMTP host').fill('127.0.0.1');
  await page.getByLabel('Port', { exact: true }).fill(String(port));
  await page.getByLabel('Security').selectOption('none');
  await page.getByLabel('SMTP username').fill('');
  await page.getByLabel('Sender (From)').fill('Seatwarden <seatwarden@example.test>');
  await page.getByRole('button', { name: 'Save mail settings' }).click();
  await flagShown(page, 'Mail settings saved');
}
