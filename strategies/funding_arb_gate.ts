/**
 * The entry gate of the funding-arbitrage strategy: what one entry is expected to earn over the
 * holding horizon after every cost, and the rules that refuse it.
 *
 * For a size `q` (base units) and `notional = q × (mid_long + mid_short) / 2`:
 *
 * - `funding = (short.hourlyRate − long.hourlyRate) × holdHours × notional`;
 * - `fees = notional × (open fee of each leg + taker fee of each leg at exit)` — the maker leg
 *   opens at its maker fee, the hedge leg at its taker fee, and both close as takers;
 * - `crossing` = what walking the live book costs against its mid: the hedge leg at entry, both
 *   legs at exit (estimated on the current books), `Σ |vwap − mid| × q`;
 * - `buffer = exitBuffer × notional`;
 * - `net = funding − fees − crossing − buffer`, `netApr = net / notional / holdHours × 8760`.
 *
 * Refused when `netApr < minNetApr`, when the mids diverge by more than `maxDivergence`, when a
 * leg's volume or open interest is below the minimum, when either leg settles within
 * `settlementWindowMs` and that settlement would not pay the leg, or when the pair already
 * failed `maxFailedOpensPerHour` opens in the last hour.
 *
 * @module
 */
import { Decimal, type DecimalInput, HOURS_PER_YEAR } from "../base.ts";

/** One price level of a book side: price, size. */
export interface GateLevel {
  /** Price. */
  price: Decimal;
  /** Size. */
  size: Decimal;
}

/**
 * One leg as the gate sees it.
 *
 * @example
 * ```ts
 * import { Decimal } from "../base.ts";
 * import type { GateLeg } from "./funding_arb_gate.ts";
 * const leg: GateLeg = {
 *   venue: "lighter", rate: new Decimal("0.00001"), hourlyRate: new Decimal("0.00001"),
 *   nextFundingTime: 3_600_000, makerFee: new Decimal(0), takerFee: new Decimal(0),
 *   bids: [{ price: new Decimal(99), size: new Decimal(10) }],
 *   asks: [{ price: new Decimal(101), size: new Decimal(10) }],
 * };
 * ```
 */
export interface GateLeg {
  /** Venue name. */
  venue: string;
  /** Rate per interval (fraction, positive = longs pay). */
  rate: Decimal;
  /** Rate per hour. */
  hourlyRate: Decimal;
  /** Next settlement, ms. */
  nextFundingTime: number | undefined;
  /** The account's maker fee (fraction). */
  makerFee: Decimal;
  /** The account's taker fee (fraction). */
  takerFee: Decimal;
  /** Bids, best first. */
  bids: readonly GateLevel[];
  /** Asks, best first. */
  asks: readonly GateLevel[];
  /** 24 h volume, USD, when known. */
  volume24hUsd?: Decimal;
  /** Open interest, USD, when known. */
  openInterestUsd?: Decimal;
}

/**
 * Gate settings.
 *
 * @example
 * ```ts
 * import type { GateRules } from "./funding_arb_gate.ts";
 * const rules: GateRules = { holdHours: "24", minNetApr: "0.1", exitBuffer: "0.0002" };
 * ```
 */
export interface GateRules {
  /** Holding horizon, hours. */
  holdHours: DecimalInput;
  /** Minimum net APR (fraction: 0.1 = 10 %). */
  minNetApr: DecimalInput;
  /** Exit buffer, fraction of notional. @default {"0"} */
  exitBuffer?: DecimalInput;
  /** Most cross-venue mid divergence, fraction of the lower mid. @default {"0.005"} */
  maxDivergence?: DecimalInput;
  /** Minimum 24 h volume of each leg, USD (a leg that does not report it is refused). */
  minVolumeUsd?: DecimalInput;
  /** Minimum open interest of each leg, USD (a leg that does not report it is refused). */
  minOiUsd?: DecimalInput;
  /** No entry this close before a leg's settlement unless it pays that leg (ms). @default {0} */
  settlementWindowMs?: number;
  /** Most failed opens per pair in the last hour. @default {3} */
  maxFailedOpensPerHour?: number;
}

/**
 * What the gate computed and decided.
 *
 * @example
 * ```ts
 * import type { GateResult } from "./funding_arb_gate.ts";
 * const line = (g: GateResult) => `${g.ok ? "enter" : g.reason} net APR ${g.netApr}`;
 * ```
 */
export interface GateResult {
  /** Whether the entry may go ahead. */
  ok: boolean;
  /** Why not (first rule that refused). */
  reason?: string;
  /** Size × average mid. */
  notional: Decimal;
  /** Expected funding over the horizon. */
  funding: Decimal;
  /** Open + close fees of both legs. */
  fees: Decimal;
  /** The open fees alone (maker leg at its maker fee, hedge leg at its taker fee). */
  openFees: Decimal;
  /** Book-crossing cost (hedge at entry, both legs at exit). */
  crossing: Decimal;
  /** The entry's part of `crossing` (the hedge leg's walk). */
  entryCrossing: Decimal;
  /** Exit buffer. */
  buffer: Decimal;
  /** `funding − fees − crossing − buffer`. */
  net: Decimal;
  /** `net / notional / holdHours × 8760`. */
  netApr: Decimal;
  /** `|mid_long − mid_short| / min(mid)`. */
  divergence: Decimal;
}

/**
 * Mid of a book (best bid + best ask) / 2; `undefined` with an empty side.
 *
 * @param bids Bids, best first.
 * @param asks Asks, best first.
 * @returns The mid.
 *
 * @example
 * ```ts
 * import { Decimal } from "../base.ts";
 * import { midOf } from "./funding_arb_gate.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const l = (p: string) => ({ price: new Decimal(p), size: new Decimal(1) });
 * equal(midOf([l("99")], [l("101")])?.toString(), "100");
 * ```
 */
export function midOf(
  bids: readonly GateLevel[],
  asks: readonly GateLevel[],
): Decimal | undefined {
  if (!bids[0] || !asks[0]) return undefined;
  return bids[0].price.plus(asks[0].price).div(2);
}

/**
 * Cost of taking `size` from one side of a book against `mid`: `Σ |price − mid| × taken`.
 *
 * @param levels The side taken (asks to buy, bids to sell), best first.
 * @param size Size to take.
 * @param mid Reference price.
 * @returns The cost, or `undefined` when the side is too thin for the size.
 *
 * @example
 * ```ts
 * import { Decimal } from "../base.ts";
 * import { bookWalkCost } from "./funding_arb_gate.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const l = (p: string, s: string) => ({ price: new Decimal(p), size: new Decimal(s) });
 * // 1 @ 101 and 1 @ 102 against a mid of 100: 1 + 2 = 3
 * equal(bookWalkCost([l("101", "1"), l("102", "5")], new Decimal(2), new Decimal(100))?.toString(), "3");
 * ```
 */
export function bookWalkCost(
  levels: readonly GateLevel[],
  size: Decimal,
  mid: Decimal,
): Decimal | undefined {
  let left = size;
  let cost = new Decimal(0);
  for (const l of levels) {
    if (!left.gt(0)) break;
    const take = Decimal.min(left, l.size);
    cost = cost.plus(l.price.minus(mid).abs().times(take));
    left = left.minus(take);
  }
  return left.gt(0) ? undefined : cost;
}

/**
 * Whether a leg receives (or pays nothing) at its next settlement: a long receives when the rate
 * is negative, a short when it is positive.
 *
 * @param side `long` or `short`.
 * @param rate Rate per interval.
 * @returns `true` when the settlement pays the leg.
 *
 * @example
 * ```ts
 * import { Decimal } from "../base.ts";
 * import { settlementPays } from "./funding_arb_gate.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(settlementPays("short", new Decimal("0.0001")), true);
 * ```
 */
export function settlementPays(side: "long" | "short", rate: Decimal): boolean {
  return side === "long" ? !rate.gt(0) : !rate.lt(0);
}

/**
 * Decides one entry.
 *
 * @param input Legs (with books), size, which leg rests as maker, the time and failed opens.
 * @param rules The gate settings.
 * @returns The arithmetic and the decision.
 *
 * @example A spread that fees eat
 * ```ts
 * import { Decimal } from "../base.ts";
 * import { entryGate } from "./funding_arb_gate.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const d = (s: string) => new Decimal(s);
 * const book = { bids: [{ price: d("99.9"), size: d("100") }], asks: [{ price: d("100.1"), size: d("100") }] };
 * const leg = (venue: string, hourly: string, taker: string) => ({
 *   venue, rate: d(hourly), hourlyRate: d(hourly), nextFundingTime: undefined,
 *   makerFee: d("0"), takerFee: d(taker), ...book,
 * });
 * const g = entryGate({
 *   long: leg("a", "0.00001", "0.0005"), short: leg("b", "0.00003", "0.0005"),
 *   size: d("10"), makerLeg: "long", now: 0, failedOpensLastHour: 0,
 * }, { holdHours: "24", minNetApr: "0" });
 * // funding 0.00002 × 24 × 1000 = 0.48; fees 1000 × (0 + 0.0005 + 0.0005 + 0.0005) = 1.5
 * // crossing: hedge sell 10 × 0.1 + exit sell 10 × 0.1 + exit buy 10 × 0.1 = 3
 * equal(g.net.toString(), "-4.02");
 * equal(g.ok, false);
 * ```
 */
export function entryGate(
  input: {
    long: GateLeg;
    short: GateLeg;
    size: Decimal;
    makerLeg: "long" | "short";
    now: number;
    failedOpensLastHour: number;
  },
  rules: GateRules,
): GateResult {
  const { long, short, size } = input;
  const holdHours = new Decimal(rules.holdHours);
  const zero = new Decimal(0);
  const midL = midOf(long.bids, long.asks);
  const midS = midOf(short.bids, short.asks);
  const empty: GateResult = {
    ok: false,
    notional: zero,
    funding: zero,
    fees: zero,
    openFees: zero,
    crossing: zero,
    entryCrossing: zero,
    buffer: zero,
    net: zero,
    netApr: zero,
    divergence: zero,
  };
  if (!midL || !midS) return { ...empty, reason: "a book side is empty" };
  const notional = size.times(midL.plus(midS).div(2));
  const funding = short.hourlyRate.minus(long.hourlyRate).times(holdHours).times(notional);
  const openFee = (leg: GateLeg, side: "long" | "short") =>
    input.makerLeg === side ? leg.makerFee : leg.takerFee;
  const openFees = notional.times(openFee(long, "long").plus(openFee(short, "short")));
  const fees = openFees.plus(notional.times(long.takerFee.plus(short.takerFee)));
  // Entry: the hedge leg crosses (long buys asks, short sells bids). Exit: both legs cross back.
  const walks = [
    input.makerLeg === "long"
      ? bookWalkCost(short.bids, size, midS)
      : bookWalkCost(long.asks, size, midL),
    bookWalkCost(long.bids, size, midL),
    bookWalkCost(short.asks, size, midS),
  ];
  if (walks.some((w) => w === undefined)) {
    return {
      ...empty,
      notional,
      funding,
      fees,
      openFees,
      reason: "a book is too thin for the size",
    };
  }
  const crossing = walks.reduce((a, b) => a!.plus(b!), zero)!;
  const buffer = notional.times(new Decimal(rules.exitBuffer ?? "0"));
  const net = funding.minus(fees).minus(crossing).minus(buffer);
  const netApr = notional.isZero() ? zero : net.div(notional).div(holdHours).times(HOURS_PER_YEAR);
  const divergence = midL.minus(midS).abs().div(Decimal.min(midL, midS));
  const result: GateResult = {
    ok: true,
    notional,
    funding,
    fees,
    openFees,
    crossing,
    entryCrossing: walks[0]!,
    buffer,
    net,
    netApr,
    divergence,
  };
  const refuse = (reason: string): GateResult => ({ ...result, ok: false, reason });
  if ((input.failedOpensLastHour) >= (rules.maxFailedOpensPerHour ?? 3)) {
    return refuse(`${input.failedOpensLastHour} failed opens in the last hour`);
  }
  if (divergence.gt(new Decimal(rules.maxDivergence ?? "0.005"))) {
    return refuse(`prices diverge by ${divergence.times(100).toFixed(4)} %`);
  }
  for (const [leg, name] of [[long, "long"], [short, "short"]] as const) {
    if (rules.minVolumeUsd !== undefined) {
      if (!leg.volume24hUsd || leg.volume24hUsd.lt(new Decimal(rules.minVolumeUsd))) {
        return refuse(`${name} leg (${leg.venue}) volume below the minimum`);
      }
    }
    if (rules.minOiUsd !== undefined) {
      if (!leg.openInterestUsd || leg.openInterestUsd.lt(new Decimal(rules.minOiUsd))) {
        return refuse(`${name} leg (${leg.venue}) open interest below the minimum`);
      }
    }
    const window = rules.settlementWindowMs ?? 0;
    if (
      window > 0 && leg.nextFundingTime !== undefined &&
      leg.nextFundingTime - input.now < window && leg.nextFundingTime >= input.now &&
      !settlementPays(name, leg.rate)
    ) {
      return refuse(
        `${name} leg (${leg.venue}) settles in ${leg.nextFundingTime - input.now} ms and would pay`,
      );
    }
  }
  if (netApr.lt(new Decimal(rules.minNetApr))) {
    return refuse(`net APR ${netApr.times(100).toFixed(2)} % below the minimum`);
  }
  return result;
}

/**
 * What the held pair is worth keeping and what switching to another pair would earn, over the
 * holding horizon.
 *
 * @example
 * ```ts
 * import type { SwitchInput } from "./funding_arb_gate.ts";
 * const held = (i: SwitchInput) => i.heldSpread.times(i.heldNotional);
 * ```
 */
export interface SwitchInput {
  /** Hourly spread the held pair earns now (short − long hourly rate). */
  heldSpread: Decimal;
  /** Notional of the held pair. */
  heldNotional: Decimal;
  /** Fees of closing both held legs now (taker fee of each leg × notional). */
  closeFees: Decimal;
  /** Cost of walking both held legs' books to close them now. */
  closeCrossing: Decimal;
  /** The gate's figures of the new pair (it must pass the gate itself). */
  next: GateResult;
}

/**
 * The better-opportunity exit, decided net of switching costs.
 *
 * - `hold = heldSpread × heldNotional × holdHours` (what keeping the held pair earns);
 * - `costs = closeFees + closeCrossing + next.openFees + next.entryCrossing` (closing both held
 *   legs now, opening the new pair and crossing its hedge leg);
 * - `gain = next.funding − costs`.
 *
 * Switch only when the new pair passes its own gate and `gain > hold`. Each side still owes one
 * close at the end of the horizon; they are left out of both.
 *
 * @param input The held pair now and the new pair's gate figures.
 * @param holdHours The horizon, hours.
 * @returns Whether to switch, with `hold`, `costs` and `gain`.
 *
 * @example Costs eat a better spread
 * ```ts
 * import { Decimal } from "../base.ts";
 * import { switchDecision, type GateResult } from "./funding_arb_gate.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const d = (s: string) => new Decimal(s);
 * const next = { ok: true, funding: d("2.88"), openFees: d("0.6"), entryCrossing: d("0.01") } as GateResult;
 * const r = switchDecision({
 *   heldSpread: d("0.0001"), heldNotional: d("600"), closeFees: d("0.6"), closeCrossing: d("0.02"), next,
 * }, "24");
 * equal(r.hold.toString(), "1.44"); // 0.0001 × 600 × 24
 * equal(r.gain.toString(), "1.65"); // 2.88 − (0.6 + 0.02 + 0.6 + 0.01)
 * equal(r.switch, true);
 * ```
 */
export function switchDecision(
  input: SwitchInput,
  holdHours: DecimalInput,
): { switch: boolean; hold: Decimal; costs: Decimal; gain: Decimal } {
  const hold = input.heldSpread.times(input.heldNotional).times(new Decimal(holdHours));
  const costs = input.closeFees.plus(input.closeCrossing).plus(input.next.openFees)
    .plus(input.next.entryCrossing);
  const gain = input.next.funding.minus(costs);
  return { switch: input.next.ok && gain.gt(hold), hold, costs, gain };
}

/**
 * Notional caps of the portfolio (USD, one leg counted). Absent = unlimited.
 *
 * @example
 * ```ts
 * import type { NotionalCaps } from "./funding_arb_gate.ts";
 * const caps: NotionalCaps = { perSymbol: "1000", perVenue: "2000", total: "3000" };
 * ```
 */
export interface NotionalCaps {
  /** Most notional held in one symbol (all pairs of it). */
  perSymbol?: DecimalInput;
  /** Most notional with a leg on one venue. */
  perVenue?: DecimalInput;
  /** Most notional in all. */
  total?: DecimalInput;
}

/**
 * Which cap a new entry would break, if any.
 *
 * @param held The positions held: symbol, both venues, notional.
 * @param next The entry: symbol, both venues, notional.
 * @param caps The caps.
 * @returns The first cap broken, said in words, or `undefined` when the entry fits.
 *
 * @example
 * ```ts
 * import { Decimal } from "../base.ts";
 * import { capRefusal } from "./funding_arb_gate.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const held = [{ symbol: "BTC", venues: ["lighter", "grvt"], notional: new Decimal(600) }];
 * const next = { symbol: "ETH", venues: ["grvt", "edgex"], notional: new Decimal(600) };
 * equal(capRefusal(held, next, { perVenue: "1000" }), "grvt notional 1200 above the cap 1000");
 * equal(capRefusal(held, next, { perSymbol: "1000", total: "1200" }), undefined);
 * ```
 */
export function capRefusal(
  held: readonly { symbol: string; venues: readonly string[]; notional: Decimal }[],
  next: { symbol: string; venues: readonly string[]; notional: Decimal },
  caps: NotionalCaps,
): string | undefined {
  const sum = (keep: (h: (typeof held)[number]) => boolean) =>
    held.filter(keep).reduce((s, h) => s.plus(h.notional), new Decimal(0)).plus(next.notional);
  if (caps.perSymbol !== undefined) {
    const n = sum((h) => h.symbol === next.symbol);
    if (n.gt(new Decimal(caps.perSymbol))) {
      return `${next.symbol} notional ${n} above the cap ${new Decimal(caps.perSymbol)}`;
    }
  }
  if (caps.perVenue !== undefined) {
    for (const v of next.venues) {
      const n = sum((h) => h.venues.includes(v));
      if (n.gt(new Decimal(caps.perVenue))) {
        return `${v} notional ${n} above the cap ${new Decimal(caps.perVenue)}`;
      }
    }
  }
  if (caps.total !== undefined) {
    const n = sum(() => true);
    if (n.gt(new Decimal(caps.total))) {
      return `total notional ${n} above the cap ${new Decimal(caps.total)}`;
    }
  }
  return undefined;
}
