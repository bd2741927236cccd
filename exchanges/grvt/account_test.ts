/**
 * The GRVT client's account risk surface: funding payments (`funding_payment_history`, GRVT's
 * "positive if paid" turned into "positive if received"), positions and balance with what the
 * venue reports of their risk, and `setLeverage`. First against a scripted venue (documented
 * and live payloads from grvt.md, expected values written by hand), then end to end against
 * the replica, checked against the engine's truth.
 */
// The plain names are loose in Deno's node:assert/strict (1 equals "1"); use the strict ones.
import {
  deepStrictEqual as deepEqual,
  ok,
  rejects,
  strictEqual as equal,
} from "node:assert/strict";
import { Decimal } from "../../core/decimal.ts";
import { ConfigurationError, MalformedPayloadError } from "../../core/errors.ts";
import type { FundingPayment, Position } from "../../base.ts";
import { ManualClock } from "../_shared/clock.ts";
import { startGrvtReplica } from "../../sim/grvt/mod.ts";
import { GRVTClient } from "./client.ts";
import { FAKE_ACCOUNT, FakeGrvt } from "./_fakes_test.ts";
import { testdataUrl } from "../../tests/_testdata.ts";

type Json = Record<string, unknown>;

const FIXTURES = testdataUrl("fixtures/grvt/");

/** The documented full-encoding example with this label. */
async function docExample(name: string, label: string): Promise<Json> {
  const f = JSON.parse(await Deno.readTextFile(new URL(`${name}.json`, FIXTURES)));
  return (f.examples as { label: string; value: Json }[]).find((e) => e.label === label)!.value;
}

/** A `funding_payment_history` row. */
function row(amount: string, eventTime: string, txId: string, instrument = "BTC_USDT_Perp"): Json {
  return {
    event_time: eventTime,
    sub_account_id: FAKE_ACCOUNT,
    instrument,
    currency: "USDT",
    amount,
    tx_id: txId,
  };
}

const plain = (p: FundingPayment) => ({
  venue: p.venue,
  symbol: p.symbol,
  time: p.time,
  amount: p.amount.toString(),
  rate: p.rate,
  positionSize: p.positionSize,
  id: p.id,
});

Deno.test("funding payments: the documented row, amount 'positive if paid' → paid = negative", async () => {
  const venue = new FakeGrvt();
  const doc = await docExample("full_v1_funding_payment_history", "Full Response");
  venue.rest.set("full/v1/funding_payment_history", () => ({ ...doc, next: "" }));
  await using client = new GRVTClient(venue.options());
  const payments = await venue.settle(client.getFundingPayments());
  deepEqual(payments.map(plain), [{
    venue: "grvt",
    symbol: "BTC",
    time: 1697788800000,
    amount: "-9.75",
    rate: undefined,
    positionSize: undefined,
    id: "BTC_USDT_Perp:209358",
  }]);
});

Deno.test("funding payments: paid and received in both directions, with the venue's signs", async () => {
  const venue = new FakeGrvt();
  venue.rest.set("full/v1/funding_payment_history", () => ({
    result: [
      row("-0.25", "1765296000004987902", "74150427"), // received (a short at a positive rate)
      row("0.033862", "1765267200004987902", "74150426"), // paid (a long at a positive rate)
    ],
    next: "",
  }));
  await using client = new GRVTClient(venue.options());
  const payments = await venue.settle(client.getFundingPayments({ symbol: "BTC" }));
  // Oldest first; the unified amount is positive when received.
  deepEqual(payments.map((p) => [p.time, p.amount.toString()]), [
    [1765267200004, "-0.033862"],
    [1765296000004, "0.25"],
  ]);
});

Deno.test("funding payments: pages followed by cursor, duplicates dropped, filters sent", async () => {
  const venue = new FakeGrvt();
  const pages: Record<string, unknown> = {
    "": {
      result: [
        row("1.5", "1767686400000000000", "30"),
        row("-2.0", "1767657600000000000", "20"),
        row("9.0", "1767657600000000000", "21", "DOGE_USDT_Perp"), // a market the client lacks
      ],
      next: "p2",
    },
    p2: {
      result: [
        row("-2.0", "1767657600000000000", "20"), // the same payment again
        row("0.5", "1767628800000000000", "10"),
      ],
      next: "",
    },
  };
  venue.rest.set("full/v1/funding_payment_history", (b) => pages[b.cursor as string]);
  await using client = new GRVTClient(venue.options());
  const payments = await venue.settle(client.getFundingPayments({
    symbol: "BTC",
    start: 1767628800000,
    end: 1767686400000,
  }));
  deepEqual(payments.map((p) => [p.time, p.amount.toString(), p.id]), [
    [1767628800000, "-0.5", "BTC_USDT_Perp:10"],
    [1767657600000, "2", "BTC_USDT_Perp:20"],
    [1767686400000, "-1.5", "BTC_USDT_Perp:30"],
  ]);
  const sent = venue.requests.filter((r) => r.endpoint === "full/v1/funding_payment_history");
  deepEqual(sent.map((r) => r.body), [
    {
      sub_account_id: FAKE_ACCOUNT,
      instrument: "BTC_USDT_Perp",
      start_time: "1767628800000000000",
      end_time: "1767686400000000000",
      limit: 1000,
      cursor: "",
    },
    {
      sub_account_id: FAKE_ACCOUNT,
      instrument: "BTC_USDT_Perp",
      start_time: "1767628800000000000",
      end_time: "1767686400000000000",
      limit: 1000,
      cursor: "p2",
    },
  ]);
});

Deno.test("funding payments: limit keeps the newest, stops paging, and is validated", async () => {
  const venue = new FakeGrvt();
  venue.rest.set("full/v1/funding_payment_history", (b) => ({
    result: [row("1.0", "1767686400000000000", "30"), row("2.0", "1767657600000000000", "20")],
    next: b.cursor === "" ? "more" : "",
  }));
  await using client = new GRVTClient(venue.options());
  const payments = await venue.settle(client.getFundingPayments({ limit: 1 }));
  deepEqual(payments.map((p) => p.id), ["BTC_USDT_Perp:30"]);
  equal(venue.count("full/v1/funding_payment_history"), 1);
  equal(venue.requests[0].body.limit, 1);
  deepEqual(venue.requests[0].body.kind, ["PERPETUAL"]);
  for (const bad of [{ limit: 0 }, { limit: 1.5 }, { start: -1 }, { start: 10, end: 5 }]) {
    await rejects(client.getFundingPayments(bad), ConfigurationError, JSON.stringify(bad));
  }
});

Deno.test("funding payments: a row the schema refuses is a MalformedPayloadError naming the field", async () => {
  const broken: [Json, string][] = [
    [{ ...row("1.0", "1767686400000000000", "30"), amount: 1 }, "result.0.amount"],
    [{ ...row("1.0", "1767686400000000000", "30"), tx_id: "0xab" }, "result.0.tx_id"],
    [
      { ...row("1.0", "1767686400000000000", "30"), event_time: "yesterday" },
      "result.0.event_time",
    ],
  ];
  for (const [bad, field] of broken) {
    const venue = new FakeGrvt();
    venue.rest.set("full/v1/funding_payment_history", () => ({ result: [bad], next: "" }));
    await using client = new GRVTClient(venue.options());
    await rejects(
      venue.settle(client.getFundingPayments()),
      (e: unknown) => e instanceof MalformedPayloadError && e.field === field,
      field,
    );
  }
});

const plainPosition = (p: Position) =>
  Object.fromEntries(
    Object.entries(p).map(([k, v]) => [k, v instanceof Decimal ? v.toString() : v]),
  );

Deno.test("positions carry the venue's risk fields; funding turned to positive = received", async () => {
  const venue = new FakeGrvt();
  venue.rest.set("full/v1/positions", () => ({
    result: [
      // The live position of grvt.md §4.2.3 (a long that paid 0.033862 of funding).
      {
        event_time: "1765258069092857642",
        sub_account_id: FAKE_ACCOUNT,
        instrument: "BTC_USDT_Perp",
        size: "0.001",
        notional: "89.8169",
        entry_price: "90000.0",
        exit_price: "0.0",
        mark_price: "89816.900008979",
        unrealized_pnl: "-0.183099",
        realized_pnl: "0.0",
        total_pnl: "-0.183099",
        roi: "-0.2034",
        quote_index_price: "1.00017885",
        est_liquidation_price: "77951.450008979",
        leverage: "28.0",
        cumulative_fee: "-0.00009",
        cumulative_realized_funding_payment: "0.033862",
      },
    ],
  }));
  await using client = new GRVTClient(venue.options());
  deepEqual((await venue.settle(client.getPositions())).map(plainPosition), [{
    venue: "grvt",
    symbol: "BTC",
    size: "0.001",
    entryPrice: "90000",
    markPrice: "89816.900008979",
    unrealizedPnl: "-0.183099",
    liquidationPrice: "77951.450008979",
    leverage: "28",
    cumulativeFunding: "-0.033862",
  }]);
});

Deno.test("an isolated short: margins from isolated_im / isolated_mm, funding received", async () => {
  const venue = new FakeGrvt();
  venue.rest.set("full/v1/positions", () => ({
    result: [{
      instrument: "BTC_USDT_Perp",
      size: "-0.5",
      entry_price: "64000.0",
      mark_price: "64000.0",
      est_liquidation_price: "70100.5",
      leverage: "10",
      cumulative_realized_funding_payment: "-1.6",
      margin_type: "ISOLATED",
      isolated_balance: "3300.0",
      isolated_im: "3200.0",
      isolated_mm: "160.0",
    }],
  }));
  await using client = new GRVTClient(venue.options());
  const [p] = await venue.settle(client.getPositions());
  deepEqual(
    [p.marginUsed, p.maintenanceMargin, p.cumulativeFunding, p.leverage].map(String),
    ["3200", "160", "1.6", "10"],
  );
  // A cross position reports no margins of its own: nothing is invented.
  venue.rest.set("full/v1/positions", () => ({
    result: [{
      instrument: "BTC_USDT_Perp",
      size: "-0.5",
      entry_price: "64000.0",
      margin_type: "CROSS",
      est_liquidation_price: "0.0",
      // "[IsolatedOnly]" fields (spec comment): zeros on a cross position say nothing.
      isolated_im: "0.0",
      isolated_mm: "0.0",
    }],
  }));
  const [cross] = await venue.settle(client.getPositions());
  deepEqual(
    [cross.marginUsed, cross.maintenanceMargin, cross.liquidationPrice, cross.cumulativeFunding],
    [undefined, undefined, undefined, undefined],
  );
});

Deno.test("balance: margin ratio = maintenance_margin / total_equity when reported", async () => {
  const venue = new FakeGrvt();
  venue.rest.set("full/v1/account_summary", () => ({
    result: { total_equity: "1500.0", available_balance: "900.0", maintenance_margin: "75.0" },
  }));
  await using client = new GRVTClient(venue.options());
  equal((await venue.settle(client.getBalance())).marginRatio?.toString(), "0.05");
  venue.rest.set("full/v1/account_summary", () => ({
    result: { total_equity: "15.0", available_balance: "15.0" },
  }));
  equal((await venue.settle(client.getBalance())).marginRatio, undefined);
});

/** The documented leverage table: BTC may be set within [10, 50]. */
async function leverageVenue(): Promise<FakeGrvt> {
  const venue = new FakeGrvt();
  const table = await docExample("full_v1_get_all_initial_leverage", "Full Response");
  venue.rest.set("full/v1/get_all_initial_leverage", () => table);
  venue.rest.set("full/v1/set_initial_leverage", () => ({ success: "true" }));
  return venue;
}

Deno.test("setLeverage sends the documented body after checking the account's range", async () => {
  const venue = await leverageVenue();
  await using client = new GRVTClient(venue.options());
  await venue.settle(client.setLeverage("BTC", 20));
  deepEqual(
    venue.requests.filter((r) => r.endpoint === "full/v1/set_initial_leverage").map((r) => r.body),
    [{ sub_account_id: FAKE_ACCOUNT, instrument: "BTC_USDT_Perp", leverage: "20" }],
  );
  equal((await client.getMarket("BTC")).maxLeverage?.toString(), "50");
  for (const bad of [51, 9, 0, -2, 2.5, Number.NaN]) {
    await rejects(
      venue.settle(client.setLeverage("BTC", bad)),
      (e: unknown) =>
        e instanceof ConfigurationError &&
        (bad > 0 && Number.isInteger(bad)
          ? e.message.includes("[10, 50]")
          : e.message.includes("positive integer")),
      String(bad),
    );
  }
  // Only the valid call reached the venue; the range was read once.
  equal(venue.count("full/v1/set_initial_leverage"), 1);
  equal(venue.count("full/v1/get_all_initial_leverage"), 1);
});

Deno.test("setLeverage: the venue's 2100 and success false are ConfigurationErrors", async () => {
  const venue = await leverageVenue();
  venue.rest.set(
    "full/v1/set_initial_leverage",
    () =>
      Response.json({ code: 2100, message: "Invalid initial leverage", status: 400 }, {
        status: 400,
      }),
  );
  await using client = new GRVTClient(venue.options());
  await rejects(
    venue.settle(client.setLeverage("BTC", 20)),
    (e: unknown) => e instanceof ConfigurationError && e.code === 2100,
  );
  venue.rest.set("full/v1/set_initial_leverage", () => ({ success: false }));
  await rejects(venue.settle(client.setLeverage("BTC", 20)), ConfigurationError);
});

// ---------------------------------------------------------------- against the replica

Deno.test("replica: a long pays funding at the 8 h settlement; the client reads it as the engine settled it", async () => {
  const replica = startGrvtReplica({ clock: new ManualClock(Date.now()) });
  await using client = new GRVTClient({
    environment: "sim",
    hosts: replica.hosts,
    ...replica.credentials,
    env: {},
  });
  try {
    await replica.control.setPrice("BTC", new Decimal("64000"));
    await replica.control.setFundingRate("BTC", new Decimal("0.0001"));
    await client.connect();
    await replica.control.placeCounterOrder({
      symbol: "BTC",
      side: "sell",
      price: new Decimal("64000"),
      size: new Decimal("0.01"),
    });
    const order = await client.placeOrder({
      symbol: "BTC",
      side: "buy",
      type: "limit",
      size: "0.01",
      price: "64000",
      timeInForce: "ioc",
    });
    equal(order.status, "filled");
    equal((await client.getFundingPayments()).length, 0);
    await replica.control.advance(8 * 3_600_000); // exactly one settlement on the way
    // 0.01 BTC × 64000 × 0.0001 = 0.064 paid by the long.
    const payments = await client.getFundingPayments({ symbol: "BTC" });
    deepEqual(payments.map((p) => [p.symbol, p.amount.toString()]), [["BTC", "-0.064"]]);
    const truth = await replica.control.fundingPayments("BTC");
    deepEqual(truth.map((p) => [p.time, p.amount.toString()]), [[payments[0].time, "-0.064"]]);
    ok(payments[0].time % (8 * 3_600_000) === 0, "on a 00/08/16 UTC boundary");
    const [position] = await client.getPositions();
    equal(position.cumulativeFunding?.toString(), "-0.064");

    const leverages: string[] = [];
    client.onEvent((e) => {
      if (e.type === "position" && e.position.leverage) {
        leverages.push(e.position.leverage.toString());
      }
    });
    await client.setLeverage("BTC", 10);
    equal((await replica.control.leverage("BTC")).toString(), "10");
    // The position stream publishes leverage changes (grvt.md §7.5).
    for (let i = 0; i < 100 && !leverages.includes("10"); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    ok(leverages.includes("10"), `position events: ${leverages.join(", ")}`);
    equal((await client.getPositions())[0].leverage?.toString(), "10");
    await rejects(
      client.setLeverage("BTC", 51),
      (e: unknown) => e instanceof ConfigurationError && e.message.includes("[1, 50]"),
    );
    equal((await client.getMarket("BTC")).maxLeverage?.toString(), "50");
  } finally {
    await client.disconnect();
    await replica.close();
  }
});
