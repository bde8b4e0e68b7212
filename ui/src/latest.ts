// Only the newest answer reaches a place on the page.
//
// A filter, a page size or a window can change faster than the server answers, and answers
// come back in any order. A list that shows whichever answer arrives *last* can show
// unfiltered rows under a filter (found in Audit › Runs by a browser-suite run under load).
// Every view that reloads one place on the page on each change goes through `newest`, so the
// place always matches the controls on screen.

/** Per place: the newest request begun, and how many are still out. */
interface Sequence { begun: number; out: number }

// Keyed by the element the answers are drawn into: a view drawn again gets a new element, so a
// late answer for a page the admin left is drawn into a detached element and never seen.
const sequences = new WeakMap<HTMLElement, Sequence>();

/**
 * Loads an answer for `place` and hands it to `show`, or a failure to `fail`, only when no newer
 * `newest` call for the same place began meanwhile; an older answer is dropped.
 *
 * `place` is `aria-busy="true"` while any of its requests is out and `"false"` once none is: screen
 * readers hear that it is updating, and tests wait on that state, never on time.
 */
export async function newest<T>(
  place: HTMLElement,
  load: () => Promise<T>,
  show: (answer: T) => void,
  fail: (e: unknown) => void,
): Promise<void> {
  const seq = sequences.get(place) ?? { begun: 0, out: 0 };
  sequences.set(place, seq);
  const mine = ++seq.begun;
  seq.out += 1;
  place.setAttribute('aria-busy', 'true');
  try {
    let answer: T;
    try {
      answer = await load();
    } catch (e) {
      if (mine === seq.begun) fail(e);
      return;
    }
    if (mine === seq.begun) show(answer);
  } finally {
    seq.out -= 1;
    if (seq.out === 0) place.setAttribute('aria-busy', 'false');
  }
}
