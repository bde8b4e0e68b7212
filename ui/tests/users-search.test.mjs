// Users tab search box (issue 19): typing searches by itself once typing
// pauses (debounced), asks the server once for the whole word rather than
// once per keystroke, and the table shows the answer to the latest text.
// The page's clock is Playwright's fake clock, paused while typing, so the
// test decides when the pause has lasted long enough: nothing here waits on
// real time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, openTab, api } from './harness.mjs';

let server; let browser;
before(async () => { server = await startServer(); browser = await openBrowser(server); });
after(async () => { await browser?.close(); await server?.stop(); });

/** The debounce in `src/views/users.ts` (SEARCH_DEBOUNCE_MS). */
const DEBOUNCE_MS = 250;

test('typing searches once when typing pauses, and the table answers the latest text', async () => {
  const { page } = browser;
  await page.clock.install();
  await page.reload();
  await openTab(page, 'users');
  const results = page.locator('.sw-results');
  await page.locator('.sw-results[data-state="ready"]').waitFor();

  // A needle with hits: four letters from the middle of a real username.
  const first = (await api(page, 'users?filter=%7B%7D')).body.rows[0].username;
  const needle = first.slice(1, 5).toLowerCase();
  const expected = (await api(page, `users?filter=${encodeURIComponent(JSON.stringify({ search: { text: needle, mode: 'contains' } }))}`)).body.total;
  assert.ok(expected > 0, `"${needle}" matches at least "${first}"`);

  const asked = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname.endsWith('/api/users')) asked.push(JSON.parse(u.searchParams.get('filter') ?? '{}').search?.text ?? '');
  });

  const now = await page.evaluate(() => Date.now());
  await page.clock.pauseAt(now + 1_000);
  const box = page.getByLabel('Search', { exact: true });
  await box.pressSequentially(needle);
  await page.locator('.sw-results[data-state="typing"]').waitFor();
  assert.deepEqual(asked, [], 'no request while typing goes on');

  // Just short of the pause: still nothing.
  await page.clock.runFor(DEBOUNCE_MS - 1);
  assert.deepEqual(asked, [], 'no request before the pause has lasted');
  await page.clock.runFor(1);
  await page.locator(`.sw-results[data-state="ready"][data-search="${needle}"]`).waitFor();
  assert.deepEqual(asked, [needle], 'one request, for the whole text');
  assert.equal(await page.getByTestId('user-total').textContent(), `${expected.toLocaleString('en')} user${expected === 1 ? '' : 's'}`);

  // Typing more and deleting back to the same text asks nothing new.
  await box.press('x');
  await box.press('Backspace');
  await page.clock.runFor(DEBOUNCE_MS);
  await page.locator(`.sw-results[data-state="ready"][data-search="${needle}"]`).waitFor();
  assert.deepEqual(asked, [needle], 'the same text is not asked again');

  // Clearing the box shows everyone again, after the pause.
  await box.fill('');
  await page.clock.runFor(DEBOUNCE_MS);
  await page.locator('.sw-results[data-state="ready"][data-search=""]').waitFor();
  assert.deepEqual(asked, [needle, '']);
  assert.ok(await results.getByTestId('user-row').count() > 0);
});
