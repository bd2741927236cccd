import { deepStrictEqual as deepEqual, match, ok, strictEqual as equal } from "node:assert/strict";
import type { ExchangeEvent, FundingPayment, Position } from "../../base.ts";
import { ConfigurationError, MalformedPayloadError } from "../../core/errors.ts";
import { LighterClient } from "./client.ts";
import {
  drive,
  FAKE_ACCOUNT,
  FAKE_START,
  FakeLighterVenue,
  type FakeRequest,
} from "./_fakes_test.ts";
import { testdataUrl } from "../../tests/_testdata.ts";

/** A `positionFunding` row (OpenAPI `PositionFunding`; `timestamp` in seconds). */
function row(
  fundingId: number,
  seconds: number,
  change: string,
  rate: string,
  size: string,
  side: "long" | "short",
) {
  return {
    timestamp: seconds,
    market_id: 0,
    funding_id: fundingId,
    change,
    rate,
    position_size: size,
    position_side: side,
    discount: "0.000000",
  };
}

/** Payments as plain strings, for literal comparisons. */
function plain(ps: FundingPayment[]) {
  return ps.map((p) => ({
    symbol: p.symbol,
    time: p.time,
    amount: p.amount.toString(),
    rate: p.rate?.toString(),
    positionSize: p.positionSize?.toString(),
    id: p.id,
  }));
}

const T0 = FAKE_START / 1000; // seconds

Deno.test("getFundingPayments() keeps the venue's change as the account's amount: longs pay and shorts receive at a positive rate, the reverse at a negative one", async () => {
  const venue = new FakeLighterVenue();
  venue.routes.set("/api/v1/positionFunding", () => ({
    body: {
      code: 200,
      position_fundings: [
        row(14, T0 + 3 * 3600, "-0.030000", "-0.0030", "1.0000", "short"),
        row(13, T0 + 2 * 3600, "0.050000", "-0.0050", "0.2500", "long"),
        row(12, T0 + 3600, "0.100000", "0.0100", "0.5000", "short"),
        row(11, T0, "-0.200000", "0.0100", "1.0000", "long"),
      ],
    },
  }));
  await using client = new LighterClient(venue.options());
  deepEqual(plain(await client.getFundingPayments()), [
    // Long paying at +0.01 %/h.
    {
      symbol: "ETH",
      time: FAKE_START,
      amount: "-0.2",
      rate: "0.0001",
      positionSize: "1",
      id: "0:11",
    },
    // Short receiving at +0.01 %/h.
    {
      symbol: "ETH",
      time: FAKE_START + 3_600_000,
      amount: "0.1",
      rate: "0.0001",
      positionSize: "-0.5",
      id: "0:12",
    },
    // Long receiving at −0.005 %/h.
    {
      symbol: "ETH",
      time: FAKE_START + 7_200_000,
      amount: "0.05",
      rate: "-0.00005",
      positionSize: "0.25",
      id: "0:13",
    },
    // Short paying at −0.003 %/h.
    {
      symbol: "ETH",
      time: FAKE_START + 10_800_000,
      amount: "-0.03",
      rate: "-0.00003",
      positionSize: "-1",
      id: "0:14",
    },
  ]);
});

Deno.test("getFundingPayments() sends the auth token, market and window in ms, follows next_cursor and returns the newest `limit` oldest first", async () => {
  const venue = new FakeLighterVenue();
  const seen: FakeRequest[] = [];
  venue.routes.set("/api/v1/positionFunding", (req) => {
    seen.push(req);
    const page = req.url.searchParams.get("cursor") === "p2"
      ? { position_fundings: [row(1, T0, "-0.010000", "0.0010", "1.0000", "long")] }
      : {
        position_fundings: [
          row(3, T0 + 7200, "-0.030000", "0.0030", "1.0000", "long"),
          row(2, T0 + 3600, "-0.020000", "0.0020", "1.0000", "long"),
        ],
        next_cursor: "p2",
      };
    return { body: { code: 200, ...page } };
  });
  await using client = new LighterClient(venue.options());
  const start = FAKE_START;
  const end = FAKE_START + 7_200_000;
  const all = await client.getFundingPayments({ symbol: "ETH", start, end });
  deepEqual(all.map((p) => p.id), ["0:1", "0:2", "0:3"]);
  const q = seen[0].url.searchParams;
  deepEqual(
    [
      q.get("account_index"),
      q.get("limit"),
      q.get("market_id"),
      q.get("start_timestamp"),
      q.get("end_timestamp"),
    ],
    [String(FAKE_ACCOUNT), "100", "0", String(start), String(end)],
  );
  equal(seen[1].url.searchParams.get("cursor"), "p2");
  match(
    seen[0].headers.get("authorization") ?? "",
    new RegExp(`^\\d+:${FAKE_ACCOUNT}:4:[0-9a-f]{160}$`),
  );
  equal(venue.count("/api/v1/positionFunding"), 2);
  const newest = await client.getFundingPayments({ limit: 2 });
  deepEqual(newest.map((p) => p.amount.toString()), ["-0.02", "-0.03"]);
  const windowed = await client.getFundingPayments({
    start: FAKE_START + 1,
    end: FAKE_START + 3_600_000,
  });
  deepEqual(windowed.map((p) => p.id), ["0:2"], "the window is applied to the rows too");
});

Deno.test("getFundingPayments() refuses a malformed row and a bad limit", async () => {
  const venue = new FakeLighterVenue();
  venue.routes.set("/api/v1/positionFunding", () => ({
    body: { code: 200, position_fundings: [row(1, T0, "lots", "0.0010", "1.0000", "long")] },
  }));
  await using client = new LighterClient(venue.options());
  const r = await drive(venue.clock, client.getFundingPayments());
  ok(!r.ok && r.error instanceof MalformedPayloadError, String(!r.ok && r.error));
  const bad = await drive(venue.clock, client.getFundingPayments({ limit: 0 }));
  ok(!bad.ok && bad.error instanceof ConfigurationError);
});

Deno.test("setLeverage() signs UpdateLeverage with the initial margin fraction 10000 / leverage, cross", async () => {
  const venue = new FakeLighterVenue();
  await using client = new LighterClient(venue.options());
  await client.setLeverage("ETH", 10);
  const tx = venue.requests.find((r) => r.path === "/api/v1/sendTx")!;
  equal(tx.form?.get("tx_type"), "20");
  const info = JSON.parse(String(tx.form?.get("tx_info")));
  deepEqual(
    [
      info.AccountIndex,
      info.ApiKeyIndex,
      info.MarketIndex,
      info.InitialMarginFraction,
      info.MarginMode,
      info.Nonce,
    ],
    [FAKE_ACCOUNT, 4, 0, 1000, 0, 7],
  );
  deepEqual(Object.keys(info), [
    "AccountIndex",
    "ApiKeyIndex",
    "MarketIndex",
    "InitialMarginFraction",
    "MarginMode",
    "ExpiredAt",
    "Nonce",
    "Sig",
    "L2TxAttributes",
  ]);
  // 10000 / 7 = 1428.57…: truncated to the integer field, never less margin than asked for.
  await client.setLeverage("ETH", 7);
  equal(venue.txs.at(-1)!.InitialMarginFraction, 1428);
});

Deno.test("setLeverage() refuses a leverage above the market's maximum or not a positive integer, naming the limit", async () => {
  const venue = new FakeLighterVenue();
  await using client = new LighterClient(venue.options());
  // ETH: min_initial_margin_fraction 200 → at most 50x.
  const cases = [[51, /at most 50 /], [2.5, /positive integer/], [0, /positive integer/]] as const;
  for (const [leverage, text] of cases) {
    const r = await drive(venue.clock, client.setLeverage("ETH", leverage));
    ok(!r.ok && r.error instanceof ConfigurationError, `${leverage}: ${!r.ok && r.error}`);
    match((r.error as Error).message, text);
  }
  await client.setLeverage("ETH", 50);
  equal(venue.count("/api/v1/sendTx"), 1, "refusals send nothing");
  equal(venue.txs[0].InitialMarginFraction, 200);
});

Deno.test("positions carry the reported liquidation price, leverage, margin used and funding; the balance its margin ratio", async () => {
  const venue = new FakeLighterVenue();
  // ccxt's sample position (GET_account__ccxt-with-position.json), cross margin.
  const fixture = JSON.parse(
    await Deno.readTextFile(
      testdataUrl("fixtures/lighter/GET_account__ccxt-with-position.json"),
    ),
  );
  venue.positions = [
    fixture.accounts[0].positions[0],
    {
      market_id: 0,
      symbol: "ETH",
      initial_margin_fraction: "10.00",
      sign: -1,
      position: "1.5000",
      avg_entry_price: "2350.10",
      position_value: "3525.15",
      unrealized_pnl: "3.45",
      liquidation_price: "0",
      total_funding_paid_out: "-0.75",
      margin_mode: 1,
      allocated_margin: "176.25",
    },
  ];
  await using client = new LighterClient(venue.options());
  const risk = (p: Position) => ({
    size: p.size.toString(),
    liquidationPrice: p.liquidationPrice?.toString(),
    leverage: p.leverage?.toString(),
    marginUsed: p.marginUsed?.toString(),
    maintenanceMargin: p.maintenanceMargin?.toString(),
    cumulativeFunding: p.cumulativeFunding?.toString(),
  });
  deepEqual((await client.getPositions()).map(risk), [
    {
      size: "18.0193",
      liquidationPrice: "2191.1107231380406",
      leverage: "20",
      marginUsed: "2715.328317",
      maintenanceMargin: undefined,
      cumulativeFunding: undefined,
    },
    {
      size: "-1.5",
      liquidationPrice: undefined,
      leverage: "10",
      marginUsed: "176.25",
      maintenanceMargin: undefined,
      cumulativeFunding: "0.75",
    },
  ]);
  equal((await client.getBalance()).marginRatio, undefined, "not reported: not invented");
  venue.routes.set("/api/v1/account", () => ({
    body: {
      code: 200,
      accounts: [{
        index: FAKE_ACCOUNT,
        collateral: "1000.000000",
        available_balance: "900.000000",
        total_asset_value: "1000.500000",
        cross_maintenance_margin_requirement: "250.125000",
        positions: [],
      }],
    },
  }));
  equal((await client.getBalance()).marginRatio?.toString(), "0.25");
});

Deno.test("a funding_histories update on account_all emits each new payment once as a funding event", async () => {
  const venue = new FakeLighterVenue();
  let rows = [row(1, T0 - 3600, "-0.010000", "0.0010", "1.0000", "long")];
  venue.routes.set("/api/v1/positionFunding", () => ({
    body: { code: 200, position_fundings: rows },
  }));
  await using client = new LighterClient(venue.options());
  const events: ExchangeEvent[] = [];
  client.onEvent((e) => events.push(e));
  await drive(venue.clock, client.connect());
  // A snapshot's funding_histories are history: nothing is read for them.
  venue.push({
    channel: `account_all:${FAKE_ACCOUNT}`,
    type: "subscribed/account_all",
    account: FAKE_ACCOUNT,
    positions: {},
    trades: {},
    funding_histories: { "0": [{}] },
  });
  await drive(venue.clock, new Promise((r) => setTimeout(r, 20)), { stepMs: 5 });
  equal(venue.count("/api/v1/positionFunding"), 0);
  const update = {
    channel: `account_all:${FAKE_ACCOUNT}`,
    type: "update/account_all",
    account: FAKE_ACCOUNT,
    funding_histories: { "0": [{}] },
  };
  venue.clock.advance(3_600_000);
  rows = [row(2, T0 + 3600, "0.020000", "-0.0020", "1.0000", "short"), ...rows];
  venue.push(update);
  await drive(venue.clock, new Promise((r) => setTimeout(r, 20)), { stepMs: 5 });
  venue.push(update); // the same settlement announced again
  await drive(venue.clock, new Promise((r) => setTimeout(r, 20)), { stepMs: 5 });
  const funding = events.flatMap((e) => (e.type === "funding" ? [e.payment] : []));
  deepEqual(plain(funding), [{
    symbol: "ETH",
    time: FAKE_START + 3_600_000,
    amount: "0.02",
    rate: "-0.00002",
    positionSize: "-1",
    id: "0:2",
  }]);
});
