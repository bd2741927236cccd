/**
 * The dashboard's routes on the funding API's hono app: `/` (rates grid), `/opportunities`,
 * `/history` (+ `/history/charts`, the charts alone, which the page's script requests at the
 * screen's width), `/health` and the two static assets. Each page reads the API in-process
 * (`/api/v1/…`), so what a page shows is exactly what the API answers. Pages never write.
 *
 * @module
 */
import type { Hono } from "hono";
import { DASHBOARD_CSS, DASHBOARD_JS } from "./assets.ts";
import { type BotListEntry, botListPage } from "./bot_list.ts";
import {
  type ChartView,
  esc,
  FUNDING_PAGES,
  gridPage,
  healthPage,
  type HealthView,
  historyCharts,
  historyPage,
  layout,
  opportunitiesPage,
  type OpportunityView,
  type PageFrame,
  type PageName,
  type RateView,
} from "./pages.ts";

/** What the dashboard needs from the API. */
export interface DashboardDeps {
  /** Answers an API request in-process (path under `/api/v1`). */
  api(path: string): Promise<Response>;
  /** Venues collected, in column order. */
  venues: readonly string[];
  /** Network label. */
  network: string;
  /** Clock. */
  now(): number;
  /** Seconds between page data refreshes in the browser. */
  refreshSeconds: number;
  /** Whether bots are configured: the Bots page joins the navigation. @default {false} */
  bots?: boolean;
  /**
   * Every rate as `/api/v1/funding-rates` answers it, without the JSON round trip; `version`
   * changes whenever the data does (a new snapshot or a new second), so the grid's HTML is
   * reused until then. @default {the in-process API}
   */
  rates?: () => Promise<{ data: Record<string, Record<string, RateView>>; version: object }>;
}

const OPPORTUNITY_FORM = [
  "hold_hours",
  "fee_mode",
  "symbol",
  "min_net_apr",
  "min_volume",
  "min_oi",
  "max_oi",
  "max_spread",
  "sort_by",
  "limit",
] as const;

/**
 * Adds the dashboard's routes to the app.
 *
 * @param app The API's hono app.
 * @param deps The in-process API and labels.
 */
export function mountDashboard(app: Hono, deps: DashboardDeps): void {
  const frame: PageFrame = {
    network: deps.network,
    refreshSeconds: deps.refreshSeconds,
    ...(deps.bots ? { pages: [...FUNDING_PAGES, "bots"] as PageName[] } : {}),
  };
  const html = (body: string, status = 200) =>
    new Response(body, {
      status,
      headers: {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "content-security-policy":
          "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'",
      },
    });
  const json = async <T>(
    path: string,
  ): Promise<{ ok: true; body: T } | { ok: false; error: string }> => {
    const res = await deps.api(path);
    const body = await res.json();
    if (res.ok) return { ok: true, body: body as T };
    return { ok: false, error: String((body as { message?: string }).message ?? res.statusText) };
  };
  const asset = (body: string, type: string) =>
    new Response(body, {
      headers: {
        "content-type": type,
        "cache-control": "max-age=300",
        "x-content-type-options": "nosniff",
      },
    });

  app.get("/assets/dashboard.css", () => asset(DASHBOARD_CSS, "text/css; charset=utf-8"));
  app.get("/assets/dashboard.js", () => asset(DASHBOARD_JS, "text/javascript; charset=utf-8"));

  // The rendered grid per query, for one version of the data (see `DashboardDeps.rates`).
  let gridCache: { version: object; pages: Map<string, string> } | undefined;
  const gridRates = async (): Promise<
    | { ok: true; body: { data: Record<string, Record<string, RateView>> }; version?: object }
    | { ok: false; error: string }
  > => {
    if (!deps.rates) return await json("/funding-rates");
    try {
      const r = await deps.rates();
      return { ok: true, body: { data: r.data }, version: r.version };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  };

  app.get("/", async (c) => {
    const rates = await gridRates();
    const key = new URL(c.req.url).search;
    if (rates.ok && rates.version !== undefined) {
      if (gridCache?.version !== rates.version) {
        gridCache = { version: rates.version, pages: new Map() };
      }
      let page = gridCache.pages.get(key);
      if (page === undefined) {
        page = grid(c.req.url, rates);
        if (gridCache.pages.size >= 32) gridCache.pages.clear();
        gridCache.pages.set(key, page);
      }
      return html(page);
    }
    return html(grid(c.req.url, rates), rates.ok ? 200 : 503);
  });

  const grid = (
    href: string,
    rates: { ok: true; body: { data: Record<string, Record<string, RateView>> } } | {
      ok: false;
      error: string;
    },
  ): string => {
    const url = new URL(href);
    const chosen = url.searchParams.getAll("venue").map((v) => v.toLowerCase());
    const shown = deps.venues.filter((v) => chosen.length === 0 || chosen.includes(v));
    const sortParam = url.searchParams.get("sort") ?? "gap";
    const sort = sortParam === "symbol" || deps.venues.includes(sortParam) ? sortParam : "gap";
    const body = rates.ok
      ? gridPage({
        data: rates.body.data,
        venues: deps.venues,
        shown: shown.length ? shown : deps.venues,
        text: (url.searchParams.get("q") ?? "").trim().slice(0, 30),
        sort,
        now: deps.now(),
      })
      : `<h1>Funding rates</h1><p class="alert" role="alert">${esc(rates.error)}</p>`;
    return layout("rates", "Funding rates", body, frame);
  };

  app.get("/opportunities", async (c) => {
    const url = new URL(c.req.url);
    const form: Record<string, string> = {};
    const q = new URLSearchParams();
    for (const key of OPPORTUNITY_FORM) {
      const v = url.searchParams.get(key)?.trim();
      if (v) {
        form[key] = v;
        q.set(key, v);
      }
    }
    const chosen = url.searchParams.getAll("venue").map((v) => v.toLowerCase())
      .filter((v) => deps.venues.includes(v));
    if (chosen.length > 0 && chosen.length < deps.venues.length) {
      form.whitelist_dexes = chosen.join(",");
      q.set("whitelist_dexes", form.whitelist_dexes);
    }
    if (!q.has("limit")) q.set("limit", "50");
    q.set("include_stability", "true");
    const res = await json<{ opportunities: OpportunityView[]; total_count: number }>(
      `/opportunities?${q}`,
    );
    const body = opportunitiesPage({
      result: res.ok ? res.body : { error: res.error },
      form,
      venues: deps.venues,
    });
    return html(layout("opportunities", "Opportunities", body, frame), res.ok ? 200 : 400);
  });

  const chartsFor = async (url: URL, symbols: readonly string[]) => {
    const symbol = (url.searchParams.get("symbol") ?? symbols[0] ?? "").toUpperCase();
    const periodParam = url.searchParams.get("period") ?? "7d";
    const period = ["24h", "7d", "30d", "all"].includes(periodParam) ? periodParam : "7d";
    const pick = (name: string) => {
      const v = (url.searchParams.get(name) ?? "").toLowerCase();
      return deps.venues.includes(v) ? v : "";
    };
    const form = { symbol, period, dex1: pick("dex1"), dex2: pick("dex2") } as {
      symbol: string;
      period: string;
      dex1: string;
      dex2: string;
      points?: string;
    };
    const points = url.searchParams.get("points");
    if (points && /^\d{1,4}$/.test(points)) form.points = points;
    if (!symbol) return { form, charts: { error: "No symbol has been collected yet." } };
    const q = new URLSearchParams({ period });
    if (form.points) q.set("points", form.points);
    if (form.dex1 && form.dex2 && form.dex1 !== form.dex2) {
      q.set("dex1", form.dex1);
      q.set("dex2", form.dex2);
    }
    const res = await json<ChartView>(`/history/chart/${encodeURIComponent(symbol)}?${q}`);
    return { form, charts: res.ok ? historyCharts(res.body) : { error: res.error } };
  };

  const symbolsOf = async () => {
    const rates = await json<{ data: Record<string, unknown> }>("/funding-rates");
    return rates.ok ? Object.keys(rates.body.data).sort() : [];
  };

  app.get("/history", async (c) => {
    const symbols = await symbolsOf();
    const { form, charts } = await chartsFor(new URL(c.req.url), symbols);
    const body = historyPage({ symbols, venues: deps.venues, form, charts });
    return html(layout("history", `History ${form.symbol}`, body, frame));
  });

  app.get("/history/charts", async (c) => {
    const { charts } = await chartsFor(new URL(c.req.url), await symbolsOf());
    return typeof charts === "string"
      ? html(charts)
      : html(`<p class="alert" role="alert">${esc(charts.error)}</p>`, 400);
  });

  app.get("/bots", async () => {
    const list = await json<{ bots: BotListEntry[] }>("/bots");
    const body = list.ok
      ? botListPage(list.body.bots, deps.now())
      : `<h1>Bots</h1><p class="alert" role="alert">${esc(list.error)}</p>`;
    return html(
      layout("bots", "Bots", body, { ...frame, refreshSeconds: 0, liveUrl: "/api/v1/bots/events" }),
      list.ok ? 200 : 503,
    );
  });

  app.get("/health", async () => {
    const res = await deps.api("/health");
    const body = healthPage(await res.json() as HealthView);
    return html(layout("health", "Health", body, frame));
  });
}
