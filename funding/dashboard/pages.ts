/**
 * Server-rendered pages of the funding dashboard: the rates grid, the opportunities, the
 * history charts (inline SVG) and the health of collection. Each page is complete HTML built
 * from the API's own JSON answers, so every number on a page is the number the API gives;
 * colour is never the only signal (every value is written in its cell).
 *
 * @module
 */
import { Decimal } from "../../core/decimal.ts";
import type { ChartPoint } from "./series.ts";

/** Escapes text for HTML content and attribute values. */
export function esc(value: unknown): string {
  return String(value ?? "").replace(
    /[&<>"']/g,
    (c) =>
      c === "&"
        ? "&amp;"
        : c === "<"
        ? "&lt;"
        : c === ">"
        ? "&gt;"
        : c === '"'
        ? "&quot;"
        : "&#39;",
  );
}

/**
 * A fraction as a percentage with fixed decimals (`0.0876` → `8.76 %`).
 *
 * @param fraction Decimal string.
 * @param dp Decimals.
 * @returns The text, or an en dash for a missing value.
 *
 * @example
 * ```ts
 * import { pct } from "./pages.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(pct("0.0876", 2), "8.76 %");
 * equal(pct("-0.00001", 4), "-0.0010 %");
 * ```
 */
export function pct(fraction: string | null | undefined, dp: number): string {
  if (fraction === null || fraction === undefined) return "–";
  return `${new Decimal(fraction).times(100).toFixed(dp)} %`;
}

/** USD amount, compact (`1 234 567` → `1.23 M`). */
function usd(value: string | null | undefined): string {
  if (value === null || value === undefined) return "–";
  const n = Number(value);
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return n.toFixed(0);
}

/** `next in 2h 05m` / `next in 4m 09s`, as the browser script writes it. */
export function countdown(ms: number): string {
  if (ms <= 0) return "settling now";
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `next in ${h}h ${pad(m)}m` : `next in ${m}m ${pad(s % 60)}s`;
}

/** A duration in seconds, short (`3h 12m`, `2d 4h`). */
export function ago(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "never";
  if (seconds < 60) return `${seconds}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, "0")}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/**
 * Background of a rate cell: orange when longs pay (positive), blue when shorts pay, deeper
 * with the size of the APR (full at 100 % a year).
 *
 * @param apr APR as a fraction.
 * @returns A CSS colour.
 *
 * @example
 * ```ts
 * import { rateColour } from "./pages.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(rateColour(0), "hsl(0 0% 98%)");
 * equal(rateColour(1), "hsl(24 90% 68%)");
 * equal(rateColour(-4), "hsl(214 85% 68%)");
 * ```
 */
export function rateColour(apr: number): string {
  if (!Number.isFinite(apr) || apr === 0) return "hsl(0 0% 98%)";
  const t = Math.min(1, Math.sqrt(Math.abs(apr)));
  const light = Math.round(98 - 30 * t);
  return apr > 0 ? `hsl(24 90% ${light}%)` : `hsl(214 85% ${light}%)`;
}

/** The pages in the navigation. */
export type PageName = "rates" | "opportunities" | "history" | "health" | "bots";

const NAV: readonly [PageName, string, string][] = [
  ["rates", "/", "Rates"],
  ["opportunities", "/opportunities", "Opportunities"],
  ["history", "/history", "History"],
  ["health", "/health", "Health"],
  ["bots", "/bots", "Bots"],
];

/** The funding service's pages. */
export const FUNDING_PAGES: readonly PageName[] = ["rates", "opportunities", "history", "health"];

/** What every page shows in its frame. */
export interface PageFrame {
  /** Network the data comes from (`sim` is labelled as simulated). */
  network: string;
  /** Seconds between automatic data refreshes (0 = none). */
  refreshSeconds: number;
  /** Pages in the navigation. @default {FUNDING_PAGES} */
  pages?: readonly PageName[];
  /** Name in the top bar. @default {"perp funding"} */
  brand?: string;
  /** Server-sent events to follow: the page's data is reloaded on each `status` event. */
  liveUrl?: string;
}

/**
 * The HTML document around a page's content.
 *
 * @param page Current page.
 * @param title Title.
 * @param body The page's `<main>` content.
 * @param frame Network and refresh.
 * @returns The document.
 */
export function layout(page: PageName, title: string, body: string, frame: PageFrame): string {
  const sim = frame.network === "sim";
  const shown = frame.pages ?? FUNDING_PAGES;
  const brand = frame.brand ?? "perp funding";
  const nav = NAV.filter(([name]) => shown.includes(name)).map(([name, href, label]) =>
    `<li><a href="${href}"${name === page ? ' aria-current="page"' : ""}>${label}</a></li>`
  ).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}${sim ? " (SIMULATED)" : ""} · ${esc(brand)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/dashboard.css">
<script src="/assets/dashboard.js" defer></script>
</head><body data-refresh-seconds="${frame.refreshSeconds}"${
    frame.liveUrl ? ` data-live-url="${esc(frame.liveUrl)}"` : ""
  }>
${
    sim
      ? `<div class="sim-banner" role="note" data-network="sim">SIMULATED DATA — local venue replicas (network: sim), not real markets</div>`
      : ""
  }
<header class="top"><span class="brand">${esc(brand)}</span>
<nav aria-label="Pages"><ul>${nav}</ul></nav>
<span class="network" data-network="${esc(frame.network)}">network: <strong>${
    esc(frame.network)
  }</strong>${sim ? " (simulated)" : ""}</span></header>
<main id="main">${body}</main>
</body></html>`;
}

// ---------------------------------------------------------------------------------------------
// Rates grid

/** One cell of the grid: the API's rate view (`/api/v1/funding-rates`). */
export interface RateView {
  rate: string;
  interval_hours: number;
  hourly_rate: string;
  apr: string;
  next_funding_time: string | null;
  observed_at: string | null;
  age_seconds: number;
  stale: boolean;
  volume_24h_usd: string | null;
  open_interest_usd: string | null;
  /** Last settled rate per interval, when the venue reports it beside the predicted one. */
  settled_rate?: string | null;
  /** The same per hour. */
  settled_hourly_rate?: string | null;
  /** When it settled (ISO). */
  settled_at?: string | null;
}

/** What the grid page shows. */
export interface GridInput {
  /** `data` of `/api/v1/funding-rates`: symbol → venue → rate. */
  data: Record<string, Record<string, RateView>>;
  /** Every venue collected, in column order. */
  venues: readonly string[];
  /** Venues shown (filter). */
  shown: readonly string[];
  /** Symbol text filter. */
  text: string;
  /** `gap` (default), `symbol`, or a venue name (by its APR). */
  sort: string;
  /** Now, ms. */
  now: number;
}

interface GridRow {
  symbol: string;
  cells: Record<string, RateView>;
  gap?: { hourly: Decimal; low: string; high: string };
}

function gapOf(cells: Record<string, RateView>, shown: readonly string[]): GridRow["gap"] {
  let low: [string, Decimal] | undefined;
  let high: [string, Decimal] | undefined;
  for (const v of shown) {
    const c = cells[v];
    if (!c || c.stale) continue;
    const h = new Decimal(c.hourly_rate);
    if (!low || h.lt(low[1])) low = [v, h];
    if (!high || h.gt(high[1])) high = [v, h];
  }
  if (!low || !high || low[0] === high[0]) return undefined;
  return { hourly: high[1].minus(low[1]), low: low[0], high: high[0] };
}

/** Query string of the grid with one parameter changed. */
function gridHref(input: GridInput, sort: string): string {
  const p = new URLSearchParams();
  if (input.text) p.set("q", input.text);
  if (input.shown.length !== input.venues.length) {
    for (const v of input.shown) p.append("venue", v);
  }
  p.set("sort", sort);
  return `/?${p}`;
}

function rateCell(venue: string, c: RateView | undefined, now: number): string {
  if (!c) return `<td class="cell empty" data-venue="${esc(venue)}">not listed</td>`;
  const next = c.next_funding_time ? Date.parse(c.next_funding_time) : undefined;
  const aprNum = Number(c.apr);
  return `<td class="cell${c.stale ? " stale" : ""}" data-venue="${esc(venue)}" data-apr="${
    esc(c.apr)
  }" data-hourly-rate="${esc(c.hourly_rate)}" style="background:${rateColour(aprNum)}">` +
    `<span class="apr">${pct(c.apr, 2)} <abbr title="annualised">APR</abbr></span>` +
    `<span class="hourly">${pct(c.hourly_rate, 4)}/h${
      c.settled_hourly_rate ? " <small>predicted</small>" : ""
    }</span>` +
    (c.settled_hourly_rate
      ? `<span class="meta settled" data-settled-hourly-rate="${
        esc(c.settled_hourly_rate)
      }">last settled ${pct(c.settled_hourly_rate, 4)}/h${
        c.settled_at
          ? ` at <time datetime="${esc(c.settled_at)}">${
            esc(c.settled_at.slice(11, 16))
          } UTC</time>`
          : ""
      }</span>`
      : "") +
    `<span class="meta">every ${c.interval_hours}h<span class="per-interval"> · ${
      pct(c.rate, 4)
    }/interval</span></span>` +
    (next === undefined
      ? `<span class="meta">next settlement unknown</span>`
      : `<span class="meta"><time datetime="${esc(c.next_funding_time)}" data-next="${next}">${
        countdown(next - now)
      }</time></span>`) +
    (c.stale ? `<span class="badge bad">STALE · ${ago(c.age_seconds)} old</span>` : "") +
    `</td>`;
}

/**
 * The rates grid: symbols × venues, sortable by the best cross-venue gap, filterable.
 *
 * @param input Rates, venues, filters.
 * @returns The page's main content.
 */
export function gridPage(input: GridInput): string {
  const text = input.text.toUpperCase();
  const rows: GridRow[] = [];
  for (const [symbol, cells] of Object.entries(input.data)) {
    if (text && !symbol.includes(text)) continue;
    if (!input.shown.some((v) => cells[v])) continue;
    rows.push({ symbol, cells, gap: gapOf(cells, input.shown) });
  }
  const sort = input.sort;
  rows.sort((a, b) => {
    if (sort === "symbol") return a.symbol.localeCompare(b.symbol);
    if (input.venues.includes(sort)) {
      const av = a.cells[sort] ? Number(a.cells[sort].apr) : -Infinity;
      const bv = b.cells[sort] ? Number(b.cells[sort].apr) : -Infinity;
      return bv - av || a.symbol.localeCompare(b.symbol);
    }
    const ag = a.gap?.hourly ?? new Decimal(-1);
    const bg = b.gap?.hourly ?? new Decimal(-1);
    return bg.comparedTo(ag) || a.symbol.localeCompare(b.symbol);
  });
  const checkboxes = input.venues.map((v) =>
    `<label><input type="checkbox" name="venue" value="${esc(v)}"${
      input.shown.includes(v) ? " checked" : ""
    }> ${esc(v)}</label>`
  ).join("");
  const sortHead = (key: string, label: string, cls = "") =>
    `<th scope="col"${cls}${
      sort === key ? ` aria-sort="${key === "symbol" ? "ascending" : "descending"}"` : ""
    }><a href="${esc(gridHref(input, key))}">${label}${
      sort === key ? (key === "symbol" ? " ▲" : " ▼") : ""
    }</a></th>`;
  const head = `<tr>${sortHead("symbol", "Symbol", ' class="text"')}${
    input.shown.map((v) => sortHead(v, esc(v))).join("")
  }${sortHead("gap", "Best gap")}</tr>`;
  const body = rows.map((r) =>
    `<tr data-symbol="${esc(r.symbol)}"><th scope="row">${esc(r.symbol)}</th>${
      input.shown.map((v) => rateCell(v, r.cells[v], input.now)).join("")
    }<td class="gap" data-gap-hourly="${r.gap ? r.gap.hourly.toString() : ""}">${
      r.gap
        ? `<strong>${pct(r.gap.hourly.times(8760).toString(), 2)} APR</strong>` +
          `<span class="meta">long ${esc(r.gap.low)} · short ${esc(r.gap.high)}</span>`
        : `<span class="muted">–</span>`
    }</td></tr>`
  ).join("");
  return `<h1>Funding rates</h1>
<form class="filters" method="get" action="/" data-autosubmit role="search" aria-label="Filter rates">
<label>Symbol contains <input type="search" name="q" value="${esc(input.text)}" size="10"></label>
<fieldset><legend>Venues</legend>${checkboxes}</fieldset>
<input type="hidden" name="sort" value="${esc(sort)}">
<button type="submit">Apply</button></form>
<p class="legend"><span><span class="swatch" style="background:${
    rateColour(0.5)
  }"></span>positive: longs pay shorts</span>
<span><span class="swatch" style="background:${
    rateColour(-0.5)
  }"></span>negative: shorts pay longs</span>
<span>deeper colour = larger APR · rates normalised per hour, APR = hourly × 8760 · where a venue reports both, the predicted rate comes first and the last settled one beneath · dashed outline = <span class="badge bad">STALE</span></span></p>
<p class="muted">${rows.length} symbols · sorted by ${
    sort === "gap" ? "best cross-venue gap (fresh rates only)" : esc(sort)
  }</p>
<div class="scroll" tabindex="0" role="region" aria-label="Funding rates table"><table id="rates-grid"><caption class="muted">Funding rate per venue: APR, rate per hour, interval, countdown to the next settlement</caption>
<thead>${head}</thead><tbody>${
    body || `<tr><td class="empty" colspan="${input.shown.length + 2}">No rates match.</td></tr>`
  }</tbody></table></div>`;
}

// ---------------------------------------------------------------------------------------------
// Opportunities

/** A leg of the API's opportunity view. */
export interface LegView {
  dex: string;
  rate: string;
  interval_hours: number;
  hourly_rate: string;
  apr: string;
  fee: string;
  volume_24h_usd: string | null;
  open_interest_usd: string | null;
}

/** The API's opportunity view (`/api/v1/opportunities`). */
export interface OpportunityView {
  symbol: string;
  long: LegView;
  short: LegView;
  gross_apr: string;
  fee_mode: string;
  round_trip_fee: string;
  hold_hours: string;
  net_apr: string;
  net_return_over_hold: string;
  break_even_hours: string;
  persisted_hours: number | null;
  stability_7d?: {
    hours: number;
    paid_share: number;
    sign_changes: number;
    mean_hourly_spread: number;
  } | null;
}

/** What the opportunities page shows. */
export interface OpportunitiesInput {
  /** The API's answer, or its error message. */
  result: { opportunities: OpportunityView[]; total_count: number } | { error: string };
  /** The query as given (form values). */
  form: Record<string, string>;
  /** Every venue. */
  venues: readonly string[];
}

function legCell(l: LegView): string {
  return `<td class="text"><strong>${esc(l.dex)}</strong> ${pct(l.hourly_rate, 4)}/h` +
    `<span class="meta">${pct(l.apr, 2)} APR · every ${l.interval_hours}h</span>` +
    `<span class="meta">vol ${usd(l.volume_24h_usd)} · OI ${usd(l.open_interest_usd)}</span></td>`;
}

/**
 * The opportunities: net APR over the chosen horizon, break-even, fees, age, stability.
 *
 * @param input The API's answer and the form.
 * @returns The page's main content.
 */
export function opportunitiesPage(input: OpportunitiesInput): string {
  const f = input.form;
  const hold = f.hold_hours ?? "24";
  const feeMode = f.fee_mode ?? "taker";
  const presets = ["8", "24", "72", "168", "720"].map((h) => `<option value="${h}"></option>`)
    .join("");
  const whitelist = (f.whitelist_dexes ?? "").split(",").filter(Boolean);
  const venueBoxes = input.venues.map((v) =>
    `<label><input type="checkbox" name="venue" value="${esc(v)}"${
      whitelist.length === 0 || whitelist.includes(v) ? " checked" : ""
    }> ${esc(v)}</label>`
  ).join("");
  const form =
    `<form class="filters" method="get" action="/opportunities" data-autosubmit aria-label="Opportunity filters">
<label>Holding horizon (hours) <input type="number" id="hold-hours" name="hold_hours" min="1" max="87600" step="any" value="${
      esc(hold)
    }" list="hold-presets"><datalist id="hold-presets">${presets}</datalist></label>
<label>Fees <select name="fee_mode">${
      ["taker", "maker"].map((m) =>
        `<option value="${m}"${m === feeMode ? " selected" : ""}>${m} (all four fills)</option>`
      ).join("")
    }</select></label>
<label>Symbol <input type="search" name="symbol" value="${esc(f.symbol ?? "")}" size="8"></label>
<label>Min net APR (fraction) <input type="text" inputmode="decimal" name="min_net_apr" value="${
      esc(f.min_net_apr ?? "")
    }" size="6"></label>
<label>Min 24 h volume (USD) <input type="text" inputmode="decimal" name="min_volume" value="${
      esc(f.min_volume ?? "")
    }" size="9"></label>
<label>Max spread (bps) <input type="text" inputmode="decimal" name="max_spread" value="${
      esc(f.max_spread ?? "")
    }" size="5"></label>
<fieldset><legend>Venues</legend>${venueBoxes}</fieldset>
<button type="submit">Apply</button></form>`;
  if ("error" in input.result) {
    return `<h1>Opportunities</h1>${form}<p class="alert" role="alert">${
      esc(input.result.error)
    }</p>`;
  }
  const rows = input.result.opportunities.map((o, i) => {
    const st = o.stability_7d;
    return `<tr data-symbol="${esc(o.symbol)}" data-long="${esc(o.long.dex)}" data-short="${
      esc(o.short.dex)
    }" data-net-apr="${esc(o.net_apr)}"><td>${i + 1}</td><th scope="row">${esc(o.symbol)}</th>${
      legCell(o.long)
    }${legCell(o.short)}<td>${pct(o.gross_apr, 2)}</td>` +
      `<td class="net"><strong>${pct(o.net_apr, 2)}</strong><span class="meta">${
        pct(o.net_return_over_hold, 3)
      } over ${esc(o.hold_hours)} h</span></td>` +
      `<td class="breakeven">${esc(new Decimal(o.break_even_hours).toFixed(1))} h</td>` +
      `<td class="text">${esc(o.fee_mode)}: long ${pct(o.long.fee, 4)} · short ${
        pct(o.short.fee, 4)
      }<span class="meta">round trip ${pct(o.round_trip_fee, 4)}</span></td>` +
      `<td>${o.persisted_hours === null ? "–" : ago(Math.round(o.persisted_hours * 3600))}</td>` +
      `<td class="text">${
        st
          ? `<strong>${Math.round(st.paid_share * 100)} %</strong> of ${st.hours} h paid` +
            `<span class="meta">${st.sign_changes} sign change${
              st.sign_changes === 1 ? "" : "s"
            } · mean ${pct(String(st.mean_hourly_spread * 8760), 1)} APR</span>`
          : `<span class="muted">no history</span>`
      }</td></tr>`;
  }).join("");
  return `<h1>Opportunities</h1>${form}
<p class="muted">${input.result.total_count} opportunities · long the lower hourly rate, short the higher · net APR = gross − round-trip fees amortised over ${
    esc(hold)
  } h · stability = share of the last 7 days' hours in which this direction paid</p>
<div class="scroll" tabindex="0" role="region" aria-label="Opportunities table"><table id="opportunities"><thead><tr><th scope="col">#</th><th scope="col" class="text">Symbol</th><th scope="col" class="text">Long leg</th><th scope="col" class="text">Short leg</th><th scope="col">Gross APR</th><th scope="col">Net APR</th><th scope="col">Break-even</th><th scope="col" class="text">Fees assumed</th><th scope="col">Alive</th><th scope="col" class="text">Stability 7 d</th></tr></thead>
<tbody>${
    rows || `<tr><td class="empty" colspan="10">No opportunity matches the filters.</td></tr>`
  }</tbody></table></div>`;
}

// ---------------------------------------------------------------------------------------------
// History

/** The chart endpoint's answer (`/api/v1/history/chart/{symbol}`). */
export interface ChartView {
  symbol: string;
  start: number;
  end: number;
  venues: Record<string, {
    hourly_rate: ChartPoint[];
    cumulative_long: ChartPoint[];
    cumulative_short: ChartPoint[];
  }>;
  spread: { dex1: string; dex2: string; points: ChartPoint[] } | null;
}

const COLOURS = ["#0b57d0", "#b3261e", "#1e7d32", "#7b1fa2", "#8a5a00", "#00838f"];

interface Line {
  name: string;
  colour: string;
  dashed?: boolean;
  points: ChartPoint[];
}

function chart(id: string, title: string, lines: Line[], start: number, end: number): string {
  const W = 1000;
  const H = 300;
  const L = 104;
  const B = 24;
  let lo = Infinity;
  let hi = -Infinity;
  for (const l of lines) {
    for (const [, v] of l.points) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  if (!Number.isFinite(lo)) {
    return `<figure class="chart" id="${id}"><figcaption><strong>${
      esc(title)
    }</strong></figcaption><p class="muted">No data in this window.</p></figure>`;
  }
  lo = Math.min(lo, 0);
  hi = Math.max(hi, 0);
  if (hi === lo) hi = lo + 1e-9;
  const x = (t: number) => L + ((t - start) / Math.max(1, end - start)) * (W - L - 8);
  const y = (v: number) => 8 + (1 - (v - lo) / (hi - lo)) * (H - B - 16);
  const label = (v: number) => `${(v * 100).toPrecision(3)} %`;
  const paths =
    lines.map((l) =>
      `<polyline class="series" data-series="${
        esc(l.name)
      }" data-points="${l.points.length}" fill="none" stroke="${l.colour}" stroke-width="2"${
        l.dashed ? ' stroke-dasharray="6 4"' : ""
      } points="${l.points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(" ")}"/>`
    ).join("") + lines.filter((l) =>
      l.points.length > 0 && l.points.length <= 3
    ).map((l) =>
      l.points.map(([t, v]) =>
        `<circle cx="${x(t).toFixed(1)}" cy="${y(v).toFixed(1)}" r="5" fill="${l.colour}"/>`
      ).join("")
    ).join("");
  const date = (t: number) => new Date(t).toISOString().slice(0, 16).replace("T", " ");
  const keys = lines.map((l) =>
    `<span><span class="key" style="background:${l.colour}${
      l.dashed ? ";opacity:.6" : ""
    }"></span>${esc(l.name)} (${l.points.length} points, last ${
      l.points.length ? label(l.points[l.points.length - 1][1]) : "–"
    })</span>`
  ).join("");
  return `<figure class="chart" id="${id}"><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${
    esc(title)
  }">
<line x1="${L}" x2="${W - 8}" y1="${y(0).toFixed(1)}" y2="${
    y(0).toFixed(1)
  }" stroke="#999" stroke-dasharray="2 3"/>
<text x="4" y="14" font-size="13">${label(hi)}</text>
<text x="4" y="${H - B}" font-size="13">${label(lo)}</text>
<text x="${L}" y="${H - 6}" font-size="13">${date(start)} UTC</text>
<text x="${W - 8}" y="${H - 6}" text-anchor="end" font-size="13">${date(end)} UTC</text>
${paths}</svg><figcaption><strong>${esc(title)}</strong> ${keys}</figcaption></figure>`;
}

/**
 * The three history charts (rates, cumulative funding, spread) of one chart answer.
 *
 * @param view The chart endpoint's answer.
 * @returns The charts' HTML.
 */
export function historyCharts(view: ChartView): string {
  const names = Object.keys(view.venues);
  const rates = names.map((v, i) => ({
    name: `${v} hourly rate`,
    colour: COLOURS[i % COLOURS.length],
    points: view.venues[v].hourly_rate,
  }));
  const cumulative = names.flatMap((v, i) => [
    {
      name: `${v} short`,
      colour: COLOURS[i % COLOURS.length],
      points: view.venues[v].cumulative_short,
    },
    {
      name: `${v} long`,
      colour: COLOURS[i % COLOURS.length],
      dashed: true,
      points: view.venues[v].cumulative_long,
    },
  ]);
  const spread = view.spread
    ? chart(
      "chart-spread",
      `Hourly spread: ${view.spread.dex2} − ${view.spread.dex1} (fraction per hour)`,
      [{
        name: `${view.spread.dex2} − ${view.spread.dex1}`,
        colour: "#333",
        points: view.spread.points,
      }],
      view.start,
      view.end,
    )
    : `<p class="muted">Choose two venues to see their spread.</p>`;
  return chart(
    "chart-rates",
    `${view.symbol}: hourly-normalised funding rate per venue`,
    rates,
    view.start,
    view.end,
  ) +
    chart(
      "chart-cumulative",
      `${view.symbol}: cumulative funding of one unit of notional (short solid, long dashed; positive = received)`,
      cumulative,
      view.start,
      view.end,
    ) + spread;
}

/** What the history page shows. */
export interface HistoryInput {
  /** Symbols to choose from. */
  symbols: readonly string[];
  /** Venues. */
  venues: readonly string[];
  /** The chosen symbol, period, venue pair and point count. */
  form: { symbol: string; period: string; dex1: string; dex2: string; points?: string };
  /** The charts' HTML or an error. */
  charts: string | { error: string };
}

/**
 * The history page: symbol, window and venue pair controls, then the charts.
 *
 * @param input Choices and charts.
 * @returns The page's main content.
 */
export function historyPage(input: HistoryInput): string {
  const f = input.form;
  const options = (values: readonly string[], chosen: string, blank?: string) =>
    (blank === undefined ? "" : `<option value="">${blank}</option>`) +
    values.map((v) =>
      `<option value="${esc(v)}"${v === chosen ? " selected" : ""}>${esc(v)}</option>`
    )
      .join("");
  const periods = ["24h", "7d", "30d", "all"].map((p) =>
    `<option value="${p}"${p === f.period ? " selected" : ""}>${
      p === "all" ? "all kept" : p
    }</option>`
  ).join("");
  return `<h1>History</h1>
<form class="filters" method="get" action="/history" data-autosubmit aria-label="History choices">
<label>Symbol <select name="symbol">${options(input.symbols, f.symbol)}</select></label>
<label>Window <select name="period">${periods}</select></label>
<label>Spread venue A <select name="dex1">${options(input.venues, f.dex1, "none")}</select></label>
<label>Spread venue B <select name="dex2">${options(input.venues, f.dex2, "none")}</select></label>
${f.points ? `<input type="hidden" name="points" value="${esc(f.points)}">` : ""}
<button type="submit">Show</button></form>
<p class="muted">Averaged on the server to the chart's width; rates are fractions per hour.</p>
<div id="charts">${
    typeof input.charts === "string"
      ? input.charts
      : `<p class="alert" role="alert">${esc(input.charts.error)}</p>`
  }</div>`;
}

// ---------------------------------------------------------------------------------------------
// Health

/** One venue of `/api/v1/health`. */
export interface VenueHealthView {
  dex_name: string;
  is_healthy: boolean;
  last_successful_fetch: string | null;
  time_since_fetch_seconds: number | null;
  consecutive_errors: number;
  last_error: string | null;
  last_collection: { started_at: string; status: string; duration_ms: number } | null;
  latency_ms: number | null;
  failures_24h: number;
  data_age_seconds: number | null;
}

/** `/api/v1/health`'s answer. */
export interface HealthView {
  status: string;
  network: string | null;
  database: { connected: boolean; kind: string; location: string | null };
  collector: { running: boolean; interval_seconds: number } | null;
  dex_health: VenueHealthView[];
  data_freshness: { latest_update: string | null; total_rates: number };
}

/**
 * The health page: one row per venue, the store, the collector.
 *
 * @param h The health answer.
 * @returns The page's main content.
 */
export function healthPage(h: HealthView): string {
  const rows = h.dex_health.map((v) =>
    `<tr data-venue="${esc(v.dex_name)}" data-healthy="${v.is_healthy}"><th scope="row">${
      esc(v.dex_name)
    }</th><td class="text">${
      v.is_healthy ? `<span class="badge ok">OK</span>` : `<span class="badge bad">FAILING</span>`
    }</td><td>${
      v.last_collection
        ? `${esc(v.last_collection.status)}, ${
          esc(v.last_collection.started_at.slice(11, 19))
        } UTC` +
          `<span class="meta">took ${v.last_collection.duration_ms} ms</span>`
        : "none"
    }</td><td>${
      v.latency_ms === null ? "–" : `${v.latency_ms} ms`
    }</td><td class="failures">${v.failures_24h}</td><td>${
      v.data_age_seconds === null ? "no data" : ago(v.data_age_seconds)
    }</td><td>${v.consecutive_errors}</td><td class="text">${
      v.last_error ? esc(v.last_error) : `<span class="muted">–</span>`
    }</td></tr>`
  ).join("");
  return `<h1>Health: <span data-status="${esc(h.status)}">${esc(h.status)}</span></h1>
<div class="scroll" tabindex="0" role="region" aria-label="Venue health table"><table id="venue-health"><thead><tr><th scope="col" class="text">Venue</th><th scope="col" class="text">State</th><th scope="col">Last collection</th><th scope="col">Latency</th><th scope="col">Failures 24 h</th><th scope="col">Data age</th><th scope="col">Errors in a row</th><th scope="col" class="text">Last error</th></tr></thead>
<tbody>${rows}</tbody></table></div>
<h2>Service</h2><dl class="facts">
<dt>Network</dt><dd>${esc(h.network ?? "unknown")}${
    h.network === "sim" ? " — simulated replicas" : ""
  }</dd>
<dt>Store</dt><dd id="store">${esc(h.database.kind)}${
    h.database.location ? ` · ${esc(h.database.location)}` : ""
  } · ${h.database.connected ? "connected" : `<strong class="badge bad">unreachable</strong>`}</dd>
<dt>Collector</dt><dd>${
    h.collector
      ? `every ${h.collector.interval_seconds} s${h.collector.running ? " · collecting now" : ""}`
      : "not running in this process"
  }</dd>
<dt>Rates held</dt><dd>${h.data_freshness.total_rates} · latest ${
    esc(h.data_freshness.latest_update ?? "never")
  }</dd></dl>`;
}
