/**
 * The simulated market around the engine: a seeded price path that drives index and mark
 * prices, and a background liquidity account that quotes a ladder around the index and, by
 * re-quoting as the price moves, trades against resting orders so grid strategies get filled.
 *
 * Everything is integer and seeded: the same seed and inputs give an identical event log.
 *
 * @module
 */
import { type DecimalInput, toDecimal } from "../core/decimal.ts";
import { ConfigurationError, PerpError } from "../core/errors.ts";
import { pow10, toScaledBigInt } from "./_fixed.ts";
import type { SimEngine } from "./engine.ts";
import type { Instrument } from "./instrument.ts";
import { Prng } from "./random.ts";

/**
 * A source of index prices in ticks, asked once per market step.
 *
 * @example
 * ```ts
 * import type { PricePath } from "./market.ts";
 * const flat: PricePath = { next: (_time, current) => current };
 * ```
 */
export interface PricePath {
  /**
   * The index price at `time`.
   *
   * @param time Step time (ms).
   * @param current Current index price in ticks (0 when unset).
   * @param instrument The instrument (for tick conversions).
   * @returns The new index price in ticks (≥ 1).
   */
  next(time: number, current: number, instrument: Instrument): number;
}

/**
 * Options of {@linkcode randomWalk}.
 *
 * @example
 * ```ts
 * import type { RandomWalkOptions } from "./market.ts";
 * const o: RandomWalkOptions = { seed: 1, volatilityBps: "5" };
 * ```
 */
export interface RandomWalkOptions {
  /** PRNG seed. */
  seed: number;
  /** Standard deviation of one step's move, in basis points of the price. */
  volatilityBps: DecimalInput;
  /** Starting price; otherwise the instrument's current index. */
  start?: DecimalInput;
}

/**
 * A seeded Gaussian-like random walk in integer ticks: each step moves by
 * `round(price × volatilityBps / 10 000 × z)` ticks, `z` an integer approximation of a standard
 * normal sample (so paths are identical on every platform).
 *
 * @param options Seed, volatility and optional start.
 * @returns The path.
 * @throws {ConfigurationError} If the volatility is negative or has more than 8 decimals.
 *
 * @example
 * ```ts
 * import { randomWalk } from "./market.ts";
 * import { Instrument } from "./instrument.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const inst = new Instrument({ symbol: "BTC", tickSize: "0.1", sizeStep: "0.001" });
 * const run = () => {
 *   const path = randomWalk({ seed: 9, volatilityBps: "10", start: "60000" });
 *   const out: number[] = [];
 *   let p = 0;
 *   for (let t = 1; t <= 5; t++) out.push(p = path.next(t * 1000, p, inst));
 *   return out;
 * };
 * deepStrictEqual(run(), run());
 * ```
 */
export function randomWalk(options: RandomWalkOptions): PricePath {
  const vol = toDecimal(options.volatilityBps, "volatilityBps");
  const volUnits = toScaledBigInt(vol, 8);
  if (volUnits === undefined || volUnits < 0n) {
    throw new ConfigurationError(`'volatilityBps' must be ≥ 0 with at most 8 decimals: got ${vol}`);
  }
  const rng = new Prng(options.seed);
  const den = pow10(8) * 10_000n * 65_536n;
  let started = options.start === undefined;
  return {
    next(_time, current, instrument) {
      if (!started) {
        started = true;
        current = instrument.priceToTicks(options.start!, "sim", "start");
      }
      if (current <= 0) {
        throw new ConfigurationError("randomWalk needs a start price or an index price");
      }
      const num = BigInt(current) * volUnits * BigInt(rng.normal16());
      // Round half away from zero, in integers.
      const move = num >= 0n ? (2n * num + den) / (2n * den) : -((-2n * num + den) / (2n * den));
      const next = current + Number(move);
      return next < 1 ? 1 : next;
    },
  };
}

/**
 * Options of {@linkcode oscillatingPath}.
 *
 * @example
 * ```ts
 * import type { OscillatingPathOptions } from "./market.ts";
 * const o: OscillatingPathOptions = {
 *   seed: 1,
 *   center: "60000",
 *   amplitudeBps: "50",
 *   periodMs: 4 * 3_600_000,
 *   pull: "0.05",
 *   volatilityBps: "2",
 * };
 * ```
 */
export interface OscillatingPathOptions {
  /** PRNG seed of the noise. */
  seed: number;
  /** Price the target swings around; the path also starts there. */
  center: DecimalInput;
  /** Half the swing of the target, in basis points of `center`. */
  amplitudeBps: DecimalInput;
  /** Length of one full swing of the target (ms), counted from the first step. */
  periodMs: number;
  /** Fraction of the gap between price and target closed at each step (0–1). */
  pull: DecimalInput;
  /** Noise added at each step, as in {@linkcode randomWalk}. @default {"0"} */
  volatilityBps?: DecimalInput;
}

/**
 * A mean-reverting path around a moving target, for long runs that must keep trading: the
 * target is a triangle wave `center × (1 ± amplitudeBps / 10 000)` of period `periodMs` (up
 * first), and each step moves the price by `round(pull × (target − price))` ticks plus the noise
 * of {@linkcode randomWalk}. The price therefore never wanders off (it stays within the swing
 * plus a few noise deviations), and every half period it sweeps the whole swing in each
 * direction. Integer arithmetic throughout, so paths are identical on every platform.
 *
 * @param options Seed, center, swing, period, pull and noise.
 * @returns The path.
 * @throws {ConfigurationError} If `periodMs` is not a positive integer, `pull` is outside 0–1,
 * or an amplitude or volatility is negative or has more than 8 decimals.
 *
 * @example
 * ```ts
 * import { oscillatingPath } from "./market.ts";
 * import { Instrument } from "./instrument.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const inst = new Instrument({ symbol: "BTC", tickSize: "1", sizeStep: "1" });
 * // Without noise and with a full pull the price is the target: 1000 ± 10 % every 4 s.
 * const path = oscillatingPath({
 *   seed: 1,
 *   center: "1000",
 *   amplitudeBps: "1000",
 *   periodMs: 4_000,
 *   pull: "1",
 * });
 * const out: number[] = [];
 * let p = 0;
 * for (let t = 0; t <= 4_000; t += 500) out.push(p = path.next(t, p, inst));
 * deepStrictEqual(out, [1000, 1050, 1100, 1050, 1000, 950, 900, 950, 1000]);
 * ```
 */
export function oscillatingPath(options: OscillatingPathOptions): PricePath {
  const units = (value: DecimalInput, name: string): bigint => {
    const d = toDecimal(value, name);
    const u = toScaledBigInt(d, 8);
    if (u === undefined || u < 0n) {
      throw new ConfigurationError(`'${name}' must be ≥ 0 with at most 8 decimals: got ${d}`);
    }
    return u;
  };
  const one = pow10(8);
  const amp = units(options.amplitudeBps, "amplitudeBps");
  const vol = units(options.volatilityBps ?? "0", "volatilityBps");
  const pull = units(options.pull, "pull");
  if (pull > one) throw new ConfigurationError(`'pull' must be within 0–1: got ${options.pull}`);
  const period = options.periodMs;
  if (!Number.isSafeInteger(period) || period <= 0) {
    throw new ConfigurationError(`'periodMs' must be a positive integer: got ${period}`);
  }
  const rng = new Prng(options.seed);
  const P = BigInt(period);
  const bps = one * 10_000n;
  // Round half away from zero, in integers.
  const div = (num: bigint, den: bigint) =>
    num >= 0n ? (2n * num + den) / (2n * den) : -((-2n * num + den) / (2n * den));
  let origin: number | undefined;
  let center = 0n;
  return {
    next(time, current, instrument) {
      if (origin === undefined) {
        origin = time;
        center = BigInt(instrument.priceToTicks(options.center, "sim", "center"));
        current = Number(center);
      }
      const p = BigInt(((time - origin) % period + period) % period);
      // Triangle wave in units of 1/P: 0 → +P at a quarter → 0 → −P at three quarters → 0.
      const tri = 4n * p < P ? 4n * p : 4n * p < 3n * P ? 2n * P - 4n * p : 4n * p - 4n * P;
      const target = center + div(center * amp * tri, bps * P);
      const cur = BigInt(current);
      const move = div((target - cur) * pull, one) +
        div(cur * vol * BigInt(rng.normal16()), bps * 65_536n);
      const next = cur + move;
      return next < 1n ? 1 : Number(next);
    },
  };
}

/**
 * One point of a scripted price path.
 *
 * @example
 * ```ts
 * import type { PricePoint } from "./market.ts";
 * const p: PricePoint = { time: 0, price: "60000" };
 * ```
 */
export interface PricePoint {
  /** From when the price applies (ms). */
  time: number;
  /** Index price (multiple of the tick). */
  price: DecimalInput;
}

/**
 * A scripted (or replayed) price path: a step function of the points; before the first point
 * the price stays where it is.
 *
 * @param points Points, any order.
 * @returns The path.
 *
 * @example
 * ```ts
 * import { scriptedPath } from "./market.ts";
 * import { Instrument } from "./instrument.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const inst = new Instrument({ symbol: "BTC", tickSize: "1", sizeStep: "1" });
 * const path = scriptedPath([{ time: 0, price: "100" }, { time: 2000, price: "105" }]);
 * deepStrictEqual([1000, 2000, 3000].map((t) => path.next(t, 0, inst)), [100, 105, 105]);
 * ```
 */
export function scriptedPath(points: readonly PricePoint[]): PricePath {
  const sorted = [...points].sort((a, b) => a.time - b.time);
  let cache: { inst: Instrument; ticks: number[] } | undefined;
  return {
    next(time, current, instrument) {
      if (cache?.inst !== instrument) {
        cache = {
          inst: instrument,
          ticks: sorted.map((p) => instrument.priceToTicks(p.price, "sim", "price")),
        };
      }
      let out = current;
      for (let i = 0; i < sorted.length && sorted[i].time <= time; i++) out = cache.ticks[i];
      return out;
    },
  };
}

/**
 * Parses a replay file: one `time,price` pair per line (time in ms), `#` comments and a
 * `time,price` header allowed.
 *
 * @param text The file contents.
 * @returns The points.
 * @throws {ConfigurationError} On a malformed line.
 *
 * @example
 * ```ts
 * import { parsePricePoints } from "./market.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(parsePricePoints("time,price\n0,100\n1000,100.5\n"), [
 *   { time: 0, price: "100" },
 *   { time: 1000, price: "100.5" },
 * ]);
 * ```
 */
export function parsePricePoints(text: string): PricePoint[] {
  const out: PricePoint[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || /^time\s*,/i.test(line)) return;
    const [t, p, extra] = line.split(",").map((s) => s.trim());
    const time = Number(t);
    if (
      extra !== undefined || !Number.isSafeInteger(time) || p === undefined ||
      !/^\d+(\.\d+)?$/.test(p)
    ) {
      throw new ConfigurationError(
        `Price file line ${i + 1} must be 'timeMs,price': got ${JSON.stringify(raw)}`,
      );
    }
    out.push({ time, price: p });
  });
  return out;
}

/**
 * Reads a replay file (see {@linkcode parsePricePoints}) into a scripted path.
 *
 * @param path File path or URL.
 * @returns The path.
 * @throws {ConfigurationError} On a malformed line.
 *
 * @example
 * ```ts
 * import { loadPricePath } from "./market.ts";
 * import { Instrument } from "./instrument.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const file = await Deno.makeTempFile({ suffix: ".csv" });
 * await Deno.writeTextFile(file, "time,price\n0,100\n60000,101\n");
 * const path = await loadPricePath(file);
 * await Deno.remove(file);
 * equal(path.next(60_000, 0, new Instrument({ symbol: "X", tickSize: "1", sizeStep: "1" })), 101);
 * ```
 */
export async function loadPricePath(path: string | URL): Promise<PricePath> {
  return scriptedPath(parsePricePoints(await Deno.readTextFile(path)));
}

/**
 * The background liquidity account's ladder.
 *
 * @example
 * ```ts
 * import type { LiquidityOptions } from "./market.ts";
 * const o: LiquidityOptions = { size: "0.05", levels: 5, halfSpreadTicks: 2 };
 * ```
 */
export interface LiquidityOptions {
  /** Account id (created with unlimited margin if missing). @default {"liquidity"} */
  accountId?: string;
  /** Size of each level. */
  size: DecimalInput;
  /** Levels per side. @default {5} */
  levels?: number;
  /** Distance of the best quotes from the index, in ticks. @default {1} */
  halfSpreadTicks?: number;
  /** Distance between levels, in ticks. @default {1} */
  levelSpacingTicks?: number;
}

/**
 * Options of {@linkcode MarketSimulator}.
 *
 * @example
 * ```ts
 * import { randomWalk, type MarketOptions } from "./market.ts";
 * const o: MarketOptions = {
 *   symbol: "BTC",
 *   path: randomWalk({ seed: 1, volatilityBps: "2" }),
 *   stepMs: 1_000,
 *   liquidity: { size: "0.1" },
 * };
 * ```
 */
export interface MarketOptions {
  /** The market. */
  symbol: string;
  /** Index price path. @default {the price stays put} */
  path?: PricePath;
  /** Time between steps (ms). @default {1000} */
  stepMs?: number;
  /** Mark minus index, in ticks (drives the premium funding rate). @default {0} */
  markPremiumTicks?: number;
  /** Background liquidity; omit for none. */
  liquidity?: LiquidityOptions;
}

/**
 * Drives one market: every `stepMs` of engine time it moves the index along the path, sets the
 * mark (index + premium) and re-quotes the liquidity ladder. Only levels whose price changed are
 * canceled and placed again; the new quotes trade against any resting order they cross.
 *
 * @example
 * ```ts
 * import { SimEngine } from "./engine.ts";
 * import { MarketSimulator, scriptedPath } from "./market.ts";
 * import { ManualClock } from "../exchanges/_shared/clock.ts";
 * import { deepStrictEqual, strictEqual as equal } from "node:assert/strict";
 *
 * const clock = new ManualClock(0);
 * const engine = new SimEngine({ clock });
 * engine.addInstrument({ symbol: "BTC", tickSize: "1", sizeStep: "0.1" }, { markPrice: "100" });
 * engine.createAccount("bot", { collateral: "1000" });
 * const market = new MarketSimulator(engine, {
 *   symbol: "BTC",
 *   path: scriptedPath([{ time: 0, price: "100" }, { time: 5_000, price: "95" }]),
 *   liquidity: { size: "1", levels: 2 },
 * });
 * market.start();
 * engine.placeOrder("bot", { symbol: "BTC", side: "buy", size: "0.5", price: "97", clientOrderId: "grid" });
 * await clock.advance(5_000);
 * engine.sync();
 * equal(engine.getOrder("bot", { clientOrderId: "grid" }).status, "filled");
 * // The new 96 ask sold 0.5 to the bot's 97 bid; the rest of it rests.
 * deepStrictEqual(engine.book("BTC", 1).asks, [["96", "0.5"]]);
 * ```
 */
export class MarketSimulator {
  /** The market. */
  readonly symbol: string;
  /** Liquidity account id, when quoting. */
  readonly accountId: string | undefined;
  readonly #engine: SimEngine;
  readonly #inst: Instrument;
  readonly #path: PricePath | undefined;
  readonly #stepMs: number;
  readonly #premium: number;
  readonly #liquidity: Required<Omit<LiquidityOptions, "accountId">> | undefined;
  #quoteSeq = 0;
  /** Live quotes: ticks (negative for bids) → client order id. */
  readonly #quotes = new Map<number, string>();
  #started = false;
  #quoting = false;

  /**
   * Prepares the market (creating the liquidity account if needed); call `start()` to run it.
   *
   * @param engine The engine.
   * @param options Market, path, step and liquidity.
   * @throws {ConfigurationError} If an option is out of range.
   * @throws {NotFoundError} If the market does not exist.
   */
  constructor(engine: SimEngine, options: MarketOptions) {
    this.#engine = engine;
    this.symbol = options.symbol;
    this.#inst = engine.instrument(options.symbol);
    this.#path = options.path;
    this.#stepMs = options.stepMs ?? 1_000;
    if (!(this.#stepMs > 0)) {
      throw new ConfigurationError(`'stepMs' must be positive: got ${this.#stepMs}`);
    }
    this.#premium = options.markPremiumTicks ?? 0;
    const liq = options.liquidity;
    if (liq !== undefined) {
      this.accountId = liq.accountId ?? "liquidity";
      this.#liquidity = {
        size: liq.size,
        levels: liq.levels ?? 5,
        halfSpreadTicks: liq.halfSpreadTicks ?? 1,
        levelSpacingTicks: liq.levelSpacingTicks ?? 1,
      };
      if (this.#liquidity.halfSpreadTicks < 1 || this.#liquidity.levelSpacingTicks < 1) {
        throw new ConfigurationError(
          "'halfSpreadTicks' and 'levelSpacingTicks' must be at least 1",
        );
      }
      this.#inst.sizeToLots(liq.size, engine.venue, "liquidity.size");
      if (!engine.hasAccount(this.accountId)) {
        engine.createAccount(this.accountId, { unlimitedMargin: true });
      }
    }
  }

  /**
   * Quotes now and schedules a step every `stepMs` from the engine's current time.
   */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.quote();
    const tick = (at: number) => {
      this.#engine.schedule(at, () => {
        this.step(at);
        tick(at + this.#stepMs);
      });
    };
    tick(this.#engine.now() + this.#stepMs);
  }

  /**
   * One step: move the index along the path, set the mark, re-quote.
   *
   * @param time Step time. @default {the engine's time}
   */
  step(time: number = this.#engine.now()): void {
    if (this.#path !== undefined) {
      const index = this.#path.next(time, this.#engine.indexTicks(this.symbol), this.#inst);
      const mark = Math.max(1, index + this.#premium);
      this.#engine.setPriceTicks(this.symbol, mark, index);
    }
    this.quote();
  }

  /**
   * Re-quotes the liquidity ladder around the index (no-op without liquidity).
   */
  quote(): void {
    const liq = this.#liquidity;
    const account = this.accountId;
    if (liq === undefined || account === undefined || this.#quoting) return;
    this.#quoting = true;
    try {
      this.#requote(liq, account);
    } finally {
      this.#quoting = false;
    }
  }

  #requote(liq: Required<Omit<LiquidityOptions, "accountId">>, account: string): void {
    const engine = this.#engine;
    // Run what is due first, so no price step can fire in the middle of this re-quote.
    engine.sync();
    const mid = engine.indexTicks(this.symbol) || engine.markTicks(this.symbol);
    if (mid <= 0) return;
    const wanted = new Map<number, "buy" | "sell">();
    for (let i = 0; i < liq.levels; i++) {
      const off = liq.halfSpreadTicks + i * liq.levelSpacingTicks;
      // Bids keyed by negative ticks so the two sides share one map.
      if (mid - off >= 1) wanted.set(-(mid - off), "buy");
      wanted.set(mid + off, "sell");
    }
    for (const [key, clientOrderId] of this.#quotes) {
      if (!engine.isActive(account, clientOrderId)) {
        this.#quotes.delete(key);
      } else if (wanted.has(key)) {
        wanted.delete(key);
      } else {
        engine.cancelOrder(account, { clientOrderId });
        this.#quotes.delete(key);
      }
    }
    // Place nearest levels first so the ladder trades against resting orders best-price first.
    const todo = [...wanted.keys()].sort((a, b) =>
      Math.abs(Math.abs(a) - mid) - Math.abs(Math.abs(b) - mid)
    );
    for (const key of todo) {
      // The symbol keeps ids unique when one account quotes several markets.
      const clientOrderId = `${account}-${this.symbol}-${++this.#quoteSeq}`;
      try {
        const { order } = engine.placeOrder(account, {
          symbol: this.symbol,
          side: wanted.get(key)!,
          size: liq.size,
          price: this.#inst.formatPrice(Math.abs(key)),
          clientOrderId,
        });
        if (order.status === "open" || order.status === "partially_filled") {
          this.#quotes.set(key, clientOrderId);
        }
      } catch (err) {
        // A quote the engine refuses (e.g. below the minimum notional) is simply not shown.
        if (!(err instanceof PerpError)) throw err;
      }
    }
  }
}
