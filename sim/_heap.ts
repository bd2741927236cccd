/**
 * A binary min-heap of timed tasks, ordered by time then insertion. A task can be canceled
 * before it is due; canceled tasks are dropped when they reach the top and the heap is rebuilt
 * once they are more than half of it, so it holds at most about twice the live tasks.
 *
 * @module
 */

/** A scheduled task. */
export interface Timed {
  /** Due time (ms). */
  at: number;
  /** Insertion number (ties run in insertion order). */
  seq: number;
  /** What to run. */
  run: () => void;
  /** Whether the task was canceled or already taken off the heap. */
  done: boolean;
}

const NOOP = () => {};
/** Below this many canceled tasks the heap is never rebuilt. */
const MIN_COMPACT = 64;

/**
 * Min-heap of {@linkcode Timed} tasks.
 *
 * Retention: live tasks plus canceled ones not yet dropped; canceled tasks never exceed half of
 * the heap once there are more than 64 of them.
 */
export class TaskHeap {
  #items: Timed[] = [];
  #seq = 0;
  #canceled = 0;

  /** Number of tasks held (canceled ones not yet dropped included). */
  get size(): number {
    return this.#items.length;
  }

  /** Number of live (not canceled) tasks. */
  get live(): number {
    return this.#items.length - this.#canceled;
  }

  /** Earliest due time of a live task, or Infinity. */
  peekAt(): number {
    this.#dropCanceledTop();
    return this.#items.length ? this.#items[0].at : Infinity;
  }

  /**
   * Adds a task.
   *
   * @param at Due time (ms).
   * @param run What to run.
   * @returns The task, for {@linkcode TaskHeap.cancel}.
   */
  push(at: number, run: () => void): Timed {
    const items = this.#items;
    const item: Timed = { at, seq: this.#seq++, run, done: false };
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(item, items[p])) break;
      items[i] = items[p];
      i = p;
    }
    items[i] = item;
    return item;
  }

  /**
   * Cancels a task that has not run yet (no-op once it ran or was canceled). Its closure is
   * released at once.
   *
   * @param item The task `push` returned.
   */
  cancel(item: Timed): void {
    if (item.done) return;
    item.done = true;
    item.run = NOOP;
    this.#canceled++;
    if (this.#canceled > MIN_COMPACT && this.#canceled * 2 > this.#items.length) this.#compact();
  }

  /** Removes and returns the earliest live task. */
  pop(): Timed | undefined {
    this.#dropCanceledTop();
    const top = this.#popRaw();
    if (top !== undefined) top.done = true;
    return top;
  }

  #dropCanceledTop(): void {
    const items = this.#items;
    while (items.length > 0 && items[0].done) {
      this.#popRaw();
      this.#canceled--;
    }
  }

  #popRaw(): Timed | undefined {
    const items = this.#items;
    if (items.length === 0) return undefined;
    const top = items[0];
    const last = items.pop()!;
    if (items.length) {
      let i = 0;
      const n = items.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && less(items[r], items[l]) ? r : l;
        if (!less(items[c], last)) break;
        items[i] = items[c];
        i = c;
      }
      items[i] = last;
    }
    return top;
  }

  /** Drops every canceled task; a sorted array is a valid min-heap. */
  #compact(): void {
    this.#items = this.#items.filter((t) => !t.done).sort((a, b) => less(a, b) ? -1 : 1);
    this.#canceled = 0;
  }
}

function less(a: Timed, b: Timed): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
