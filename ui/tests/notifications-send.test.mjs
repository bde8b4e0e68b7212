// Notifications: a template's test send goes through a real SMTP server.
// The mail crate's loopback sink (aiosmtpd, run with the system Python) is
// started on a free port; the mail server form is pointed at it through the
// UI; the sink's saved message is then checked for recipient and subject.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, openBrowser, shot, api } from './harness.mjs';
import { startSink, pointMailAt } from './smtp-sink.mjs';

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
  // Point the mail server form at the sink.
  await pointMailAt(page, sink.port);
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
