/**
 * Property-based invariants of the engine: random sequences of orders, cancels, price moves
 * and time passing, checked after every step.
 */
import fc from "fast-check";
import { ok, strictEqual as equal } from "node:assert/strict";
import type { Clock } from "../base.ts";
import { Decimal } from "../core/decimal.ts";
import { PerpError } from "../core/errors.ts";
import { SimEngine } from "./engine.ts";
import type { SimEvent } from "./events.ts";

const ACCOUNTS = ["a", "b", "c", "lp"] as const;

type Op =
  | {
    kind: "place";
    acct: number;
    side: "buy" | "sell";
    type: "limit" | "market";
    tif: "gtc" | "ioc" | "fok" | "gtt";
    offset: number;
    lots: number;
    postOnly: boolean;
    reduceOnly: boolean;
  }
  | { kind: "cancel"; acct: number; nth: number }
  | { kind: "cancelAll"; acct: number }
  | { kind: "mark"; offset: number }
  | { kind: "advance"; ms: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("place" as const),
      acct: fc.integer({ min: 0, max: 3 }),
      side: fc.constantFrom("buy" as const, "sell" as const),
      type: fc.constantFrom("limit" as const, "limit" as const, "market" as const),
      tif: fc.constantFrom(
        "gtc" as const,
        "gtc" as const,
        "ioc" as const,
        "fok" as const,
        "gtt" as const,
      ),
      offset: fc.integer({ min: -15, max: 15 }),
      lots: fc.integer({ min: 1, max: 1000 }),
      postOnly: fc.integer({ min: 0, max: 2 }).map((n) => n === 0),
      reduceOnly: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("cancel" as const),
      acct: fc.integer({ min: 0, max: 3 }),
      nth: fc.nat(20),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("cancelAll" as const),
      acct: fc.integer({ min: 0, max: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("mark" as const),
      offset: fc.integer({ min: -80, max: 80 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("advance" as const),
      ms: fc.integer({ min: 1, max: 3 * 3_600_000 }),
    }),
  },
);

function price(ticks: number): string {
  return new Decimal(ticks).div(10).toString();
}

class Checker {
  readonly positions = new Map<string, Decimal>();
  readonly reduceOnly = new Set<string>();
  readonly postOnly = new Set<string>();
  readonly pending = new Map<string, Decimal>();
  readonly violations: string[] = [];

  onEvent = (e: SimEvent): void => {
    switch (e.type) {
      case "order":
        if (e.order.reduceOnly) this.reduceOnly.add(e.order.id);
        if (e.order.postOnly) this.postOnly.add(e.order.id);
        break;
      case "fill": {
        const f = e.fill;
        if (this.postOnly.has(f.orderId) && f.liquidity !== "maker") {
          this.violations.push(`post-only order ${f.orderId} took liquidity`);
        }
        if (this.reduceOnly.has(f.orderId)) {
          this.pending.set(f.accountId, this.positions.get(f.accountId) ?? new Decimal(0));
        }
        break;
      }
      case "position": {
        const before = this.pending.get(e.accountId);
        const after = new Decimal(e.size);
        if (before !== undefined) {
          this.pending.delete(e.accountId);
          if (
            after.abs().gt(before.abs()) || (!after.isZero() && after.isNeg() !== before.isNeg())
          ) {
            this.violations.push(
              `reduce-only fill moved ${e.accountId} from ${before} to ${after}`,
            );
          }
        }
        this.positions.set(e.accountId, after);
        break;
      }
      case "funding":
        if (e.settlement.paid !== e.settlement.received) {
          this.violations.push(
            `funding at ${e.time} paid ${e.settlement.paid} received ${e.settlement.received}`,
          );
        }
        break;
    }
  };
}

function checkState(engine: SimEngine, checker: Checker): void {
  equal(checker.violations.join("; "), "");
  let lots = new Decimal(0);
  let equity = new Decimal(0);
  let deposited = new Decimal(0);
  for (const id of engine.accounts()) {
    lots = lots.plus(engine.position(id, "ETH").size);
    const b = engine.balance(id);
    equity = equity.plus(b.equity);
    deposited = deposited.plus(b.deposited);
  }
  equal(lots.toString(), "0", "positions sum to zero");
  equal(
    equity.plus(engine.feesCollected()).toString(),
    deposited.toString(),
    "cash + fees + funding conserved",
  );
  const { bid, ask } = engine.topTicks("ETH");
  if (bid !== undefined && ask !== undefined) ok(bid < ask, `book crossed: ${bid} >= ${ask}`);
  // Resting orders and book levels agree.
  let resting = new Decimal(0);
  for (const o of engine.openOrders(undefined, "ETH")) resting = resting.plus(o.remainingSize);
  const book = engine.book("ETH");
  let levels = new Decimal(0);
  for (const [, s] of [...book.bids, ...book.asks]) levels = levels.plus(s);
  equal(levels.toString(), resting.toString(), "book levels equal open orders");
}

/** A clock that moves synchronously, so a property runs without awaiting timers. */
class StepClock implements Clock {
  time = 0;
  now(): number {
    return this.time;
  }
  sleep(): Promise<void> {
    return Promise.resolve();
  }
}

const seen = {
  fills: 0,
  funding: 0,
  nonZeroFunding: 0,
  liquidations: 0,
  reduceOnlyFills: 0,
  expired: 0,
};

function run(ops: Op[]): void {
  const clock = new StepClock();
  const engine = new SimEngine({ clock });
  engine.addInstrument(
    {
      symbol: "ETH",
      tickSize: "0.1",
      sizeStep: "0.01",
      maxLeverage: "5",
      makerFee: "-0.0002",
      takerFee: "0.0007",
      fundingIntervalHours: 1,
      fundingRateCap: "0.01",
    },
    { markPrice: "100", indexPrice: "100" },
  );
  for (const id of ACCOUNTS) {
    engine.createAccount(
      id,
      id === "lp" ? { collateral: "1000000", unlimitedMargin: true } : { collateral: "300" },
    );
  }
  const checker = new Checker();
  engine.subscribe(checker.onEvent);
  let n = 0;
  for (const op of ops) {
    const acct = "acct" in op ? ACCOUNTS[op.acct] : "";
    try {
      switch (op.kind) {
        case "place": {
          const mark = engine.markTicks("ETH");
          const ticks = Math.max(1, mark + op.offset);
          engine.placeOrder(acct, {
            symbol: "ETH",
            side: op.side,
            type: op.type,
            size: new Decimal(op.lots).div(100).toString(),
            price: op.type === "limit" ? price(ticks) : undefined,
            worstPrice: op.type === "market" && op.offset % 2 === 0 ? price(ticks) : undefined,
            timeInForce: op.type === "market" ? (op.tif === "fok" ? "fok" : "ioc") : op.tif,
            expiresAt: op.tif === "gtt" ? clock.now() + 3_600_000 : undefined,
            postOnly: op.type === "limit" && (op.tif === "gtc" || op.tif === "gtt") && op.postOnly,
            reduceOnly: op.reduceOnly,
            clientOrderId: `c${++n}`,
          });
          break;
        }
        case "cancel": {
          const open = engine.openOrders(acct);
          if (open.length > 0) engine.cancelOrder(acct, { id: open[op.nth % open.length].id });
          break;
        }
        case "cancelAll":
          engine.cancelAll(acct);
          break;
        case "mark":
          engine.setPrices("ETH", {
            markPrice: price(Math.max(100, engine.markTicks("ETH") + op.offset)),
          });
          break;
        case "advance":
          clock.time += op.ms;
          engine.sync();
          break;
      }
    } catch (err) {
      if (!(err instanceof PerpError)) throw err;
    }
    checkState(engine, checker);
  }
  for (const e of engine.events) {
    if (e.type === "fill") {
      seen.fills++;
      if (checker.reduceOnly.has(e.fill.orderId)) seen.reduceOnlyFills++;
    }
    if (e.type === "funding") {
      seen.funding++;
      if (e.settlement.paid !== "0") seen.nonZeroFunding++;
    }
    if (e.type === "liquidation") seen.liquidations++;
    if (e.type === "order" && e.order.status === "expired") seen.expired++;
  }
}

const INVARIANTS_SEED = Number(Deno.env.get("PERP_INVARIANTS_SEED") ?? 20261207);

Deno.test("invariants hold over random order flow: zero-sum positions, conserved cash, balanced funding, reduce-only, post-only, uncrossed book", () => {
  fc.assert(
    fc.property(fc.array(opArb, { minLength: 1, maxLength: 120, size: "max" }), (ops) => run(ops)),
    // Seeded, so that every run reaches the same paths (the coverage check below); another
    // seed explores other flows: PERP_INVARIANTS_SEED=<n>.
    { numRuns: 300, seed: INVARIANTS_SEED },
  );
  // The generator must reach the interesting paths, or the invariants prove nothing.
  for (const [what, count] of Object.entries(seen)) ok(count > 0, `no ${what} in any run`);
});

Deno.test("the invariant checker catches a post-only order that took liquidity", () => {
  // Guard against a checker that cannot fail: feed it a forged event stream.
  const checker = new Checker();
  const header = { seq: 1, stream: "x", streamSeq: 1, time: 0 };
  checker.onEvent({
    ...header,
    type: "order",
    order: {
      id: "1",
      clientOrderId: "p",
      accountId: "a",
      symbol: "ETH",
      side: "buy",
      type: "limit",
      price: "1",
      size: "1",
      requestedSize: "1",
      filledSize: "0",
      remainingSize: "1",
      averageFillPrice: undefined,
      status: "open",
      timeInForce: "gtc",
      postOnly: true,
      reduceOnly: true,
      cancelReason: undefined,
      expiresAt: undefined,
      createdAt: 0,
      updatedAt: 0,
    },
  });
  checker.onEvent({
    ...header,
    type: "fill",
    fill: {
      tradeId: "1",
      accountId: "a",
      orderId: "1",
      clientOrderId: "p",
      symbol: "ETH",
      side: "buy",
      price: "1",
      size: "1",
      fee: "0",
      realizedPnl: "0",
      liquidity: "taker",
      liquidation: false,
      time: 0,
    },
  });
  checker.onEvent({
    ...header,
    type: "position",
    accountId: "a",
    symbol: "ETH",
    size: "1",
    entryPrice: "1",
    realizedPnl: "0",
  });
  equal(checker.violations.length, 2);
});
