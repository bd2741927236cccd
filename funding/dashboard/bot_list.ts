/**
 * Running bots listed under `funding serve`: the service is told where each bot's status server
 * listens (`funding serve --bot http://127.0.0.1:8101,http://127.0.0.1:8102`, the addresses the
 * bots were started with `--status-port`) and reads each one's `GET /api/v1/bot` when the Bots
 * page or `GET /api/v1/bots` is asked for; `GET /api/v1/bots/events` relays the bots'
 * server-sent events, so the page updates when any bot changes, without a reload.
 *
 * Why addresses rather than bots announcing themselves in the store: a grid bot has no store,
 * bots and the service may run on different machines with different stores, and the service
 * stays read-only (nothing writes to it or through it). The same rules as every other page
 * hold: GET only, the service's bearer token on a non-loopback host, and no secret in a page —
 * a bot address is shown as its origin only (user, password, path and query dropped). A bot
 * that needs a token of its own is read with the one given in its address
 * (`http://:TOKEN@host:port`), which is never shown.
 *
 * @module
 */
import { botsPage, type BotStatusView } from "./bots.ts";
import { esc } from "./pages.ts";
import { Decimal } from "../../core/decimal.ts";

/** One configured bot as `GET /api/v1/bots` answers it. */
export interface BotListEntry {
  /** The bot's status server, origin only (`http://127.0.0.1:8101`). */
  url: string;
  /** Whether it answered. */
  reachable: boolean;
  /** Why it did not. */
  error: string | null;
  /** Its status, when it answered. */
  status: BotStatusView | null;
}

/** A configured bot address, parsed once. */
export interface BotTarget {
  /** Origin shown on pages. */
  origin: string;
  /** Headers for the bot (its bearer token, when the address carries one). */
  headers: Record<string, string>;
}

/**
 * Parses bot addresses (`http(s)://[:token@]host:port`).
 *
 * @param urls The addresses.
 * @returns One target per address.
 * @throws {RangeError} On an address that is not an http(s) URL.
 *
 * @example
 * ```ts
 * import { botTargets } from "./bot_list.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 * deepEqual(botTargets(["http://:s3cret@127.0.0.1:8101/x"]), [
 *   { origin: "http://127.0.0.1:8101", headers: { authorization: "Bearer s3cret" } },
 * ]);
 * ```
 */
export function botTargets(urls: readonly string[]): BotTarget[] {
  return urls.map((raw): BotTarget => {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      throw new RangeError(`a bot address must be an http:// URL such as http://127.0.0.1:8101`);
    }
    if (u.protocol !== "http:" && u.protocol !== "https:") {
      throw new RangeError(`a bot address must be an http:// URL such as http://127.0.0.1:8101`);
    }
    const token = decodeURIComponent(u.password || u.username);
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    return { origin: u.origin, headers };
  });
}

/**
 * Reads every bot's status at once, each bounded by `timeoutMs`.
 *
 * @param targets The bots.
 * @param options Timeout and fetch (tests).
 * @returns One entry per bot, in order; an unreachable bot is an entry with its error.
 *
 * @example
 * ```ts
 * import { botTargets, fetchBotStatuses } from "./bot_list.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const [entry] = await fetchBotStatuses(botTargets(["http://127.0.0.1:9"]), {
 *   fetch: () => Promise.reject(new TypeError("connection refused")),
 * });
 * equal(entry.reachable, false);
 * ```
 */
export async function fetchBotStatuses(
  targets: readonly BotTarget[],
  options: { timeoutMs?: number; fetch?: typeof fetch } = {},
): Promise<BotListEntry[]> {
  const get = options.fetch ?? fetch;
  return await Promise.all(targets.map(async (t): Promise<BotListEntry> => {
    try {
      const res = await get(`${t.origin}/api/v1/bot`, {
        headers: t.headers,
        signal: AbortSignal.timeout(options.timeoutMs ?? 2_000),
      });
      if (!res.ok) {
        await res.body?.cancel();
        return { url: t.origin, reachable: false, error: `HTTP ${res.status}`, status: null };
      }
      const status = await res.json() as BotStatusView;
      if (!status?.bot?.strategy) throw new TypeError("not a bot status answer");
      return { url: t.origin, reachable: true, error: null, status };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return {
        url: t.origin,
        reachable: false,
        error: message.split("\n")[0].slice(0, 200),
        status: null,
      };
    }
  }));
}

const signed = (v: string) => {
  const d = new Decimal(new Decimal(v).toFixed(2));
  return d.isZero() ? "0.00" : `${d.isNegative() ? "" : "+"}${d.toFixed(2)}`;
};

/**
 * The Bots page of `funding serve`: a summary row per bot, then each bot's own panel.
 *
 * @param entries The bots' statuses.
 * @param now Now, ms.
 * @returns The page's main content.
 *
 * @example
 * ```ts
 * import { botListPage } from "./bot_list.ts";
 * import { ok } from "node:assert/strict";
 * ok(botListPage([], 0).includes("No bot is configured"));
 * ```
 */
export function botListPage(entries: readonly BotListEntry[], now: number): string {
  if (entries.length === 0) {
    return `<h1>Bots</h1><p class="muted">No bot is configured. Start a bot with ` +
      `<code>--status-port 8101</code> and this service with ` +
      `<code>funding serve --bot http://127.0.0.1:8101</code>.</p>`;
  }
  const rows = entries.map((e, i) => {
    const s = e.status;
    if (!s) {
      return `<tr data-bot="${esc(e.url)}" data-reachable="false"><th scope="row">${
        esc(e.url)
      }</th><td class="text" colspan="6"><span class="badge bad">UNREACHABLE</span> ${
        esc(e.error ?? "")
      }</td></tr>`;
    }
    return `<tr data-bot="${
      esc(e.url)
    }" data-reachable="true"><th scope="row"><a href="#bot-${i}">${
      esc(e.url)
    }</a></th><td class="text">${esc(s.bot.strategy)} on ${esc(s.bot.venues.join(" + "))}</td>` +
      `<td class="text" data-network="${esc(s.bot.network)}">${esc(s.bot.network)}${
        s.bot.simulated ? " (simulated)" : ""
      }</td><td class="text">${esc(s.bot.state)}</td><td class="pnl-net">${
        esc(signed(s.pnl.net))
      }</td><td class="positions">${s.positions.length}</td><td class="orders">${s.open_orders.length}</td></tr>`;
  }).join("");
  const panels = entries.map((e, i) =>
    e.status
      ? `<section class="bot" id="bot-${i}" aria-label="Bot at ${esc(e.url)}">${
        botsPage(e.status, now).replace(/ id="[^"]*"/g, "")
      }</section>`
      : ""
  ).join("\n");
  return `<h1>Bots (${entries.length})</h1>
<p class="muted"><span id="live-state">live updates: server-sent events</span></p>
<div class="scroll" tabindex="0" role="region" aria-label="Bots table"><table id="bot-list"><thead><tr><th scope="col" class="text">Status server</th><th scope="col" class="text">Strategy</th><th scope="col" class="text">Network</th><th scope="col" class="text">State</th><th scope="col">Net PnL</th><th scope="col">Positions</th><th scope="col">Open orders</th></tr></thead><tbody>${rows}</tbody></table></div>
${panels}`;
}

/**
 * Relays the bots' server-sent events: one `status` event (no data) whenever any bot reports a
 * change, so a page reloads its content; keep-alive comments every 15 s.
 *
 * @param targets The bots.
 * @param options Fetch (tests).
 * @returns The event-stream response.
 *
 * @example
 * ```ts
 * import { relayBotEvents } from "./bot_list.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const res = relayBotEvents([]);
 * equal(res.headers.get("content-type"), "text/event-stream");
 * await res.body?.cancel();
 * ```
 */
export function relayBotEvents(
  targets: readonly BotTarget[],
  options: { fetch?: typeof fetch } = {},
): Response {
  const get = options.fetch ?? fetch;
  const encoder = new TextEncoder();
  const stop = new AbortController();
  let ping: ReturnType<typeof setInterval> | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stop.abort();
        }
      };
      send("retry: 2000\n\n");
      ping = setInterval(() => send(": keep-alive\n\n"), 15_000);
      for (const t of targets) {
        void (async () => {
          while (!stop.signal.aborted) {
            try {
              const res = await get(`${t.origin}/api/v1/bot/events`, {
                headers: t.headers,
                signal: stop.signal,
              });
              const reader = res.body?.pipeThrough(new TextDecoderStream()).getReader();
              if (!reader) throw new TypeError("no event stream");
              let buffer = "";
              for (;;) {
                const { value, done } = await reader.read();
                if (done) break;
                buffer += value;
                let cut: number;
                while ((cut = buffer.indexOf("\n\n")) >= 0) {
                  const event = buffer.slice(0, cut);
                  buffer = buffer.slice(cut + 2);
                  if (/^event: status$/m.test(event)) send("event: status\ndata: {}\n\n");
                }
              }
            } catch {
              // unreachable or closed: try again shortly
            }
            if (stop.signal.aborted) break;
            await new Promise<void>((resolve) => {
              const id = setTimeout(resolve, 2_000);
              stop.signal.addEventListener("abort", () => {
                clearTimeout(id);
                resolve();
              }, { once: true });
            });
          }
        })();
      }
    },
    cancel() {
      stop.abort();
      clearInterval(ping);
    },
  });
  stop.signal.addEventListener("abort", () => clearInterval(ping), { once: true });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
