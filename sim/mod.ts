/**
 * Local replicas of the perpetual venues: the venue-independent simulator engine that the
 * Lighter, GRVT and EdgeX front-ends speak their wire formats on top of.
 *
 * - {@linkcode Instrument}: tick, size step, minimum size / notional, leverage, maker / taker
 *   fees (a negative maker fee is a rebate), funding interval.
 * - {@linkcode SimEngine}: price-time matching (GTC / GTT / IOC / FOK, post-only, market with a
 *   worst price, reduce-only, self-trade prevention), accounts with margin and liquidation,
 *   funding settlement, per-stream numbered events, virtual time.
 * - {@linkcode MarketSimulator}: a seeded or scripted price path and a background liquidity
 *   account that fills resting orders as the price moves.
 * - {@linkcode FaultInjector}, {@linkcode SimServer}, {@linkcode SimControl}: one fault model for
 *   every replica and the paper clients (latency, 429 with Retry-After, 5xx, answers lost after
 *   acceptance, garbage bodies — HTML, `null`, empty, truncated, wrong types —, dropped sockets,
 *   half-open silent sockets, sequence gaps, duplicate and reordered events, malformed frames),
 *   the HTTP + WebSocket harness front-ends plug into, and the control API (faults, price moves,
 *   funding scripts, account truth, time) every replica mounts at `/_control` with
 *   `SimServer.start({ faults, control })`.
 *
 * Independence rule (checked by `tests/sim_independence_test.ts` on the module graph, type
 * imports included): a replica must be able to disagree with the client it serves, so
 * - a replica or engine module under `sim/` imports from `exchanges/` only the generic
 *   `exchanges/_shared/clock.ts` — never a venue's signer, typed-data builder, verifier, schema,
 *   error table, unit conversion or constants, directly or through another module. Venue-free
 *   cryptographic primitives live outside `exchanges/` (`crypto/ecgfp5/`: Goldilocks field,
 *   ECgFp5 curve, Poseidon2, Schnorr verification, each checked against the official primitive
 *   vectors) and are shared like viem's recover. A replica rebuilds what it needs from the venue
 *   notes; verifiers only a server needs live in `sim/<venue>/`;
 * - the client-side modules here (`paper.ts`, an `ExchangeClient` on the engine; `network.ts`
 *   and `serve.ts`, which hand out the venues' real clients; this entry point) use only the
 *   shared plumbing `exchanges/_shared/*` and the venues' entry points `exchanges/<venue>/mod.ts`,
 *   and no replica loads them;
 * - nothing under `exchanges/` imports from `sim/`, and the bot and the funding service load
 *   `sim/` only with a dynamic `import()`.
 *
 * Money is exact: prices are integer ticks, sizes integer lots, cash a bigint of 10^-24 quote
 * units; inputs are `Decimal`s or decimal strings and outputs decimal strings. A rejected order
 * throws one of the package's errors (`InvalidOrderError`, `InsufficientMarginError`,
 * `DuplicateClientOrderIdError`, `PostOnlyWouldCrossError`, `OrderRejectedError`,
 * `NotFoundError`); an accepted order that does not rest comes back `"canceled"` with a
 * `cancelReason`.
 *
 * @example Two crossing orders and the fill
 * ```ts
 * import { ManualClock } from "../exchanges/_shared/clock.ts";
 * import { SimEngine } from "./mod.ts";
 * import { deepStrictEqual, strictEqual as equal } from "node:assert/strict";
 *
 * const engine = new SimEngine({ clock: new ManualClock(Date.UTC(2026, 0, 1)) });
 * engine.addInstrument(
 *   { symbol: "BTC", tickSize: "0.1", sizeStep: "0.001", makerFee: "-0.0001", takerFee: "0.00045" },
 *   { markPrice: "64000" },
 * );
 * engine.createAccount("alice", { collateral: "10000" });
 * engine.createAccount("bob", { collateral: "10000" });
 *
 * engine.placeOrder("alice", { symbol: "BTC", side: "sell", size: "0.01", price: "64000.5", postOnly: true });
 * const { order, fills } = engine.placeOrder("bob", {
 *   symbol: "BTC",
 *   side: "buy",
 *   size: "0.01",
 *   price: "64001",
 *   clientOrderId: "bob-1",
 * });
 *
 * equal(order.status, "filled");
 * deepStrictEqual(fills.map((f) => [f.price, f.size, f.fee, f.liquidity]), [
 *   ["64000.5", "0.01", "0.28800225", "taker"],
 * ]);
 * equal(engine.fills("alice")[0].fee, "-0.0640005"); // maker rebate
 * equal(engine.position("bob", "BTC").size, "0.01");
 * ```
 *
 * @module
 */
export * from "./instrument.ts";
export * from "./matching.ts";
export * from "./account.ts";
export * from "./events.ts";
export * from "./funding.ts";
export * from "./engine.ts";
export * from "./market.ts";
export * from "./faults.ts";
export * from "./control.ts";
export * from "./server.ts";
export * from "./paper.ts";
export * from "./network.ts";
export * from "./serve.ts";
export { Prng } from "./random.ts";
export type { Ratio } from "./_fixed.ts";
export * from "../base.ts";
export * from "./lighter/mod.ts";
export * from "./edgex/mod.ts";
export { ManualClock, systemClock } from "../exchanges/_shared/clock.ts";
export * from "./grvt/mod.ts";
export * from "./hyperliquid/mod.ts";
