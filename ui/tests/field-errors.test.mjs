// Issue 24, "Also wrong": errors in words beside their field. A bad Users filter (-5, 0, empty days)
// says what the field takes next to it and never empties the table; a policy without a name, or
// with a 3,000-character one, is refused beside the Name field; an empty group create says what to
// type; a bad scheduler time gives a summary at the top of Settings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, openTab, shot } from './harness.mjs';

let server; let browser;
before(async () => { server = await startServer(); browser = await openBrowser(server); });
after(async () => { await browser?.close(); await server?.stop(); });

/**
 * The field error shown for `path`, once it is there (and, given `words`, once it says them: the
 * error of the value typed before stays up until the server answers the new one).
 */
async function fieldError(page, path, words) {
  const el = page.locator(`[data-testid="field-error"][data-path="${path}"]`);
  await (words ? el.filter({ hasText: words }) : el).waitFor();
  return el.innerText();
}

test('a bad days filter is an error beside Days, and the table stays', async () => {
  const { page } = browser;
  await openTab(page, 'users');
  await page.getByTestId('users-table').waitFor();
  const rowsBefore = await page.getByTestId('user-row').count();
  assert.ok(rowsBefore > 0);
  await page.getByLabel('Activity').selectOption('notWithin');
  for (const [typed, words] of [['-5', /must be a whole number from 0 to/], ['0', /enter a number of days from 1 to 36500/], ['', /enter a number of days from 1 to 36500/]]) {
    await page.getByLabel('Days', { exact: true }).fill(typed);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const text = await fieldError(page, 'filter.activity.days', words);
    assert.match(text, words, `days ${JSON.stringify(typed)}`);
    assert.doesNotMatch(text, /u32|invalid value|expected/);
    assert.equal(await page.getByLabel('Days', { exact: true }).getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByTestId('user-row').count(), rowsBefore, 'the table is still there');
    await page.getByTestId('filter-error').filter({ hasText: 'The table still shows the last filter that worked.' }).waitFor();
  }
  await shot(page, 'field-errors-days');
  // A good value clears the error.
  await page.getByLabel('Days', { exact: true }).fill('30');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.locator('[data-testid="field-error"][data-path="filter.activity.days"]').waitFor({ state: 'detached' });
});

test('a policy name that is empty or 3,000 characters long is refused beside Name', async () => {
  const { page } = browser;
  await openTab(page, 'automation');
  await page.getByRole('button', { name: 'New policy', exact: true }).click();
  await page.locator('#policy-form').waitFor();
  for (const [name, words] of [['   ', /enter a name/], ['x'.repeat(3000), /at most 120 characters \(it has 3000\)/]]) {
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    assert.match(await fieldError(page, 'name', words), words);
  }
});

test('an empty group create says what to type', async () => {
  const { page } = browser;
  await openTab(page, 'groups');
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  await page.getByTestId('problem').filter({ hasText: 'enter at least one group name' }).waitFor();
  // A second try shows one error, not two.
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  await page.getByTestId('problem').filter({ hasText: 'enter at least one group name' }).waitFor();
  assert.equal(await page.getByTestId('error').count(), 1);
});

test('a bad scheduler time gives a summary at the top of Settings', async () => {
  const { page } = browser;
  await openTab(page, 'settings');
  const time = page.getByLabel('Daily scheduler run at');
  assert.equal(await time.getAttribute('type'), 'text', '24-hour text, not a 12-hour time picker');
  await time.fill('25:00');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByTestId('error-summary').locator('.sw-banner-error').waitFor();
  await fieldError(page, 'settings.schedulerAt');
  await shot(page, 'field-errors-settings');
});
