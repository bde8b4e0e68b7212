// Users tab just after a restart (issue 19): while the directory index is
// built, the server answers the default first pages straight from the
// directory with `indexing: true` (crates/seatwarden-service/src/service/early_page.rs;
// the Rust tests prove those pages equal the ready index's). The tab shows
// a note saying so, asks the same page again with backoff, and draws the
// answer once it says the index is ready.
//
// The demo directory here is indexed long before the browser asks, so the
// flag is put on the server's real answers with page.route until the test
// lets them through unchanged; the page's clock is Playwright's fake clock,
// so the backoff runs when the test says: nothing waits on real time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, openTab } from './harness.mjs';

let server; let browser;
before(async () => { server = await startServer(); browser = await openBrowser(server); });
after(async () => { await browser?.close(); await server?.stop(); });

/** The first poll's wait in `src/views/users.ts` (INDEXING_POLL_MS[0]), then the second's. */
const FIRST_POLL_MS = 500;
const SECOND_POLL_MS = 1_000;

test('while the directory is indexed the tab says so, polls with backoff and draws the ready page', async () => {
  const { page, consoleErrors } = browser;
  let indexing = true;
  let asked = 0;
  await page.route((url) => url.pathname.endsWith('/api/users'), async (route) => {
    asked += 1;
    const response = await route.fetch();
    const body = await response.json();
    if (indexing) body.indexing = true;
    await route.fulfill({ response, json: body });
  });
  await page.clock.install();
  await page.reload();
  await page.locator('#sw-panel[data-loaded="dashboard"]').waitFor();
  const now = await page.evaluate(() => Date.now());
  await page.clock.pauseAt(now + 1_000);
  await openTab(page, 'users');
  const results = page.locator('.sw-results');
  await page.locator('.sw-results[data-state="ready"][data-indexing="true"]').waitFor();
  const note = page.getByTestId('users-indexing');
  await note.waitFor();
  assert.match(await note.textContent(), /still being indexed .*Filters, other sorts and later pages are answered once indexing is done/);
  assert.equal(await note.getAttribute('role'), 'status', 'announced to assistive technology');
  assert.ok(await results.getByTestId('user-row').count() > 0, 'the first page is shown meanwhile');
  const firstAsked = asked;

  // No poll before the first wait has passed; one when it has, still indexing.
  await page.clock.runFor(FIRST_POLL_MS - 1);
  assert.equal(asked, firstAsked, 'no poll before the first wait');
  await page.clock.runFor(1);
  await page.locator('.sw-results[data-polls="1"]').waitFor();
  assert.equal(asked, firstAsked + 1, 'one poll');
  assert.equal(await note.count(), 1, 'still indexing: the note stays');

  // The wait doubles; the next answer says the index is ready, and it is drawn.
  indexing = false;
  await page.clock.runFor(SECOND_POLL_MS - 1);
  assert.equal(asked, firstAsked + 1, 'the second wait is longer');
  await page.clock.runFor(1);
  await page.locator('.sw-results[data-state="ready"][data-indexing="false"]').waitFor();
  assert.equal(await note.count(), 0, 'the note went away by itself');
  assert.equal(asked, firstAsked + 2);
  assert.ok(await results.getByTestId('user-row').count() > 0);

  // Ready: no more polls.
  await page.clock.runFor(10_000);
  assert.equal(asked, firstAsked + 2, 'no poll once the index is ready');
  await page.unroute((url) => url.pathname.endsWith('/api/users'));
  assert.deepEqual(consoleErrors, []);
});
