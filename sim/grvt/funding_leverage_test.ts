/**
 * The replica's account risk surface over plain HTTP: funding settled every 8 h on the UTC
 * boundaries and served by `funding_payment_history` with GRVT's sign ("positive if paid"),
 * the positions' `cumulative_realized_funding_payment` and `est_liquidation_price`, and the
 * leverage endpoints. Expected values are worked out by hand from the notes (grvt.md §4.2,
 * §5) and written as literals.
 */
// The plain names are loose in Deno's node:assert/strict (1 equals "1"); use the strict ones.
import { deepStrictEqual as deepEqual, strictEqual as equal } from "node:assert/strict";
import { Decimal } from "../../core/decimal.ts";
import { ManualClock } from "../../exchanges/_shared/clock.ts";
import { type GrvtReplica, startGrvtReplica } from "./replica.ts";

type Json = Record<string, unknown>;

const BTC = "BTC_USDT_Perp";
/** 2026-01-05 01:00 UTC: the next GRVT settlement is 08:00 UTC. */
const START = Date.UTC(2026, 0, 5, 1);
const HOUR = 3_600_000;

interface Session {
  replica: GrvtReplica;
  account: string;
  headers: Record<string, string>;
}

/**
 * A replica with 1000 USDT of collateral, BTC at 64000, a scripted funding rate, and the test
 * account holding 0.1 BTC long (`buy`) or short (`sell`), bought or sold at 64000 as taker.
 */
async function start(side: "buy" | "sell" | undefined, rate = "0.0001"): Promise<Session> {
  const replica = startGrvtReplica({
    clock: new ManualClock(START),
    collateral: "1000",
    // Longer than the 1-day API-key session, so one login lasts the whole test.
    sessionLifetimeMs: 7 * 24 * HOUR,
  });
  await replica.control.setPrice("BTC", new Decimal("64000"));
  await replica.control.setFundingRate("BTC", new Decimal(rate));
  const account = replica.credentials.tradingAccountId;
  if (side !== undefined) {
    await replica.control.placeCounterOrder({
      symbol: "BTC",
      side: side === "buy" ? "sell" : "buy",
      price: new Decimal("64000"),
      size: new Decimal("0.1"),
    });
    replica.engine.placeOrder(account, { symbol: BTC, side, price: "64000", size: "0.1" });
  }
  const login = await fetch(`${replica.hosts.edgeUrl}/auth/api_key/login`, {
    method: "POST",
    body: JSON.stringify({ api_key: replica.credentials.apiKey }),
  });
  await login.body?.cancel();
  const headers = {
    cookie: login.headers.getSetCookie()[0].split(";")[0],
    "X-Grvt-Account-Id": account,
  };
  return { replica, account, headers };
}

async function td(
  s: Session,
  endpoint: string,
  body: Json,
): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${s.replica.hosts.tradesUrl}/full/v1/${endpoint}`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: s.headers,
  });
  return { status: res.status, body: await res.json() as Json };
}

async function position(s: Session): Promise<Json> {
  const { body } = await td(s, "positions", { sub_account_id: s.account });
  return (body.result as Json[]).find((p) => p.instrument === BTC)!;
}

Deno.test("replica: funding settles at 08:00 UTC with GRVT's sign, on the position and the history", async () => {
  // 0.1 BTC × 64000 × 0.0001 = 0.64 USDT per settlement; "positive if paid" (grvt.md §5).
  const cases: [side: "buy" | "sell", rate: string, venueAmount: string, credited: string][] = [
    ["buy", "0.0001", "0.64", "-0.64"], // a long pays a positive rate
    ["sell", "0.0001", "-0.64", "0.64"], // a short receives it
    ["buy", "-0.0001", "-0.64", "0.64"], // a long receives a negative rate
    ["sell", "-0.0001", "0.64", "-0.64"], // a short pays it
  ];
  for (const [side, rate, venueAmount, credited] of cases) {
    const s = await start(side, rate);
    await using _ = s.replica;
    const what = `${side} at ${rate}`;
    const equityBefore = await s.replica.control.equity();
    await s.replica.control.advance(6 * HOUR); // 07:00: nothing settled yet
    let history = await td(s, "funding_payment_history", { sub_account_id: s.account });
    deepEqual(history.body, { result: [], next: "" }, what);
    equal((await position(s)).cumulative_realized_funding_payment, "0.0", what);

    await s.replica.control.advance(HOUR); // 08:00 UTC
    history = await td(s, "funding_payment_history", { sub_account_id: s.account });
    deepEqual(history.body, {
      result: [{
        event_time: "1767600000000000000", // 2026-01-05T08:00:00Z in ns
        sub_account_id: s.account,
        instrument: BTC,
        currency: "USDT",
        amount: venueAmount,
        tx_id: "1767600000000000",
      }],
      next: "",
    }, what);
    equal((await position(s)).cumulative_realized_funding_payment, venueAmount, what);
    // The engine credited the account: truth in the unified sign, equity moved by it.
    const truth = await s.replica.control.fundingPayments("BTC");
    deepEqual(
      truth.map((p) => [p.time, p.amount.toString(), p.rate.toString(), p.positionSize.toString()]),
      [[1767600000000, credited, rate, side === "buy" ? "0.1" : "-0.1"]],
      what,
    );
    equal(
      (await s.replica.control.equity()).minus(equityBefore).toString(),
      credited,
      what,
    );
  }
});

Deno.test("replica: funding_payment_history pages newest first with limit, cursor and times", async () => {
  const s = await start("buy");
  await using _ = s.replica;
  await s.replica.control.advance(31 * HOUR); // 08:00, 16:00, 00:00, 08:00
  const times = (b: Json) => (b.result as Json[]).map((r) => r.event_time);
  const page1 = await td(s, "funding_payment_history", { sub_account_id: s.account, limit: 3 });
  deepEqual(times(page1.body), [
    "1767686400000000000", // 06 08:00
    "1767657600000000000", // 06 00:00
    "1767628800000000000", // 05 16:00
  ]);
  equal(page1.body.next, "3");
  const page2 = await td(s, "funding_payment_history", {
    sub_account_id: s.account,
    limit: 3,
    cursor: "3",
  });
  deepEqual(times(page2.body), ["1767600000000000000"]);
  equal(page2.body.next, "");
  const window = await td(s, "funding_payment_history", {
    sub_account_id: s.account,
    start_time: "1767628800000000000",
    end_time: "1767657600000000000",
  });
  deepEqual(times(window.body), ["1767657600000000000", "1767628800000000000"]);
  const otherMarket = await td(s, "funding_payment_history", {
    sub_account_id: s.account,
    instrument: "ETH_USDT_Perp",
  });
  deepEqual(otherMarket.body, { result: [], next: "" });
  const byBase = await td(s, "funding_payment_history", {
    sub_account_id: s.account,
    kind: ["PERPETUAL"],
    base: ["ETH"],
  });
  deepEqual(byBase.body, { result: [], next: "" });
  const unknown = await td(s, "funding_payment_history", {
    sub_account_id: s.account,
    instrument: "DOGE_USDT_Perp",
  });
  deepEqual([unknown.status, unknown.body.code], [400, 3000]);
});

Deno.test("replica: est_liquidation_price is where equity meets the maintenance margin", async () => {
  // Taker fee 0.00045 × 6400 = 2.88 → equity 997.12; maintenance fraction 1 / (2 × 50) = 0.01.
  // Long: P = (997.12 − 6400) / −(0.1 × 0.99) = 54574.5454545454…
  // Short: P = (−997.12 − 6400) / (−0.1 × 1.01) = 73238.8118811881…
  for (
    const [side, expected] of [["buy", "54574.545454545"], ["sell", "73238.811881188"]] as const
  ) {
    const s = await start(side);
    await using _ = s.replica;
    const p = await position(s);
    equal(p.est_liquidation_price, expected, side);
    equal(p.leverage, "50.0", side);
  }
  const flat = await start("buy");
  await using _ = flat.replica;
  // Far from liquidation when the collateral covers the whole position: no price.
  flat.replica.engine.deposit(flat.account, "10000");
  equal((await position(flat)).est_liquidation_price, "0.0");
});

Deno.test("replica: set_initial_leverage sets the leverage in [1, 50], else 2100", async () => {
  const s = await start("buy");
  await using _ = s.replica;
  const set = (leverage: unknown, instrument: unknown = BTC) =>
    td(s, "set_initial_leverage", { sub_account_id: s.account, instrument, leverage });
  deepEqual(await set("10"), { status: 200, body: { success: true } });
  equal((await position(s)).leverage, "10.0");
  equal((await s.replica.control.leverage("BTC")).toString(), "10");
  const all = await td(s, "get_all_initial_leverage", { sub_account_id: s.account });
  deepEqual((all.body.results as Json[]).find((r) => r.instrument === BTC), {
    instrument: BTC,
    leverage: "10.0",
    min_leverage: "1.0",
    max_leverage: "50.0",
    margin_type: "CROSS",
  });
  for (const bad of ["51", "0", "-3", "0.5"]) {
    const r = await set(bad);
    deepEqual(
      [r.status, r.body.code, r.body.message],
      [400, 2100, "Invalid initial leverage"],
      bad,
    );
  }
  deepEqual([(await set(10)).body.code, (await set("ten")).body.code], [1003, 1003]);
  equal((await set("10", "DOGE_USDT_Perp")).body.code, 3000);
  const foreign = await td(s, "set_initial_leverage", {
    sub_account_id: "1",
    instrument: BTC,
    leverage: "10",
  });
  deepEqual([foreign.status, foreign.body.code], [403, 1001]);
  equal((await s.replica.control.leverage("BTC")).toString(), "10");
});
