/**
 * Hyperliquid constants and market rules shared by the client and the funding adapter.
 *
 * Facts (sources: `hyperliquid/utils/constants.py`, `hyperliquid/info.py`,
 * `examples/rounding.py` of `hyperliquid-dex/hyperliquid-python-sdk` 0.23.0; Hyperliquid docs
 * "Tick and lot size", "Rate limits and user limits", "Funding"):
 * - Hosts: mainnet `https://api.hyperliquid.xyz`, testnet `https://api.hyperliquid-testnet.xyz`;
 *   WebSocket at `/ws` of the same host. Every read is `POST /info` with a `type`; every write
 *   `POST /exchange` with a signed action.
 * - Rate limits are weight-based per IP: 1200 weight per minute; `l2Book`, `allMids`,
 *   `clearinghouseState`, `orderStatus` weigh 2, most other info requests 20, an exchange
 *   action 1 + floor(batch / 40).
 * - An asset is identified by its index in `meta.universe`. Sizes are multiples of
 *   10^-szDecimals; prices have at most 5 significant figures (integers always allowed) and
 *   at most 6 − szDecimals decimals on perpetuals. Minimum order value is 10 USDC.
 * - Time in force `Alo` (add liquidity only = post-only), `Ioc`, `Gtc`; a market order is an
 *   aggressive `Ioc` limit. Client order ids (`cloid`) are 128-bit, written `0x` + 32 hex.
 * - Thousand-unit markets are named with a `k` prefix (`kPEPE`, `kBONK`: SDK cassette `meta`);
 *   the package calls them `1000PEPE`, `1000BONK` like the other venues.
 * - Funding settles every hour; `funding` in the asset contexts and `fundingRate` in
 *   `fundingHistory` are fractions per hour (premium-based, capped at 4 % per hour).
 *   `predictedFundings` also lists other venues' predicted rates; this package does not read it.
 *
 * @module
 */
import type { Market } from "../../base.ts";
import { Decimal } from "../../core/decimal.ts";
import { ConfigurationError } from "../../core/errors.ts";

/** Venue name. */
export const VENUE = "hyperliquid";

/** API hosts by network. */
export const HYPERLIQUID_HOSTS = {
  mainnet: { apiUrl: "https://api.hyperliquid.xyz", wsUrl: "wss://api.hyperliquid.xyz/ws" },
  testnet: {
    apiUrl: "https://api.hyperliquid-testnet.xyz",
    wsUrl: "wss://api.hyperliquid-testnet.xyz/ws",
  },
} as const;

/** Hosts of a Hyperliquid deployment (the real ones, or a replica's). */
export interface HyperliquidHosts {
  /** REST base URL (`/info`, `/exchange` below it). */
  apiUrl: string;
  /** WebSocket URL. */
  wsUrl: string;
}

/** Network: `mainnet`, `testnet`, or `sim` (hosts given explicitly; signs as testnet). */
export type HyperliquidEnvironment = "mainnet" | "testnet" | "sim";

/**
 * Resolves hosts for an environment.
 *
 * @example
 * ```ts
 * import { resolveHyperliquidHosts } from "./common.ts";
 * console.log(resolveHyperliquidHosts("testnet").apiUrl); // https://api.hyperliquid-testnet.xyz
 * ```
 *
 * @param environment The network.
 * @param hosts Explicit hosts (required for `sim`).
 * @returns The hosts.
 * @throws {ConfigurationError} For `sim` without hosts or an unknown environment.
 */
export function resolveHyperliquidHosts(
  environment: HyperliquidEnvironment,
  hosts?: HyperliquidHosts,
): HyperliquidHosts {
  if (hosts) return hosts;
  if (environment === "mainnet" || environment === "testnet") return HYPERLIQUID_HOSTS[environment];
  throw new ConfigurationError(
    `Cannot use hyperliquid environment '${environment}' without 'hosts'`,
    { venue: VENUE },
  );
}

/** Minimum order value in USDC. */
export const MIN_NOTIONAL = "10";
/** Most decimals of a perpetual price: 6 − szDecimals. */
export const MAX_PRICE_DECIMALS = 6;
/** Most significant figures of a non-integer price. */
export const MAX_SIG_FIGS = 5;

/** A Hyperliquid market with its asset index and size decimals. */
export interface HyperliquidMarket extends Market {
  /** Asset index (position in `meta.universe`). */
  venueId: number;
  /** Size decimals. */
  szDecimals: number;
}

/**
 * The finest price step of a market: 10^-(6 − szDecimals). Every valid price is a multiple of
 * it; the 5-significant-figure rule ({@linkcode validPrice}) narrows it further.
 *
 * @example
 * ```ts
 * import { priceStep } from "./common.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(priceStep(5).toString(), "0.1");
 * equal(priceStep(0).toString(), "0.000001");
 * ```
 *
 * @param szDecimals Size decimals.
 * @returns The step.
 */
export function priceStep(szDecimals: number): Decimal {
  return new Decimal(10).pow(-(MAX_PRICE_DECIMALS - szDecimals));
}

/**
 * The tick a price near `reference` has: the larger of 10^-(6 − szDecimals) and the fifth
 * significant figure of `reference`, but never above 1, since an integer price is always
 * valid ("Tick and lot size": "Integer prices are always allowed, regardless of the number of
 * significant figures. E.g. 123456.0 is a valid price even though 12345.6 is not").
 *
 * @example
 * ```ts
 * import { Decimal } from "../../core/decimal.ts";
 * import { effectiveTick } from "./common.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(effectiveTick(new Decimal("9999.5"), 5).toString(), "0.1");
 * equal(effectiveTick(new Decimal("64123.5"), 5).toString(), "1");
 * equal(effectiveTick(new Decimal("123456"), 5).toString(), "1");
 * equal(effectiveTick(new Decimal("2.1105"), 1).toString(), "0.0001");
 * ```
 *
 * @param reference Reference price (mark or mid).
 * @param szDecimals Size decimals.
 * @returns The tick.
 */
export function effectiveTick(reference: Decimal, szDecimals: number): Decimal {
  const floor = priceStep(szDecimals);
  if (!reference.gt(0)) return floor;
  // Exponent of the leading digit: 64123.5 → 4, 0.012345 → −2.
  const lead = reference.gte(1)
    ? reference.floor().toFixed().length - 1
    : -((/^0\.(0*)/.exec(reference.toFixed())?.[1].length ?? 0) + 1);
  const sig = Decimal.min(1, new Decimal(10).pow(lead - (MAX_SIG_FIGS - 1)));
  return Decimal.max(floor, sig);
}

/**
 * How far above the reference price the tick a market reports stays valid: 10 %, the largest
 * take-profit the bot accepts. Just below a power of ten (BTC at 9,950) the reported tick is
 * already the coarser one of the next decade (1, not 0.1), so a price computed on it up to
 * 10 % higher (a take-profit at 10,010) is still a valid price.
 */
export const TICK_HEADROOM = "0.1";

/**
 * The tick a market reports at `reference`: {@linkcode effectiveTick} at `reference` × 1.1
 * ({@linkcode TICK_HEADROOM}). Multiples of it are valid prices from 0 up to 10 % above
 * `reference`.
 *
 * @example
 * ```ts
 * import { Decimal } from "../../core/decimal.ts";
 * import { quotingTick } from "./common.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(quotingTick(new Decimal("9000"), 5).toString(), "0.1");
 * equal(quotingTick(new Decimal("9500"), 5).toString(), "1");
 * equal(quotingTick(new Decimal("100020"), 5).toString(), "1");
 * ```
 *
 * @param reference Reference price (the book's mid or the mark).
 * @param szDecimals Size decimals.
 * @returns The tick.
 */
export function quotingTick(reference: Decimal, szDecimals: number): Decimal {
  return effectiveTick(reference.times(new Decimal(1).plus(TICK_HEADROOM)), szDecimals);
}

/**
 * Whether a price obeys the venue's rules: at most 6 − szDecimals decimals and, unless it is
 * an integer, at most 5 significant figures.
 *
 * @example
 * ```ts
 * import { Decimal } from "../../core/decimal.ts";
 * import { validPrice } from "./common.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(validPrice(new Decimal("1670.1"), 4), true);
 * equal(validPrice(new Decimal("1670.12"), 4), false);
 * ```
 *
 * @param price The price.
 * @param szDecimals Size decimals.
 * @returns Whether it is valid.
 */
export function validPrice(price: Decimal, szDecimals: number): boolean {
  if (price.decimalPlaces() > MAX_PRICE_DECIMALS - szDecimals) return false;
  if (price.isInteger()) return true;
  return price.toSignificantDigits(MAX_SIG_FIGS, 1).eq(price);
}

/** A client order id as Hyperliquid takes it: `0x` + 32 lower-case hex digits. */
export const CLOID = /^0x[0-9a-f]{32}$/;

/**
 * A random 128-bit client order id.
 *
 * @example
 * ```ts
 * import { CLOID, randomCloid } from "./common.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(CLOID.test(randomCloid()), true);
 * ```
 *
 * @returns `0x` + 32 hex digits.
 */
export function randomCloid(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return "0x" + [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}

/**
 * The unified symbol of a coin: `kPEPE` → `1000PEPE`; other coins keep their name.
 *
 * @example
 * ```ts
 * import { unifiedSymbol } from "./common.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(unifiedSymbol("kPEPE"), "1000PEPE");
 * equal(unifiedSymbol("BTC"), "BTC");
 * ```
 *
 * @param coin The venue's coin name.
 * @returns The unified symbol.
 */
export function unifiedSymbol(coin: string): string {
  return /^k[A-Z]/.test(coin) ? `1000${coin.slice(1)}` : coin;
}

/**
 * The venue's coin name of a unified symbol: `1000PEPE` → `kPEPE`.
 *
 * @example
 * ```ts
 * import { venueCoin } from "./common.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(venueCoin("1000BONK"), "kBONK");
 * ```
 *
 * @param symbol The unified symbol.
 * @returns The coin name.
 */
export function venueCoin(symbol: string): string {
  return /^1000[A-Z]/.test(symbol) ? `k${symbol.slice(4)}` : symbol;
}
