/**
 * A binary min-heap of timed tasks, ordered by time then insertion.
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
}

/** Min-heap of {@linkcode Timed} tasks. */
export class TaskHeap {
  readonly #items: Timed[] = [];
  #seq = 0;

  /** Number of tasks. */
  get size(): number {
    return this.#items.length;
  }

  /** Earliest due time, or Infinity. */
  peekAt(): number {
    return this.#items.length ? this.#items[0].at : Infinity;
  }

  /** Adds a task. */
  push(at: number, run: () => void): void {
    const items = this.#items;
    const item: Timed = { at, seq: this.#seq++, run };
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(item, items[p])) break;
      items[i] = items[p];
      i = p;
    }
    items[i] = item;
  }

  /** Removes and returns the earliest task. */
  pop(): Timed | undefined {
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
}

function less(a: Timed, b: Timed): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
