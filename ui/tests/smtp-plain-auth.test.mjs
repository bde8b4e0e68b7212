// Issue 18, item 8: sending the SMTP password without TLS is a visible, explicit choice with a
// danger warning, and the form says where the password is kept.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, openTab, shot, api, flagShown } from './harness.mjs';

let server; let browser;
before(async () => { server = await startServer({ users: 50 }); browser = await openBrowser(server); });
after(async () => { await browser?.close(); await server?.stop(); });

const PLAIN = 'Allow sending the password without TLS (loopback relay only)';

test('password without TLS: refused until explicitly allowed, with a danger warning while ticked', async () => {
  const { page } = browser;
  await openTab(page, 'notifications');
  await page.getByLabel('Mail server', { exact: true }).selectOption('own');
  // Where the password is kept is stated next to the field (the standalone server: store.db).
  const hint = await page.getByLabel('SMTP password').evaluate((el) => document.getElementById(el.getAttribute('aria-describedby') ?? '')?.textContent ?? '');
  assert.match(hint, /store\.db/, hint);
  assert.match(hint, /encrypted in store.db.*secret.key/, hint);
  const box = page.getByLabel(PLAIN);
  const warning = page.getByTestId('plain-auth-warning');
  assert.equal(await box.isChecked(), false, 'off unless the admin says so');
  assert.equal(await warning.isVisible(), false);

  await page.getByLabel('SMTP host').fill('127.0.0.1');
  await page.getByLabel('Port', { exact: true }).fill('2525');
  await page.getByLabel('Security').selectOption('none');
  await page.getByLabel('SMTP username').fill('relay');
  await page.getByLabel('SMTP password').fill('relay-pass');
  await page.getByLabel('Sender (From)').fill('Seatwarden <seatwarden@example.test>');
  await page.getByRole('button', { name: 'Save mail settings' }).click();
  await page.getByText('refusing to send a password without TLS').first().waitFor();
  assert.notEqual((await api(page, 'settings/mail')).body.mail.source, 'own', 'nothing was saved');
  // That refusal is the only error the page may log.
  assert.ok(browser.consoleErrors.every((e) => /422/.test(e)), browser.consoleErrors.join('\n'));
  const refusedErrors = browser.consoleErrors.length;

  await box.check();
  await warning.waitFor({ state: 'visible' });
  assert.match(await warning.textContent(), /^Danger: .*unencrypted/);
  await page.getByLabel('SMTP password').fill('relay-pass');
  await page.getByRole('button', { name: 'Save mail settings' }).click();
  assert.equal(await flagShown(page, 'Mail settings saved'), 'success');
  const mail = (await api(page, 'settings/mail')).body.mail;
  assert.equal(mail.source, 'own');
  assert.equal(mail.security, 'none');
  assert.equal(mail.allow_auth_without_tls, true);
  assert.equal(mail.password_set, true);
  await shot(page, 'smtp-plain-auth');

  // Reload: the choice and its warning are still shown; unticking it and saving turns it off again.
  await openTab(page, 'dashboard');
  await openTab(page, 'notifications');
  assert.equal(await page.getByLabel(PLAIN).isChecked(), true);
  assert.equal(await page.getByTestId('plain-auth-warning').isVisible(), true);
  await page.getByLabel('Security').selectOption('start_tls');
  await page.getByLabel(PLAIN).uncheck();
  assert.equal(await page.getByTestId('plain-auth-warning').isVisible(), false);
  await page.getByLabel('SMTP password').fill('relay-pass');
  await page.getByRole('button', { name: 'Save mail settings' }).click();
  assert.equal(await flagShown(page, 'Mail settings saved'), 'success');
  const off = (await api(page, 'settings/mail')).body.mail;
  assert.equal(off.allow_auth_without_tls, false);
  assert.equal(off.security, 'start_tls');
  assert.deepEqual(browser.consoleErrors.slice(refusedErrors), []);
});
