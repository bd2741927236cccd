/**
 * The Bots page: what a running bot reports at `/api/v1/bot` (venues, network, positions, open
 * orders, PnL split, arbitrage legs, recent events), rendered on the server like every other
 * dashboard page. The browser script keeps it current from the bot's server-sent events.
 *
 * @module
 */
import { Decimal } from "../../core/decimal.ts";
import { ago, countdown, esc, pct } from "./pages.ts";

/** A position as the bot reports it (decimal strings; `null` when the venue does not say). */
export interface BotPositionView {
  venue: string;
  symbol: string;
  size: string;
  entry_price: string;
  mark_price: string | null;
  unrealized_pnl: string | null;
  liquidation_price: string | null;
  leverage: string | null;
  cumulative_funding: string | null;
}

/** A resting order as the bot reports it. */
export interface BotOrderView {
  venue: string;
  symbol: string;
  side: "buy" | "sell";
  price: string | null;
  size: string;
  filled_size: string;
  status: string;
  client_order_id: string;
  post_only: boolean;
  reduce_only: boolean;
  created_at: string;
}

/** Collateral of one venue. */
export interface BotBalanceView {
  venue: string;
  asset: string;
  equity: string;
  available: string;
  margin_ratio: string | null;
}

/** One funding-arbitrage position: its legs, entry and current figures. */
export interface BotArbitrageView {
  id: string;
  symbol: string;
  status: string;
  long_venue: string;
  short_venue: string;
  target_size: string;
  opened_at: string;
  /** Hourly spread at entry (short − long, fraction per hour). */
  entry_spread_hourly: string;
  /** Net APR the entry gate computed (fraction). */
  entry_net_apr: string;
  /** Hourly spread now, from the venues' current rates, when both answered. */
  spread_hourly_now: string | null;
  /** `spread_hourly_now × 8760`, before fees. */
  spread_apr_now: string | null;
  /** Funding received on both legs since entry (negative = paid). */
  funding_received: string;
  /** Price PnL − fees + funding of the position so far. */
  pnl_total: string;
  /** The earlier of the two legs' next settlements. */
  next_settlement: string | null;
}

/** One line of the bot's recent activity. */
export interface BotEventView {
  time: string;
  kind: "fill" | "order" | "funding" | "connection" | "note";
  venue: string | null;
  text: string;
}

/** `GET /api/v1/bot`: the status of one running bot. */
export interface BotStatusView {
  bot: {
    strategy: string;
    venues: string[];
    symbols: string[];
    network: string;
    simulated: boolean;
    state: "starting" | "running" | "stopped";
    started_at: string;
    updated_at: string;
  };
  /** PnL since the bot started, in the quote asset: realized (average-entry), unrealized (the
   * venues' marks), fees paid (negative = rebates), funding received; net = r + u − fees + f. */
  pnl: { realized: string; unrealized: string; fees: string; funding: string; net: string };
  fills: number;
  positions: BotPositionView[];
  open_orders: BotOrderView[];
  balances: BotBalanceView[];
  arbitrages: BotArbitrageView[] | null;
  events: BotEventView[];
}

const money = (v: string | null | undefined, dp = 2) =>
  v === null || v === undefined ? "–" : new Decimal(v).toFixed(dp);

/** A signed amount to two decimals, `+` / `−` coloured; a value that rounds to 0 is `0.00`. */
const signed = (v: string) => {
  const d = new Decimal(new Decimal(v).toFixed(2));
  if (d.isZero()) return `<span>0.00</span>`;
  return `<span class="${d.isNegative() ? "neg" : "pos"}">${d.isNegative() ? "" : "+"}${
    d.toFixed(2)
  }</span>`;
};

const time = (iso: string) => `<time datetime="${esc(iso)}">${esc(iso.slice(11, 19))} UTC</time>`;

/**
 * The Bots page's content for one bot's status.
 *
 * @param s The bot's status (`/api/v1/bot`).
 * @param now Now, ms (countdowns).
 * @returns The page's main content.
 *
 * @example
 * ```ts
 * import { botsPage, type BotStatusView } from "./bots.ts";
 * import { ok } from "node:assert/strict";
 * const z = "0";
 * const s: BotStatusView = {
 *   bot: { strategy: "grid", venues: ["grvt"], symbols: ["BTC"], network: "sim", simulated: true,
 *     state: "running", started_at: "2026-01-01T00:00:00.000Z", updated_at: "2026-01-01T00:01:00.000Z" },
 *   pnl: { realized: z, unrealized: z, fees: z, funding: z, net: z }, fills: 0,
 *   positions: [], open_orders: [], balances: [], arbitrages: null, events: [],
 * };
 * ok(botsPage(s, Date.UTC(2026, 0, 1)).includes("grid on grvt"));
 * ```
 */
export function botsPage(s: BotStatusView, now: number): string {
  const b = s.bot;
  const badge = b.state === "running"
    ? `<span class="badge ok">RUNNING</span>`
    : `<span class="badge${b.state === "stopped" ? " bad" : ""}">${
      esc(b.state.toUpperCase())
    }</span>`;
  const uptime = Math.max(0, Math.round((now - Date.parse(b.started_at)) / 1000));
  const pnl = `<dl class="facts pnl" id="pnl">
<dt>Realized</dt><dd data-pnl="realized">${signed(s.pnl.realized)}</dd>
<dt>Unrealized</dt><dd data-pnl="unrealized">${signed(s.pnl.unrealized)}</dd>
<dt>Fees paid</dt><dd data-pnl="fees">${money(s.pnl.fees)}</dd>
<dt>Funding received</dt><dd data-pnl="funding">${signed(s.pnl.funding)}</dd>
<dt>Net</dt><dd data-pnl="net"><strong>${signed(s.pnl.net)}</strong></dd>
<dt>Fills</dt><dd id="fill-count">${s.fills}</dd></dl>`;
  const positions = s.positions.map((p) =>
    `<tr data-venue="${esc(p.venue)}" data-symbol="${esc(p.symbol)}" data-size="${
      esc(p.size)
    }"><th scope="row">${esc(p.venue)} ${esc(p.symbol)}</th><td>${
      new Decimal(p.size).isNegative() ? "short" : "long"
    } ${esc(new Decimal(p.size).abs().toString())}</td><td>${esc(p.entry_price)}</td><td>${
      esc(p.mark_price ?? "–")
    }</td><td>${p.unrealized_pnl === null ? "–" : signed(p.unrealized_pnl)}</td><td>${
      esc(p.liquidation_price ?? "–")
    }</td><td>${p.leverage === null ? "–" : `${esc(p.leverage)}×`}</td><td>${
      p.cumulative_funding === null ? "–" : signed(p.cumulative_funding)
    }</td></tr>`
  ).join("");
  const orders = s.open_orders.map((o) =>
    `<tr data-client-order-id="${esc(o.client_order_id)}"><th scope="row">${esc(o.venue)} ${
      esc(o.symbol)
    }</th><td class="text">${esc(o.side)}${o.reduce_only ? " · reduce-only" : ""}${
      o.post_only ? " · post-only" : ""
    }</td><td>${esc(o.price ?? "market")}</td><td>${esc(o.size)}</td><td>${
      esc(o.filled_size)
    }</td><td class="text">${esc(o.status)}</td><td class="text"><code>${
      esc(o.client_order_id)
    }</code></td><td>${time(o.created_at)}</td></tr>`
  ).join("");
  const balances = s.balances.map((x) =>
    `<tr data-venue="${esc(x.venue)}"><th scope="row">${esc(x.venue)}</th><td>${money(x.equity)} ${
      esc(x.asset)
    }</td><td>${money(x.available)} ${esc(x.asset)}</td><td>${
      x.margin_ratio === null ? "–" : pct(x.margin_ratio, 2)
    }</td></tr>`
  ).join("");
  const arbs = s.arbitrages === null ? "" : `<h2>Arbitrages</h2>
<div class="scroll" tabindex="0" role="region" aria-label="Arbitrages table"><table id="bot-arbitrages"><thead><tr><th scope="col" class="text">Symbol</th><th scope="col" class="text">Legs</th><th scope="col" class="text">State</th><th scope="col">Size</th><th scope="col">Net APR at entry</th><th scope="col">Spread APR now</th><th scope="col">Funding received</th><th scope="col">PnL</th><th scope="col">Next settlement</th></tr></thead><tbody>${
    s.arbitrages.map((a) => {
      const next = a.next_settlement ? Date.parse(a.next_settlement) : undefined;
      return `<tr data-symbol="${esc(a.symbol)}"><th scope="row">${esc(a.symbol)}</th>` +
        `<td class="text">long ${esc(a.long_venue)} · short ${esc(a.short_venue)}</td>` +
        `<td class="text">${esc(a.status)}<span class="meta">since ${
          esc(a.opened_at.slice(0, 16).replace("T", " "))
        } UTC</span></td><td>${esc(a.target_size)}</td><td>${pct(a.entry_net_apr, 2)}` +
        `<span class="meta">${pct(a.entry_spread_hourly, 4)}/h</span></td><td>${
          pct(a.spread_apr_now, 2)
        }<span class="meta">${pct(a.spread_hourly_now, 4)}/h, before fees</span></td><td>${
          signed(a.funding_received)
        }</td><td>${signed(a.pnl_total)}</td><td>${
          next === undefined
            ? "unknown"
            : `<time datetime="${esc(a.next_settlement)}" data-next="${next}">${
              countdown(next - now)
            }</time>`
        }</td></tr>`;
    }).join("") || `<tr><td class="empty" colspan="9">No arbitrage held.</td></tr>`
  }</tbody></table></div>`;
  const events = s.events.map((e) =>
    `<li data-kind="${esc(e.kind)}">${time(e.time)} <span class="badge">${esc(e.kind)}</span> ${
      e.venue ? `<strong>${esc(e.venue)}</strong> ` : ""
    }${esc(e.text)}</li>`
  ).join("");
  return `<h1>Bot: ${esc(b.strategy)} on ${esc(b.venues.join(" + "))}${
    b.symbols.length ? ` (${esc(b.symbols.join(", "))})` : ""
  } ${badge}</h1>
<p class="muted" id="bot-meta">network <strong>${esc(b.network)}</strong>${
    b.simulated ? " (simulated replicas)" : ""
  } · up ${ago(uptime)} · updated ${
    time(b.updated_at)
  } · <span id="live-state">live updates: server-sent events</span></p>
<h2>PnL since start</h2>${pnl}
<h2>Positions</h2>
<div class="scroll" tabindex="0" role="region" aria-label="Positions table"><table id="bot-positions"><thead><tr><th scope="col" class="text">Market</th><th scope="col">Size</th><th scope="col">Entry</th><th scope="col">Mark</th><th scope="col">Unrealized</th><th scope="col">Liquidation</th><th scope="col">Leverage</th><th scope="col">Funding</th></tr></thead><tbody>${
    positions || `<tr><td class="empty" colspan="8">No position.</td></tr>`
  }</tbody></table></div>
${arbs}
<h2>Open orders (${s.open_orders.length})</h2>
<div class="scroll" tabindex="0" role="region" aria-label="Open orders table"><table id="bot-orders"><thead><tr><th scope="col" class="text">Market</th><th scope="col" class="text">Side</th><th scope="col">Price</th><th scope="col">Size</th><th scope="col">Filled</th><th scope="col" class="text">Status</th><th scope="col" class="text">Client id</th><th scope="col">Placed</th></tr></thead><tbody>${
    orders || `<tr><td class="empty" colspan="8">No open order.</td></tr>`
  }</tbody></table></div>
<h2>Collateral</h2>
<div class="scroll" tabindex="0" role="region" aria-label="Collateral table"><table id="bot-balances"><thead><tr><th scope="col" class="text">Venue</th><th scope="col">Equity</th><th scope="col">Available</th><th scope="col">Margin ratio</th></tr></thead><tbody>${
    balances || `<tr><td class="empty" colspan="4">Not read yet.</td></tr>`
  }</tbody></table></div>
<h2>Recent events</h2>
<ol class="events" id="bot-events" reversed>${
    events || `<li class="muted">Nothing yet.</li>`
  }</ol>`;
}
