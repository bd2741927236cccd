/**
 * `runBot()` as `deno task bot` runs it: notifications over real HTTP to a local server, the
 * trade and activity logs on disk, one-line errors with the documented exit codes.
 */
import assert from "node:assert/strict";
import { resetLogging } from "../helpers/logging.ts";
import { type BotOptions, runBot } from "../strategies/bot.ts";
import { gridOptions } from "./_bot.ts";

const TG_TOKEN = "987654:bot-run-test-telegram-token";
const LARK_TOKEN = "bot-run-test-lark-token";

const options = (over: Partial<BotOptions> = {}) => gridOptions({ exchange: "grvt", ...over });

async function run(over: Partial<BotOptions>, env: Record<string, string> = {}) {
  let stderr = "";
  const logDir = await Deno.makeTempDir();
  try {
    const code = await runBot(options(over), {
      io: { stdout: () => {}, stderr: (t) => (stderr += t) },
      env: (n) => env[n],
      logDir,
      installSignalHandlers: false,
    });
    const files: Record<string, string> = {};
    for await (const f of Deno.readDir(logDir)) {
      files[f.name] = await Deno.readTextFile(`${logDir}/${f.name}`);
    }
    return { code, stderr, files };
  } finally {
    await resetLogging();
    await Deno.remove(logDir, { recursive: true });
  }
}

Deno.test("runBot: the stop price stops at once; Telegram and Lark get start and stop-price messages", async () => {
  const seen: { path: string; body: Record<string, unknown> }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    seen.push({ path: new URL(req.url).pathname, body: await req.json() });
    return Response.json(req.url.includes("/bot") ? { ok: true } : { code: 0 });
  });
  const base = `http://127.0.0.1:${server.addr.port}`;
  try {
    // Buy grid, stop when the ask is at or above 1000: the BTC ask (~64000) already is.
    const r = await run({ stopPrice: "1000" }, {
      TELEGRAM_BOT_TOKEN: TG_TOKEN,
      TELEGRAM_CHAT_ID: "5550001",
      TELEGRAM_BASE_URL: base,
      LARK_TOKEN,
      LARK_BASE_URL: base,
    });
    assert.equal(r.code, 0, r.stderr);
    const telegram = seen.filter((s) => s.path === `/bot${TG_TOKEN}/sendMessage`);
    const lark = seen.filter((s) => s.path === `/flow/api/trigger-webhook/${LARK_TOKEN}`);
    assert.equal(telegram.length, 2);
    assert.equal(lark.length, 2);
    assert.ok(telegram.every((t) => t.body.chat_id === "5550001"));
    assert.match(String(telegram[0].body.text), /^\[SIM\] INFO: \[GRVT_BTC\] Grid bot started/);
    assert.match(String(telegram[1].body.text), /Stopped trading due to stop price triggered/);
    assert.deepEqual(lark[1].body, { msg_type: "text", content: { text: telegram[1].body.text } });
    assert.match(r.stderr, /Stop price 1000 triggered/);
    const activity = r.files["grvt-sim_BTC_activity.log"];
    assert.match(activity, /Grid started on grvt/);
    // INFO by default: DEBUG lines only with --log-level debug.
    assert.ok(!/ DEBUG /.test(activity), activity);
    for (const text of [r.stderr, activity]) {
      assert.ok(!text.includes(TG_TOKEN) && !text.includes(LARK_TOKEN));
    }
  } finally {
    await server.shutdown();
  }
});

Deno.test("runBot: --dry-run (an alias of paper trading) sends nothing to the venue", async () => {
  const stop = new AbortController();
  let stderr = "";
  const logDir = await Deno.makeTempDir();
  try {
    const done = runBot(options({ dryRun: true, network: "sim", exchange: "lighter" }), {
      io: { stdout: () => {}, stderr: (t) => (stderr += t) },
      env: () => undefined,
      logDir,
      installSignalHandlers: false,
      signal: stop.signal,
      onConnected: (venue) => {
        // Stop once the first paper order is logged; nothing reached the venue.
        const deadline = Date.now() + 30_000;
        const check = setInterval(() => {
          if (!stderr.includes("[OPEN]") && Date.now() < deadline) return;
          clearInterval(check);
          assert.equal(venue.sim!.openOrderCount(), 0);
          stop.abort();
        }, 5);
      },
    });
    assert.equal(await done, 0);
    assert.match(stderr, /--dry-run is deprecated/);
    assert.match(stderr, /\[OPEN\] .*buy 0\.01 @ \d+(\.\d)? post-only/);
  } finally {
    await resetLogging();
    await Deno.remove(logDir, { recursive: true });
  }
});

Deno.test("runBot: the trade log gets a header and one row per placed order", async () => {
  const stop = new AbortController();
  const logDir = await Deno.makeTempDir();
  try {
    // EdgeX charges 0.015 % per maker fill: a take-profit of 0.05 % clears the round trip.
    const done = runBot(options({ exchange: "edgex", cancelOnExit: true, takeProfit: "0.05" }), {
      io: { stdout: () => {}, stderr: () => {} },
      env: (n) => (n === "ACCOUNT_NAME" ? "acct1" : undefined),
      logDir,
      installSignalHandlers: false,
      configureLogging: false,
      signal: stop.signal,
      onConnected: (venue) => {
        const check = setInterval(() => {
          if (venue.sim!.openOrderCount() === 0) return;
          clearInterval(check);
          stop.abort();
        }, 5);
      },
    });
    assert.equal(await done, 0);
    const csv = await Deno.readTextFile(`${logDir}/edgex-sim_BTC_acct1_orders.csv`);
    const [header, first] = csv.trim().split("\n");
    assert.equal(
      header,
      "timestamp_utc,run_id,network,strategy,venue,symbol,client_order_id,order_id,kind,side," +
        "size,price,status,fee,realized_pnl",
    );
    assert.match(
      first,
      /^\d{4}-\d\d-\d\dT[\d:.]+Z,\d{8}T\d{6}Z-[0-9a-f]{6},sim,grid,edgex,BTC,\d+,\d+,open,buy,0\.01,\d+(\.\d)?,placed,,$/,
    );
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});

Deno.test("runBot: an unknown ticker or a quantity off the size step is one error line, exit 2", async () => {
  const unknown = await run({ ticker: "NOPE" });
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^error: .*NOPE.*\n$/m);
  const off = await run({ quantity: "0.0015" });
  assert.equal(off.code, 2);
  assert.match(
    off.stderr,
    /error: --quantity 0\.0015 does not fit BTC on grvt: it must be a multiple of 0\.001/,
  );
});

Deno.test("runBot: missing credentials on a live network are one line naming the variables, exit 2", async () => {
  const grvt = await run({ network: "mainnet", exchange: "grvt" });
  assert.equal(grvt.code, 2, grvt.stderr);
  assert.deepEqual(grvt.stderr.split("\n").filter((l) => l.startsWith("error: ")), [
    "error: Missing grvt credentials: set GRVT_API_KEY, GRVT_PRIVATE_KEY, " +
    "GRVT_TRADING_ACCOUNT_ID (in the --env-file or the environment), or use --network sim for " +
    "the local replica",
  ]);
  assert.ok(!/ERROR/.test(grvt.stderr), grvt.stderr);
  const edgex = await run({ network: "mainnet", exchange: "edgex" });
  assert.equal(edgex.code, 2, edgex.stderr);
  assert.match(edgex.stderr, /^error: .*EDGEX_ACCOUNT_ID, EDGEX_API_KEY/m);
  const testnet = await run({ network: "testnet", exchange: "edgex" });
  assert.equal(testnet.code, 2);
  assert.match(testnet.stderr, /^error: EdgeX publishes no V2 testnet/m);
});
