/**
 * The EdgeX V2 replica: the venue's wire protocol (edgex.md §1–§5) served by
 * {@linkcode SimServer} on top of the {@linkcode SimEngine}, so the real {@linkcode EdgeXClient}
 * can be tested over loopback.
 *
 * What it reproduces:
 * - REST under `/api/v2/…` with the `{code: "SUCCESS", data, msg, errorParam, requestTime,
 *   responseTime, traceId}` envelope; refusals use the same envelope with another `code`
 *   (`SIGNATURE_ERROR`, `AUTHENTICATION_FAILED`, `INVALID_PARAMETER`, `INSUFFICIENT_BALANCE`;
 *   the venue publishes no catalogue, these are the gitbook's generic names);
 * - HMAC request auth on every private path (bad signature, unknown key, wrong passphrase,
 *   timestamp more than ±60 s from the replica's clock are refused), also on the private
 *   WebSocket handshake (headers or the `Sec-WebSocket-Protocol` form, checked before the
 *   upgrade; a refusal is HTTP 401 in the envelope);
 * - one {@linkcode SimServer} for REST and both WebSockets, so request and frame faults,
 *   `server.sockets()` and `dropConnections()` cover every connection;
 * - EIP-712 verification of every `createOrder` with viem's recover against the signer bound to
 *   the API key, plus the nonce rule (`sha256(clientOrderId)[0:8]`), `l2ExpireTime ≥ expireTime
 *   + 8 d`, `l2Size = size`, `l2Value = price × size` for limits, `price "0"` + IOC for market
 *   orders, fee cap; `createOrder` is idempotent on `clientOrderId`;
 * - a crossing `POST_ONLY` order is accepted, then `CANCELED` (`COULD_NOT_FILL`);
 * - public WS (`/api/v1/public/ws`): `connected`, `subscribed` echoing the request, `depth.*`
 *   Snapshot then `changed` frames with `{price,size}` absolute levels chained by version, empty
 *   heartbeat frames, `trades.*`, `ticker.all.1s`, `bookTicker.all.1s`;
 * - private WS (`/api/v1/private/ws?accountId&timestamp`): `connected`, `trade-event` Snapshot,
 *   then `ORDER_UPDATE` etc. with numeric `version`/`time`, FILLED pushed twice (the second copy
 *   carries `collateral`); any client message but ping/pong gets `GATEWAY_UNRECOGNIZED_MESSAGE`;
 * - server `ping` every `pingIntervalMs`, connection closed after 5 unanswered;
 * - funding every 4 h (engine settlement), quoted by `getLatestFundingRate` / ticker and listed by
 *   `getFundingRatePage`; each account's settlements are position transactions of type
 *   `SETTLE_FUNDING_FEE` (`deltaFundingFee` from the account's view, negative = paid), listed
 *   newest first by `getPositionTransactionPage` and pushed in `FUNDING_SETTLEMENT` frames;
 * - `updateLeverageSetting` sets the engine leverage (initial margin = value / leverage), shown as
 *   the position's `maxLeverage` and in the account's trade settings; `getAccountAsset` reports
 *   each position's initial margin, risk value (maintenance margin) and liquidation price.
 *
 * @module
 */
import { Decimal } from "../../core/decimal.ts";
import { ManualClock } from "../../exchanges/_shared/clock.ts";
import {
  InsufficientMarginError,
  InvalidOrderError,
  NotFoundError,
  OrderRejectedError,
} from "../../core/errors.ts";
import { privateKeyToAccount } from "viem/accounts";
import { type EdgeXApiKeyRecord, verifyEdgeXSignedRequest } from "./auth.ts";
import { edgeXOrderNonce, recoverEdgeXOrder } from "./order_signature.ts";
import {
  EdgeXBodyError,
  type EdgeXCreateOrderBody,
  parseCancelAllBody,
  parseCancelByClientIdBody,
  parseCancelByIdBody,
  parseCreateOrderBody,
  parseUpdateLeverageBody,
} from "./requests.ts";
import { SimControl } from "../control.ts";
import { Ring } from "../_ring.ts";
import { type BalanceView, type PositionView, SimEngine } from "../engine.ts";
import type { FillView, OrderView, SimEvent, SimFundingPayment } from "../events.ts";
import { FaultInjector } from "../faults.ts";
import { type RouteContext, SimServer, type SimSocket } from "../server.ts";

/** Front-end name of the replica in the server and the fault injector. */
export const EDGEX_FRONT_END = "edgex";

const ORDER_ID_BASE = 800_000_000_000_000_000n;
const FILL_ID_BASE = 900_000_000_000_000_000n;
const FUNDING_TX_ID_BASE = 950_000_000_000_000_000n;
const COLLATERAL_TX_ID_BASE = 960_000_000_000_000_000n;
const QUOTE_COIN_ID = "1000";
const QUOTE_RESOLUTION = "1000000";
const USER_ID = "600000000000000001";
const LIQUIDATE_FEE_RATE = "0.01";
const EIGHT_DAYS_MS = 8 * 86_400_000;
const PUBLIC_WS_PATH = "/api/v1/public/ws";
const PRIVATE_WS_PATH = "/api/v1/private/ws";

/**
 * One contract of the replica.
 *
 * @example
 * ```ts
 * import type { EdgeXReplicaContract } from "./replica.ts";
 * const sol: EdgeXReplicaContract = {
 *   symbol: "SOL", contractId: "30000003", coinId: "1003", tickSize: "0.01", stepSize: "0.1",
 *   minOrderSize: "0.1", markPrice: "150",
 * };
 * ```
 */
export interface EdgeXReplicaContract {
  /** Base coin name = unified symbol. */
  symbol: string;
  /** Contract id (`3000xxxx`). */
  contractId: string;
  /** Base coin id. */
  coinId: string;
  /** Tick size. */
  tickSize: string;
  /** Size step. */
  stepSize: string;
  /** Minimum order size. */
  minOrderSize: string;
  /** Initial mark (and index) price. */
  markPrice: string;
  /** Contract resolution as the metadata shows it (decimal or 0x hex). @default {"1000000000"} */
  resolution?: string;
  /** Taker fee. @default {"0.00038"} */
  takerFee?: string;
  /** Maker fee. @default {"0.00015"} */
  makerFee?: string;
  /** Max leverage. @default {"50"} */
  maxLeverage?: string;
}

/**
 * Options of {@linkcode startEdgeXReplica}.
 *
 * @example
 * ```ts
 * import type { EdgeXReplicaOptions } from "./replica.ts";
 * const o: EdgeXReplicaOptions = { collateral: "50000", pingIntervalMs: 1_000 };
 * ```
 */
export interface EdgeXReplicaOptions {
  /** Venue clock (virtual). @default {a ManualClock at the current time} */
  clock?: ManualClock;
  /** Contracts. @default {BTC 30000001 at 64000, ETH 30000002 at 3200} */
  contracts?: EdgeXReplicaContract[];
  /** Collateral of the test account (USDC). @default {"100000"} */
  collateral?: string;
  /** Test account id. @default {"700000000000000001"} */
  accountId?: string;
  /** Signer key bound to the test API key. @default {a fixed test key} */
  signerPrivateKey?: `0x${string}`;
  /** `global.nativeChainId` (and `chainId`). @default {"33431"} (EDGE testnet) */
  chainId?: string;
  /** `global.contractAddress`. @default {the PY2 test contract 0x1ae1…19b1} */
  contractAddress?: string;
  /** Server ping interval (real ms); 5 unanswered pings close the socket. @default {10_000} */
  pingIntervalMs?: number;
  /** Interval of depth heartbeat frames and `*.all.1s` pushes (real ms). @default {1_000} */
  heartbeatMs?: number;
  /** HMAC timestamp tolerance. @default {60_000} */
  timestampToleranceMs?: number;
  /** Also accept the `X-edgeX-Api-Timestamp/-Signature` header names. @default {false} */
  acceptLegacyHeaderNames?: boolean;
  /** Fault injector. @default {a new one on the clock} */
  faults?: FaultInjector;
}

/**
 * Credentials of the replica's funded test account, as the client takes them.
 *
 * @example
 * ```ts
 * import type { EdgeXReplicaCredentials } from "./replica.ts";
 * const env = (c: EdgeXReplicaCredentials) => ({ EDGEX_ACCOUNT_ID: c.accountId });
 * ```
 */
export interface EdgeXReplicaCredentials {
  /** Perps V2 account id. */
  accountId: string;
  /** API key. */
  apiKey: string;
  /** API secret. */
  apiSecret: string;
  /** API passphrase. */
  apiPassphrase: string;
  /** Signer private key. */
  signerPrivateKey: `0x${string}`;
  /** Its address (what every order must recover to). */
  signerAddress: `0x${string}`;
}

/**
 * A running replica.
 *
 * @example
 * ```ts
 * import type { EdgeXReplica } from "./replica.ts";
 * const hosts = (r: EdgeXReplica) => [r.restUrl, r.wsUrl];
 * ```
 */
export interface EdgeXReplica extends AsyncDisposable {
  /** REST origin for the client's `restUrl`. */
  readonly restUrl: string;
  /** WebSocket origin for the client's `wsUrl`. */
  readonly wsUrl: string;
  /** The funded test account. */
  readonly credentials: EdgeXReplicaCredentials;
  /** EIP-712 domain values served in `getMetaData.global`. */
  readonly domain: { chainId: string; verifyingContract: string };
  /** The `getMetaData` data served. */
  readonly metadata: Record<string, unknown>;
  /** Engine control (prices, funding, time, counter-orders, faults, truth). */
  readonly control: SimControl;
  /** The engine. */
  readonly engine: SimEngine;
  /** The server (sockets, faults). */
  readonly server: SimServer;
  /** The venue clock. */
  readonly clock: ManualClock;
  /** Engine account used for counter-orders (unlimited margin). */
  readonly counterpartyAccountId: string;
  /** Contract id of a unified symbol. */
  contractIdOf(symbol: string): string;
  /** Closes every WebSocket connection (clients must reconnect). */
  dropConnections(): void;
  /** Stops timers, closes sockets and the server. */
  close(): Promise<void>;
}

/** PY2 test signer key (`0x0123…cdef`, address 0xFCAd…377c) — a public test key, never funded. */
const TEST_SIGNER_KEY =
  "0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" as const;

const DEFAULT_CONTRACTS: EdgeXReplicaContract[] = [
  {
    symbol: "BTC",
    contractId: "30000001",
    coinId: "1001",
    tickSize: "0.1",
    stepSize: "0.001",
    minOrderSize: "0.001",
    markPrice: "64000",
    resolution: "1000000000",
  },
  {
    symbol: "ETH",
    contractId: "30000002",
    coinId: "1002",
    tickSize: "0.01",
    stepSize: "0.01",
    minOrderSize: "0.01",
    markPrice: "3200",
    resolution: "0x3b9aca00",
  },
];

type Json = Record<string, unknown>;

class ReplicaError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errorParam: unknown = null,
  ) {
    super(message);
  }
}

interface OrderMeta {
  body: EdgeXCreateOrderBody | undefined;
  value: Decimal;
  fee: Decimal;
}

interface DepthFeed {
  contract: EdgeXReplicaContract;
  level: 15 | 200;
  channel: string;
  version: number;
  bids: Map<string, string>;
  asks: Map<string, string>;
}

interface PublicConn {
  socket: SimSocket;
  channels: Set<string>;
  missed: number;
}

interface PrivateConn {
  socket: SimSocket;
  accountId: string;
  missed: number;
}

interface Pending {
  orders: Map<string, OrderView>;
  fills: FillView[];
  positions: Set<string>;
  balance: boolean;
  funding: boolean;
  /** Funding settlements of this flush (position transactions). */
  fundingTx: FundingTx[];
}

/** One funding settlement of one account, as the replica's position-transaction ledger keeps it. */
interface FundingTx {
  id: string;
  collateralTransactionId: string;
  payment: SimFundingPayment;
  indexPrice: string;
  beforeOpenValue: string;
  beforeOpenFee: string;
  beforeFundingFee: string;
}

/**
 * Starts an EdgeX V2 replica on 127.0.0.1 (random port) with one funded test account, no
 * background liquidity and a counterparty account for tests.
 *
 * @param options Contracts, account, domain values, timers, faults.
 * @returns The running replica; `close()` it.
 *
 * @example
 * ```ts
 * import { startEdgeXReplica } from "./replica.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * await using replica = startEdgeXReplica();
 * const res = await fetch(`${replica.restUrl}/api/v2/public/meta/getServerTime`);
 * const body = await res.json();
 * equal(body.code, "SUCCESS");
 * equal(body.data.timeMillis, String(replica.clock.now()));
 * ```
 */
export function startEdgeXReplica(options: EdgeXReplicaOptions = {}): EdgeXReplica {
  return new Replica(options);
}

class Replica implements EdgeXReplica {
  readonly restUrl: string;
  readonly wsUrl: string;
  readonly credentials: EdgeXReplicaCredentials;
  readonly domain: { chainId: string; verifyingContract: string };
  readonly metadata: Record<string, unknown>;
  readonly control: SimControl;
  readonly engine: SimEngine;
  readonly server: SimServer;
  readonly clock: ManualClock;
  readonly counterpartyAccountId = "counterparty";
  readonly #contracts: EdgeXReplicaContract[];
  readonly #tolerance: number;
  readonly #legacy: boolean;
  /**
   * Request body and fill totals per engine order; with `#orderAccounts` (owner per order).
   * Retention: active orders, and finished ones as long as the engine keeps them (its
   * `finishedOrders` bound, tracked by `#finished`).
   */
  readonly #orders = new Map<string, OrderMeta>();
  readonly #otherAccounts = new Map<string, bigint>();
  readonly #orderAccounts = new Map<string, string>();
  #finished: Ring<string> | undefined;
  readonly #pendingTrades: Extract<SimEvent, { type: "trade" }>[] = [];
  readonly #feeds = new Map<string, DepthFeed>();
  readonly #public = new Set<PublicConn>();
  readonly #private = new Set<PrivateConn>();
  readonly #pending = new Map<string, Pending>();
  readonly #versions = new Map<string, number>();
  readonly #dirtyBooks = new Set<string>();
  readonly #timers: ReturnType<typeof setInterval>[] = [];
  /** Funding settlements per account, oldest first (`getPositionTransactionPage`). */
  readonly #fundingLedger = new Map<string, FundingTx[]>();
  /** Leverage set with `updateLeverageSetting`, per account and contract id (`"0"` = default). */
  readonly #leverageSettings = new Map<string, Map<string, string>>();
  #fundingSeq = 0n;
  readonly #unsubscribe: () => void;
  #flushScheduled = false;
  #closed = false;

  constructor(options: EdgeXReplicaOptions) {
    this.clock = options.clock ?? new ManualClock(Date.now());
    this.#contracts = options.contracts ?? DEFAULT_CONTRACTS;
    this.#tolerance = options.timestampToleranceMs ?? 60_000;
    this.#legacy = options.acceptLegacyHeaderNames ?? false;
    const faults = options.faults ?? new FaultInjector({ clock: this.clock, seed: 7 });
    this.engine = new SimEngine({ clock: this.clock, venue: "edgex", postOnlyCross: "cancel" });
    this.control = new SimControl(this.engine, { faults });
    for (const c of this.#contracts) {
      this.engine.addInstrument({
        symbol: c.symbol,
        tickSize: c.tickSize,
        sizeStep: c.stepSize,
        minSize: c.minOrderSize,
        makerFee: c.makerFee ?? "0.00015",
        takerFee: c.takerFee ?? "0.00038",
        maxLeverage: c.maxLeverage ?? "50",
        fundingIntervalHours: 4,
      }, { markPrice: c.markPrice });
    }
    const signerPrivateKey = options.signerPrivateKey ?? TEST_SIGNER_KEY;
    this.credentials = {
      accountId: options.accountId ?? "700000000000000001",
      apiKey: "sim-edgex-api-key",
      apiSecret: "sim-edgex-api-secret",
      apiPassphrase: "sim-edgex-passphrase",
      signerPrivateKey,
      signerAddress: privateKeyToAccount(signerPrivateKey).address,
    };
    this.engine.createAccount(this.credentials.accountId, {
      collateral: options.collateral ?? "100000",
    });
    this.engine.createAccount(this.counterpartyAccountId, { unlimitedMargin: true });
    this.domain = {
      chainId: options.chainId ?? "33431",
      verifyingContract: options.contractAddress ?? "0x1ae109ea449cfe0bed08bfe8911e968a49a919b1",
    };
    this.metadata = this.#buildMetadata();
    this.server = SimServer.start({ faults });
    this.restUrl = this.server.url;
    this.wsUrl = this.server.wsUrl;
    this.#routes();
    this.#socketRoutes();
    this.server.mountControl(this.control);
    this.#unsubscribe = this.engine.subscribe((e) => this.#onEngineEvent(e));
    const ping = options.pingIntervalMs ?? 10_000;
    const beat = options.heartbeatMs ?? 1_000;
    this.#timers.push(setInterval(() => this.#pingAll(), ping));
    this.#timers.push(setInterval(() => this.#heartbeat(), beat));
  }

  contractIdOf(symbol: string): string {
    const c = this.#contracts.find((x) => x.symbol === symbol);
    if (!c) throw new NotFoundError({ venue: "edgex", message: `No contract for '${symbol}'` });
    return c.contractId;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers) clearInterval(t);
    this.#unsubscribe();
    await this.server.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---------------------------------------------------------------------------- metadata

  #buildMetadata(): Json {
    const coins: Json[] = [{
      coinId: QUOTE_COIN_ID,
      coinName: "USDC",
      stepSize: "0.000001",
      showStepSize: "0.0001",
      iconUrl: "",
      resolution: QUOTE_RESOLUTION,
      starkExAssetId: null,
      starkExResolution: null,
    }];
    const contracts: Json[] = [];
    for (const c of this.#contracts) {
      coins.push({
        coinId: c.coinId,
        coinName: c.symbol,
        stepSize: c.stepSize,
        showStepSize: c.stepSize,
        iconUrl: "",
        resolution: c.resolution ?? "1000000000",
        starkExAssetId: null,
        starkExResolution: null,
      });
      contracts.push({
        contractId: c.contractId,
        contractName: `${c.symbol}USDC`,
        baseCoinId: c.coinId,
        quoteCoinId: QUOTE_COIN_ID,
        tickSize: c.tickSize,
        stepSize: c.stepSize,
        minOrderSize: c.minOrderSize,
        maxOrderSize: "1000000",
        maxOrderBuyPriceRatio: "0.05",
        minOrderSellPriceRatio: "0.05",
        maxPositionSize: "10000000",
        maxMarketPositionSize: "10000000",
        riskTierList: [{
          tier: 1,
          positionValueUpperBound: "1000000000",
          maxLeverage: c.maxLeverage ?? "50",
          maintenanceMarginRate: new Decimal(1).div(c.maxLeverage ?? "50").div(2).toFixed(),
          starkExRisk: "0",
          starkExUpperBound: "0",
        }],
        defaultTakerFeeRate: c.takerFee ?? "0.00038",
        defaultMakerFeeRate: c.makerFee ?? "0.00015",
        defaultLeverage: "10",
        liquidateFeeRate: "0.01",
        enableTrade: true,
        enableDisplay: true,
        enableOpenPosition: true,
        fundingInterestRate: "0.0003",
        fundingImpactMarginNotional: "500",
        fundingMaxRate: "0.005",
        fundingMinRate: "-0.005",
        fundingRateIntervalMin: "240",
        displayDigitMerge: c.tickSize,
        displayMaxLeverage: c.maxLeverage ?? "50",
        displayMinLeverage: "1",
        displayNewIcon: false,
        displayHotIcon: false,
        matchServerName: "",
        starkExSyntheticAssetId: "",
        starkExResolution: null,
        starkExOraclePriceQuorum: "0",
        starkExOraclePriceSignedAssetId: [],
        starkExOraclePriceSigner: [],
        resolution: c.resolution ?? "1000000000",
        isStock: false,
        isFx: false,
      });
    }
    return {
      global: {
        appName: "edgeX",
        appEnv: "simulator",
        appOnlySignOn: "",
        feeAccountId: "0",
        feeAccountL2Key: "",
        poolAccountId: "0",
        poolAccountL2Key: "",
        fastWithdrawAccountId: "0",
        fastWithdrawAccountL2Key: "",
        fastWithdrawMaxAmount: "0",
        fastWithdrawRegistryAddress: "",
        starkExChainId: "",
        starkExContractAddress: "",
        starkExCollateralCoin: coins[0],
        starkExMaxFundingRate: 0,
        starkExOrdersTreeHeight: 64,
        starkExPositionsTreeHeight: 64,
        starkExFundingValidityPeriod: 0,
        starkExPriceValidityPeriod: 0,
        maintenanceReason: "",
        nativeChainId: this.domain.chainId,
        chainId: this.domain.chainId,
        contractAddress: this.domain.verifyingContract,
      },
      coinList: coins,
      contractList: contracts,
      multiChain: { coinId: QUOTE_COIN_ID, maxWithdraw: "0", minWithdraw: "0", chainList: [] },
    };
  }

  #contract(id: string | null | undefined): EdgeXReplicaContract {
    const c = this.#contracts.find((x) => x.contractId === id);
    if (!c) {
      throw new ReplicaError(400, "INVALID_PARAMETER", `invalid contractId:${id}`, {
        contractId: id,
      });
    }
    return c;
  }

  #bySymbol(symbol: string): EdgeXReplicaContract {
    return this.#contracts.find((x) => x.symbol === symbol)!;
  }

  // ---------------------------------------------------------------------------- REST

  #envelope(data: unknown, requestTime: number): Response {
    return Response.json({
      code: "SUCCESS",
      data,
      msg: null,
      errorParam: null,
      requestTime: String(requestTime),
      responseTime: String(this.clock.now()),
      traceId: crypto.randomUUID().replaceAll("-", ""),
    });
  }

  #failure(e: unknown, requestTime: number): Response {
    let err: ReplicaError;
    if (e instanceof ReplicaError) err = e;
    else if (e instanceof InsufficientMarginError) {
      err = new ReplicaError(400, "INSUFFICIENT_BALANCE", e.message);
    } else if (e instanceof InvalidOrderError || e instanceof OrderRejectedError) {
      err = new ReplicaError(400, "INVALID_PARAMETER", e.message);
    } else if (e instanceof NotFoundError) {
      err = new ReplicaError(400, "ORDER_NOT_FOUND", e.message);
    } else {
      err = new ReplicaError(500, "INTERNAL_ERROR", e instanceof Error ? e.message : String(e));
    }
    return Response.json({
      code: err.code,
      data: null,
      msg: err.message,
      errorParam: err.errorParam,
      requestTime: String(requestTime),
      responseTime: String(this.clock.now()),
      traceId: crypto.randomUUID().replaceAll("-", ""),
    }, { status: err.status });
  }

  #public_(method: string, path: string, run: (q: URLSearchParams) => unknown): void {
    this.server.route(EDGEX_FRONT_END, method, path, (ctx: RouteContext) => {
      const t = this.clock.now();
      try {
        return this.#envelope(run(ctx.url.searchParams), t);
      } catch (e) {
        return this.#failure(e, t);
      }
    });
  }

  #private_(
    method: "GET" | "POST",
    path: string,
    run: (input: { query: URLSearchParams; body: Json; accountId: string }) => unknown,
  ): void {
    this.server.route(EDGEX_FRONT_END, method, path, async (ctx: RouteContext) => {
      const t = this.clock.now();
      try {
        const text = method === "POST" ? await ctx.request.text() : undefined;
        const auth = verifyEdgeXSignedRequest(
          { method, url: ctx.url, body: text, headers: ctx.request.headers },
          this.#authOptions(),
        );
        if (!auth.ok) {
          throw new ReplicaError(
            401,
            auth.reason === "bad_signature" ? "SIGNATURE_ERROR" : "AUTHENTICATION_FAILED",
            auth.message,
          );
        }
        let body: Json = {};
        if (text !== undefined && text !== "") {
          try {
            body = JSON.parse(text);
          } catch {
            throw new ReplicaError(400, "INVALID_PARAMETER", "body is not JSON");
          }
        }
        const accountId = String(
          method === "GET" ? ctx.url.searchParams.get("accountId") ?? "" : body.accountId ?? "",
        );
        if (accountId !== this.credentials.accountId) {
          throw new ReplicaError(
            401,
            "AUTHENTICATION_FAILED",
            `accountId ${accountId || "(missing)"} does not belong to this API key`,
            { accountId },
          );
        }
        const result = await run({ query: ctx.url.searchParams, body, accountId });
        return this.#envelope(result, t);
      } catch (e) {
        return this.#failure(e, t);
      }
    });
  }

  #authOptions() {
    const key: EdgeXApiKeyRecord = {
      apiKey: this.credentials.apiKey,
      secret: this.credentials.apiSecret,
      passphrase: this.credentials.apiPassphrase,
    };
    return {
      lookup: (apiKey: string) => apiKey === key.apiKey ? key : undefined,
      nowMs: this.clock.now(),
      toleranceMs: this.#tolerance,
      acceptLegacyHeaderNames: this.#legacy,
    };
  }

  /** Runs a body check; a refusal is `INVALID_PARAMETER` naming the field. */
  #parse<T>(check: (raw: unknown) => T, value: unknown): T {
    try {
      return check(value);
    } catch (e) {
      if (!(e instanceof EdgeXBodyError)) throw e;
      throw new ReplicaError(400, "INVALID_PARAMETER", e.message, { [e.field]: "invalid" });
    }
  }

  #routes(): void {
    const v2 = "/api/v2";
    this.#public_("GET", `${v2}/public/meta/getServerTime`, () => ({
      timeMillis: String(this.clock.now()),
    }));
    this.#public_("GET", `${v2}/public/meta/getMetaData`, () => this.metadata);
    this.#public_("GET", `${v2}/public/quote/getTicker`, (q) => {
      // Live captures: one id gives one ticker; a comma list or nothing gives [] (§4.1).
      const id = q.get("contractId");
      const c = this.#contracts.find((x) => x.contractId === id);
      return c ? [this.#ticker(c)] : [];
    });
    this.#public_("GET", `${v2}/public/quote/getDepth`, (q) => {
      const c = this.#contract(q.get("contractId"));
      const level = q.get("level") === "200" ? 200 : 15;
      const feed = this.#feed(c, level);
      this.#flushBook(c.symbol);
      return [this.#depthData(feed, [...feed.bids], [...feed.asks], "SNAPSHOT", feed.version)];
    });
    this.#public_("GET", `${v2}/public/funding/getLatestFundingRate`, (q) => {
      const ids = (q.get("contractId") ?? "").split(",").filter((s) => s !== "");
      const list = ids.length === 0
        ? this.#contracts
        : this.#contracts.filter((c) => ids.includes(c.contractId));
      return list.map((c) => this.#latestFunding(c));
    });
    this.#public_("GET", `${v2}/public/funding/getFundingRatePage`, (q) => this.#fundingPage(q));

    const order = `${v2}/private/order`;
    this.#private_(
      "GET",
      `${v2}/private/account/getAccountAsset`,
      ({ accountId }) => this.#accountAsset(accountId),
    );
    this.#private_(
      "GET",
      `${v2}/private/account/getPositionTransactionPage`,
      ({ query, accountId }) => this.#positionTransactionPage(accountId, query),
    );
    this.#private_("POST", `${v2}/private/account/updateLeverageSetting`, ({ body, accountId }) => {
      const { contractId, leverage } = this.#parse(parseUpdateLeverageBody, body);
      // `"0"` sets the account default: every contract here.
      const targets = contractId === "0" ? this.#contracts : [this.#contract(contractId)];
      for (const c of targets) this.engine.setLeverage(accountId, c.symbol, leverage);
      let settings = this.#leverageSettings.get(accountId);
      if (!settings) this.#leverageSettings.set(accountId, settings = new Map());
      settings.set(contractId, leverage.toFixed());
      return null;
    });
    this.#private_(
      "POST",
      `${order}/createOrder`,
      ({ body, accountId }) => this.#createOrder(accountId, body),
    );
    this.#private_("POST", `${order}/cancelOrderById`, ({ body, accountId }) => {
      const ids = this.#parse(parseCancelByIdBody, body);
      const map: Record<string, string> = {};
      for (const id of ids) map[id] = this.#cancel(accountId, { id: this.#engineId(id) });
      return { cancelResultMap: map };
    });
    this.#private_("POST", `${order}/cancelOrderByClientOrderId`, ({ body, accountId }) => {
      const ids = this.#parse(parseCancelByClientIdBody, body);
      const map: Record<string, string> = {};
      for (const id of ids) {
        map[id] = this.#cancel(accountId, { clientOrderId: id });
      }
      return { cancelResultMap: map };
    });
    this.#private_("POST", `${order}/cancelAllOrder`, ({ body, accountId }) => {
      const ids = this.#parse(parseCancelAllBody, body);
      const map: Record<string, string> = {};
      const symbols = ids.length === 0 ? [undefined] : ids.map((id) => this.#contract(id).symbol);
      for (const s of symbols) {
        for (const o of this.engine.cancelAll(accountId, s)) map[this.#venueId(o.id)] = "SUCCESS";
      }
      return { cancelResultMap: map };
    });
    this.#private_(
      "GET",
      `${order}/getOrderById`,
      ({ query, accountId }) =>
        (query.get("orderIdList") ?? "").split(",").filter((s) => s !== "").flatMap((id) =>
          this.#find(accountId, { id: this.#engineId(id) })
        ),
    );
    this.#private_(
      "GET",
      `${order}/getOrderByClientOrderId`,
      ({ query, accountId }) =>
        (query.get("clientOrderIdList") ?? "").split(",").filter((s) => s !== "").flatMap((id) =>
          this.#find(accountId, { clientOrderId: id })
        ),
    );
    this.#private_("GET", `${order}/getActiveOrderPage`, ({ query, accountId }) => {
      const ids = (query.get("filterContractIdList") ?? "").split(",").filter((s) => s !== "");
      const all = this.engine.openOrders(accountId)
        .filter((o) => ids.length === 0 || ids.includes(this.#bySymbol(o.symbol).contractId))
        .map((o) => this.#orderRecord(o));
      const size = Math.min(200, Math.max(1, Number(query.get("size") ?? "100") || 100));
      const start = Number(query.get("offsetData") || "0") || 0;
      const page = all.slice(start, start + size);
      const next = start + size < all.length ? String(start + size) : "";
      return { dataList: page, nextPageOffsetData: next };
    });
  }

  #venueId(engineId: string): string {
    return (ORDER_ID_BASE + BigInt(engineId)).toString();
  }

  #engineId(venueId: string): string {
    if (!/^\d+$/.test(venueId)) return "0";
    const n = BigInt(venueId) - ORDER_ID_BASE;
    return n > 0n ? n.toString() : "0";
  }

  #find(accountId: string, ref: { id: string } | { clientOrderId: string }): Json[] {
    try {
      return [this.#orderRecord(this.engine.getOrder(accountId, ref as { id: string }))];
    } catch (e) {
      if (e instanceof NotFoundError) return [];
      throw e;
    }
  }

  #cancel(accountId: string, ref: { id: string } | { clientOrderId: string }): string {
    try {
      this.engine.cancelOrder(accountId, ref as { id: string });
      return "SUCCESS";
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
      const [o] = this.#find(accountId, ref);
      return o?.status === "FILLED" ? "FAILED_ORDER_FILLED" : "FAILED_ORDER_NOT_FOUND";
    }
  }

  async #createOrder(accountId: string, raw: Json): Promise<{ orderId: string }> {
    const body = this.#parse(parseCreateOrderBody, raw);
    const c = this.#contract(body.contractId);
    // Idempotent on clientOrderId: a resend gets the order the first request created.
    try {
      const existing = this.engine.getOrder(accountId, { clientOrderId: body.clientOrderId });
      return { orderId: this.#venueId(existing.id) };
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
    const bad = (field: string, why: string) => {
      throw new ReplicaError(400, "INVALID_PARAMETER", `invalid ${field}: ${why}`, {
        [field]: "invalid",
      });
    };
    if (body.l2Nonce !== String(edgeXOrderNonce(body.clientOrderId))) {
      bad("l2Nonce", "must be the first 32 bits of sha256(clientOrderId)");
    }
    const expireTime = Number(body.expireTime);
    if (expireTime <= this.clock.now()) bad("expireTime", "already passed");
    if (Number(body.l2ExpireTime) < expireTime + EIGHT_DAYS_MS) {
      bad("l2ExpireTime", "must be at least expireTime + 8 days");
    }
    if (!body.l2Size.eq(body.size)) bad("l2Size", "must equal size");
    if (body.type !== "LIMIT" && body.type !== "MARKET") bad("type", "only LIMIT and MARKET");
    if (body.type === "MARKET") {
      if (!body.price.isZero()) bad("price", "must be 0 for a MARKET order");
      if (body.timeInForce !== "IMMEDIATE_OR_CANCEL" && body.timeInForce !== "FILL_OR_KILL") {
        bad("timeInForce", "a MARKET order must be IMMEDIATE_OR_CANCEL");
      }
    } else if (!body.l2Value.eq(body.price.times(body.size))) {
      bad("l2Value", "must equal price × size");
    }
    let recovered: string;
    try {
      recovered = await recoverEdgeXOrder({
        accountId: body.accountId,
        side: body.side,
        l2Nonce: body.l2Nonce,
        l2Value: body.wire.l2Value,
        l2Size: body.wire.l2Size,
        l2LimitFee: body.wire.l2LimitFee,
        expireTime: body.expireTime,
        l2Signature: body.l2Signature,
      }, {
        contractId: c.contractId,
        quoteCoinId: QUOTE_COIN_ID,
        contractResolution: c.resolution ?? "1000000000",
        quoteResolution: QUOTE_RESOLUTION,
        chainId: this.domain.chainId,
        verifyingContract: this.domain.verifyingContract,
        signer: this.credentials.signerAddress,
      });
    } catch (e) {
      throw new ReplicaError(
        400,
        "SIGNATURE_ERROR",
        `l2Signature cannot be verified: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    if (recovered.toLowerCase() !== this.credentials.signerAddress.toLowerCase()) {
      throw new ReplicaError(
        400,
        "SIGNATURE_ERROR",
        "l2Signature was not made by the signer key bound to this API key",
      );
    }
    const taker = new Decimal(c.takerFee ?? "0.00038");
    if (body.l2LimitFee.lt(body.l2Value.times(taker))) {
      bad("l2LimitFee", `below the fee the order may pay (${body.l2Value.times(taker)})`);
    }
    const l2Price = body.l2Value.div(body.l2Size);
    const tif = body.timeInForce === "IMMEDIATE_OR_CANCEL"
      ? "ioc"
      : body.timeInForce === "FILL_OR_KILL"
      ? "fok"
      : "gtc";
    let view: OrderView;
    try {
      view = this.engine.placeOrder(accountId, {
        symbol: c.symbol,
        side: body.side === "BUY" ? "buy" : "sell",
        type: body.type === "MARKET" ? "market" : "limit",
        size: body.size,
        ...(body.type === "LIMIT" ? { price: body.price } : { worstPrice: l2Price }),
        postOnly: body.timeInForce === "POST_ONLY",
        reduceOnly: body.reduceOnly,
        timeInForce: tif,
        clientOrderId: body.clientOrderId,
      }, { postOnlyCross: "cancel" }).order;
      this.#remember(view.id, body);
    } catch (e) {
      // A reduce-only order that cannot reduce is accepted, then canceled (REDUCE_ONLY_CANCELED).
      if (e instanceof OrderRejectedError && e.reason === "reduce_only") {
        const rejected = this.engine.getOrder(accountId, { clientOrderId: body.clientOrderId });
        this.#remember(rejected.id, body);
        return { orderId: this.#venueId(rejected.id) };
      }
      throw e;
    }
    return { orderId: this.#venueId(view.id) };
  }

  #remember(engineId: string, body: EdgeXCreateOrderBody): void {
    const meta = this.#orders.get(engineId);
    if (meta) meta.body = body;
    else this.#orders.set(engineId, { body, value: new Decimal(0), fee: new Decimal(0) });
  }

  /**
   * Venue account id of an engine account: the test account keeps its id, any other engine
   * account (counterparty, background liquidity) gets a stable 18-digit id.
   */
  #venueAccountId(engineAccount: string): string {
    if (/^\d+$/.test(engineAccount)) return engineAccount;
    let n = this.#otherAccounts.get(engineAccount);
    if (n === undefined) {
      n = 700_000_000_000_000_900n + BigInt(this.#otherAccounts.size);
      this.#otherAccounts.set(engineAccount, n);
    }
    return n.toString();
  }

  /**
   * An Order as the gateway serves it (edgex_v1_background.md §4.2, unchanged in V2: ~67
   * fields, ids/decimals/timestamps as strings, empty `openTp`/`openSl` present).
   */
  #orderRecord(o: OrderView): Json {
    const c = this.#bySymbol(o.symbol);
    const meta = this.#orders.get(o.id);
    const b = meta?.body;
    const status = o.status === "pending"
      ? "PENDING"
      : o.status === "open" || o.status === "partially_filled"
      ? "OPEN"
      : o.status === "filled"
      ? "FILLED"
      : "CANCELED";
    const reason = o.status === "canceled" || o.status === "rejected" || o.status === "expired"
      ? CANCEL_REASON[o.cancelReason ?? "other"] ?? "UNKNOWN_ORDER_CANCEL_REASON"
      : "UNKNOWN_ORDER_CANCEL_REASON";
    const tif = b?.timeInForce ??
      (o.postOnly
        ? "POST_ONLY"
        : o.timeInForce === "ioc"
        ? "IMMEDIATE_OR_CANCEL"
        : o.timeInForce === "fok"
        ? "FILL_OR_KILL"
        : "GOOD_TIL_CANCEL");
    const value = meta?.value ?? new Decimal(o.averageFillPrice ?? "0").times(o.filledSize);
    const fee = meta?.fee ?? new Decimal(0);
    const filled = new Decimal(o.filledSize);
    const accountId = this.#venueAccountId(o.accountId);
    const noChild = {
      side: "UNKNOWN_ORDER_SIDE",
      price: "0",
      size: "0",
      clientOrderId: "",
      triggerPrice: "0",
      triggerPriceType: "UNKNOWN_PRICE_TYPE",
      expireTime: "0",
      l2Nonce: "0",
      l2Value: "0",
      l2Size: "0",
      l2LimitFee: "0",
      l2ExpireTime: "0",
      l2Signature: "",
    };
    return {
      id: this.#venueId(o.id),
      userId: USER_ID,
      accountId,
      coinId: QUOTE_COIN_ID,
      contractId: c.contractId,
      side: o.side === "buy" ? "BUY" : "SELL",
      price: o.type === "market" ? "0" : o.price ?? "0",
      size: o.size,
      clientOrderId: o.clientOrderId,
      type: o.type === "market" ? "MARKET" : "LIMIT",
      timeInForce: tif,
      reduceOnly: o.reduceOnly,
      triggerPrice: "0",
      triggerPriceType: "UNKNOWN_PRICE_TYPE",
      expireTime: b?.expireTime ?? String(o.createdAt + 22 * 86_400_000),
      sourceKey: "",
      isPositionTpsl: false,
      isLiquidate: false,
      isDeleverage: false,
      openTpslParentOrderId: "0",
      isSetOpenTp: false,
      openTp: noChild,
      isSetOpenSl: false,
      openSl: { ...noChild },
      isWithoutMatch: false,
      withoutMatchFillSize: "0",
      withoutMatchFillValue: "0",
      withoutMatchPeerAccountId: "0",
      withoutMatchPeerOrderId: "0",
      maxLeverage: c.maxLeverage ?? "50",
      takerFeeRate: c.takerFee ?? "0.00038",
      makerFeeRate: c.makerFee ?? "0.00015",
      liquidateFeeRate: LIQUIDATE_FEE_RATE,
      marketLimitPrice: o.type === "market" && b ? b.l2Value.div(b.l2Size).toFixed() : "0",
      marketLimitValue: o.type === "market" && b ? b.l2Value.toFixed() : "0",
      l2Nonce: b?.l2Nonce ?? "0",
      l2Value: b?.l2Value.toFixed() ?? "0",
      l2Size: b?.l2Size.toFixed() ?? o.size,
      l2LimitFee: b?.l2LimitFee.toFixed() ?? "0",
      l2ExpireTime: b?.l2ExpireTime ?? "0",
      l2Signature: b?.l2Signature ?? "",
      extraType: "",
      extraDataJson: "",
      status,
      matchSequenceId: String(this.#versions.get(o.accountId) ?? 0),
      triggerTime: "0",
      triggerPriceTime: "0",
      triggerPriceValue: "0",
      cancelReason: reason,
      cumFillSize: o.filledSize,
      cumFillValue: value.toFixed(),
      cumFillFee: fee.toFixed(),
      maxFillPrice: filled.isZero() ? "0" : o.averageFillPrice ?? "0",
      minFillPrice: filled.isZero() ? "0" : o.averageFillPrice ?? "0",
      cumLiquidateFee: "0",
      cumRealizePnl: "0",
      cumMatchSize: o.filledSize,
      cumMatchValue: value.toFixed(),
      cumMatchFee: fee.toFixed(),
      cumFailSize: "0",
      cumFailValue: "0",
      cumFailFee: "0",
      cumApprovedSize: o.filledSize,
      cumApprovedValue: value.toFixed(),
      cumApprovedFee: fee.toFixed(),
      createdTime: String(o.createdAt),
      updatedTime: String(o.updatedAt),
    };
  }

  /** An OrderFillTransaction (edgex_v1_background.md §4.2). */
  #fillRecord(f: FillView): Json {
    const c = this.#bySymbol(f.symbol);
    const id = FILL_ID_BASE + BigInt(f.tradeId) * 2n + (f.liquidity === "maker" ? 1n : 0n);
    const peer = FILL_ID_BASE + BigInt(f.tradeId) * 2n + (f.liquidity === "maker" ? 0n : 1n);
    const time = String(f.time);
    return {
      id: id.toString(),
      userId: USER_ID,
      accountId: this.#venueAccountId(f.accountId),
      coinId: QUOTE_COIN_ID,
      contractId: c.contractId,
      orderId: this.#venueId(f.orderId),
      orderSide: f.side === "buy" ? "BUY" : "SELL",
      fillSize: f.size,
      fillValue: new Decimal(f.price).times(f.size).toFixed(),
      fillFee: f.fee,
      fillPrice: f.price,
      liquidateFee: "0",
      realizePnl: f.realizedPnl,
      direction: f.liquidity === "maker" ? "MAKER" : "TAKER",
      isPositionTpsl: false,
      isLiquidate: f.liquidation,
      isDeleverage: false,
      isWithoutMatch: false,
      matchSequenceId: f.tradeId,
      matchIndex: 0,
      matchTime: time,
      matchAccountId: "0",
      matchOrderId: "0",
      matchFillId: peer.toString(),
      positionTransactionId: id.toString(),
      collateralTransactionId: id.toString(),
      ...settledRecordTail(time),
    };
  }

  /** A Position (edgex_v1_background.md §4.1): signed open size and value, term statistics. */
  #positionRecord(accountId: string, symbol: string): Json {
    const p = this.engine.position(accountId, symbol);
    const size = new Decimal(p.size);
    const openValue = size.times(p.entryPrice ?? "0").toFixed();
    const openFee = new Decimal(0).minus(p.fees).toFixed();
    const now = String(this.clock.now());
    const stat = (open: boolean) => ({
      cumOpenSize: open ? size.abs().toFixed() : "0",
      cumOpenValue: open ? new Decimal(openValue).abs().toFixed() : "0",
      cumOpenFee: open ? openFee : "0",
      cumCloseSize: "0",
      cumCloseValue: "0",
      cumCloseFee: "0",
      cumFundingFee: open ? p.funding : "0",
      cumLiquidateFee: "0",
    });
    const isLong = size.isPositive();
    const isShort = size.isNegative();
    return {
      userId: USER_ID,
      accountId: this.#venueAccountId(accountId),
      coinId: QUOTE_COIN_ID,
      contractId: this.#bySymbol(symbol).contractId,
      openSize: p.size,
      openValue,
      openFee,
      fundingFee: p.funding,
      longTermCount: isLong ? 1 : 0,
      longTermStat: stat(isLong),
      longTermCreatedTime: "0",
      longTermUpdatedTime: isLong ? now : "0",
      shortTermCount: isShort ? 1 : 0,
      shortTermStat: stat(isShort),
      shortTermCreatedTime: "0",
      shortTermUpdatedTime: isShort ? now : "0",
      longTotalStat: stat(isLong),
      shortTotalStat: stat(isShort),
      createdTime: "0",
      updatedTime: now,
    };
  }

  /** A Collateral (edgex_v1_background.md §4.1); `amount` is the cash balance. */
  #collateralRecord(accountId: string): Json {
    const b = this.engine.balance(accountId);
    return {
      userId: USER_ID,
      accountId: this.#venueAccountId(accountId),
      coinId: QUOTE_COIN_ID,
      amount: b.collateral,
      legacyAmount: "0",
      cumDepositAmount: b.deposited,
      cumWithdrawAmount: "0",
      cumTransferInAmount: "0",
      cumTransferOutAmount: "0",
      cumPositionBuyAmount: "0",
      cumPositionSellAmount: "0",
      cumFillFeeAmount: new Decimal(0).minus(b.fees).toFixed(),
      cumFundingFeeAmount: b.funding,
      cumFillFeeIncomeAmount: "0",
      createdTime: "0",
      updatedTime: String(this.clock.now()),
    };
  }

  /** The Account (edgex_v1_background.md §4.1). */
  #accountRecord(accountId: string): Json {
    const noSetting = {
      isSetFeeRate: false,
      takerFeeRate: "0",
      makerFeeRate: "0",
      isSetFeeDiscount: false,
      takerFeeDiscount: "0",
      makerFeeDiscount: "0",
      isSetMaxLeverage: false,
      maxLeverage: "0",
    };
    // Leverage set with updateLeverageSetting shows as the setting's max leverage.
    const settings = this.#leverageSettings.get(accountId) ?? new Map<string, string>();
    const withLeverage = (leverage: string | undefined) =>
      leverage === undefined
        ? noSetting
        : { ...noSetting, isSetMaxLeverage: true, maxLeverage: leverage };
    const perContract: Record<string, unknown> = {};
    for (const [id, leverage] of settings) {
      if (id !== "0") perContract[id] = withLeverage(leverage);
    }
    return {
      id: accountId,
      userId: USER_ID,
      ethAddress: this.credentials.signerAddress,
      l2Key: "",
      l2KeyYCoordinate: "",
      clientAccountId: "main",
      isSystemAccount: false,
      defaultTradeSetting: withLeverage(settings.get("0")),
      contractIdToTradeSetting: perContract,
      maxLeverageLimit: "0",
      createOrderPerMinuteLimit: 0,
      createOrderDelayMillis: 0,
      extraType: "",
      extraDataJson: "",
      status: "NORMAL",
      isLiquidating: false,
      createdTime: "0",
      updatedTime: String(this.clock.now()),
    };
  }

  #accountAsset(accountId: string): Json {
    const b = this.engine.balance(accountId);
    const positions = this.engine.positions(accountId);
    const ids = { userId: USER_ID, accountId, coinId: QUOTE_COIN_ID };
    return {
      account: this.#accountRecord(accountId),
      collateralList: [this.#collateralRecord(accountId)],
      positionList: positions.map((p) => this.#positionRecord(accountId, p.symbol)),
      version: String(this.#versions.get(accountId) ?? 0),
      positionAssetList: positions.map((p) => ({
        ...ids,
        contractId: this.#bySymbol(p.symbol).contractId,
        positionValue: new Decimal(p.size).times(p.markPrice).toFixed(),
        maxLeverage: new Decimal(p.leverage).toFixed(),
        initialMarginRequirement: p.initialMargin,
        // The risk value is the position's maintenance margin; the rate its share of value.
        starkExRiskRate: new Decimal(p.notional).isZero()
          ? "0"
          : new Decimal(p.maintenanceMargin).div(p.notional).toFixed(),
        starkExRiskValue: p.maintenanceMargin,
        avgEntryPrice: p.entryPrice ?? "0",
        liquidatePrice: this.#liquidationPrice(p, b),
        bankruptPrice: "0",
        worstClosePrice: "0",
        unrealizePnl: p.unrealizedPnl,
        termRealizePnl: p.realizedPnl,
        totalRealizePnl: p.realizedPnl,
      })),
      collateralAssetModelList: [{
        ...ids,
        totalEquity: b.equity,
        totalPositionValueAbs: positions
          .reduce((s, p) => s.plus(p.notional), new Decimal(0)).toFixed(),
        initialMarginRequirement: b.initialMargin,
        starkExRiskValue: b.maintenanceMargin,
        pendingWithdrawAmount: "0",
        pendingTransferOutAmount: "0",
        orderFrozenAmount: "0",
        availableAmount: b.availableBalance,
      }],
      oraclePriceList: [],
    };
  }

  /**
   * The mark price at which the account's equity would fall to its maintenance margin with
   * every other position unchanged (the engine liquidates below it), rounded a tick towards the
   * mark; `"0"` when there is none.
   */
  #liquidationPrice(p: PositionView, b: BalanceView): string {
    const size = new Decimal(p.size);
    const notional = new Decimal(p.notional);
    if (size.isZero() || notional.isZero()) return "0";
    const rate = new Decimal(p.maintenanceMargin).div(notional);
    const others = new Decimal(b.maintenanceMargin).minus(p.maintenanceMargin);
    const equity = new Decimal(b.equity).minus(others);
    // equity + size × (P − mark) = |size| × P × rate
    const price = size.times(p.markPrice).minus(equity).div(size.minus(size.abs().times(rate)));
    if (!price.gt(0)) return "0";
    const tick = new Decimal(this.#bySymbol(p.symbol).tickSize);
    const ticks = price.div(tick);
    return (size.isPositive() ? ticks.ceil() : ticks.floor()).times(tick).toFixed();
  }

  /**
   * `getPositionTransactionPage`: the account's funding settlements (`SETTLE_FUNDING_FEE`),
   * newest first; `size` 1…100, `offsetData` paging (`""` = last page), filters on type,
   * contract, coin and created time (0 or absent = unbounded). Trade rows (`BUY_POSITION`,
   * `SELL_POSITION`) are not kept by the replica: a filter on them finds nothing.
   */
  #positionTransactionPage(accountId: string, q: URLSearchParams): Json {
    const list = (name: string) => (q.get(name) ?? "").split(",").filter((x) => x !== "");
    const sizeText = q.get("size") ?? "";
    const size = sizeText === "" ? 100 : Number(sizeText);
    if (!(Number.isInteger(size) && size > 0 && size <= 100)) {
      throw new ReplicaError(400, "INVALID_PARAMETER", "size must be between 1 and 100", {
        size: sizeText,
      });
    }
    const types = list("filterTypeList");
    const contracts = list("filterContractIdList");
    const coins = list("filterCoinIdList");
    const from = Number(q.get("filterStartCreatedTimeInclusive") || "0") || 0;
    const to = Number(q.get("filterEndCreatedTimeExclusive") || "0") || Infinity;
    const rows = (this.#fundingLedger.get(accountId) ?? [])
      .filter((tx) =>
        (types.length === 0 || types.includes("SETTLE_FUNDING_FEE")) &&
        (contracts.length === 0 ||
          contracts.includes(this.#bySymbol(tx.payment.symbol).contractId)) &&
        (coins.length === 0 || coins.includes(QUOTE_COIN_ID)) &&
        tx.payment.time >= from && tx.payment.time < to
      )
      .reverse();
    const start = Number(q.get("offsetData") || "0") || 0;
    return {
      dataList: rows.slice(start, start + size).map((tx) => this.#fundingTxRecord(accountId, tx)),
      nextPageOffsetData: start + size < rows.length ? String(start + size) : "",
    };
  }

  /** Records a funding payment in the account's ledger (engine time is the settlement's). */
  #recordFunding(payment: SimFundingPayment): FundingTx {
    // Read during the settlement: the position already carries this payment.
    const p = this.engine.position(payment.accountId, payment.symbol);
    const seq = ++this.#fundingSeq;
    const size = new Decimal(payment.positionSize);
    const tx: FundingTx = {
      id: (FUNDING_TX_ID_BASE + seq).toString(),
      collateralTransactionId: (COLLATERAL_TX_ID_BASE + seq).toString(),
      payment,
      indexPrice: this.engine.prices(payment.symbol).indexPrice,
      beforeOpenValue: size.times(p.entryPrice ?? "0").toFixed(),
      beforeOpenFee: new Decimal(0).minus(p.fees).toFixed(),
      beforeFundingFee: new Decimal(p.funding).minus(payment.amount).toFixed(),
    };
    let ledger = this.#fundingLedger.get(payment.accountId);
    if (!ledger) this.#fundingLedger.set(payment.accountId, ledger = []);
    ledger.push(tx);
    return tx;
  }

  /**
   * A PositionTransaction of type `SETTLE_FUNDING_FEE` (gitbook account-api record):
   * `deltaFundingFee` from the account's view (negative = paid), the settlement's time, rate
   * (8 decimals, as the funding endpoints write it), prices and signed position size; fill
   * fields empty.
   */
  #fundingTxRecord(accountId: string, tx: FundingTx): Json {
    const p = tx.payment;
    const time = String(p.time);
    return {
      id: tx.id,
      userId: USER_ID,
      accountId: this.#venueAccountId(accountId),
      coinId: QUOTE_COIN_ID,
      contractId: this.#bySymbol(p.symbol).contractId,
      type: "SETTLE_FUNDING_FEE",
      deltaOpenSize: "0",
      deltaOpenValue: "0",
      deltaOpenFee: "0",
      deltaFundingFee: p.amount,
      beforeOpenSize: p.positionSize,
      beforeOpenValue: tx.beforeOpenValue,
      beforeOpenFee: tx.beforeOpenFee,
      beforeFundingFee: tx.beforeFundingFee,
      fillCloseSize: "",
      fillCloseValue: "",
      fillCloseFee: "",
      fillOpenSize: "",
      fillOpenValue: "",
      fillOpenFee: "",
      fillPrice: "",
      liquidateFee: "",
      realizePnl: "",
      isLiquidate: false,
      isDeleverage: false,
      fundingTime: time,
      fundingRate: rate8(p.rate),
      fundingIndexPrice: tx.indexPrice,
      fundingOraclePrice: p.markPrice,
      fundingPositionSize: p.positionSize,
      orderId: "0",
      orderFillTransactionId: "0",
      collateralTransactionId: tx.collateralTransactionId,
      forceTradeId: "0",
      ...settledRecordTail(time),
    };
  }

  // ---------------------------------------------------------------------------- market data

  #boundaries(): { last: number; next: number } {
    const interval = 4 * 3_600_000;
    const now = this.clock.now();
    const last = Math.floor(now / interval) * interval;
    return { last, next: last + interval };
  }

  #ticker(c: EdgeXReplicaContract): Json {
    const prices = this.engine.prices(c.symbol);
    const now = this.clock.now();
    const day = this.engine.trades(c.symbol).filter((t) => t.time >= now - 86_400_000);
    let size = new Decimal(0);
    let value = new Decimal(0);
    let high: string | undefined;
    let low: string | undefined;
    for (const t of day) {
      size = size.plus(t.size);
      value = value.plus(new Decimal(t.price).times(t.size));
      if (high === undefined || new Decimal(t.price).gt(high)) high = t.price;
      if (low === undefined || new Decimal(t.price).lt(low)) low = t.price;
    }
    let oi = new Decimal(0);
    for (const a of this.engine.accounts()) {
      const s = new Decimal(this.engine.position(a, c.symbol).size);
      if (s.isPositive()) oi = oi.plus(s);
    }
    const top = this.engine.book(c.symbol, 1);
    const next = this.engine.nextFunding(c.symbol);
    const { last } = this.#boundaries();
    return {
      contractId: c.contractId,
      contractName: `${c.symbol}USDC`,
      priceChange: "0",
      priceChangePercent: "0",
      trades: String(day.length),
      size: size.toFixed(),
      value: value.toFixed(),
      high: high ?? prices.lastPrice,
      low: low ?? prices.lastPrice,
      open: day[0]?.price ?? prices.lastPrice,
      close: prices.lastPrice,
      highTime: "0",
      lowTime: "0",
      startTime: String(now - 86_400_000),
      endTime: String(now),
      lastPrice: prices.lastPrice,
      indexPrice: prices.indexPrice,
      oraclePrice: prices.markPrice,
      markPrice: prices.markPrice,
      openInterest: oi.toFixed(),
      fundingRate: rate8(next.rate),
      fundingTime: String(last),
      nextFundingTime: String(next.time),
      bestAskPrice: top.asks[0]?.[0] ?? "0",
      bestBidPrice: top.bids[0]?.[0] ?? "0",
      marketOpen: true,
    };
  }

  #fundingRow(
    c: EdgeXReplicaContract,
    row: { time: number; stamp: number; rate: string; settlement: boolean; forecast: string },
    prices: { markPrice: string; indexPrice: string },
    previous: string,
  ): Json {
    return {
      contractId: c.contractId,
      fundingTime: String(row.time),
      fundingTimestamp: String(row.stamp),
      oraclePrice: prices.markPrice,
      indexPrice: prices.indexPrice,
      fundingRate: rate8(row.rate),
      isSettlement: row.settlement,
      forecastFundingRate: row.forecast === "" ? "" : rate8(row.forecast),
      previousFundingRate: rate8(previous),
      previousFundingTimestamp: String(row.stamp - 60_000),
      premiumIndex: "0",
      avgPremiumIndex: "0",
      premiumIndexTimestamp: String(row.stamp),
      impactMarginNotional: "500",
      impactAskPrice: prices.markPrice,
      impactBidPrice: prices.markPrice,
      interestRate: "0.0003",
      predictedFundingRate: "0.00005000",
      fundingRateIntervalMin: "240",
      starkExFundingIndex: prices.markPrice,
    };
  }

  #latestFunding(c: EdgeXReplicaContract): Json {
    const next = this.engine.nextFunding(c.symbol);
    const history = this.engine.fundingHistory(c.symbol);
    const previous = history.at(-1)?.rate ?? "0";
    const { last } = this.#boundaries();
    const now = this.clock.now();
    return this.#fundingRow(
      c,
      // The latest row carries the last fixed rate; the next settlement's estimate is
      // `forecastFundingRate` (= ticker `fundingRate`), edgex.md §4.1.
      {
        time: last,
        stamp: now - (now % 60_000),
        rate: previous,
        settlement: false,
        forecast: next.rate,
      },
      this.engine.prices(c.symbol),
      previous,
    );
  }

  #fundingPage(q: URLSearchParams): Json {
    const c = this.#contract(q.get("contractId"));
    const settlementsOnly = q.get("filterSettlementFundingRate") === "true";
    const begin = Number(q.get("filterBeginTimeInclusive") || "0") || 0;
    const end = Number(q.get("filterEndTimeExclusive") || "0") || Infinity;
    const size = Math.min(100, Math.max(1, Number(q.get("size") ?? "100") || 100));
    const history = this.engine.fundingHistory(c.symbol);
    const rows: Json[] = history.map((s, i) =>
      this.#fundingRow(
        c,
        { time: s.time, stamp: s.time, rate: s.rate, settlement: true, forecast: "" },
        s,
        history[i - 1]?.rate ?? "0",
      )
    );
    if (!settlementsOnly) rows.push(this.#latestFunding(c));
    const newestFirst = rows
      .filter((r) => {
        const t = Number(r.fundingTimestamp);
        return t >= begin && t < end;
      })
      .reverse();
    const start = Number(q.get("offsetData") || "0") || 0;
    const page = newestFirst.slice(start, start + size);
    return {
      dataList: page,
      nextPageOffsetData: start + size < newestFirst.length ? String(start + size) : "",
    };
  }

  // ---------------------------------------------------------------------------- public WS

  #feed(c: EdgeXReplicaContract, level: 15 | 200): DepthFeed {
    const channel = `depth.${c.contractId}.${level}`;
    let feed = this.#feeds.get(channel);
    if (!feed) {
      feed = { contract: c, level, channel, version: 1000, bids: new Map(), asks: new Map() };
      const view = this.engine.book(c.symbol, level);
      for (const [p, s] of view.bids) feed.bids.set(p, s);
      for (const [p, s] of view.asks) feed.asks.set(p, s);
      this.#feeds.set(channel, feed);
    }
    return feed;
  }

  #depthData(
    feed: DepthFeed,
    bids: [string, string][],
    asks: [string, string][],
    depthType: "SNAPSHOT" | "CHANGED",
    start: number,
  ): Json {
    const lvl = ([price, size]: [string, string]) => ({ price, size });
    return {
      startVersion: String(start),
      endVersion: String(feed.version),
      level: feed.level,
      contractId: feed.contract.contractId,
      contractName: `${feed.contract.symbol}USDC`,
      asks: asks.map(lvl),
      bids: bids.map(lvl),
      depthType,
    };
  }

  #quoteEvent(channel: string, dataType: string, data: Json[]): Json {
    return { type: "quote-event", channel, content: { channel, dataType, data } };
  }

  /** Recomputes the windows of a symbol's feeds and pushes the differences. */
  #flushBook(symbol: string): void {
    this.#dirtyBooks.delete(symbol);
    for (const feed of this.#feeds.values()) {
      if (feed.contract.symbol !== symbol) continue;
      const view = this.engine.book(symbol, feed.level);
      const diff = (old: Map<string, string>, now: [string, string][]) => {
        const out: [string, string][] = [];
        const next = new Map(now);
        for (const [p, s] of next) if (old.get(p) !== s) out.push([p, s]);
        // Levels that left the window are deleted by the server itself (LIVE3P).
        for (const p of old.keys()) if (!next.has(p)) out.push([p, "0"]);
        old.clear();
        for (const [p, s] of next) old.set(p, s);
        return out;
      };
      const bids = diff(feed.bids, view.bids);
      const asks = diff(feed.asks, view.asks);
      if (bids.length + asks.length === 0) continue;
      const start = feed.version;
      feed.version += bids.length + asks.length;
      this.#sendDepth(feed, this.#depthData(feed, bids, asks, "CHANGED", start), "changed");
    }
  }

  #sendDepth(feed: DepthFeed, data: Json, dataType: string): void {
    const frame = JSON.stringify(this.#quoteEvent(feed.channel, dataType, [data]));
    for (const conn of this.#public) {
      if (conn.channels.has(feed.channel)) conn.socket.send(feed.channel, frame);
    }
  }

  #onPublicSocket(socket: SimSocket): void {
    const conn: PublicConn = { socket, channels: new Set(), missed: 0 };
    this.#public.add(conn);
    socket.onClose(() => this.#public.delete(conn));
    socket.send("control", { sid: crypto.randomUUID(), type: "connected" });
    socket.onMessage((text) => {
      let msg: Json;
      try {
        msg = JSON.parse(text);
      } catch {
        socket.send("control", {
          type: "error",
          content: { code: "GATEWAY_UNRECOGNIZED_MESSAGE", msg: "invalid json" },
        });
        return;
      }
      if (msg.type === "ping") {
        socket.send("control", { type: "pong", time: msg.time });
        return;
      }
      if (msg.type === "pong") {
        conn.missed = 0;
        return;
      }
      const channel = typeof msg.channel === "string" ? msg.channel : "";
      if (msg.type === "unsubscribe") {
        conn.channels.delete(channel);
        socket.send("control", { type: "unsubscribed", channel, request: text });
        return;
      }
      if (msg.type !== "subscribe") {
        socket.send("control", {
          type: "error",
          content: { code: "GATEWAY_UNRECOGNIZED_MESSAGE", msg: `unsupported type ${msg.type}` },
        });
        return;
      }
      const error = this.#checkChannel(channel);
      if (error) {
        socket.send("control", { type: "error", content: error });
        return;
      }
      conn.channels.add(channel);
      socket.send("control", { type: "subscribed", channel, request: text });
      this.#snapshotFor(conn, channel);
    });
  }

  #checkChannel(channel: string): { code: string; msg: string } | undefined {
    if (channel === "ticker.all.1s" || channel === "bookTicker.all.1s") return undefined;
    const m = /^(depth|trades|ticker)\.(\d+)(?:\.(15|200))?$/.exec(channel);
    if (!m || (m[1] === "depth") !== (m[3] !== undefined)) {
      return { code: "INVALID_CHANNEL", msg: `invalid channel:${channel}` };
    }
    if (!this.#contracts.some((c) => c.contractId === m[2])) {
      return { code: "INVALID_CONTRACT_ID", msg: `invalid contractId:${m[2]}` };
    }
    return undefined;
  }

  #snapshotFor(conn: PublicConn, channel: string): void {
    const parts = channel.split(".");
    if (parts[0] === "depth") {
      const c = this.#contract(parts[1]);
      const feed = this.#feed(c, parts[2] === "200" ? 200 : 15);
      this.#flushBook(c.symbol);
      const data = this.#depthData(feed, [...feed.bids], [...feed.asks], "SNAPSHOT", feed.version);
      conn.socket.send(channel, this.#quoteEvent(channel, "Snapshot", [data]));
    } else if (parts[0] === "ticker" && parts[1] !== "all") {
      const c = this.#contract(parts[1]);
      conn.socket.send(channel, this.#quoteEvent(channel, "Snapshot", [this.#ticker(c)]));
    } else if (channel === "ticker.all.1s") {
      conn.socket.send(
        channel,
        this.#quoteEvent(channel, "Snapshot", this.#contracts.map((c) => this.#ticker(c))),
      );
    } else if (channel === "bookTicker.all.1s") {
      conn.socket.send(channel, this.#quoteEvent(channel, "Snapshot", this.#bookTickers()));
    }
  }

  #bookTickers(): Json[] {
    return this.#contracts.map((c) => {
      const top = this.engine.book(c.symbol, 1);
      return {
        contractId: c.contractId,
        contractName: `${c.symbol}USDC`,
        time: String(this.clock.now()),
        bestAskPrice: top.asks[0]?.[0] ?? "0",
        bestAskSize: top.asks[0]?.[1] ?? "0",
        bestBidPrice: top.bids[0]?.[0] ?? "0",
        bestBidSize: top.bids[0]?.[1] ?? "0",
      };
    });
  }

  #heartbeat(): void {
    for (const symbol of [...this.#dirtyBooks]) this.#flushBook(symbol);
    for (const feed of this.#feeds.values()) {
      if (![...this.#public].some((c) => c.channels.has(feed.channel))) continue;
      // An empty `changed` frame still advances the version (live heartbeat, §5.2).
      const start = feed.version;
      feed.version += 1;
      this.#sendDepth(feed, this.#depthData(feed, [], [], "CHANGED", start), "changed");
    }
    for (const conn of this.#public) {
      if (conn.channels.has("ticker.all.1s")) {
        conn.socket.send(
          "ticker.all.1s",
          this.#quoteEvent(
            "ticker.all.1s",
            "changed",
            this.#contracts.map((c) => this.#ticker(c)),
          ),
        );
      }
      if (conn.channels.has("bookTicker.all.1s")) {
        conn.socket.send(
          "bookTicker.all.1s",
          this.#quoteEvent("bookTicker.all.1s", "changed", this.#bookTickers()),
        );
      }
    }
  }

  #pingAll(): void {
    const time = String(this.clock.now());
    for (const conn of [...this.#public, ...this.#private]) {
      // 5 consecutive unanswered pings and the server drops the connection (§5.1).
      if (conn.missed >= 5) {
        conn.socket.close(4000, "no pong");
        continue;
      }
      conn.missed++;
      conn.socket.send("control", { type: "ping", time });
    }
  }

  // ---------------------------------------------------------------------------- private WS

  /**
   * Both streams on the SimServer, so request faults, frame faults, `server.sockets()` and
   * `dropConnections()` all go through it. The private handshake is checked before the upgrade:
   * a refusal is an HTTP 401 with the error envelope, as the live gateway answers.
   */
  #socketRoutes(): void {
    this.server.websocket(EDGEX_FRONT_END, PUBLIC_WS_PATH, (s) => this.#onPublicSocket(s));
    this.server.websocket(
      EDGEX_FRONT_END,
      PRIVATE_WS_PATH,
      (s, ctx) => this.#onPrivateSocket(s, ctx.url.searchParams.get("accountId") ?? ""),
      {
        accept: (ctx) => {
          const failure = this.#checkPrivateHandshake(ctx.url, ctx.request.headers);
          if (failure === undefined) return undefined;
          return Response.json({
            code: "AUTHENTICATION_FAILED",
            data: null,
            msg: failure,
            errorParam: null,
          }, { status: 401 });
        },
      },
    );
    // Any other WebSocket path: refused before the upgrade (registered last, matched last).
    this.server.websocket(EDGEX_FRONT_END, "/*", () => {}, {
      accept: () => Response.json({ code: "NOT_FOUND", msg: "no such stream" }, { status: 404 }),
    });
  }

  /** Closes every WebSocket (clients must reconnect). */
  dropConnections(): void {
    for (const s of this.server.sockets(EDGEX_FRONT_END)) s.close(4000, "connection dropped");
  }

  #checkPrivateHandshake(url: URL, headers: Headers): string | undefined {
    const auth = verifyEdgeXSignedRequest({ method: "GET", url, headers }, this.#authOptions());
    const accountId = url.searchParams.get("accountId") ?? "";
    if (!auth.ok) return auth.message;
    if (accountId !== this.credentials.accountId) {
      return `accountId ${accountId} does not belong to this API key`;
    }
    return undefined;
  }

  #onPrivateSocket(socket: SimSocket, accountId: string): void {
    const conn: PrivateConn = { socket, accountId, missed: 0 };
    this.#private.add(conn);
    socket.onClose(() => this.#private.delete(conn));
    socket.send("account", {
      sid: crypto.randomUUID(),
      type: "connected",
      time: String(this.clock.now()),
    });
    this.#flushPrivate();
    socket.send(
      "account",
      this.#tradeEvent(accountId, "Snapshot", {
        account: [this.#accountRecord(accountId)],
        collateral: [this.#collateralRecord(accountId)],
        position: this.engine.positions(accountId).map((p) =>
          this.#positionRecord(accountId, p.symbol)
        ),
        order: this.engine.openOrders(accountId).map((o) => this.#orderRecord(o)),
      }),
    );
    socket.onMessage((text) => {
      let msg: Json | undefined;
      try {
        msg = JSON.parse(text);
      } catch {
        msg = undefined;
      }
      if (msg?.type === "ping") {
        socket.send("account", { type: "pong", time: msg.time });
      } else if (msg?.type === "pong") {
        conn.missed = 0;
      } else {
        socket.send("account", {
          type: "error",
          content: { code: "GATEWAY_UNRECOGNIZED_MESSAGE", msg: "unsupported private ws message" },
        });
      }
    });
  }

  #tradeEvent(accountId: string, event: string, data: Json): Json {
    const version = (this.#versions.get(accountId) ?? 0) + 1;
    this.#versions.set(accountId, version);
    // Live V2 sends numeric version/time and accountId 0 (§5.3).
    return {
      type: "trade-event",
      content: { event, version, time: this.clock.now(), accountId: 0, data },
    };
  }

  #onEngineEvent(e: SimEvent): void {
    switch (e.type) {
      case "book":
        this.#dirtyBooks.add(e.symbol);
        this.#schedule();
        return;
      case "trade":
        // Sent at the flush, once the order events named the two accounts.
        this.#pendingTrades.push(e);
        break;
      case "order":
        // A refused order (margin) never reached the book: no push. Reduce-only ones did.
        this.#orderAccounts.set(e.order.id, e.order.accountId);
        if (
          e.order.status === "filled" || e.order.status === "canceled" ||
          e.order.status === "rejected" || e.order.status === "expired"
        ) {
          this.#finished ??= new Ring(Math.max(1_024, this.engine.retention.finishedOrders));
          const dropped = this.#finished.push(e.order.id);
          if (dropped !== undefined) {
            this.#orders.delete(dropped);
            this.#orderAccounts.delete(dropped);
          }
        }
        if (e.order.status === "rejected" && e.order.cancelReason !== "reduce_only") return;
        this.#pendingOf(e.order.accountId).orders.set(e.order.id, e.order);
        break;
      case "fill": {
        const meta = this.#orders.get(e.fill.orderId);
        if (meta) {
          meta.value = meta.value.plus(new Decimal(e.fill.price).times(e.fill.size));
          meta.fee = meta.fee.plus(e.fill.fee);
        } else {
          this.#orders.set(e.fill.orderId, {
            body: undefined,
            value: new Decimal(e.fill.price).times(e.fill.size),
            fee: new Decimal(e.fill.fee),
          });
        }
        this.#pendingOf(e.fill.accountId).fills.push(e.fill);
        break;
      }
      case "position":
        this.#pendingOf(e.accountId).positions.add(e.symbol);
        break;
      case "balance":
        this.#pendingOf(e.accountId).balance = true;
        if (e.reason === "funding") this.#pendingOf(e.accountId).funding = true;
        break;
      case "funding_payment": {
        const tx = this.#recordFunding(e.payment);
        const pending = this.#pendingOf(e.payment.accountId);
        pending.funding = true;
        pending.positions.add(e.payment.symbol);
        pending.fundingTx.push(tx);
        break;
      }
      default:
        return;
    }
    this.#schedule();
  }

  #pendingOf(accountId: string): Pending {
    let p = this.#pending.get(accountId);
    if (!p) {
      p = {
        orders: new Map(),
        fills: [],
        positions: new Set(),
        balance: false,
        funding: false,
        fundingTx: [],
      };
      this.#pending.set(accountId, p);
    }
    return p;
  }

  #schedule(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => {
      this.#flushScheduled = false;
      if (this.#closed) return;
      for (const symbol of [...this.#dirtyBooks]) this.#flushBook(symbol);
      this.#flushTrades();
      this.#flushPrivate();
    });
  }

  /** `trades.{contractId}` frames (the live record's fields, edgex.md §5.2). */
  #flushTrades(): void {
    const trades = this.#pendingTrades.splice(0);
    for (const e of trades) {
      const c = this.#bySymbol(e.symbol);
      const channel = `trades.${c.contractId}`;
      const account = (orderId: string) =>
        this.#venueAccountId(this.#orderAccounts.get(orderId) ?? "");
      const frame = this.#quoteEvent(channel, "changed", [{
        ticketId: crypto.randomUUID(),
        time: String(e.time),
        price: e.price,
        size: e.size,
        value: new Decimal(e.price).times(e.size).toFixed(),
        takerOrderId: this.#venueId(e.takerOrderId),
        makerOrderId: this.#venueId(e.makerOrderId),
        takerAccountId: account(e.takerOrderId),
        makerAccountId: account(e.makerOrderId),
        contractId: c.contractId,
        contractName: `${c.symbol}USDC`,
        isBestMatch: true,
        isBuyerMaker: e.takerSide === "sell",
      }]);
      for (const conn of this.#public) {
        if (conn.channels.has(channel)) conn.socket.send(channel, frame);
      }
    }
  }

  #flushPrivate(): void {
    const pending = [...this.#pending];
    this.#pending.clear();
    for (const [accountId, p] of pending) {
      const conns = [...this.#private].filter((c) => c.accountId === accountId);
      if (conns.length === 0 || accountId === this.counterpartyAccountId) continue;
      const orders = [...p.orders.values()].map((o) =>
        this.#orderRecord(this.engine.getOrder(accountId, { id: o.id }))
      );
      const fills = p.fills.map((f) => this.#fillRecord(f));
      const positions = [...p.positions].map((s) => this.#positionRecord(accountId, s));
      const collateral = p.balance || p.funding ? [this.#collateralRecord(accountId)] : [];
      const frames: Json[] = [];
      const filled = orders.filter((o) => o.status === "FILLED");
      if (orders.length > 0 || fills.length > 0) {
        frames.push(this.#tradeEvent(accountId, "ORDER_UPDATE", {
          order: orders,
          orderFillTransaction: fills,
          position: positions,
          collateral,
        }));
        // EdgeX pushes FILLED twice; the second copy also carries collateral (§7.3); the live
        // ORDER_UPDATE sample carries order, fills, position and collateral together (§5.3).
        if (filled.length > 0) {
          frames.push(this.#tradeEvent(accountId, "ORDER_UPDATE", {
            order: filled,
            collateral: collateral.length > 0 ? collateral : [this.#collateralRecord(accountId)],
          }));
        }
        if (p.fundingTx.length > 0) {
          frames.push(this.#tradeEvent(accountId, "FUNDING_SETTLEMENT", {
            position: positions,
            positionTransaction: p.fundingTx.map((tx) => this.#fundingTxRecord(accountId, tx)),
            collateral: collateral.length > 0 ? collateral : [this.#collateralRecord(accountId)],
          }));
        }
      } else if (positions.length > 0 || collateral.length > 0) {
        // A settlement carries the position transactions it booked (the `positionTransaction`
        // group of §5.3).
        frames.push(
          this.#tradeEvent(accountId, p.funding ? "FUNDING_SETTLEMENT" : "ACCOUNT_UPDATE", {
            position: positions,
            ...(p.fundingTx.length > 0
              ? {
                positionTransaction: p.fundingTx.map((tx) => this.#fundingTxRecord(accountId, tx)),
              }
              : {}),
            collateral,
          }),
        );
      }
      for (const frame of frames) {
        const text = JSON.stringify(frame);
        for (const c of conns) c.socket.send("account", text);
      }
    }
  }
}

/** Funding rates are fractions per interval written with 8 decimals (`"0.00005000"`, §4.1). */
function rate8(rate: string): string {
  return new Decimal(rate).toFixed(8);
}

const CANCEL_REASON: Record<string, string> = {
  user: "USER_CANCELED",
  expired: "EXPIRE_CANCELED",
  post_only_would_cross: "COULD_NOT_FILL",
  ioc_unfilled: "COULD_NOT_FILL",
  fok_unfilled: "COULD_NOT_FILL",
  reduce_only: "REDUCE_ONLY_CANCELED",
  insufficient_margin: "MARGIN_NOT_ENOUGH",
  liquidation: "LIQUIDATE_CANCELED",
  self_trade: "INTERNAL_FAILED",
  other: "UNKNOWN_ORDER_CANCEL_REASON",
};

/**
 * The trailing fields every settled V2 record (a fill, a position transaction) carries, in the
 * order the live samples show (edgex.md): accepted by the censor, no L2 rejection.
 */
function settledRecordTail(time: string) {
  return {
    extraType: "",
    extraDataJson: "",
    censorStatus: "CENSOR_SUCCESS",
    censorTxId: "0",
    censorTime: time,
    censorFailCode: "",
    censorFailReason: "",
    l2TxId: "0",
    l2RejectTime: "0",
    l2RejectCode: "",
    l2RejectReason: "",
    l2ApprovedTime: "0",
    createdTime: time,
    updatedTime: time,
  };
}
