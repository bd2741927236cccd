import fc from "fast-check";
import { deepStrictEqual, strictEqual as equal } from "node:assert/strict";
import { type BookOrder, OrderBook } from "./matching.ts";

function order(side: "buy" | "sell", priceTicks: number, remainingLots: number): BookOrder {
  return { side, priceTicks, remainingLots, prev: null, next: null, level: null };
}

Deno.test("OrderBook keeps levels sorted best first and queues orders in time priority", () => {
  const book = new OrderBook();
  const a = order("sell", 105, 1);
  const b = order("sell", 103, 2);
  const c = order("sell", 103, 3);
  const d = order("sell", 110, 4);
  for (const o of [a, b, c, d]) book.add(o);
  deepStrictEqual(book.depth("sell"), [[103, 5], [105, 1], [110, 4]]);
  const top = book.bestLevel("sell")!;
  equal(top.head, b);
  equal(top.tail, c);
  book.remove(b);
  equal(book.bestLevel("sell")!.head, c);
  book.reduce(c, 1);
  deepStrictEqual(book.depth("sell", 1), [[103, 2]]);
  book.remove(a);
  deepStrictEqual(book.takeChanges().map((x) => [x.side, x.price, x.lots]), [
    ["sell", 105, 0],
    ["sell", 103, 2],
    ["sell", 110, 4],
  ]);
  deepStrictEqual(book.takeChanges(), []);
  equal(book.wouldCross("buy", 102), false);
  equal(book.wouldCross("buy", 103), true);
});

Deno.test("OrderBook agrees with a naive model under random adds, partial fills and removes", () => {
  const opArb = fc.record({
    add: fc.boolean(),
    side: fc.constantFrom("buy" as const, "sell" as const),
    price: fc.integer({ min: 1, max: 30 }),
    lots: fc.integer({ min: 1, max: 9 }),
    pick: fc.nat(),
    partial: fc.boolean(),
  });
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 200, size: "max" }), (ops) => {
      const book = new OrderBook();
      const live: BookOrder[] = [];
      for (const op of ops) {
        if (op.add || live.length === 0) {
          const o = order(op.side, op.price, op.lots);
          book.add(o);
          live.push(o);
        } else {
          const i = op.pick % live.length;
          const o = live[i];
          if (op.partial && o.remainingLots > 1) {
            book.reduce(o, 1);
          } else {
            book.remove(o);
            live.splice(i, 1);
          }
        }
        for (const side of ["buy", "sell"] as const) {
          const model = new Map<number, number>();
          for (const o of live) {
            if (o.side === side) {
              model.set(o.priceTicks, (model.get(o.priceTicks) ?? 0) + o.remainingLots);
            }
          }
          const expected = [...model.entries()].sort((x, y) =>
            side === "buy" ? y[0] - x[0] : x[0] - y[0]
          );
          deepStrictEqual(book.depth(side), expected);
          // Each level's queue is the live orders at that price, oldest first.
          for (const level of book.levels(side)) {
            const queue: BookOrder[] = [];
            for (let o = level.head; o !== null; o = o.next) queue.push(o);
            deepStrictEqual(
              queue,
              live.filter((o) => o.side === side && o.priceTicks === level.price),
            );
          }
        }
      }
    }),
    { numRuns: 200 },
  );
});
