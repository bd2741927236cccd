/**
 * The running bot's status, for people: {@linkcode BotStatusTracker} follows the bot's venue
 * clients (fills, orders, funding, connection events; positions, open orders and collateral
 * read every few seconds) and keeps the PnL split; {@linkcode serveBotStatus} serves it with
 * the funding dashboard's shell — the Bots page at `/`, the JSON at `/api/v1/bot` and
 * server-sent events at `/api/v1/bot/events`, so the page updates without a reload.
 *
 * Read-only (GET and HEAD only), on 127.0.0.1 unless a host is given, and any other host needs
 * a bearer token. Nothing secret is in a status: venue errors pass through `redact()`.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import {
  type Balance,
  type Clock,
  Decimal,
  type ExchangeClient,
  type ExchangeEvent,
  type Order,
  type Position,
  redact,
} from "../base.ts";
import { systemClock } from "../exchanges/_shared/clock.ts";
import { DASHBOARD_CSS, DASHBOARD_JS } from "../funding/dashboard/assets.ts";
import {
  type BotArbitrageView,
  type BotEventView,
  botsPage,
  type BotStatusView,
} from "../funding/dashboard/bots.ts";
import { accessRefusal } from "../funding/dashboard/access.ts";
import { layout } from "../funding/dashboard/pages.ts";
import { type ArbPosition, type ArbVenue, positionPnl } from "./funding_arbitrage.ts";
import { pnlJson, PnlTracker } from "./pnl.ts";
import { DEFAULT_VENUE_FEES } from "../funding/fees.ts";

const log = getLogger(["perp", "bot", "status"]);
const MAX_EVENTS = 50;

/** What a funding-arbitrage bot shows besides its clients. */
export interface ArbitrageSource {
  /** The positions the strategy holds (copies). */
  positions(): ArbPosition[];
  /** Its venues, with their funding adapters (current rates and next settlements). */
  venues: readonly ArbVenue[];
}

/** Options of {@linkcode BotStatusTracker}. */
export interface BotStatusOptions {
  /** Strategy name (`grid`, `funding-arbitrage`). */
  strategy: string;
  /** Network (`sim` is labelled simulated). */
  network: string;
  /** The bot's venue clients, by venue name. */
  clients: readonly { venue: string; client: ExchangeClient }[];
  /** Symbols traded (grid: one). */
  symbols?: readonly string[];
  /** Arbitrage positions, for the funding-arbitrage strategy. */
  arbitrage?: ArbitrageSource;
  /** Clock. @default {systemClock} */
  clock?: Clock;
  /** Most time between two reads of positions, orders and collateral (ms). @default {5000} */
  pollMs?: number;
  /**
   * The run's PnL account, shared with the bot's status line and stop summary (fills and
   * payments are booked once, by id, whoever sees them first). @default {a tracker of its own}
   */
  pnl?: PnlTracker;
}

/**
 * Follows a bot's clients and keeps its status.
 *
 * The PnL split is a {@linkcode PnlTracker} (`strategies/pnl.ts`, shared with the bot): realized
 * by the average-entry method per venue and symbol, from the position held at start and every
 * fill seen since; fees are the fills' fees (negative = rebates); funding is the sum of the
 * clients' `funding` events; unrealized PnL is what the venues report.
 *
 * @example
 * ```ts
 * import { Decimal, type ExchangeEvent } from "../base.ts";
 * import { BotStatusTracker } from "./status_server.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const tracker = new BotStatusTracker({ strategy: "grid", network: "sim", clients: [] });
 * const fill = (side: "buy" | "sell", size: string, price: string): ExchangeEvent => ({
 *   type: "fill",
 *   fill: { venue: "grvt", symbol: "BTC", tradeId: `${side}${price}`, orderId: "1", clientOrderId: "c",
 *     side, price: new Decimal(price), size: new Decimal(size), fee: new Decimal("0.1"),
 *     liquidity: "maker", timestamp: 0 },
 * });
 * tracker.record(fill("buy", "0.01", "60000"));
 * tracker.record(fill("sell", "0.01", "60100"));
 * equal(tracker.status().pnl.realized, "1");
 * equal(tracker.status().pnl.net, "0.8");
 * ```
 */
export class BotStatusTracker {
  readonly #options: BotStatusOptions;
  readonly #clock: Clock;
  readonly #startedAt: number;
  #state: BotStatusView["bot"]["state"] = "starting";
  #updatedAt: number;
  readonly #pnl: PnlTracker;
  readonly #ownsPnl: boolean;
  /** Trade ids already in the recent-events list. */
  readonly #listed = new Set<string>();
  readonly #seeded = new Set<string>();
  #positions: Position[] = [];
  #orders: Order[] = [];
  #balances: Balance[] = [];
  #arbs: BotArbitrageView[] | null;
  #events: BotEventView[] = [];
  readonly #listeners = new Set<() => void>();
  readonly #offs: (() => void)[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  #reading: Promise<void> | undefined;
  #again = false;

  /** @param options Strategy, network, clients, arbitrage source, clock. */
  constructor(options: BotStatusOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#startedAt = this.#clock.now();
    this.#updatedAt = this.#startedAt;
    this.#arbs = options.arbitrage ? [] : null;
    // Our own tracker books fills the private stream missed from the orders' states (fees
    // estimated from the published rates); orders from before the start are in the positions.
    this.#pnl = options.pnl ??
      new PnlTracker({ feeRates: DEFAULT_VENUE_FEES, since: this.#startedAt });
    this.#ownsPnl = options.pnl === undefined;
  }

  /**
   * Listens to the clients' events and reads positions, orders and collateral now, every
   * `pollMs` and after each fill, order or funding event. A venue's first successful read
   * gives the cost basis of what it held before (clients not connected yet are read again
   * on the next poll).
   */
  async start(): Promise<void> {
    for (const { client } of this.#options.clients) {
      this.#offs.push(client.onEvent((e) => {
        this.record(e);
        if (e.type === "fill" || e.type === "order" || e.type === "funding") this.refresh();
      }));
    }
    await this.refresh();
    this.#state = "running";
    this.#changed();
    const every = this.#options.pollMs ?? 5_000;
    this.#timer = setInterval(() => void this.refresh(), every);
  }

  /** Marks the bot stopped and stops listening. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    for (const off of this.#offs.splice(0)) off();
    this.#state = "stopped";
    this.#changed();
  }

  /**
   * Calls `listener` after every change (at most once per burst of events).
   *
   * @param listener Called with no argument; read {@linkcode BotStatusTracker.status}.
   * @returns The function that removes it.
   */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Applies one client event (fills to the PnL, funding, the recent-events list).
   *
   * @param e The event.
   */
  record(e: ExchangeEvent): void {
    const at = this.#clock.now();
    switch (e.type) {
      case "fill": {
        const f = e.fill;
        // A shared tracker is fed by its owner; ours is fed here.
        if (this.#ownsPnl) this.#pnl.onFill(f);
        const id = `${f.venue}:${f.tradeId}`;
        if (this.#listed.has(id)) return;
        this.#listed.add(id);
        if (this.#listed.size > 10_000) this.#listed.delete(this.#listed.values().next().value!);
        this.#event(
          f.timestamp || at,
          "fill",
          f.venue,
          `${f.side} ${f.size} ${f.symbol} @ ${f.price} (${f.liquidity}, fee ${f.fee})`,
        );
        break;
      }
      case "order": {
        const o = e.order;
        if (this.#ownsPnl) this.#pnl.recordOrder(o);
        if (o.status === "partially_filled") return;
        this.#event(
          at,
          "order",
          o.venue,
          `${o.status} ${o.side} ${o.size} ${o.symbol}${o.price ? ` @ ${o.price}` : ""}${
            o.cancelReason ? ` (${o.cancelReason})` : ""
          } · ${o.clientOrderId}`,
        );
        break;
      }
      case "funding": {
        const p = e.payment;
        if (this.#ownsPnl) this.#pnl.onFunding(p);
        this.#event(
          p.time || at,
          "funding",
          p.venue,
          `${p.amount.isNegative() ? "paid" : "received"} ${p.amount.abs()} on ${p.symbol}${
            p.rate ? ` at ${p.rate} per interval` : ""
          }`,
        );
        break;
      }
      case "connection":
        this.#event(
          at,
          "connection",
          null,
          `${e.stream} ${e.state}${e.error ? `: ${redact(e.error.message).split("\n")[0]}` : ""}`,
        );
        break;
      default:
        return;
    }
    this.#changed();
  }

  /** Adds a line to the recent events (strategy notes: entries, exits, stops). */
  note(text: string): void {
    this.#event(this.#clock.now(), "note", null, redact(text).split("\n")[0]);
    this.#changed();
  }

  /** Reads positions, open orders and collateral from every client now. */
  refresh(): Promise<void> {
    if (this.#reading) {
      this.#again = true;
      return this.#reading;
    }
    this.#reading = this.#read().finally(() => {
      this.#reading = undefined;
      if (this.#again) {
        this.#again = false;
        void this.refresh();
      }
    });
    return this.#reading;
  }

  async #read(): Promise<void> {
    const symbols = this.#options.symbols;
    const results = await Promise.allSettled(this.#options.clients.map(async ({ client }) => {
      const [positions, orders, balance] = await Promise.all([
        client.getPositions(),
        client.getOpenOrders(symbols?.length === 1 ? symbols[0] : undefined),
        client.getBalance(),
      ]);
      return { positions, orders, balance };
    }));
    const positions: Position[] = [];
    const orders: Order[] = [];
    const balances: Balance[] = [];
    results.forEach((r, i) => {
      if (r.status === "fulfilled") {
        const venue = this.#options.clients[i].venue;
        if (!this.#seeded.has(venue)) {
          // The position held before the first read is the starting cost basis.
          this.#seeded.add(venue);
          if (this.#ownsPnl) { for (const p of r.value.positions) this.#pnl.seed(p); }
        }
        this.#pnl.setPositions(r.value.positions, venue);
        positions.push(...r.value.positions.filter((p) => !p.size.isZero()));
        orders.push(...r.value.orders);
        balances.push(r.value.balance);
        return;
      }
      const venue = this.#options.clients[i].venue;
      log.debug("Status read of {venue} failed: {error}", {
        venue,
        error: redact(String(r.reason)),
      });
      // Keep the last known figures of a venue that did not answer.
      positions.push(...this.#positions.filter((p) => p.venue === venue));
      orders.push(...this.#orders.filter((o) => o.venue === venue));
      balances.push(...this.#balances.filter((b) => b.venue === venue));
    });
    this.#positions = positions;
    this.#orders = orders.sort((a, b) => a.createdAt - b.createdAt);
    this.#balances = balances;
    if (this.#options.arbitrage) this.#arbs = await this.#readArbs(this.#options.arbitrage);
    this.#changed();
  }

  async #readArbs(source: ArbitrageSource): Promise<BotArbitrageView[]> {
    const held = source.positions().filter((p) => p.status !== "closed");
    const rates = new Map<string, { hourly: Decimal; next?: number }>();
    const wanted = new Map<string, Set<string>>();
    for (const p of held) {
      for (const v of [p.long.venue, p.short.venue]) {
        (wanted.get(v) ?? wanted.set(v, new Set()).get(v)!).add(p.symbol);
      }
    }
    await Promise.allSettled(
      source.venues.filter((v) => wanted.has(v.name)).map(async (v) => {
        const list = await v.funding.fetchFundingRates({ symbols: [...wanted.get(v.name)!] });
        for (const r of list) {
          rates.set(`${v.name}:${r.symbol}`, {
            hourly: r.hourlyRate,
            ...(r.nextFundingTime !== undefined ? { next: r.nextFundingTime } : {}),
          });
        }
      }),
    );
    return held.map((p) => {
      const pnl = positionPnl(p);
      const long = rates.get(`${p.long.venue}:${p.symbol}`);
      const short = rates.get(`${p.short.venue}:${p.symbol}`);
      const spread = long && short ? short.hourly.minus(long.hourly) : undefined;
      const nexts = [long?.next, short?.next].filter((t): t is number => t !== undefined);
      return {
        id: p.id,
        symbol: p.symbol,
        status: p.status,
        long_venue: p.long.venue,
        short_venue: p.short.venue,
        target_size: p.targetSize,
        opened_at: new Date(p.openedAt).toISOString(),
        entry_spread_hourly: p.entrySpread,
        entry_net_apr: p.entryNetApr,
        spread_hourly_now: spread?.toString() ?? null,
        spread_apr_now: spread?.times(8760).toString() ?? null,
        funding_received: new Decimal(p.long.funding).plus(p.short.funding).toString(),
        pnl_total: pnl.total.toString(),
        next_settlement: nexts.length ? new Date(Math.min(...nexts)).toISOString() : null,
      };
    });
  }

  #event(time: number, kind: BotEventView["kind"], venue: string | null, text: string): void {
    this.#events.unshift({ time: new Date(time).toISOString(), kind, venue, text });
    if (this.#events.length > MAX_EVENTS) this.#events.length = MAX_EVENTS;
  }

  #changed(): void {
    this.#updatedAt = this.#clock.now();
    for (const l of this.#listeners) {
      try {
        l();
      } catch (error) {
        log.debug("Status listener failed: {error}", { error: String(error) });
      }
    }
  }

  /** The status as `GET /api/v1/bot` answers it. */
  status(): BotStatusView {
    const dec = (d: Decimal | undefined) => (d === undefined ? null : d.toString());
    const venues = this.#options.clients.map((c) => c.venue);
    return {
      bot: {
        strategy: this.#options.strategy,
        venues,
        symbols: [...(this.#options.symbols ?? [])],
        network: this.#options.network,
        simulated: this.#options.network === "sim",
        state: this.#state,
        started_at: new Date(this.#startedAt).toISOString(),
        updated_at: new Date(this.#updatedAt).toISOString(),
      },
      pnl: pnlJson(this.#pnl.split()),
      fills: this.#pnl.fills,
      positions: this.#positions.map((p) => ({
        venue: p.venue,
        symbol: p.symbol,
        size: p.size.toString(),
        entry_price: p.entryPrice.toString(),
        mark_price: dec(p.markPrice),
        unrealized_pnl: dec(p.unrealizedPnl),
        liquidation_price: dec(p.liquidationPrice),
        leverage: dec(p.leverage),
        cumulative_funding: dec(p.cumulativeFunding),
      })),
      open_orders: this.#orders.map((o) => ({
        venue: o.venue,
        symbol: o.symbol,
        side: o.side,
        price: dec(o.price),
        size: o.size.toString(),
        filled_size: o.filledSize.toString(),
        status: o.status,
        client_order_id: o.clientOrderId,
        post_only: o.postOnly,
        reduce_only: o.reduceOnly,
        created_at: new Date(o.createdAt).toISOString(),
      })),
      balances: this.#balances.map((b) => ({
        venue: b.venue,
        asset: b.asset,
        equity: b.equity.toString(),
        available: b.available.toString(),
        margin_ratio: dec(b.marginRatio),
      })),
      arbitrages: this.#arbs === null ? null : this.#arbs.map((a) => ({ ...a })),
      events: this.#events.map((e) => ({ ...e })),
    };
  }
}

/** Options of {@linkcode serveBotStatus}. */
export interface BotStatusServerOptions {
  /** Port; 0 picks a free one. */
  port: number;
  /** Address to listen on. @default {"127.0.0.1"} Anything but loopback needs `token`. */
  hostname?: string;
  /** Bearer token every request must carry (or the cookie `?token=` on a page sets). */
  token?: string;
  /** Seconds between server-sent keep-alive comments. @default {15} */
  keepAliveSeconds?: number;
}

/** A running status server. */
export interface BotStatusServer {
  /** `http://host:port`. */
  readonly url: string;
  /** Stops listening and ends every event stream. */
  close(): Promise<void>;
}

/**
 * Whether a host name is a loopback address (`localhost`, `127.x.x.x`, `::1`).
 *
 * @param host Host name or address.
 * @returns `true` for loopback.
 *
 * @example
 * ```ts
 * import { isLoopback } from "./status_server.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(isLoopback("127.0.0.1"), true);
 * equal(isLoopback("0.0.0.0"), false);
 * ```
 */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "content-security-policy":
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'",
};

function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
  });
}

/**
 * Builds the status server's request handler (pages, JSON, events; read-only).
 *
 * @param tracker The bot's status.
 * @param options Token and keep-alive.
 * @returns The handler, and a function that ends every open event stream.
 *
 * @example
 * ```ts
 * import { BotStatusTracker, botStatusHandler } from "./status_server.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const tracker = new BotStatusTracker({ strategy: "grid", network: "sim", clients: [] });
 * const { handle } = botStatusHandler(tracker);
 * const res = await handle(new Request("http://127.0.0.1/api/v1/bot"));
 * equal((await res.json()).bot.strategy, "grid");
 * equal((await handle(new Request("http://127.0.0.1/api/v1/bot", { method: "POST" }))).status, 405);
 * ```
 */
export function botStatusHandler(
  tracker: BotStatusTracker,
  options: Pick<BotStatusServerOptions, "token" | "keepAliveSeconds"> = {},
): { handle(request: Request): Promise<Response>; endStreams(): void } {
  const streams = new Set<() => void>();
  const keepAlive = (options.keepAliveSeconds ?? 15) * 1000;
  const events = (): Response => {
    const encoder = new TextEncoder();
    let end = () => {};
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const send = (text: string) => {
          try {
            controller.enqueue(encoder.encode(text));
          } catch {
            end();
          }
        };
        const push = () => send(`event: status\ndata: ${JSON.stringify(tracker.status())}\n\n`);
        const off = tracker.subscribe(push);
        const ping = setInterval(() => send(": keep-alive\n\n"), keepAlive);
        end = () => {
          off();
          clearInterval(ping);
          streams.delete(end);
          try {
            controller.close();
          } catch {
            // already closed
          }
        };
        streams.add(end);
        send("retry: 2000\n\n");
        push();
      },
      cancel() {
        end();
      },
    });
    return new Response(body, {
      headers: {
        "content-type": "text/event-stream",
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
    });
  };
  const handle = (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const refused = accessRefusal(request, options.token, "perp bot");
    if (refused) return Promise.resolve(refused);
    switch (url.pathname) {
      case "/":
      case "/bots": {
        const s = tracker.status();
        const title = `Bot ${s.bot.strategy} on ${s.bot.venues.join(" + ")}`;
        const page = layout("bots", title, botsPage(s, Date.now()), {
          network: s.bot.network,
          refreshSeconds: 0,
          pages: ["bots"],
          brand: "perp bot",
          liveUrl: "/api/v1/bot/events",
        });
        return Promise.resolve(new Response(page, { headers: PAGE_HEADERS }));
      }
      case "/api/v1/bot":
        return Promise.resolve(jsonResponse(tracker.status()));
      case "/api/v1/bot/events":
        return Promise.resolve(events());
      case "/assets/dashboard.css":
      case "/assets/dashboard.js":
        return Promise.resolve(
          new Response(url.pathname.endsWith(".css") ? DASHBOARD_CSS : DASHBOARD_JS, {
            headers: {
              "content-type": url.pathname.endsWith(".css")
                ? "text/css; charset=utf-8"
                : "text/javascript; charset=utf-8",
              "cache-control": "max-age=300",
              "x-content-type-options": "nosniff",
            },
          }),
        );
      case "/ping":
        return Promise.resolve(jsonResponse({ status: "ok" }));
      default:
        return Promise.resolve(jsonResponse(
          { error: "not_found", message: `no endpoint ${request.method} ${url.pathname}` },
          404,
        ));
    }
  };
  return {
    handle,
    endStreams: () => {
      for (const end of [...streams]) end();
    },
  };
}

/**
 * Serves a bot's status: the Bots page at `/`, `GET /api/v1/bot` and the server-sent events
 * at `/api/v1/bot/events` (one `status` event per change, the status as its data).
 *
 * @param tracker The bot's status.
 * @param options Port, host, token.
 * @returns The server.
 * @throws {Error} On a non-loopback host without a token.
 *
 * @example
 * ```ts
 * import { BotStatusTracker, serveBotStatus } from "./status_server.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const tracker = new BotStatusTracker({ strategy: "grid", network: "sim", clients: [] });
 * const server = await serveBotStatus(tracker, { port: 0 });
 * const page = await fetch(`${server.url}/`);
 * equal(page.headers.get("content-type"), "text/html; charset=utf-8");
 * await page.body?.cancel();
 * await server.close();
 * ```
 */
export async function serveBotStatus(
  tracker: BotStatusTracker,
  options: BotStatusServerOptions,
): Promise<BotStatusServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  if (!isLoopback(hostname) && !options.token) {
    throw new Error(
      `serving the bot's status on ${hostname} (not a loopback address) requires a bearer token`,
    );
  }
  const { handle, endStreams } = botStatusHandler(tracker, options);
  return await new Promise((resolve) => {
    const server = Deno.serve({
      hostname,
      port: options.port,
      onListen: ({ hostname: h, port }) => {
        const url = `http://${h.includes(":") ? `[${h}]` : h}:${port}`;
        resolve({
          url,
          close: async () => {
            endStreams();
            await server.shutdown();
          },
        });
      },
    }, handle);
  });
}
