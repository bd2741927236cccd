import fc from "fast-check";
import { strictEqual as equal } from "node:assert/strict";
import { Account } from "./account.ts";
import { Instrument } from "./instrument.ts";

Deno.test("PositionState realizes exactly the cash flow of a position's life once it is closed", () => {
  const inst = new Instrument({ symbol: "X", tickSize: "1", sizeStep: "1" });
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          d: fc.integer({ min: -50, max: 50 }).filter((d) => d !== 0),
          p: fc.integer({ min: 1, max: 1000 }),
        }),
        {
          maxLength: 40,
        },
      ),
      fc.integer({ min: 1, max: 1000 }),
      (trades, closePrice) => {
        const p = new Account("a").position(inst);
        let flow = 0n; // −Σ d·p: cash in for sells, out for buys
        for (const t of trades) {
          p.apply(t.d, t.p);
          flow -= BigInt(t.d) * BigInt(t.p);
        }
        if (p.lots !== 0) {
          flow -= BigInt(-p.lots) * BigInt(closePrice);
          p.apply(-p.lots, closePrice);
        }
        equal(p.lots, 0);
        equal(p.cost, 0n);
        equal(p.realized, flow * inst.tickLotAtoms);
      },
    ),
  );
});

Deno.test("PositionState tracks a flip from long to short with the new entry at the flip price", () => {
  const inst = new Instrument({ symbol: "X", tickSize: "1", sizeStep: "1" });
  const p = new Account("a").position(inst);
  p.apply(3, 100);
  equal(p.apply(-5, 110), 30n * inst.tickLotAtoms);
  equal(p.lots, -2);
  equal(p.cost, -220n);
  equal(p.unrealized(100), 20n * inst.tickLotAtoms);
});
