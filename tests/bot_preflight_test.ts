/**
 * The grid bot's pre-trade checks: the rules (`strategies/preflight.ts`) with literal limits,
 * and `deno run cli.ts bot` as a user runs it on the local replicas: each refusal is one line
 * naming the flag and the limit, exit 2.
 */
import { deepStrictEqual as deepEqual, match, ok, strictEqual as equal } from "node:assert/strict";
import { Decimal, type Market } from "../base.ts";
import { preflightGrid } from "../strategies/preflight.ts";

const d = (s: string) => new Decimal(s);
const market = (over: Partial<Market> = {}): Market => ({
  venue: "edgex",
  symbol: "BTC",
  venueSymbol: "BTCUSD",
  venueId: 1,
  baseAsset: "BTC",
  quoteAsset: "USD",
  tickSize: d("0.1"),
  sizeStep: d("0.001"),
  minSize: d("0.001"),
  minNotional: d("0"),
  fundingIntervalHours: 4,
  ...over,
});
const quote = { bid: d("63999.9"), ask: d("64000.1") };
const balance = { available: d("1000"), asset: "USD" };

Deno.test("preflight: EdgeX's default take-profit (0.02 %) is below two maker fees of 0.015 %: refused, or a warning with --force", () => {
  const r = preflightGrid({
    market: market({ makerFee: d("0.00015") }),
    quantity: "0.01",
    takeProfit: "0.02",
  });
  deepEqual(r.errors, [
    "--take-profit 0.02 % is at or below the round-trip fee of 0.03 % on edgex (maker fee 0.015 % " +
    "each way): every round trip loses 0.01 %; raise --take-profit above 0.03 or pass --force",
  ]);
  const forced = preflightGrid({
    market: market({ makerFee: d("0.00015") }),
    quantity: "0.01",
    takeProfit: "0.02",
    force: true,
  });
  deepEqual(forced.errors, []);
  equal(forced.warnings.length, 1);
  // Exactly at the fee is zero net: refused too.
  equal(
    preflightGrid({
      market: market({ makerFee: d("0.00015") }),
      quantity: "0.01",
      takeProfit: "0.03",
    }).errors.length,
    1,
  );
  // Without a fee from the market, the configured table (EdgeX maker 0.015 %) applies.
  equal(preflightGrid({ market: market(), quantity: "0.01", takeProfit: "0.02" }).errors.length, 1);
});

Deno.test("preflight: a take-profit above the fee but eaten half by it warns; a GRVT rebate never refuses", () => {
  const thin = preflightGrid({
    market: market({ makerFee: d("0.00015") }),
    quantity: "0.01",
    takeProfit: "0.05",
  });
  deepEqual(thin.errors, []);
  deepEqual(thin.warnings, [
    "--take-profit 0.05 % keeps 0.02 % after the round-trip fee of 0.03 % on edgex: fees take half of it or more",
  ]);
  const grvt = preflightGrid({
    market: market({ venue: "grvt", makerFee: d("-0.0001") }),
    quantity: "0.01",
    takeProfit: "0.001",
  });
  deepEqual([grvt.errors, grvt.warnings], [[], []]);
});

Deno.test("preflight: a take-profit above 10 % is refused without --force", () => {
  const r = preflightGrid({
    market: market({ venue: "lighter", makerFee: d("0") }),
    quantity: "0.01",
    takeProfit: "50",
  });
  deepEqual(r.errors, [
    "--take-profit 50 % is above 10 % (it is a percent: 0.02 means 0.02 %); pass --force if meant",
  ]);
  equal(
    preflightGrid({ market: market({ makerFee: d("0") }), quantity: "0.01", takeProfit: "10" })
      .errors.length,
    0,
  );
});

Deno.test("preflight: size off the step, below the minimum, below the minimum notional", () => {
  const m = market({ makerFee: d("0"), minNotional: d("10") });
  deepEqual(preflightGrid({ market: m, quantity: "0.0015", takeProfit: "0.1" }).errors, [
    "--quantity 0.0015 does not fit BTC on edgex: it must be a multiple of 0.001",
  ]);
  deepEqual(
    preflightGrid({
      market: market({ makerFee: d("0"), minSize: d("0.01") }),
      quantity: "0.005",
      takeProfit: "0.1",
    }).errors,
    [
      "--quantity 0.005 is below the minimum size of BTC on edgex: at least 0.01",
    ],
  );
  deepEqual(
    preflightGrid({ market: m, quantity: "0.0001", takeProfit: "0.1", quote }).errors.slice(-1),
    [
      "--quantity 0.0001 is worth 6.40 USD at 64000, below the minimum order value of BTC on edgex: 10",
    ],
  );
});

Deno.test("preflight: one order's margin at the leverage must fit the available balance", () => {
  const m = market({ makerFee: d("0"), maxLeverage: d("20") });
  // 0.3 × 64000 = 19200 / 20 = 960 ≤ 1000: fits; 0.4 → 1280 > 1000: refused.
  deepEqual(
    preflightGrid({ market: m, quantity: "0.3", takeProfit: "0.1", quote, balance }).errors,
    [],
  );
  deepEqual(
    preflightGrid({ market: m, quantity: "0.4", takeProfit: "0.1", quote, balance }).errors,
    [
      "--quantity 0.4 needs 1280.00 USD of margin (25600.00 at 64000, leverage 20), more than the " +
      "1000.00 available: at most about 0.312 BTC",
    ],
  );
  // The position's own leverage wins over the market's largest.
  equal(
    preflightGrid({
      market: m,
      quantity: "0.3",
      takeProfit: "0.1",
      quote,
      balance,
      leverage: d("10"),
    }).errors.length,
    1,
  );
});

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const cwd = await Deno.makeTempDir();
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--config",
        new URL("../deno.json", import.meta.url).pathname,
        new URL("../cli.ts", import.meta.url).pathname,
        "bot",
        ...args,
      ],
      cwd,
      env: { NO_COLOR: "1", PERP_LOG_LEVEL: "", LOG_LEVEL: "" },
      stdout: "piped",
      stderr: "piped",
      // A bot that starts instead of refusing is killed: the exit code then says so.
      signal: AbortSignal.timeout(30_000),
    }).output();
    const dec = new TextDecoder();
    return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
}

Deno.test("perp bot on EdgeX with the default take-profit refuses with one line, exit 2; --force starts", async () => {
  const refused = await cli([
    "--exchange",
    "edgex",
    "--network",
    "sim",
    "--ticker",
    "BTC",
    "--quantity",
    "0.01",
  ]);
  equal(refused.code, 2, refused.stderr);
  const errors = refused.stderr.split("\n").filter((l) => l.startsWith("error: "));
  deepEqual(errors, [
    "error: --take-profit 0.02 % is at or below the round-trip fee of 0.03 % on edgex (maker fee " +
    "0.015 % each way): every round trip loses 0.01 %; raise --take-profit above 0.03 or pass --force",
  ]);
  // --force: a warning, then the bot runs (the stop price stops it at once: exit 0).
  const forced = await cli([
    "--exchange",
    "edgex",
    "--network",
    "sim",
    "--ticker",
    "BTC",
    "--quantity",
    "0.01",
    "--force",
    "--stop-price",
    "1000",
  ]);
  equal(forced.code, 0, forced.stderr);
  match(
    forced.stderr,
    /WARNING.*--take-profit 0\.02 % is at or below the round-trip fee.*--force: trading anyway/,
  );
});

for (const direction of ["buy", "sell"]) {
  Deno.test(`perp bot --quantity 1000000000 (${direction}) is refused naming --quantity and the margin, exit 2`, async () => {
    const r = await cli([
      "--exchange",
      "grvt",
      "--network",
      "sim",
      "--ticker",
      "BTC",
      "--direction",
      direction,
      "--quantity",
      "1000000000",
    ]);
    equal(r.code, 2, r.stderr);
    const errors = r.stderr.split("\n").filter((l) => l.startsWith("error: "));
    equal(errors.length, 1, r.stderr);
    match(
      errors[0],
      /^error: --quantity 1000000000 needs [\d.]+ USDT? of margin .* more than the [\d.]+ available: at most about [\d.]+ BTC$/,
    );
  });
}

Deno.test("perp bot --take-profit 50 is refused naming --take-profit and the 10 % limit, exit 2", async () => {
  const r = await cli([
    "--exchange",
    "lighter",
    "--network",
    "sim",
    "--ticker",
    "BTC",
    "--quantity",
    "0.01",
    "--take-profit",
    "50",
  ]);
  equal(r.code, 2, r.stderr);
  const errors = r.stderr.split("\n").filter((l) => l.startsWith("error: "));
  deepEqual(errors, [
    "error: --take-profit 50 % is above 10 % (it is a percent: 0.02 means 0.02 %); pass --force if meant",
  ]);
  ok(!r.stderr.includes("Grid started"), r.stderr);
});
