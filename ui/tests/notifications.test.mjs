// Notifications: the tab loads; a template edit updates the live preview and
// saves; placeholders insert from the help; the SMTP form saves and never
// echoes the password back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, openTab, shot, api, until, flagShown } from './harness.mjs';

let server; let browser;
before(async () => { server = await startServer(); browser = await openBrowser(server); });
after(async () => { await browser?.close(); await server?.stop(); });

test('editing a template updates the preview and saves', async () => {
  const { page } = browser;
  await openTab(page, 'notifications');
  const rows = page.locator('[data-testid="template-row"]');
  assert.ok(await rows.count() > 0, 'the default templates are listed');
  const id = await rows.first().getAttribute('data-template');
  const name = (await rows.first().locator('td').first().textContent()).trim();
  await page.getByRole('button', { name: `Edit ${name}` }).click();
  const subject = page.getByLabel('Subject', { exact: true });
  await page.locator('[data-testid="live-preview"] [data-testid="preview-subject"]').waitFor();

  const newSubject = `Checked by the UI test for {{username}}`;
  await subject.fill(newSubject);
  // The preview re-renders with a sample username in place of the placeholder.
  const previewSubject = page.locator('[data-testid="live-preview"] [data-testid="preview-subject"]');
  await page.waitForFunction(() => /^Checked by the UI test for (?!\{\{)\S+/.test(document.querySelector('[data-testid="live-preview"] [data-testid="preview-subject"]')?.textContent ?? ''));
  assert.doesNotMatch(await previewSubject.textContent(), /\{\{/);

  // Placeholder help inserts at the cursor.
  const body = page.getByLabel('Body', { exact: true });
  await body.focus();
  await page.keyboard.press('End');
  await page.getByRole('button', { name: 'Insert placeholder display_name' }).click();
  assert.match(await body.inputValue(), /\{\{display_name\}\}/);
  await shot(page, 'notifications-editor');

  await page.getByRole('button', { name: 'Save template' }).click();
  const saved = await until(page, `templates/${id}`, (t) => t.subject.startsWith('Checked by the UI test'));
  assert.equal(saved.subject, newSubject);
  assert.match(saved.htmlBody, /\{\{display_name\}\}/);
  assert.deepEqual(browser.consoleErrors, []);
});

test('an unknown placeholder is reported in the preview', async () => {
  const { page } = browser;
  await openTab(page, 'notifications');
  await page.getByRole('button', { name: 'New template' }).click();
  await page.getByLabel('Template name').fill('UI test notice');
  await page.getByLabel('Subject', { exact: true }).fill('Hello {{no_such_thing}}');
  await page.getByLabel('Body', { exact: true }).fill('<p>Hi</p>');
  await page.locator('[data-testid="live-preview"] [data-testid="error"]', { hasText: 'no_such_thing' }).waitFor();
  await page.getByLabel('Subject', { exact: true }).fill('Hello {{display_name}}');
  await page.locator('[data-testid="live-preview"] [data-testid="preview-subject"]').waitFor();
  await page.getByRole('button', { name: 'Save template' }).click();
  await page.locator('[data-testid="template-row"][data-template="ui-test-notice"]').waitFor();
});

test('template problems show beside their fields and nothing is saved', async () => {
  const { page } = browser;
  const before = (await api(page, 'templates')).body.templates.length;
  await openTab(page, 'notifications');
  await page.getByRole('button', { name: 'New template' }).click();
  await page.getByLabel('Template name').fill('UI test broken');
  await page.getByLabel('Subject', { exact: true }).fill('Hello');
  await page.getByLabel('Body', { exact: true }).fill('<p>Hi {{no_such_thing}}</p>');
  await page.getByLabel('BCC recipients').fill('not-an-address');
  await page.getByRole('button', { name: 'Save template' }).click();
  const bodyError = page.locator('[data-path="htmlBody"] > [data-testid="field-error"]');
  await bodyError.waitFor();
  assert.match(await bodyError.textContent(), /no_such_thing/);
  assert.equal(await page.getByLabel('Body', { exact: true }).getAttribute('aria-invalid'), 'true');
  const bccError = page.locator('[data-path="bcc"] > [data-testid="field-error"]');
  assert.match(await bccError.textContent(), /not a valid email address/);
  assert.equal(await bccError.getAttribute('data-path'), 'bcc[0]');
  assert.equal(await page.locator('[data-path="subject"] > [data-testid="field-error"]').count(), 0, 'a valid field has no error');
  // Every problem found a field: no raw JSON or leftover banner.
  assert.doesNotMatch(await page.locator('#template-editor').innerText(), /"problem"|\{"/);
  await shot(page, 'notifications-field-errors');
  assert.equal((await api(page, 'templates')).body.templates.length, before, 'nothing was saved');
  // Fixing them saves.
  await page.getByLabel('Body', { exact: true }).fill('<p>Hi {{display_name}}</p>');
  await page.getByLabel('BCC recipients').fill('');
  await page.getByRole('button', { name: 'Save template' }).click();
  await page.locator('[data-testid="template-row"][data-template="ui-test-broken"]').waitFor();
});

test('SMTP settings save and the password is never echoed', async () => {
  const { page } = browser;
  await openTab(page, 'notifications');
  await page.getByLabel('Mail server', { exact: true }).selectOption('own');
  await page.getByLabel('SMTP host').fill('127.0.0.1');
  await page.getByLabel('Port', { exact: true }).fill('2525');
  await page.getByLabel('Security').selectOption('start_tls');
  await page.getByLabel('SMTP username').fill('mailer');
  await page.getByLabel('SMTP password').fill('s3cret-pass');
  await page.getByLabel('Sender (From)').fill('Seatwarden <seatwarden@example.test>');
  await page.getByRole('button', { name: 'Save mail settings' }).click();
  assert.equal(await flagShown(page, 'Mail settings saved'), 'success');
  assert.equal(await page.getByLabel('SMTP password').inputValue(), '', 'the password box is emptied after saving');
  const raw = await page.evaluate(async () => (await fetch(new URL('api/settings/mail', document.baseURI).href)).text());
  assert.ok(!raw.includes('s3cret-pass'), 'the API never returns the password');
  const mail = JSON.parse(raw).mail;
  assert.equal(mail.source, 'own');
  assert.equal(mail.host, '127.0.0.1');
  assert.equal(mail.port, 2525);
  assert.equal(mail.password_set, true);
  // Reload: the form shows that a password is saved, not the password.
  await openTab(page, 'dashboard');
  await openTab(page, 'notifications');
  assert.equal(await page.getByLabel('SMTP password').inputValue(), '');
  assert.match(await page.getByLabel('SMTP password').getAttribute('placeholder'), /saved/);
  // Saving again without typing it keeps it while it would go to the same server.
  await page.getByLabel('Sender (From)').fill('Seatwarden Bot <seatwarden@example.test>');
  await page.getByRole('button', { name: 'Save mail settings' }).click();
  assert.equal(await flagShown(page, 'Mail settings saved'), 'success');
  assert.equal((await api(page, 'settings/mail')).body.mail.password_set, true);
  // Another port without typing it again: refused beside the password, nothing saved.
  await page.getByLabel('Port', { exact: true }).fill('2526');
  await page.getByRole('button', { name: 'Save mail settings' }).click();
  await page.getByText('type the password again').first().waitFor();
  const kept = (await api(page, 'settings/mail')).body.mail;
  assert.equal(kept.port, 2525);
  assert.equal(kept.password_set, true);
  await shot(page, 'notifications-smtp');
});
