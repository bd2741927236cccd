import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";
import { Decimal, type ExchangeEvent } from "../base.ts";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { runBot } from "./bot.ts";
import { gridOptions } from "../tests/_bot.ts";
import { botStatusHandler, BotStatusTracker, serveBotStatus } from "./status_server.ts";

const T0 = Date.UTC(2026, 0, 1);

function fill(id: string, side: "buy" | "sell", size: string, price: string, fee: string) {
  return {
    type: "fill",
    fill: {
      venue: "grvt",
      symbol: "BTC",
      tradeId: id,
      orderId: id,
      clientOrderId: `c${id}`,
      side,
      price: new Decimal(price),
      size: new Decimal(size),
      fee: new Decimal(fee),
      liquidity: "maker",
      timestamp: T0,
    },
  } as ExchangeEvent;
}

function funding(amount: string): ExchangeEvent {
  return {
    type: "funding",
    payment: {
      venue: "grvt",
      symbol: "BTC",
      time: T0,
      amount: new Decimal(amount),
      rate: new Decimal("0.0001"),
      positionSize: new Decimal("0.01"),
    },
  };
}

Deno.test("status: PnL split by average entry, through a flip, fees and funding, duplicates dropped", () => {
  const t = new BotStatusTracker({
    strategy: "grid",
    network: "sim",
    clients: [],
    clock: new ManualClock(T0),
  });
  t.record(fill("1", "buy", "0.02", "60000", "0.6"));
  t.record(fill("2", "buy", "0.02", "61000", "0.6"));
  t.record(fill("2", "buy", "0.02", "61000", "0.6")); // the same trade again
  // avg 60500; sell 0.03 @ 62000: +0.03 × 1500 = 45
  t.record(fill("3", "sell", "0.03", "62000", "-0.1"));
  // 0.01 left at 60500; sell 0.02 @ 59000: −15, then short 0.01 @ 59000
  t.record(fill("4", "sell", "0.02", "59000", "0.2"));
  // buy back 0.01 @ 58000: +10
  t.record(fill("5", "buy", "0.01", "58000", "0"));
  t.record(funding("1.25"));
  t.record(funding("-0.25"));
  const s = t.status();
  deepEqual(s.pnl, {
    realized: "40",
    unrealized: "0",
    fees: "1.3",
    funding: "1",
    net: "39.7",
  });
  equal(s.fills, 5);
  equal(s.events.length, 7);
  equal(s.events[0].text, "paid 0.25 on BTC at 0.0001 per interval");
  equal(s.events[2].text, "buy 0.01 BTC @ 58000 (maker, fee 0)");
  equal(s.bot.simulated, true);
});

function orderEvent(
  id: string,
  side: "buy" | "sell",
  filled: string,
  avg: string,
  createdAt: number,
) {
  return {
    type: "order",
    order: {
      venue: "grvt",
      symbol: "BTC",
      id,
      clientOrderId: `c${id}`,
      side,
      type: "limit",
      price: new Decimal(avg),
      size: new Decimal(filled),
      filledSize: new Decimal(filled),
      remainingSize: new Decimal(0),
      averageFillPrice: new Decimal(avg),
      status: "filled",
      timeInForce: "gtc",
      postOnly: true,
      reduceOnly: false,
      createdAt,
      updatedAt: createdAt,
    },
  } as ExchangeEvent;
}

Deno.test("status: a fill the stream missed is booked from the order's state (GRVT maker rate); an order from before the start is not", () => {
  const t = new BotStatusTracker({
    strategy: "funding-arbitrage",
    network: "sim",
    clients: [],
    clock: new ManualClock(T0),
  });
  // Filled before the start: already in the positions, never booked.
  t.record(orderEvent("9", "sell", "0.01", "59000", T0 - 60_000));
  // This run: buy 0.02 @ 60000 (fill event), then a sell of 0.02 @ 61000 seen only as an order.
  t.record(fill("1", "buy", "0.02", "60000", "0.6"));
  t.record(orderEvent("2", "sell", "0.02", "61000", T0 + 1_000));
  // realized 0.02 × 1000 = 20; fees 0.6 + GRVT maker −0.0001 × 1220 = 0.6 − 0.122 = 0.478.
  deepEqual(t.status().pnl, {
    realized: "20",
    unrealized: "0",
    fees: "0.478",
    fees_estimated: "-0.122",
    funding: "0",
    net: "19.522",
  });
});

Deno.test("status server: read-only, token by bearer or page cookie, never on the API by query", async () => {
  const t = new BotStatusTracker({ strategy: "grid", network: "sim", clients: [] });
  const { handle } = botStatusHandler(t, { token: "tok-123" });
  const req = (path: string, init: RequestInit = {}) =>
    handle(new Request(`http://127.0.0.1${path}`, init));
  equal((await req("/api/v1/bot")).status, 401);
  equal((await req("/api/v1/bot?token=tok-123")).status, 401);
  const authed = await req("/api/v1/bot", { headers: { authorization: "Bearer tok-123" } });
  equal(authed.status, 200);
  equal((await authed.json()).bot.network, "sim");
  equal(
    (await req("/api/v1/bot", { method: "POST", headers: { authorization: "Bearer tok-123" } }))
      .status,
    405,
  );
  const link = await req("/?token=tok-123");
  equal(link.status, 303);
  equal(link.headers.get("location"), "/");
  const page = await req("/", { headers: { cookie: "perp_token=tok-123" } });
  equal(page.status, 200);
  const html = await page.text();
  ok(html.includes("SIMULATED DATA"), "simulated banner");
  ok(html.includes('data-live-url="/api/v1/bot/events"'));
  ok(!html.includes("tok-123"), "the token is not in the page");
  await t.stop();
});

Deno.test("status server: refuses a non-loopback host without a token", async () => {
  const t = new BotStatusTracker({ strategy: "grid", network: "sim", clients: [] });
  let message = "";
  try {
    await serveBotStatus(t, { port: 0, hostname: "0.0.0.0" });
  } catch (e) {
    message = (e as Error).message;
  }
  equal(
    message,
    "serving the bot's status on 0.0.0.0 (not a loopback address) requires a bearer token",
  );
});

Deno.test("status server: a fill is pushed as a server-sent status event", async () => {
  const t = new BotStatusTracker({ strategy: "grid", network: "sim", clients: [] });
  const server = await serveBotStatus(t, { port: 0 });
  const res = await fetch(`${server.url}/api/v1/bot/events`);
  equal(res.headers.get("content-type"), "text/event-stream");
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const next = async () => {
    let buf = "";
    while (!buf.includes("event: status")) buf += (await reader.read()).value ?? "";
    while (!buf.endsWith("\n\n")) buf += (await reader.read()).value ?? "";
    return JSON.parse(/data: (.*)\n/.exec(buf)![1]);
  };
  equal((await next()).fills, 0);
  t.record(fill("9", "buy", "0.01", "60000", "0.1"));
  const pushed = await next();
  equal(pushed.fills, 1);
  equal(pushed.pnl.fees, "0.1");
  await reader.cancel();
  await server.close();
});

Deno.test("bot --status-port: the grid on the GRVT replica serves its status", async () => {
  const clock = new ManualClock(T0);
  const stop = new AbortController();
  let url = "";
  const done = runBot(
    gridOptions({ cancelOnExit: true, statusPort: 0 }),
    {
      io: { stdout: () => {}, stderr: () => {} },
      env: () => undefined,
      clock,
      signal: stop.signal,
      logDir: null,
      configureLogging: false,
      installSignalHandlers: false,
      onStatusServer: (u) => url = u,
    },
  );
  await clock.advance(5_000);
  ok(url.startsWith("http://127.0.0.1:"), url);
  const status = await (await fetch(`${url}/api/v1/bot`)).json();
  deepEqual(
    [status.bot.strategy, status.bot.venues, status.bot.symbols, status.bot.network],
    ["grid", ["grvt"], ["BTC"], "sim"],
  );
  const page = await (await fetch(`${url}/`)).text();
  ok(page.includes("Bot: grid on grvt (BTC)"), "Bots page");
  stop.abort();
  await clock.advance(30_000);
  equal(await done, 0);
  let refused = false;
  try {
    await fetch(`${url}/ping`);
  } catch {
    refused = true;
  }
  equal(refused, true, "the status server stops with the bot");
});
