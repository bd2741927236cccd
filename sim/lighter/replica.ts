/**
 * The Lighter replica: Lighter's REST paths and `{code: 200, …}` envelopes, `sendTx` /
 * `sendTxBatch` taking multipart or urlencoded forms, Schnorr-verified transactions with
 * nonce and expiry rules, and the `/stream` WebSocket (`subscribed/…` then `update/…` frames,
 * `:` in inbound channel names, auth tokens on private channels), on the simulator engine with
 * hourly funding.
 *
 * Funding settles every hour on the hour through the engine (crediting or debiting each open
 * position's account); each payment is served by `GET /api/v1/positionFunding` (newest first,
 * paged by `cursor`) and announced on `account_all` as an `update/account_all` frame with the
 * position and `funding_histories: {"<market_id>": [row]}`.
 *
 * Choices where the notes are silent (lighter.md §11): a bad signature and an expired
 * transaction answer `21501` (messages "invalid signature" / "transaction expired"; codes
 * configurable); a refused auth token on a private channel answers `{"error":{"code":20001}}`;
 * a cancel of an order that is not active is refused at the API (`21715`); `ModifyOrder` and
 * scheduled cancel-all are not implemented (`21505` / `21713`); an `UpdateLeverage` to
 * isolated margin is refused (`21604`: margin is cross only here). `positionFunding` rows: `change`
 * is the change of the account's collateral (positive = received), `rate` the settled rate in
 * signed percent per hour, `timestamp` in seconds, `funding_id` the payment's number in the
 * account, `start_timestamp` / `end_timestamp` in ms. `liquidation_price` is the mark at which
 * the account's equity would meet its maintenance margin, the other positions' marks held
 * (`"0"` when no positive price does).
 *
 * Identifiers as the venue assigns them (lighter.md §3.3): ask `order_index` values count up
 * from 2^48, bid ones down from 2^49; engine accounts not named by an account index (the
 * control API's counter-order account) get the next free index from 7778, so every trade names
 * both accounts; `Order.nonce` is the nonce of the transaction that created the order (0 for
 * orders placed on the engine directly). Public channels `ticker/{m}` (an empty side reads
 * price and size zero) and `trade/{m}` (trades without the position fields the account
 * channels carry); private `account_all_orders`, `account_all_trades` (snapshot volumes in
 * USDC over the retained fills) and `account_all_positions`, each behind an auth token.
 *
 * @module
 */
import type { Clock } from "../../base.ts";
import { Decimal } from "../../core/decimal.ts";
import { ManualClock } from "../../exchanges/_shared/clock.ts";
import {
  DuplicateClientOrderIdError,
  InsufficientMarginError,
  InvalidOrderError,
  NotFoundError,
  OrderRejectedError,
} from "../../core/errors.ts";
import { generateApiKey, publicKeyFromPrivateKey } from "../../crypto/ecgfp5/keys.ts";
import { Ring } from "../_ring.ts";
import { SimControl } from "../control.ts";
import { SimEngine, type SimOrderRequest } from "../engine.ts";
import type { FillView, OrderView, SimEvent, SimFundingPayment } from "../events.ts";
import { FaultInjector } from "../faults.ts";
import { type RouteContext, SimServer, type SimSocket } from "../server.ts";
import { checkLighterAuthToken } from "./auth.ts";
import { lighterTxHash, type ParsedTx, parseTxInfo, TxInfoError, verifyTx } from "./tx_verifier.ts";
import { fundingRatesFloat, fundingsRow, marketStatsRate } from "./units.ts";

/**
 * A clock tests can move: `ManualClock` fits.
 *
 * @example
 * ```ts
 * import type { ReplicaClock } from "./replica.ts";
 * const skipHour = (c: ReplicaClock) => c.advance(3_600_000);
 * ```
 */
export interface ReplicaClock extends Clock {
  /** Moves time forward, running what falls due. */
  advance(ms: number): Promise<void>;
}

/** Front-end name (for faults). */
export const LIGHTER_FRONT_END = "lighter";

const ORDER_INDEX_BASE = 2 ** 48;
const BID_INDEX_TOP = 2 ** 49;
/** `Trade` fields about an account's position, sent on account channels only. */
const PRIVATE_TRADE_FIELD =
  /_(position_size_before|entry_quote_before|initial_margin_fraction_before|position_sign_changed)$/;
/** First account index given to engine accounts not named by an index (market makers). */
const MARKET_MAKER_INDEX_BASE = 7778;

/**
 * One replica market.
 *
 * @example
 * ```ts
 * import type { LighterReplicaMarket } from "./replica.ts";
 * const eth: LighterReplicaMarket = {
 *   symbol: "ETH", marketId: 0, sizeDecimals: 4, priceDecimals: 2, minBaseAmount: "0.0050",
 *   minQuoteAmount: "10", markPrice: "2000.00",
 * };
 * ```
 */
export interface LighterReplicaMarket {
  /** Symbol. */
  symbol: string;
  /** Market index. */
  marketId: number;
  /** Size decimals. */
  sizeDecimals: number;
  /** Price decimals. */
  priceDecimals: number;
  /** Minimum order size. */
  minBaseAmount: string;
  /** Minimum order notional (USDC). */
  minQuoteAmount: string;
  /** Initial mark price. */
  markPrice: string;
  /** Initial margin fraction in 1e-4 (500 = 20x). @default {500} */
  initialMarginFraction?: number;
}

/**
 * Options of {@linkcode startLighterReplica}.
 *
 * @example
 * ```ts
 * import type { LighterReplicaOptions } from "./replica.ts";
 * const o: LighterReplicaOptions = { collateral: "50000", requireAuthForAccountAll: false };
 * ```
 */
export interface LighterReplicaOptions {
  /** Virtual clock. @default {a ManualClock at the current time} */
  clock?: ReplicaClock;
  /** Chain id transactions must be signed for. @default {300} */
  chainId?: number;
  /** Markets. @default {ETH (0) at 2000.00 and BTC (1) at 64000.0} */
  markets?: LighterReplicaMarket[];
  /** The funded test account's index. @default {4242} */
  accountIndex?: number;
  /** Its API key index. @default {4} */
  apiKeyIndex?: number;
  /** Its API private key (80 hex). @default {a fresh random key} */
  apiKeyPrivateKey?: string;
  /** Its USDC collateral. @default {"100000"} */
  collateral?: string;
  /** Whether `account_all/{account}` needs an auth token (docs: yes; lighter.md §11). @default {true} */
  requireAuthForAccountAll?: boolean;
  /** Code answered for a bad signature or unknown API key. @default {21501} */
  invalidSignatureCode?: number;
  /** Code answered for an expired transaction. @default {21501} */
  expiredCode?: number;
  /** Seed of the fault injector made when `faults` is not given. @default {1} */
  seed?: number;
  /**
   * Faults every request and every outgoing frame of the front-end consults (front-end
   * {@linkcode LIGHTER_FRONT_END}). @default {a fresh, empty FaultInjector}
   */
  faults?: FaultInjector;
}

/**
 * A running replica.
 *
 * @example
 * ```ts
 * import type { LighterReplica } from "./replica.ts";
 * const urls = (r: LighterReplica) => [r.restUrl, r.wsUrl];
 * ```
 */
export interface LighterReplica extends AsyncDisposable {
  /** REST base URL. */
  restUrl: string;
  /** WebSocket URL (`…/stream`). */
  wsUrl: string;
  /** Chain id to sign for. */
  chainId: number;
  /** The funded test account's credentials. */
  credentials: { apiKeyPrivateKey: string; accountIndex: number; apiKeyIndex: number };
  /** The test account's L1 address (for `accountsByL1Address`). */
  l1Address: string;
  /** Engine account id of the test account. */
  accountId: string;
  /** Engine account id of a counterparty with unlimited margin. */
  counterpartyId: string;
  /** The engine. */
  engine: SimEngine;
  /** The control surface (faults, truth). */
  control: SimControl;
  /** The HTTP + WebSocket server. */
  server: SimServer;
  /** The fault injector (the same as `server.faults` and `control.faults`). */
  faults: FaultInjector;
  /** The virtual clock. */
  clock: ReplicaClock;
  /** Venue `order_index` of an engine order id. */
  orderIndexOf(engineOrderId: string): string;
  /** Market index of a symbol. */
  marketIdOf(symbol: string): number;
  /**
   * Registers an API public key for an account (what a `ChangePubKey` does).
   *
   * @param accountIndex Account.
   * @param apiKeyIndex Key index.
   * @param publicKey 80 hex digits.
   */
  registerApiKey(accountIndex: number, apiKeyIndex: number, publicKey: string): void;
  /** Stops the server. */
  close(): Promise<void>;
}

const DEFAULT_MARKETS: LighterReplicaMarket[] = [
  {
    symbol: "ETH",
    marketId: 0,
    sizeDecimals: 4,
    priceDecimals: 2,
    minBaseAmount: "0.0050",
    minQuoteAmount: "10",
    markPrice: "2000.00",
  },
  {
    symbol: "BTC",
    marketId: 1,
    sizeDecimals: 5,
    priceDecimals: 1,
    minBaseAmount: "0.00020",
    minQuoteAmount: "10",
    markPrice: "64000.0",
  },
];

/** A refusal answered as HTTP 400 `{code, message}`. */
class ApiError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

interface Conn {
  socket: SimSocket;
  channels: Set<string>;
  offset: number;
}

interface MarketState {
  spec: LighterReplicaMarket;
  pow: { size: Decimal; price: Decimal };
}

/** Fixed decimals, keeping any extra digits the exact value has. */
function fixed(value: string | Decimal, dp: number): string {
  const d = new Decimal(value);
  return d.decimalPlaces() > dp ? d.toFixed() : d.toFixed(dp);
}

/**
 * Starts a Lighter replica on 127.0.0.1 with a funded test account and a registered API key.
 *
 * @param options Markets, account, key, clock, codes.
 * @returns The replica.
 *
 * @example
 * ```ts
 * import { startLighterReplica } from "./replica.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * await using replica = startLighterReplica();
 * const r = await fetch(`${replica.restUrl}/api/v1/nextNonce?account_index=${replica.credentials.accountIndex}&api_key_index=${replica.credentials.apiKeyIndex}`);
 * equal((await r.json()).nonce, 0);
 * ```
 */
export function startLighterReplica(options: LighterReplicaOptions = {}): LighterReplica {
  const clock: ReplicaClock = options.clock ?? new ManualClock(Date.now());
  const chainId = options.chainId ?? 300;
  const accountIndex = options.accountIndex ?? 4242;
  const apiKeyIndex = options.apiKeyIndex ?? 4;
  const counterpartyIndex = 7777;
  const badSig = options.invalidSignatureCode ?? 21501;
  const expiredCode = options.expiredCode ?? 21501;
  const requireAuthAll = options.requireAuthForAccountAll ?? true;
  const l1Address = "0x000000000000000000000000000000000000a11c";
  const faults = options.faults ?? new FaultInjector({ clock, seed: options.seed ?? 1 });
  const engine = new SimEngine({
    clock,
    venue: "lighter",
    // Lighter accepts a crossing post-only order and cancels it (`canceled-post-only`).
    postOnlyCross: "cancel",
    selfTradePrevention: "cancel_resting",
  });
  const control = new SimControl(engine, { faults });
  const markets = new Map<number, MarketState>();
  const bySymbol = new Map<string, MarketState>();
  for (const spec of options.markets ?? DEFAULT_MARKETS) {
    const imf = spec.initialMarginFraction ?? 500;
    engine.addInstrument({
      symbol: spec.symbol,
      tickSize: new Decimal(1).div(new Decimal(10).pow(spec.priceDecimals)),
      sizeStep: new Decimal(1).div(new Decimal(10).pow(spec.sizeDecimals)),
      minSize: spec.minBaseAmount,
      minNotional: spec.minQuoteAmount,
      maxLeverage: new Decimal(10_000).div(imf),
      fundingIntervalHours: 1,
    }, { markPrice: spec.markPrice });
    const st: MarketState = {
      spec,
      pow: {
        size: new Decimal(10).pow(spec.sizeDecimals),
        price: new Decimal(10).pow(spec.priceDecimals),
      },
    };
    markets.set(spec.marketId, st);
    bySymbol.set(spec.symbol, st);
  }
  const startedAt = clock.now();
  const accountId = String(accountIndex);
  const counterpartyId = String(counterpartyIndex);
  engine.createAccount(accountId, { collateral: options.collateral ?? "100000" });
  engine.createAccount(counterpartyId, { unlimitedMargin: true });

  const keys = new Map<string, { publicKey: string; nonce: number }>();
  const key = options.apiKeyPrivateKey
    ? { privateKey: options.apiKeyPrivateKey, publicKey: "" }
    : generateApiKey();
  const privateKey = key.privateKey.replace(/^0x/, "");
  const registerApiKey = (account: number, index: number, publicKey: string) => {
    keys.set(`${account}:${index}`, { publicKey: publicKey.replace(/^0x/, ""), nonce: 0 });
  };
  registerApiKey(
    accountIndex,
    apiKeyIndex,
    key.publicKey || publicKeyFromPrivateKey(privateKey),
  );

  // What the engine does not keep: the quote filled so far per order. Retention: active orders,
  // and finished ones as long as the engine keeps them (its `finishedOrders` bound).
  const quoteFilled = new Map<string, Decimal>();
  /** The nonce of the transaction that created each order (the `Order.nonce` field). */
  const orderNonce = new Map<string, number>();
  const finishedQuote = new Ring<string>(engine.retention.finishedOrders);
  const clientIndex = (o: { clientOrderId: string }) =>
    /^\d+$/.test(o.clientOrderId) ? Number(o.clientOrderId) : 0;
  /**
   * Venue account index of an engine account. Engine accounts named by a decimal index keep it;
   * any other (e.g. the control API's counter-order account) gets the next free index from
   * {@linkcode MARKET_MAKER_INDEX_BASE}, once: the venue names both accounts of every trade.
   */
  const makerIndices = new Map<string, number>();
  const makerAccounts = new Map<number, string>();
  const indexOfAccount = (id: string): number => {
    if (/^\d+$/.test(id)) return Number(id);
    let index = makerIndices.get(id);
    if (index === undefined) {
      index = MARKET_MAKER_INDEX_BASE;
      while (makerAccounts.has(index) || engine.hasAccount(String(index))) index++;
      makerIndices.set(id, index);
      makerAccounts.set(index, id);
    }
    return index;
  };
  /** Engine account of a venue account index (the inverse of `indexOfAccount`). */
  const accountOfIndex = (index: number | string): string =>
    makerAccounts.get(Number(index)) ?? String(index);
  /**
   * Venue `order_index` of an engine order: asks count up from 2^48, bids down from 2^49
   * (lighter.md §3.3, observed order indices).
   */
  const orderIndex = (engineId: string, side: "buy" | "sell") =>
    side === "sell" ? ORDER_INDEX_BASE + Number(engineId) : BID_INDEX_TOP - Number(engineId);
  /** Engine order id and side of a venue `order_index` (≥ 2^48). */
  const orderOfIndex = (index: number): { id: string; side: "buy" | "sell" } =>
    index < ORDER_INDEX_BASE + ORDER_INDEX_BASE / 2
      ? { id: String(index - ORDER_INDEX_BASE), side: "sell" }
      : { id: String(BID_INDEX_TOP - index), side: "buy" };
  const marketOf = (symbol: string): MarketState => bySymbol.get(symbol)!;

  const server = SimServer.start({ faults });
  const conns = new Set<Conn>();

  // ------------------------------------------------------------------ JSON shapes

  const px = (m: MarketState, v: string | Decimal | undefined) =>
    fixed(v ?? "0", m.spec.priceDecimals);
  const sz = (m: MarketState, v: string | Decimal) => fixed(v, m.spec.sizeDecimals);
  const usd = (v: string | Decimal) => fixed(v, 6);

  function lighterStatus(o: OrderView): string {
    if (o.status === "open" || o.status === "partially_filled") return "open";
    if (o.status === "pending") return "pending";
    if (o.status === "filled") return "filled";
    switch (o.cancelReason) {
      case "post_only_would_cross":
        return "canceled-post-only";
      case "reduce_only":
        return "canceled-reduce-only";
      case "self_trade":
        return "canceled-self-trade";
      case "expired":
        return "canceled-expired";
      case "insufficient_margin":
        return "canceled-margin-not-allowed";
      case "liquidation":
        return "canceled-liquidation";
      case "ioc_unfilled":
        return o.type === "market" ? "canceled-not-enough-liquidity" : "canceled";
      default:
        return "canceled";
    }
  }

  function orderJson(o: OrderView) {
    const m = marketOf(o.symbol);
    const idx = orderIndex(o.id, o.side);
    const coi = clientIndex(o);
    const price = o.price ?? "0";
    return {
      order_index: idx,
      client_order_index: coi,
      order_id: String(idx),
      client_order_id: String(coi),
      market_index: m.spec.marketId,
      owner_account_index: indexOfAccount(o.accountId),
      initial_base_amount: sz(m, o.size),
      price: px(m, price),
      nonce: orderNonce.get(o.id) ?? 0,
      remaining_base_amount: sz(m, o.remainingSize),
      is_ask: o.side === "sell",
      base_size: new Decimal(o.remainingSize).times(m.pow.size).toNumber(),
      base_price: new Decimal(price).times(m.pow.price).toNumber(),
      filled_base_amount: sz(m, o.filledSize),
      filled_quote_amount: usd(quoteFilled.get(o.id) ?? "0"),
      side: o.side,
      type: o.type,
      time_in_force: o.timeInForce === "ioc" || o.timeInForce === "fok"
        ? "immediate-or-cancel"
        : o.postOnly
        ? "post-only"
        : "good-till-time",
      reduce_only: o.reduceOnly,
      trigger_price: px(m, "0"),
      order_expiry: o.expiresAt ?? 0,
      status: lighterStatus(o),
      trigger_status: "na",
      trigger_time: 0,
      parent_order_index: 0,
      parent_order_id: "0",
      to_trigger_order_id_0: "0",
      to_trigger_order_id_1: "0",
      to_cancel_order_id_0: "0",
      integrator_fee_collector_index: "0",
      integrator_taker_fee: "0",
      integrator_maker_fee: "0",
      block_height: 0,
      timestamp: o.createdAt,
      created_at: o.createdAt,
      updated_at: o.updatedAt,
      transaction_time: o.updatedAt * 1000,
    };
  }

  function positionJson(account: string, symbol: string) {
    const m = marketOf(symbol);
    const p = engine.position(account, symbol);
    const size = new Decimal(p.size);
    return {
      market_id: m.spec.marketId,
      symbol,
      initial_margin_fraction: new Decimal(100).div(p.leverage).toFixed(2),
      open_order_count: engine.openOrders(account, symbol).length,
      pending_order_count: 0,
      position_tied_order_count: 0,
      sign: size.isNegative() ? -1 : 1,
      position: sz(m, size.abs()),
      avg_entry_price: p.entryPrice === undefined ? px(m, "0") : px(m, p.entryPrice),
      position_value: usd(p.notional),
      unrealized_pnl: usd(p.unrealizedPnl),
      realized_pnl: usd(p.realizedPnl),
      liquidation_price: liquidationPrice(account, symbol),
      total_funding_paid_out: usd(new Decimal(p.funding).neg()),
      margin_mode: 0,
      allocated_margin: usd("0"),
      total_discount: usd("0"),
    };
  }

  /**
   * Cross margin, this position's mark moving alone: equity E + s·(p − m) meets maintenance
   * MMo + |s|·p·f at p = (MMo − E + s·m) / (s − |s|·f).
   */
  function liquidationPrice(account: string, symbol: string): string {
    const p = engine.position(account, symbol);
    const s = new Decimal(p.size);
    const notional = new Decimal(p.notional);
    if (s.isZero() || notional.isZero()) return "0";
    const b = engine.balance(account);
    const f = new Decimal(p.maintenanceMargin).div(notional);
    const others = new Decimal(b.maintenanceMargin).minus(p.maintenanceMargin);
    const denominator = s.minus(s.abs().times(f));
    if (denominator.isZero()) return "0";
    const price = others.minus(b.equity).plus(s.times(p.markPrice)).div(denominator);
    return price.gt(0) ? price.toDecimalPlaces(8).toFixed() : "0";
  }

  /** A `PositionFunding` row (lighter.md §3.2; OpenAPI `PositionFunding`). */
  function positionFundingJson(p: SimFundingPayment, fundingId: number) {
    const m = marketOf(p.symbol);
    const size = new Decimal(p.positionSize);
    return {
      timestamp: Math.floor(p.time / 1000),
      market_id: m.spec.marketId,
      funding_id: fundingId,
      change: usd(p.amount),
      rate: marketStatsRate(p.rate),
      position_size: sz(m, size.abs()),
      position_side: size.isNegative() ? "short" : "long",
      discount: usd("0"),
    };
  }

  function accountJson(account: string) {
    const b = engine.balance(account);
    const positions = engine.positions(account).map((p) => positionJson(account, p.symbol));
    const index = indexOfAccount(account);
    return {
      code: 0,
      account_type: 0,
      index,
      l1_address: account === accountId ? l1Address : "0x" + "0".repeat(40),
      cancel_all_time: 0,
      total_order_count: engine.openOrderCount(account),
      total_isolated_order_count: 0,
      pending_order_count: 0,
      available_balance: usd(b.availableBalance),
      status: 1,
      collateral: usd(b.collateral),
      transaction_time: engine.now() * 1000,
      account_trading_mode: 0,
      account_index: index,
      name: "",
      description: "",
      can_invite: true,
      referral_points_percentage: "",
      can_rfq: false,
      can_rfq_market_ids: null,
      created_at: startedAt,
      metadata: { color: "" },
      positions,
      assets: [{
        symbol: "USDC",
        asset_id: 3,
        balance: usd(b.collateral),
        locked_balance: usd("0"),
        margin_mode: "enabled",
        margin_balance: usd(b.collateral),
      }],
      total_asset_value: usd(b.equity),
      cross_asset_value: usd(b.equity),
      cross_initial_margin_requirement: usd(b.initialMargin),
      cross_maintenance_margin_requirement: usd(b.maintenanceMargin),
      shares: [],
      pending_unlocks: [],
      approved_integrators: [],
    };
  }

  function detailJson(m: MarketState) {
    const s = m.spec;
    const prices = engine.prices(s.symbol);
    const stats = dailyStats(s.symbol);
    const imf = s.initialMarginFraction ?? 500;
    return {
      symbol: s.symbol,
      market_id: s.marketId,
      market_type: "perp",
      base_asset_id: 0,
      quote_asset_id: 0,
      status: "active",
      taker_fee: "0.0000",
      is_taker_fee_enabled: true,
      maker_fee: "0.0000",
      is_maker_fee_enabled: true,
      liquidation_fee: "1.0000",
      min_base_amount: sz(m, s.minBaseAmount),
      min_quote_amount: usd(s.minQuoteAmount),
      order_quote_limit: "281474976.710655",
      supported_size_decimals: s.sizeDecimals,
      supported_price_decimals: s.priceDecimals,
      supported_quote_decimals: 6,
      size_decimals: s.sizeDecimals,
      price_decimals: s.priceDecimals,
      quote_multiplier: 1,
      default_initial_margin_fraction: imf,
      min_initial_margin_fraction: imf,
      maintenance_margin_fraction: Math.round(imf / 2),
      closeout_margin_fraction: Math.round(imf / 3),
      // No mark_price / index_price here: the real answer has none (they come on the
      // market_stats stream), nor funding parameters, market flags, created_at or multiplier.
      last_trade_price: Number(prices.lastPrice),
      daily_trades_count: stats.count,
      daily_base_token_volume: Number(stats.base),
      daily_quote_token_volume: Number(stats.quote),
      daily_price_low: Number(stats.low),
      daily_price_high: Number(stats.high),
      daily_price_change: Number(stats.change),
      open_interest: Number(openInterest(s.symbol)),
      daily_chart: {},
      market_config: {
        market_margin_mode: 0,
        insurance_fund_account_index: 281474976710655,
        liquidation_mode: 0,
        force_reduce_only: false,
        trading_hours: "",
        funding_fee_discounts_enabled: false,
        hidden: false,
        rfq_enabled: false,
      },
      strategy_index: 0,
    };
  }

  function dailyStats(symbol: string) {
    const since = engine.now() - 86_400_000;
    let base = new Decimal(0);
    let quote = new Decimal(0);
    let count = 0;
    let low: Decimal | undefined;
    let high: Decimal | undefined;
    let first: Decimal | undefined;
    let last: Decimal | undefined;
    for (const t of engine.trades(symbol)) {
      if (t.time < since) continue;
      count++;
      const price = new Decimal(t.price);
      base = base.plus(t.size);
      quote = quote.plus(price.times(t.size));
      low = low === undefined || price.lt(low) ? price : low;
      high = high === undefined || price.gt(high) ? price : high;
      first ??= price;
      last = price;
    }
    // daily_price_change is a percent (lighter.md §4.2 sample: -4.37).
    const change = first && last && !first.isZero()
      ? last.minus(first).div(first).times(100).toDecimalPlaces(12)
      : new Decimal(0);
    return { base, quote, count, low: low ?? 0, high: high ?? 0, change };
  }

  function openInterest(symbol: string): Decimal {
    let longs = new Decimal(0);
    for (const a of engine.accounts()) {
      const size = new Decimal(engine.position(a, symbol).size);
      if (size.isPositive()) longs = longs.plus(size);
    }
    return longs;
  }

  function marketStatsJson(m: MarketState) {
    const s = m.spec;
    const prices = engine.prices(s.symbol);
    const next = engine.nextFunding(s.symbol);
    const last = engine.fundingHistory(s.symbol).at(-1);
    const stats = dailyStats(s.symbol);
    const top = engine.topTicks(s.symbol);
    const mid = top.bid !== undefined && top.ask !== undefined
      ? new Decimal(top.bid + top.ask).div(2).div(m.pow.price)
      : new Decimal(prices.markPrice);
    return {
      symbol: s.symbol,
      market_id: s.marketId,
      index_price: px(m, prices.indexPrice),
      mark_price: px(m, prices.markPrice),
      mid_price: px(m, mid.toDecimalPlaces(s.priceDecimals)),
      open_interest: sz(m, openInterest(s.symbol)),
      open_interest_limit: "72057594037927936.000000",
      funding_clamp_small: "0.0500",
      funding_clamp_big: "4.0000",
      base_interest_rate: "0.0100",
      last_trade_price: px(m, prices.lastPrice),
      current_funding_rate: marketStatsRate(next.rate),
      funding_rate: marketStatsRate(last?.rate ?? "0"),
      funding_timestamp: next.time,
      daily_base_token_volume: Number(stats.base),
      daily_quote_token_volume: Number(stats.quote),
      daily_price_low: Number(stats.low),
      daily_price_high: Number(stats.high),
      daily_price_change: Number(stats.change),
    };
  }

  // ------------------------------------------------------------------ auth

  function checkToken(token: string | null | undefined, account: number): boolean {
    return checkLighterAuthToken(
      token,
      (a, k) => keys.get(`${a}:${k}`)?.publicKey,
      { now: engine.now(), account },
    );
  }

  function requireAuth(ctx: RouteContext, account: number): void {
    const token = ctx.request.headers.get("authorization") ?? ctx.url.searchParams.get("auth");
    if (!checkToken(token, account)) throw new ApiError(20001, "invalid auth token");
  }

  // ------------------------------------------------------------------ transactions

  function executeTx(tx: ParsedTx): void {
    const account = String(tx.accountIndex);
    if (!engine.hasAccount(account)) throw new ApiError(21501, "account not found");
    const f = tx.fields;
    switch (tx.txType) {
      case 14:
        return createOrder(account, tx);
      case 15: {
        const m = markets.get(f.MarketIndex);
        if (!m) throw new ApiError(21602, "invalid market index");
        const index = f.Index;
        // Below 2^48 the index is a client order index (lighter.md §7.4).
        const byIndex = index < ORDER_INDEX_BASE ? undefined : orderOfIndex(index);
        const ref = byIndex === undefined ? { clientOrderId: String(index) } : { id: byIndex.id };
        try {
          const view = engine.getOrder(account, ref);
          if (view.symbol !== m.spec.symbol || (byIndex && byIndex.side !== view.side)) {
            throw new NotFoundError({});
          }
          engine.cancelOrder(account, ref);
        } catch (e) {
          if (e instanceof NotFoundError) {
            throw new ApiError(21715, "given order is not an active order");
          }
          throw e;
        }
        return;
      }
      case 16: {
        if (f.TimeInForce !== 0) {
          throw new ApiError(21713, "invalid cancel all time in force (replica: immediate only)");
        }
        const marketAttr = tx.attributes.get(5);
        const symbol = marketAttr === undefined
          ? undefined
          : markets.get(Number(marketAttr))?.spec.symbol;
        if (marketAttr !== undefined && symbol === undefined) {
          throw new ApiError(21602, "invalid market index");
        }
        engine.cancelAll(account, symbol);
        return;
      }
      case 20: {
        const m = markets.get(f.MarketIndex);
        if (!m) throw new ApiError(21602, "invalid market index");
        if (f.InitialMarginFraction < 1 || f.InitialMarginFraction > 10_000) {
          throw new ApiError(21604, "invalid initial margin fraction");
        }
        if (f.MarginMode !== 0) {
          throw new ApiError(21604, "invalid margin mode (replica: cross margin only)");
        }
        try {
          engine.setLeverage(
            account,
            m.spec.symbol,
            new Decimal(10_000).div(f.InitialMarginFraction),
          );
        } catch {
          throw new ApiError(21604, "invalid initial margin fraction");
        }
        sendAccountAll(account, m.spec.symbol, {});
        return;
      }
      default:
        throw new ApiError(21505, "unsupported tx type");
    }
  }

  function createOrder(account: string, tx: ParsedTx): void {
    const f = tx.fields;
    const m = markets.get(f.MarketIndex);
    if (!m) throw new ApiError(21602, "invalid market index");
    if (f.Type !== 0 && f.Type !== 1) throw new ApiError(21710, "unsupported order type");
    if (f.TimeInForce < 0 || f.TimeInForce > 2) {
      throw new ApiError(21705, "invalid OrderTimeInForce");
    }
    if (f.Price < 1 || f.Price > 0xffffffff) throw new ApiError(21702, "invalid price");
    if (f.BaseAmount < 1 && !(f.BaseAmount === 0 && f.ReduceOnly === 1)) {
      throw new ApiError(21701, "invalid base amount");
    }
    if (f.ClientOrderIndex < 0 || f.ClientOrderIndex >= 2 ** 48) {
      throw new ApiError(21727, "invalid client order index");
    }
    const now = engine.now();
    if (f.Type === 1 || f.TimeInForce === 0) {
      // Market and IOC orders carry no expiry (lighter.md §7.2).
      if (f.Type === 1 && f.TimeInForce !== 0) {
        throw new ApiError(21705, "invalid OrderTimeInForce");
      }
      if (f.OrderExpiry !== 0) throw new ApiError(21711, "invalid expiry");
    } else {
      const ahead = f.OrderExpiry - now;
      if (ahead < 5 * 60_000 || ahead > 30 * 86_400_000) {
        throw new ApiError(21711, "invalid expiry");
      }
    }
    if (f.ClientOrderIndex > 0 && engine.isActive(account, String(f.ClientOrderIndex))) {
      throw new ApiError(21728, "client order index already exists");
    }
    const size = new Decimal(f.BaseAmount).div(m.pow.size);
    const price = new Decimal(f.Price).div(m.pow.price);
    const request: SimOrderRequest = {
      symbol: m.spec.symbol,
      side: f.IsAsk ? "sell" : "buy",
      size,
      reduceOnly: f.ReduceOnly === 1,
      ...(f.ClientOrderIndex > 0 ? { clientOrderId: String(f.ClientOrderIndex) } : {}),
    };
    if (f.Type === 1) {
      Object.assign(request, { type: "market", worstPrice: price, timeInForce: "ioc" });
    } else if (f.TimeInForce === 0) {
      Object.assign(request, { type: "limit", price, timeInForce: "ioc" });
    } else {
      Object.assign(request, {
        type: "limit",
        price,
        timeInForce: "gtt",
        expiresAt: f.OrderExpiry,
        postOnly: f.TimeInForce === 2,
      });
    }
    try {
      engine.placeOrder(account, request);
    } catch (e) {
      // Accepted by the API, refused by the sequencer: the order event already says why.
      if (e instanceof InsufficientMarginError) return;
      if (e instanceof OrderRejectedError && e.reason === "reduce_only") return;
      if (e instanceof DuplicateClientOrderIdError) {
        throw new ApiError(21728, "client order index already exists");
      }
      if (e instanceof InvalidOrderError) {
        throw new ApiError(
          e.reason === "invalid_price" ? 21702 : 21706,
          e.reason === "invalid_price" ? "invalid price" : "invalid order base or quote amount",
        );
      }
      if (e instanceof OrderRejectedError) throw new ApiError(21501, e.message);
      throw e;
    }
  }

  /** Checks and applies one transaction; returns its hash. */
  function submitTx(txType: number, txInfo: string | Record<string, unknown>): string {
    let tx: ParsedTx;
    try {
      tx = parseTxInfo(txType, txInfo);
    } catch (e) {
      if (e instanceof TxInfoError) {
        throw new ApiError(e.message.startsWith("unsupported") ? 21505 : 21501, e.message);
      }
      throw e;
    }
    const k = keys.get(`${tx.accountIndex}:${tx.apiKeyIndex}`);
    if (!k || !verifyTx(chainId, tx, k.publicKey)) {
      throw new ApiError(badSig, "invalid signature");
    }
    if (tx.expiredAt <= engine.now()) throw new ApiError(expiredCode, "transaction expired");
    // ExpiredAt ≤ 2^48 − 1 (lighter.md §5.11).
    if (tx.expiredAt > 2 ** 48 - 1) throw new ApiError(21501, "invalid tx info");
    const skipNonce = tx.attributes.get(4) === 1n;
    if (!skipNonce && tx.nonce !== k.nonce) throw new ApiError(21104, "invalid nonce");
    // API-level refusals above and in executeTx leave the nonce unused (lighter.md §5.11).
    const hash = lighterTxHash(chainId, tx);
    inTx = true;
    currentTxHash = hash;
    currentTxNonce = tx.nonce;
    try {
      executeTx(tx);
    } finally {
      inTx = false;
      currentTxHash = undefined;
      const pending = [...txOrders.values()];
      txOrders.clear();
      for (const e of pending) sendOrder(e);
    }
    if (!skipNonce) k.nonce++;
    return hash;
  }

  async function formOf(ctx: RouteContext): Promise<FormData> {
    try {
      return await ctx.request.formData();
    } catch {
      throw new ApiError(20001, "invalid param: expected multipart or urlencoded form fields");
    }
  }

  function sendTxAnswer(hash: string | string[]) {
    return {
      code: 200,
      message: '{"ratelimit": "didn\'t use volume quota"}',
      tx_hash: hash,
      predicted_execution_time_ms: engine.now() + 200,
      volume_quota_remaining: 0,
    };
  }

  // ------------------------------------------------------------------ REST

  const route = (
    method: string,
    path: string,
    handler: (ctx: RouteContext) => unknown | Promise<unknown>,
  ) =>
    server.route(LIGHTER_FRONT_END, method, path, async (ctx) => {
      try {
        return await handler(ctx);
      } catch (e) {
        if (e instanceof ApiError) {
          return Response.json({ code: e.code, message: e.message }, { status: 400 });
        }
        throw e;
      }
    });
  const intParam = (ctx: RouteContext, name: string, fallback?: number): number => {
    const v = ctx.url.searchParams.get(name);
    if (v === null || v === "") {
      if (fallback !== undefined) return fallback;
      throw new ApiError(20001, `invalid param: '${name}' is required`);
    }
    if (!/^-?\d+$/.test(v)) {
      throw new ApiError(20001, `invalid param: '${name}' must be an integer`);
    }
    return Number(v);
  };
  const marketFilter = (ctx: RouteContext) => {
    const id = intParam(ctx, "market_id", 255);
    return [...markets.values()].filter((m) => id === 255 || m.spec.marketId === id);
  };

  // Status and server time in seconds, as the fixture spells it (lighter.md §2,
  // GET_root_status__ccxt.json).
  route("GET", "/", () => ({
    status: "1",
    network_id: "1",
    timestamp: String(Math.floor(clock.now() / 1000)),
  }));
  route("GET", "/api/v1/orderBookDetails", (ctx) => ({
    code: 200,
    order_book_details: marketFilter(ctx).map(detailJson),
    spot_order_book_details: [],
  }));
  route("GET", "/api/v1/orderBooks", (ctx) => ({
    code: 200,
    order_books: marketFilter(ctx).map((m) => {
      const { size_decimals: _s, price_decimals: _p, ...rest } = detailJson(m);
      return {
        symbol: rest.symbol,
        market_id: rest.market_id,
        market_type: "perp",
        base_asset_id: 0,
        quote_asset_id: 0,
        status: "active",
        taker_fee: rest.taker_fee,
        is_taker_fee_enabled: true,
        maker_fee: rest.maker_fee,
        is_maker_fee_enabled: true,
        liquidation_fee: rest.liquidation_fee,
        min_base_amount: rest.min_base_amount,
        min_quote_amount: rest.min_quote_amount,
        order_quote_limit: rest.order_quote_limit,
        supported_size_decimals: m.spec.sizeDecimals,
        supported_price_decimals: m.spec.priceDecimals,
        supported_quote_decimals: 6,
        created_at: "0",
        multiplier: "1.000000000000000000",
      };
    }),
  }));
  route("GET", "/api/v1/orderBookOrders", (ctx) => {
    const m = markets.get(intParam(ctx, "market_id"));
    if (!m) throw new ApiError(21602, "invalid market index");
    const limit = intParam(ctx, "limit");
    if (limit < 1 || limit > 250) throw new ApiError(20001, "invalid param: limit");
    const book = engine.bookOrders(m.spec.symbol);
    // A `SimpleOrder` (lighter.md §3.3): the order's initial and remaining size, its expiry.
    const rows = (levels: typeof book.bids, side: "buy" | "sell") =>
      levels.flatMap((l) =>
        l.orders.map((o) => {
          const view = engine.getOrder(o.accountId, { id: o.id });
          return {
            order_index: orderIndex(o.id, side),
            order_id: String(orderIndex(o.id, side)),
            owner_account_index: indexOfAccount(o.accountId),
            initial_base_amount: sz(m, view.size),
            remaining_base_amount: sz(m, o.size),
            price: px(m, l.price),
            order_expiry: view.expiresAt ?? 0,
            transaction_time: view.updatedAt * 1000,
          };
        })
      ).slice(0, limit);
    const asks = rows(book.asks, "sell");
    const bids = rows(book.bids, "buy");
    return { code: 200, total_asks: asks.length, asks, total_bids: bids.length, bids };
  });
  route("GET", "/api/v1/recentTrades", (ctx) => {
    const m = markets.get(intParam(ctx, "market_id"));
    if (!m) throw new ApiError(21602, "invalid market index");
    const limit = intParam(ctx, "limit");
    if (limit < 1 || limit > 100) throw new ApiError(20001, "invalid param: limit");
    // Newest first.
    const trades = (recentTrades.get(m.spec.marketId) ?? []).slice(-limit).reverse();
    return { code: 200, trades };
  });
  route("GET", "/api/v1/nextNonce", (ctx) => {
    const k = keys.get(`${intParam(ctx, "account_index")}:${intParam(ctx, "api_key_index")}`);
    if (!k) throw new ApiError(21501, "api key not found");
    return { code: 200, nonce: k.nonce };
  });
  route("GET", "/api/v1/apikeys", (ctx) => {
    const account = intParam(ctx, "account_index");
    const index = intParam(ctx, "api_key_index", 255);
    return {
      code: 200,
      api_keys: [...keys.entries()]
        .map(([id, k]) => ({ id: id.split(":").map(Number), k }))
        .filter(({ id }) => id[0] === account && (index === 255 || id[1] === index))
        .map(({ id, k }) => ({
          account_index: id[0],
          api_key_index: id[1],
          nonce: k.nonce,
          public_key: k.publicKey,
          transaction_time: 0,
        })),
    };
  });
  route("GET", "/api/v1/account", (ctx) => {
    const by = ctx.url.searchParams.get("by");
    const value = ctx.url.searchParams.get("value") ?? "";
    let account: string | undefined;
    if (by === "index") {
      const id = /^\d+$/.test(value) ? accountOfIndex(value) : value;
      account = engine.hasAccount(id) ? id : undefined;
    } else if (by === "l1_address") {
      account = value.toLowerCase() === l1Address ? accountId : undefined;
    } else throw new ApiError(20001, "invalid param: 'by' must be index or l1_address");
    if (account === undefined) throw new ApiError(21100, "account not found");
    return { code: 200, total: 1, accounts: [accountJson(account)] };
  });
  route("GET", "/api/v1/accountsByL1Address", (ctx) => {
    const address = (ctx.url.searchParams.get("l1_address") ?? "").toLowerCase();
    return {
      code: 200,
      l1_address: address,
      sub_accounts: address === l1Address
        ? [{
          code: 0,
          account_type: 0,
          index: accountIndex,
          l1_address: l1Address,
          cancel_all_time: 0,
          total_order_count: 0,
          total_isolated_order_count: 0,
          pending_order_count: 0,
          available_balance: usd(engine.balance(accountId).availableBalance),
          status: 1,
          collateral: usd(engine.balance(accountId).collateral),
          transaction_time: 0,
        }]
        : [],
    };
  });
  /**
   * The account's active orders, or its finished ones newest first: those the engine retains
   * (its bounded `finishedOrders` history), at most `limit`.
   */
  const ownOrders = (ctx: RouteContext, active: boolean, limit = Infinity): OrderView[] => {
    const account = intParam(ctx, "account_index");
    requireAuth(ctx, account);
    const id = intParam(ctx, "market_id", 255);
    const symbol = id === 255 ? undefined : markets.get(id)?.spec.symbol;
    if (id !== 255 && symbol === undefined) throw new ApiError(21602, "invalid market index");
    const acc = String(account);
    try {
      return active ? engine.openOrders(acc, symbol) : engine.finishedOrders(acc, symbol, limit);
    } catch (e) {
      if (e instanceof NotFoundError) return [];
      throw e;
    }
  };
  route("GET", "/api/v1/accountActiveOrders", (ctx) => ({
    code: 200,
    orders: ownOrders(ctx, true).map(orderJson),
  }));
  route("GET", "/api/v1/accountInactiveOrders", (ctx) => {
    // 1..100 (lighter.md, REST endpoints table).
    const limit = intParam(ctx, "limit");
    if (limit < 1 || limit > 100) throw new ApiError(20001, "invalid param: limit");
    return { code: 200, orders: ownOrders(ctx, false, limit).map(orderJson) };
  });
  route("GET", "/api/v1/accountOrders", (ctx) => {
    const account = intParam(ctx, "account_index");
    requireAuth(ctx, account);
    const ids = (ctx.url.searchParams.get("client_order_indexes") ?? "").split(",")
      .map((s) => s.trim()).filter((s) => /^\d+$/.test(s));
    const out = [];
    for (const id of ids) {
      try {
        out.push(orderJson(engine.getOrder(String(account), { clientOrderId: id })));
      } catch (e) {
        if (!(e instanceof NotFoundError)) throw e;
      }
    }
    return { code: 200, orders: out };
  });
  route("POST", "/api/v1/sendTx", async (ctx) => {
    const form = await formOf(ctx);
    const type = Number(form.get("tx_type"));
    const info = form.get("tx_info");
    if (!Number.isInteger(type) || typeof info !== "string") {
      throw new ApiError(20001, "invalid param: tx_type and tx_info are required");
    }
    return sendTxAnswer(submitTx(type, info));
  });
  route("POST", "/api/v1/sendTxBatch", async (ctx) => {
    const form = await formOf(ctx);
    let types: unknown;
    let infos: unknown;
    try {
      types = JSON.parse(String(form.get("tx_types")));
      infos = JSON.parse(String(form.get("tx_infos")));
    } catch {
      throw new ApiError(20001, "invalid param: tx_types and tx_infos must be JSON lists");
    }
    if (
      !Array.isArray(types) || !Array.isArray(infos) || types.length !== infos.length ||
      types.length === 0 || types.length > 15
    ) {
      throw new ApiError(20001, "invalid param: 1 to 15 transactions, as many types as infos");
    }
    return sendTxAnswer(types.map((t, i) => submitTx(Number(t), String(infos[i]))));
  });
  route("GET", "/api/v1/fundings", (ctx) => {
    const m = markets.get(intParam(ctx, "market_id"));
    if (!m) throw new ApiError(21602, "invalid market index");
    const resolution = ctx.url.searchParams.get("resolution");
    if (resolution !== "1h" && resolution !== "1d") {
      throw new ApiError(20001, "invalid param: resolution");
    }
    const start = intParam(ctx, "start_timestamp");
    const end = intParam(ctx, "end_timestamp");
    const countBack = intParam(ctx, "count_back");
    const rows = engine.fundingHistory(m.spec.symbol)
      .filter((s) => s.time >= start && s.time <= end)
      .slice(-Math.max(0, Math.min(countBack, 100)))
      .map((s) => {
        const rate = new Decimal(s.rate);
        return {
          timestamp: Math.floor(s.time / 1000),
          value: rate.abs().times(s.markPrice).toDecimalPlaces(8, Decimal.ROUND_DOWN).toFixed(8),
          ...fundingsRow(rate),
        };
      });
    return { code: 200, resolution, fundings: rows };
  });
  route("GET", "/api/v1/positionFunding", (ctx) => {
    const account = intParam(ctx, "account_index");
    requireAuth(ctx, account);
    const limit = intParam(ctx, "limit");
    if (limit < 1 || limit > 100) throw new ApiError(20001, "invalid param: limit");
    const ids = new Set<number>();
    const one = intParam(ctx, "market_id", 255);
    if (one !== 255) ids.add(one);
    for (const v of ctx.url.searchParams.getAll("market_ids").flatMap((x) => x.split(","))) {
      if (v.trim() === "") continue;
      if (!/^\d+$/.test(v.trim())) throw new ApiError(20001, "invalid param: market_ids");
      ids.add(Number(v));
    }
    for (const id of ids) if (!markets.has(id)) throw new ApiError(21602, "invalid market index");
    const side = ctx.url.searchParams.get("side") ?? "all";
    if (side !== "long" && side !== "short" && side !== "all") {
      throw new ApiError(20001, "invalid param: side");
    }
    const start = intParam(ctx, "start_timestamp", 0);
    const end = intParam(ctx, "end_timestamp", Number.MAX_SAFE_INTEGER);
    const cursor = ctx.url.searchParams.get("cursor");
    const offset = cursor === null || cursor === "" ? 0 : Number(cursor);
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new ApiError(20001, "invalid param: cursor");
    }
    const acc = String(account);
    const rows = engine.hasAccount(acc)
      ? engine.fundingPayments(acc)
        .map((p, i) => ({ p, row: positionFundingJson(p, i + 1) }))
        .filter(({ p, row }) =>
          (ids.size === 0 || ids.has(row.market_id)) &&
          (side === "all" || row.position_side === side) &&
          p.time >= start && p.time <= end
        )
        .map(({ row }) => row)
        .reverse()
      : [];
    const page = rows.slice(offset, offset + limit);
    return {
      code: 200,
      position_fundings: page,
      ...(offset + limit < rows.length ? { next_cursor: String(offset + limit) } : {}),
    };
  });
  route("GET", "/api/v1/funding-rates", () => ({
    code: 200,
    funding_rates: [
      ...[...markets.values()].map((m) => ({
        market_id: m.spec.marketId,
        exchange: "lighter",
        symbol: m.spec.symbol,
        rate: fundingRatesFloat(engine.nextFunding(m.spec.symbol).rate),
      })),
      // Other venues' reference rates ride along on the real endpoint.
      ...[...markets.values()].map((m) => ({
        market_id: m.spec.marketId,
        exchange: "binance",
        symbol: m.spec.symbol,
        rate: 0.0001,
      })),
    ],
  }));

  // ------------------------------------------------------------------ WebSocket

  /**
   * A channel frame in the venue's key order: `channel`, the payload, `timestamp`, `type`. The
   * account channels' frames carry no `timestamp` (the documented samples have none).
   */
  const send = (c: Conn, channel: string, frame: Record<string, unknown>) => {
    const { type, ...payload } = frame;
    c.socket.send(
      channel,
      channel.startsWith("account_")
        ? { channel, ...payload, type }
        : { channel, ...payload, timestamp: engine.now(), type },
    );
  };
  /** An `order_book` frame, spelled exactly like the venue's (lighter.md §4.2, §4.3). */
  const sendBook = (
    c: Conn,
    channel: string,
    type: "subscribed/order_book" | "update/order_book",
    book: { asks: unknown[]; bids: unknown[]; nonce: number; beginNonce: number; micros: number },
  ) => {
    c.offset++;
    c.socket.send(channel, {
      channel,
      last_updated_at: book.micros,
      offset: c.offset,
      order_book: {
        code: 0,
        asks: book.asks,
        bids: book.bids,
        offset: c.offset,
        nonce: book.nonce,
        last_updated_at: book.micros,
        begin_nonce: book.beginNonce,
      },
      timestamp: engine.now(),
      type,
    });
  };

  /** The best bid and ask last announced on `ticker/{market}`, per market index. */
  const lastTicker = new Map<number, string>();

  /**
   * A `ticker` frame (lighter.md §4.2, `WS_ticker__update__nautilus.json`): `channel`,
   * `last_updated_at` (µs), `nonce`, `ticker: {s, a: {price, size}, b: {price, size},
   * last_updated_at}`, `timestamp` (ms), `type`. An empty side reads price and size zero.
   */
  function tickerFrame(m: MarketState, channel: string, type: string, nonce: number) {
    const top = engine.book(m.spec.symbol, 1);
    const level = (l: [string, string] | undefined) => ({
      price: px(m, l?.[0] ?? "0"),
      size: sz(m, l?.[1] ?? "0"),
    });
    const micros = engine.now() * 1000;
    return {
      channel,
      last_updated_at: micros,
      nonce,
      ticker: {
        s: m.spec.symbol,
        a: level(top.asks[0]),
        b: level(top.bids[0]),
        last_updated_at: micros,
      },
      timestamp: engine.now(),
      type,
    };
  }

  /** Announces a changed best bid or ask on `ticker/{market}`. */
  function sendTicker(m: MarketState, nonce: number): void {
    const key = `ticker:${m.spec.marketId}`;
    let listening = false;
    for (const c of conns) listening ||= c.channels.has(key);
    if (!listening) return;
    const frame = tickerFrame(m, key, "update/ticker", nonce);
    const top = JSON.stringify([frame.ticker.a, frame.ticker.b]);
    if (lastTicker.get(m.spec.marketId) === top) return;
    lastTicker.set(m.spec.marketId, top);
    for (const c of conns) if (c.channels.has(key)) c.socket.send(key, frame);
  }

  function subscribe(c: Conn, channel: string, auth: unknown): void {
    const parts = channel.split("/");
    const name = parts[0];
    const key = parts.join(":");
    if (c.channels.has(key)) {
      c.socket.send("error", { error: { code: 30003, message: `Already Subscribed to : ${key}` } });
      return;
    }
    const invalid = (): void => {
      c.socket.send("error", { error: { code: 30005, message: `Invalid Channel: ${channel}` } });
    };
    const denied = (): void => {
      c.socket.send("error", { error: { code: 20001, message: `invalid auth token for ${key}` } });
    };
    const account = (s: string | undefined) => (s && /^\d+$/.test(s) ? Number(s) : NaN);
    if (name === "order_book" && parts.length === 2) {
      const m = markets.get(Number(parts[1]));
      if (!m || !/^\d+$/.test(parts[1])) return invalid();
      c.channels.add(key);
      const book = engine.book(m.spec.symbol);
      const level = ([p, s]: [string, string]) => ({ price: px(m, p), size: sz(m, s) });
      sendBook(c, key, "subscribed/order_book", {
        asks: book.asks.map(level),
        bids: book.bids.map(level),
        nonce: book.seq,
        beginNonce: 0,
        micros: book.time * 1000,
      });
      return;
    }
    if (name === "ticker" && parts.length === 2) {
      const m = markets.get(Number(parts[1]));
      if (!m || !/^\d+$/.test(parts[1])) return invalid();
      c.channels.add(key);
      const frame = tickerFrame(m, key, "subscribed/ticker", engine.book(m.spec.symbol, 1).seq);
      lastTicker.set(m.spec.marketId, JSON.stringify([frame.ticker.a, frame.ticker.b]));
      c.socket.send(key, frame);
      return;
    }
    if (name === "trade" && parts.length === 2) {
      const m = markets.get(Number(parts[1]));
      if (!m || !/^\d+$/.test(parts[1])) return invalid();
      c.channels.add(key);
      // The newest trades, newest first, as recentTrades lists them.
      const recent = [...(recentTrades.get(m.spec.marketId) ?? [])].reverse();
      sendTrades(c, key, "subscribed/trade", tradeNonce.get(m.spec.marketId) ?? 0, recent);
      return;
    }
    if (name === "market_stats" && parts.length === 2) {
      const all = parts[1] === "all";
      const m = all ? undefined : markets.get(Number(parts[1]));
      if (!all && !m) return invalid();
      c.channels.add(key);
      send(c, key, { type: "subscribed/market_stats", market_stats: statsPayload(m) });
      return;
    }
    if (name === "account_orders" && parts.length === 3) {
      const m = markets.get(Number(parts[1]));
      const acc = account(parts[2]);
      const id = accountOfIndex(acc);
      if (!m || !engine.hasAccount(id)) return invalid();
      if (!checkToken(typeof auth === "string" ? auth : undefined, acc)) return denied();
      c.channels.add(key);
      send(c, key, {
        type: "subscribed/account_orders",
        account: acc,
        nonce: 0,
        orders: {
          [m.spec.marketId]: engine.openOrders(id, m.spec.symbol).map(orderJson),
        },
      });
      return;
    }
    if (
      (name === "account_all_orders" || name === "account_all_trades" ||
        name === "account_all_positions") && parts.length === 2
    ) {
      const acc = account(parts[1]);
      const id = accountOfIndex(acc);
      if (!engine.hasAccount(id)) return invalid();
      if (!checkToken(typeof auth === "string" ? auth : undefined, acc)) return denied();
      c.channels.add(key);
      const byMarket = <T>(rows: { symbol: string }[], f: (r: { symbol: string }) => T) => {
        const out: Record<string, T[]> = {};
        for (const r of rows) (out[marketOf(r.symbol).spec.marketId] ??= []).push(f(r));
        return out;
      };
      if (name === "account_all_orders") {
        send(c, key, {
          type: "subscribed/account_all_orders",
          account: acc,
          nonce: 0,
          orders: byMarket(engine.openOrders(id), (o) => orderJson(o as OrderView)),
        });
      } else if (name === "account_all_trades") {
        // The snapshot's volumes (lighter.md §4.2): quote volume over the account's retained
        // fills — all of them, the last 30 days, 7 days, 24 hours.
        const fills = engine.fills(id);
        const since = (ms: number) =>
          fills.filter((f) => f.time >= engine.now() - ms && !f.liquidation)
            .reduce((a, f) => a.plus(new Decimal(f.price).times(f.size)), new Decimal(0))
            .toNumber();
        send(c, key, {
          type: "subscribed/account_all_trades",
          trades: {},
          total_volume: since(Infinity),
          monthly_volume: since(30 * 86_400_000),
          weekly_volume: since(7 * 86_400_000),
          daily_volume: since(86_400_000),
        });
      } else {
        const positions: Record<string, unknown> = {};
        for (const p of engine.positions(id)) {
          positions[marketOf(p.symbol).spec.marketId] = positionJson(id, p.symbol);
        }
        send(c, key, {
          type: "subscribed/account_all_positions",
          positions,
          shares: [],
          last_funding_round: null,
          last_funding_discount: null,
        });
      }
      return;
    }
    if (name === "account_all" && parts.length === 2) {
      const acc = account(parts[1]);
      const id = accountOfIndex(acc);
      if (!engine.hasAccount(id)) return invalid();
      if (requireAuthAll && !checkToken(typeof auth === "string" ? auth : undefined, acc)) {
        return denied();
      }
      c.channels.add(key);
      const positions: Record<string, unknown> = {};
      for (const p of engine.positions(id)) {
        positions[marketOf(p.symbol).spec.marketId] = positionJson(id, p.symbol);
      }
      send(c, key, {
        type: "subscribed/account_all",
        account: acc,
        positions,
        trades: {},
        funding_histories: {},
        shares: [],
      });
      return;
    }
    invalid();
  }

  function statsPayload(m: MarketState | undefined) {
    if (m) return marketStatsJson(m);
    const all: Record<string, unknown> = {};
    for (const x of markets.values()) all[x.spec.marketId] = marketStatsJson(x);
    return all;
  }

  server.websocket(LIGHTER_FRONT_END, "/stream", (socket) => {
    const c: Conn = { socket, channels: new Set(), offset: 0 };
    conns.add(c);
    socket.onClose(() => conns.delete(c));
    socket.send("connected", { session_id: crypto.randomUUID(), type: "connected" });
    socket.onMessage((text) => {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(text);
      } catch {
        socket.send("error", { error: { code: 30005, message: "Invalid message" } });
        return;
      }
      const type = msg.type;
      const channel = typeof msg.channel === "string" ? msg.channel : "";
      if (type === "ping") socket.send("pong", { type: "pong" });
      else if (type === "pong") return;
      else if (type === "subscribe") subscribe(c, channel, msg.auth);
      else if (type === "unsubscribe") {
        const key = channel.split("/").join(":");
        c.channels.delete(key);
        socket.send("unsubscribed", { type: "unsubscribed", channel: key });
      } else if (type === "jsonapi/sendtx" || type === "jsonapi/sendtxbatch") {
        const data = (msg.data ?? {}) as Record<string, unknown>;
        try {
          const hash = type === "jsonapi/sendtx"
            ? submitTx(Number(data.tx_type), data.tx_info as Record<string, unknown>)
            : (JSON.parse(String(data.tx_types)) as number[]).map((t, i) =>
              submitTx(Number(t), JSON.parse(String(data.tx_infos))[i])
            );
          socket.send(String(type), {
            code: 200,
            id: data.id,
            predicted_execution_time_ms: engine.now() + 200,
            tx_hash: hash,
            type,
          });
        } catch (e) {
          const code = e instanceof ApiError ? e.code : 21501;
          socket.send(String(type), { type, id: data.id, code, message: (e as Error).message });
        }
      } else {
        socket.send("error", { error: { code: 30005, message: `Invalid Channel: ${channel}` } });
      }
    });
  });

  // ------------------------------------------------------------------ engine → frames

  /** Owner of each active order, for trade frames. Retention: dropped once the order ends. */
  const tradeOwners = new Map<string, { account: string; clientOrderId: string }>();
  const paymentCount = new Map<string, number>();
  let inTx = false;
  let currentTxHash: string | undefined;
  let currentTxNonce = 0;
  const txOrders = new Map<string, SimEvent & { type: "order" }>();

  function onEvent(e: SimEvent): void {
    switch (e.type) {
      case "order": {
        const o = e.order;
        if (
          o.status === "filled" || o.status === "canceled" || o.status === "rejected" ||
          o.status === "expired"
        ) {
          // No trade follows an order's terminal event.
          tradeOwners.delete(o.id);
          const dropped = finishedQuote.push(o.id);
          if (dropped !== undefined) {
            quoteFilled.delete(dropped);
            orderNonce.delete(dropped);
          }
        } else {
          tradeOwners.set(o.id, { account: o.accountId, clientOrderId: o.clientOrderId });
        }
        // A transaction executes atomically: its frames show each order's final state only
        // (a crossing post-only order is never seen "open").
        if (inTx) {
          if (!orderNonce.has(o.id)) orderNonce.set(o.id, currentTxNonce);
          txOrders.set(o.id, e);
          break;
        }
        sendOrder(e);
        break;
      }
      case "fill":
        onFill(e.fill);
        break;
      case "trade":
        onTrade(e);
        break;
      case "book": {
        const m = marketOf(e.symbol);
        const key = `order_book:${m.spec.marketId}`;
        const lvl = [{ price: px(m, e.price), size: sz(m, e.size) }];
        for (const c of conns) {
          if (!c.channels.has(key)) continue;
          sendBook(c, key, "update/order_book", {
            asks: e.side === "sell" ? lvl : [],
            bids: e.side === "buy" ? lvl : [],
            nonce: e.streamSeq,
            beginNonce: e.streamSeq - 1,
            micros: e.time * 1000,
          });
        }
        sendTicker(m, e.streamSeq);
        break;
      }
      case "position": {
        onPosition(e);
        const key = `account_all:${indexOfAccount(e.accountId)}`;
        const m = marketOf(e.symbol);
        for (const c of conns) {
          if (!c.channels.has(key)) continue;
          send(c, key, {
            type: "update/account_all",
            account: indexOfAccount(e.accountId),
            positions: { [m.spec.marketId]: positionJson(e.accountId, e.symbol) },
          });
        }
        const positionsKey = `account_all_positions:${indexOfAccount(e.accountId)}`;
        for (const c of conns) {
          if (!c.channels.has(positionsKey)) continue;
          send(c, positionsKey, {
            type: "update/account_all_positions",
            positions: { [m.spec.marketId]: positionJson(e.accountId, e.symbol) },
            shares: [],
            last_funding_round: null,
            last_funding_discount: null,
          });
        }
        break;
      }
      case "funding_payment": {
        const p = e.payment;
        // The payment's number in its account, as positionFunding numbers it.
        const n = (paymentCount.get(p.accountId) ?? 0) + 1;
        paymentCount.set(p.accountId, n);
        const row = positionFundingJson(p, n);
        sendAccountAll(p.accountId, p.symbol, {
          funding_histories: { [row.market_id]: [row] },
        });
        break;
      }
      case "price":
      case "funding": {
        const m = marketOf(e.type === "price" ? e.symbol : e.settlement.symbol);
        for (const key of [`market_stats:${m.spec.marketId}`, "market_stats:all"]) {
          for (const c of conns) {
            if (!c.channels.has(key)) continue;
            send(c, key, {
              type: "update/market_stats",
              market_stats: key.endsWith("all")
                ? { [m.spec.marketId]: marketStatsJson(m) }
                : marketStatsJson(m),
            });
          }
        }
        break;
      }
    }
  }

  /** An `update/account_all` frame with one position and extra keys. */
  function sendAccountAll(account: string, symbol: string, extra: Record<string, unknown>): void {
    const key = `account_all:${indexOfAccount(account)}`;
    const m = marketOf(symbol);
    for (const c of conns) {
      if (!c.channels.has(key)) continue;
      send(c, key, {
        type: "update/account_all",
        account: indexOfAccount(account),
        positions: { [m.spec.marketId]: positionJson(account, symbol) },
        ...extra,
      });
    }
  }

  function sendOrder(e: SimEvent & { type: "order" }): void {
    const o = e.order;
    const m = marketOf(o.symbol);
    const key = `account_orders:${m.spec.marketId}:${indexOfAccount(o.accountId)}`;
    for (const c of conns) {
      if (!c.channels.has(key)) continue;
      send(c, key, {
        type: "update/account_orders",
        account: indexOfAccount(o.accountId),
        nonce: e.streamSeq,
        orders: { [m.spec.marketId]: [orderJson(o)] },
      });
    }
    const all = `account_all_orders:${indexOfAccount(o.accountId)}`;
    for (const c of conns) {
      if (!c.channels.has(all)) continue;
      send(c, all, {
        type: "update/account_all_orders",
        account: indexOfAccount(o.accountId),
        nonce: e.streamSeq,
        orders: { [m.spec.marketId]: [orderJson(o)] },
      });
    }
  }

  function onFill(f: FillView): void {
    const q = quoteFilled.get(f.orderId) ?? new Decimal(0);
    quoteFilled.set(f.orderId, q.plus(new Decimal(f.price).times(f.size)));
  }

  /** Position of each (account, symbol) as last reported: the "before" of the next trade. */
  const lastPosition = new Map<string, { size: Decimal; entryQuote: Decimal }>();
  /** The newest public trades per market index, newest last (for `recentTrades`). */
  const recentTrades = new Map<number, Record<string, unknown>[]>();
  const RECENT_TRADES_KEPT = 100;

  function onPosition(e: SimEvent & { type: "position" }): void {
    const size = new Decimal(e.size);
    lastPosition.set(`${e.accountId}:${e.symbol}`, {
      size,
      entryQuote: e.entryPrice === undefined ? new Decimal(0) : size.abs().times(e.entryPrice),
    });
  }

  /**
   * A `Trade` (lighter.md §3.3). Like the venue's, fee rates, the margin fraction before and
   * `*_position_sign_changed` are left out when zero / false (ccxt's and nautilus's samples).
   */
  function tradeJson(
    e: SimEvent & { type: "trade" },
    ask: { o: string; account: string; clientOrderId: string },
    bid: { o: string; account: string; clientOrderId: string },
  ): Record<string, unknown> {
    const m = marketOf(e.symbol);
    const askIsTaker = e.takerSide === "sell";
    const num = (id: string) => (/^\d+$/.test(id) ? Number(id) : 0);
    const tradeId = Number(e.tradeId.replace(/\D/g, "")) || e.seq;
    const side = (who: { account: string }, role: "taker" | "maker") => {
      const before = lastPosition.get(`${who.account}:${e.symbol}`) ??
        { size: new Decimal(0), entryQuote: new Decimal(0) };
      const bought = (role === "taker") === !askIsTaker;
      const after = before.size.plus(bought ? e.size : new Decimal(e.size).neg());
      const out: Record<string, unknown> = {
        [`${role}_position_size_before`]: sz(m, before.size),
        [`${role}_entry_quote_before`]: usd(before.entryQuote),
      };
      if (!before.size.isZero()) {
        const leverage = engine.position(who.account, e.symbol).leverage;
        out[`${role}_initial_margin_fraction_before`] = new Decimal(10_000).div(leverage)
          .toDecimalPlaces(0).toNumber();
      }
      const sign = (x: Decimal) => (x.isZero() ? 0 : x.isNegative() ? -1 : 1);
      if (sign(before.size) !== sign(after)) {
        out[`${role}_position_sign_changed`] = true;
      }
      return out;
    };
    const taker = askIsTaker ? ask : bid;
    const maker = askIsTaker ? bid : ask;
    return {
      trade_id: tradeId,
      trade_id_str: String(tradeId),
      tx_hash: currentTxHash ?? e.seq.toString(16).padStart(16, "0"),
      type: e.liquidation ? "liquidation" : "trade",
      market_id: m.spec.marketId,
      size: sz(m, e.size),
      price: px(m, e.price),
      usd_amount: usd(new Decimal(e.price).times(e.size)),
      ask_id: orderIndex(ask.o, "sell"),
      ask_id_str: String(orderIndex(ask.o, "sell")),
      bid_id: orderIndex(bid.o, "buy"),
      bid_id_str: String(orderIndex(bid.o, "buy")),
      ask_client_id: num(ask.clientOrderId),
      ask_client_id_str: String(num(ask.clientOrderId)),
      bid_client_id: num(bid.clientOrderId),
      bid_client_id_str: String(num(bid.clientOrderId)),
      ask_account_id: indexOfAccount(ask.account),
      bid_account_id: indexOfAccount(bid.account),
      is_maker_ask: !askIsTaker,
      block_height: 0,
      timestamp: e.time,
      ...side(taker, "taker"),
      ...side(maker, "maker"),
      transaction_time: e.time * 1000,
    };
  }

  function onTrade(e: SimEvent & { type: "trade" }): void {
    const m = marketOf(e.symbol);
    const unknown = { account: "0", clientOrderId: "" };
    const maker = tradeOwners.get(e.makerOrderId) ?? unknown;
    const taker = tradeOwners.get(e.takerOrderId) ?? unknown;
    const askIsTaker = e.takerSide === "sell";
    const ask = askIsTaker ? { o: e.takerOrderId, ...taker } : { o: e.makerOrderId, ...maker };
    const bid = askIsTaker ? { o: e.makerOrderId, ...maker } : { o: e.takerOrderId, ...taker };
    const trade = tradeJson(e, ask, bid);
    const recent = recentTrades.get(m.spec.marketId) ?? [];
    recent.push(trade);
    if (recent.length > RECENT_TRADES_KEPT) recent.shift();
    recentTrades.set(m.spec.marketId, recent);
    const nonce = (tradeNonce.get(m.spec.marketId) ?? 0) + 1;
    tradeNonce.set(m.spec.marketId, nonce);
    const publicKey = `trade:${m.spec.marketId}`;
    for (const c of conns) {
      if (!c.channels.has(publicKey)) continue;
      sendTrades(c, publicKey, "update/trade", nonce, [trade]);
    }
    for (const acc of new Set([ask.account, bid.account])) {
      const index = indexOfAccount(acc);
      const key = `account_all:${index}`;
      const allTrades = `account_all_trades:${index}`;
      for (const c of conns) {
        if (c.channels.has(key)) {
          send(c, key, {
            type: "update/account_all",
            account: index,
            trades: { [m.spec.marketId]: [trade] },
          });
        }
        if (c.channels.has(allTrades)) {
          send(c, allTrades, {
            type: "update/account_all_trades",
            trades: { [m.spec.marketId]: [trade] },
          });
        }
      }
    }
  }

  /** Trades per market index, counted for the `trade` channel's `nonce`. */
  const tradeNonce = new Map<number, number>();

  /**
   * A `trade` channel frame: `channel`, `liquidation_trades`, `nonce`, `trades`, `type`, no
   * `timestamp` (lighter.md §4.2, `WS_trade__*`). Public trades name no position: the
   * `*_position_size_before`, `*_entry_quote_before`, `*_initial_margin_fraction_before` and
   * `*_position_sign_changed` fields ride only on the account channels.
   */
  function sendTrades(
    c: Conn,
    channel: string,
    type: "subscribed/trade" | "update/trade",
    nonce: number,
    trades: Record<string, unknown>[],
  ): void {
    const open = trades.map((t) =>
      Object.fromEntries(Object.entries(t).filter(([k]) => !PRIVATE_TRADE_FIELD.test(k)))
    );
    c.socket.send(channel, {
      channel,
      liquidation_trades: open.filter((t) => t.type === "liquidation"),
      nonce,
      trades: open.filter((t) => t.type !== "liquidation"),
      type,
    });
  }

  const unsubscribe = engine.subscribe(onEvent);

  const close = async () => {
    unsubscribe();
    await server.close();
  };
  return {
    restUrl: server.url,
    wsUrl: `${server.wsUrl}/stream`,
    chainId,
    credentials: { apiKeyPrivateKey: privateKey, accountIndex, apiKeyIndex },
    l1Address,
    accountId,
    counterpartyId,
    engine,
    control,
    server,
    faults,
    clock,
    orderIndexOf: (id) => {
      for (const account of engine.accounts()) {
        try {
          return String(orderIndex(id, engine.getOrder(account, { id }).side));
        } catch (e) {
          if (!(e instanceof NotFoundError)) throw e;
        }
      }
      throw new NotFoundError({ venue: "lighter", message: `no order ${id}` });
    },
    marketIdOf: (symbol) => marketOf(symbol).spec.marketId,
    registerApiKey,
    close,
    [Symbol.asyncDispose]: close,
  };
}
