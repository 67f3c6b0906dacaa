/**
 * Deadlines across an interruption. Every wait's deadline is an absolute time in the persisted snapshot
 * (a step's `book.deadlines`, the `deadline` a step or stage actor was invoked with), so a run resumed
 * hours later would find them all in the past and time out at once.
 *
 * The rule: a wait's budget counts the time the run was actually waiting. On resume every deadline is
 * moved later by the time the run was not running — from the checkpoint's last write to now — so the
 * wait gets exactly the budget it had left, as if its clock had been paused. Not re-armed with a full
 * budget: a run interrupted again and again must still give up, and AWS's own progress while we were
 * away needs no extra time. The last write can precede the kill by the call then in flight (at most a
 * request timeout), so the resumed budget errs by that much on the generous side, never the short one.
 *
 * Retry wake-up times (`book.retryAt`, a `sleepUntil` actor's `until`) are not moved: one that has
 * passed just fires, which is what a resumed run should do first.
 */

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function shiftBook(book: unknown, ms: number): unknown {
  if (!isObject(book) || !isObject(book.deadlines)) return book;
  const deadlines = Object.fromEntries(
    Object.entries(book.deadlines).map(([step, at]) => [step, typeof at === 'number' ? at + ms : at]),
  );
  return { ...book, deadlines };
}

/** The persisted snapshot with every deadline (its own and its children's, at any depth) `ms` later. */
export function shiftDeadlines(snapshot: unknown, ms: number): unknown {
  if (!isObject(snapshot) || ms <= 0) return snapshot;
  const out: Json = { ...snapshot };
  if (isObject(snapshot.context) && 'book' in snapshot.context) {
    out.context = { ...snapshot.context, book: shiftBook(snapshot.context.book, ms) };
  }
  if (isObject(snapshot.input) && typeof snapshot.input.deadline === 'number') {
    out.input = { ...snapshot.input, deadline: snapshot.input.deadline + ms };
  }
  if (isObject(snapshot.children)) {
    out.children = Object.fromEntries(
      Object.entries(snapshot.children).map(([id, child]) => [
        id,
        isObject(child) ? { ...child, snapshot: shiftDeadlines(child.snapshot, ms) } : child,
      ]),
    );
  }
  return out;
}

/** How long the run was not running: from the checkpoint's last write to `now` (never negative). */
export const offlineMs = (updatedAt: string, now = Date.now()): number => {
  const at = Date.parse(updatedAt);
  return Number.isNaN(at) ? 0 : Math.max(0, now - at);
};
