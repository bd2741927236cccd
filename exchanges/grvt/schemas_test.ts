import { deepStrictEqual as deepEqual, ok, throws } from "node:assert/strict";
import type { z } from "zod";
import { MalformedPayloadError } from "../../core/errors.ts";
import { parsePayload } from "../_shared/parse.ts";
import {
  accountSummaryResponseSchema,
  ackResponseSchema,
  bookResponseSchema,
  bookSchema,
  errorResponseSchema,
  feedEnvelopeSchema,
  fillSchema,
  fillsResponseSchema,
  fundingResponseSchema,
  instrumentSchema,
  instrumentsResponseSchema,
  loginResponseSchema,
  orderResponseSchema,
  orderSchema,
  ordersResponseSchema,
  positionSchema,
  positionsResponseSchema,
  subscribeResultSchema,
  tickerResponseSchema,
  tickerSchema,
} from "./schemas.ts";
import { z as zod } from "zod";
import { testdataUrl } from "../../tests/_testdata.ts";

const FIXTURES = testdataUrl("fixtures/grvt/");

interface Example {
  tab: string;
  group: string;
  label: string;
  json_valid: boolean;
  value: unknown;
}

async function examples(file: string): Promise<Example[]> {
  const doc = JSON.parse(await Deno.readTextFile(new URL(file, FIXTURES)));
  return doc.examples as Example[];
}

/** REST endpoints whose documented "Full Response" the client reads. */
const REST: Record<string, z.ZodType> = {
  "full_v1_instrument.json": zod.object({ result: instrumentSchema }),
  "full_v1_instruments.json": instrumentsResponseSchema,
  "full_v1_all_instruments.json": instrumentsResponseSchema,
  "full_v1_ticker.json": tickerResponseSchema,
  "full_v1_book.json": bookResponseSchema,
  "full_v1_funding.json": fundingResponseSchema,
  "full_v1_create_order.json": orderResponseSchema,
  "full_v1_order.json": orderResponseSchema,
  "full_v1_open_orders.json": ordersResponseSchema,
  "full_v1_order_history.json": ordersResponseSchema,
  "full_v1_cancel_order.json": ackResponseSchema,
  "full_v1_cancel_all_orders.json": ackResponseSchema,
  "full_v1_positions.json": positionsResponseSchema,
  "full_v1_account_summary.json": accountSummaryResponseSchema,
  "full_v1_fill_history.json": fillsResponseSchema,
};

/** Streams whose documented feed the client reads. */
const FEEDS: Record<string, z.ZodType> = {
  "ws_v1_book_s.json": bookSchema,
  "ws_v1_book_d.json": bookSchema,
  "ws_v1_order.json": orderSchema,
  "ws_v1_fill.json": fillSchema,
  "ws_v1_position.json": positionSchema,
  "ws_v1_ticker_s.json": tickerSchema,
};

for (const [file, schema] of Object.entries(REST)) {
  Deno.test(`schemas parse the documented examples of ${file}`, async () => {
    const all = await examples(file);
    const full = all.filter((e) => e.json_valid && e.label === "Full Response");
    ok(full.length > 0, "the fixture has a full response");
    for (const e of full) parsePayload(schema, e.value, { venue: "grvt", endpoint: file });
    for (const e of all.filter((e) => e.json_valid && e.label === "Full Error Response")) {
      parsePayload(errorResponseSchema, e.value, { venue: "grvt", endpoint: file });
    }
  });
}

for (const [file, schema] of Object.entries(FEEDS)) {
  Deno.test(`schemas parse the documented feed and subscribe answers of ${file}`, async () => {
    const all = await examples(file);
    const feeds = all.filter((e) => e.json_valid && e.label === "Full Feed Response");
    ok(feeds.length > 0, "the fixture has a feed");
    for (const e of feeds) {
      const frame = parsePayload(feedEnvelopeSchema, e.value, { venue: "grvt" });
      parsePayload(schema, frame.feed, { venue: "grvt", endpoint: frame.stream });
    }
    const acks = all.filter((e) =>
      e.json_valid && e.label === "Full Subscribe Response" && e.group === "Subscribe"
    );
    ok(acks.length > 0, "the fixture has a subscribe answer");
    for (const e of acks) {
      parsePayload(subscribeResultSchema, (e.value as { result: unknown }).result);
    }
  });
}

Deno.test("schemas parse every documented stream's subscribe answer", async () => {
  let n = 0;
  for await (const entry of Deno.readDir(FIXTURES)) {
    if (!entry.name.startsWith("ws_v1_")) continue;
    for (const e of await examples(entry.name)) {
      if (e.json_valid && e.label === "Full Subscribe Response" && e.group === "Subscribe") {
        parsePayload(subscribeResultSchema, (e.value as { result: unknown }).result);
        n++;
      }
    }
  }
  ok(n >= 16, `parsed ${n} subscribe answers`);
});

Deno.test("schemas parse the documented login answer and pysdk's WS create_order answer", async () => {
  const login = JSON.parse(await Deno.readTextFile(new URL("auth_api_key_login.json", FIXTURES)));
  parsePayload(loginResponseSchema, login.response_body_documented);
  parsePayload(loginResponseSchema, login.response_body_seen_by_ccxt);
  const samples = JSON.parse(
    await Deno.readTextFile(new URL("pysdk_ws_and_rpc_samples.json", FIXTURES)),
  );
  const key = Object.keys(samples).find((k) => k.startsWith("ws_jsonrpc_create_order_response"));
  ok(key);
  const order = parsePayload(orderResponseSchema, samples[key].result);
  deepEqual(order.result.state.status, "OPEN");
});

// Live shapes quoted in grvt.md (§4.1.1, §4.1.2, §4.2.1, §4.2.3–§4.2.5, §5, §7.2, §7.5): numbers
// as strings where the venue sends them so.
Deno.test("schemas parse the live samples quoted in the notes", () => {
  const instrument = parsePayload(instrumentSchema, {
    instrument: "BTC_USDT_Perp",
    instrument_hash: "0x030501",
    base: "BTC",
    quote: "USDT",
    kind: "PERPETUAL",
    venues: ["ORDERBOOK", "RFQ"],
    settlement_period: "PERPETUAL",
    base_decimals: "9",
    quote_decimals: 6,
    tick_size: "0.1",
    min_size: "0.001",
    create_time: "1768040726362828205",
    max_position_size: "1000.0",
    funding_interval_hours: "8",
    adjusted_funding_rate_cap: "0.3",
    adjusted_funding_rate_floor: "-0.3",
    min_notional: "100.0",
  });
  deepEqual([instrument.base_decimals, instrument.funding_interval_hours], [9, 8]);
  const ticker = parsePayload(tickerSchema, {
    event_time: "1764774730025055205",
    instrument: "BTC_USDT_Perp",
    mark_price: "92697.300078773",
    best_bid_price: "92682.9",
    best_ask_price: "92683.0",
    funding_rate_8h_curr: "0.0037",
    buy_volume_24h_q: "266955739.1606",
    sell_volume_24h_q: "268170211.7109",
    open_interest: "1523.218935908",
    funding_rate: "0.0037",
    next_funding_time: "1764777600000000000",
  });
  deepEqual(ticker.next_funding_time, Date.UTC(2025, 11, 3, 16));
  deepEqual(ticker.funding_rate.toString(), "0.0037");
  const created = parsePayload(orderSchema, {
    order_id: "0x00",
    sub_account_id: "2147050003876484",
    is_market: false,
    time_in_force: "GOOD_TILL_TIME",
    post_only: false,
    reduce_only: false,
    legs: [{
      instrument: "BTC_USDT_Perp",
      size: "0.001",
      limit_price: "50000.0",
      is_buying_asset: true,
    }],
    signature: {
      signer: "0xbf46",
      r: "0x1618",
      s: "0x1b6d",
      v: "27",
      expiration: "1766076771082000000",
      nonce: "1766076671",
      chain_id: "0",
    },
    metadata: { client_order_id: "1766076671", create_time: "1766076671243762741" },
    state: {
      status: "PENDING",
      reject_reason: "UNSPECIFIED",
      book_size: ["0.001"],
      traded_size: ["0.0"],
      update_time: "1766076671243762741",
      avg_fill_price: ["0.0"],
    },
    builder: "0x00",
    builder_fee: "0.0",
  });
  deepEqual(created.signature?.nonce, 1766076671);
  parsePayload(positionSchema, {
    event_time: "1765258069092857642",
    instrument: "BTC_USDT_Perp",
    size: "0.001",
    entry_price: "90000.0",
    mark_price: "89816.900008979",
    unrealized_pnl: "-0.183099",
    est_liquidation_price: "77951.450008979",
  });
  parsePayload(fillSchema, {
    event_time: "1767354369431470728",
    instrument: "BTC_USDT_Perp",
    is_buyer: true,
    is_taker: true,
    size: "0.001",
    price: "89473.4",
    fee: "0.040263",
    fee_rate: "0.045",
    trade_id: "74150425-1",
    order_id: "0x0101010503a12f6e000000007791f1bd",
    client_order_id: "99191900",
  });
  const row = parsePayload(fundingResponseSchema, {
    result: [{
      instrument: "BTC_USDT_Perp",
      funding_rate: "-0.0034",
      funding_time: "1760494260000000000",
      mark_price: "112721.159060304",
      funding_rate_8_h_avg: "-0.0038",
      funding_interval_hours: "0",
    }],
    next: "",
  });
  deepEqual(row.result[0].funding_interval_hours, 0);
  const ack = parsePayload(subscribeResultSchema, {
    stream: "v1.mini.d",
    subs: ["BTC_USDT_Perp@500"],
    unsubs: [],
    num_snapshots: [1],
    first_sequence_number: ["1061214"],
    latest_sequence_number: ["1061213"],
  });
  deepEqual(ack.first_sequence_number, [1061214]);
  const frame = parsePayload(feedEnvelopeSchema, {
    stream: "v1.book.s",
    selector: "BTC_USDT_Perp@500-100",
    sequence_number: "0",
    feed: {
      event_time: "1767292408400000000",
      instrument: "BTC_USDT_Perp",
      bids: [{ price: "88107.3", size: "5.322", num_orders: 11 }],
      asks: [{ price: "88107.4", size: "5.273", num_orders: 37 }],
    },
    prev_sequence_number: "0",
  });
  parsePayload(bookSchema, frame.feed);
  parsePayload(bookResponseSchema, {
    result: {
      event_time: "1",
      instrument: "BTC_USDT_Perp",
      bids: [{ price: "1", size: "2", num_orders: "1" }],
      asks: [],
    },
  });
  deepEqual(parsePayload(ackResponseSchema, { result: { ack: true } }).result.ack, true);
});

function malformed(schema: z.ZodType, value: unknown, field: string): void {
  throws(
    () => parsePayload(schema, value, { venue: "grvt", endpoint: "full/v1/test" }),
    (e: unknown) => {
      ok(e instanceof MalformedPayloadError, `expected MalformedPayloadError, got ${e}`);
      deepEqual(e.field, field);
      ok(e.message.includes(field), e.message);
      return true;
    },
  );
}

Deno.test("a missing or mistyped field is a MalformedPayloadError naming the field", () => {
  const ticker = {
    instrument: "BTC_USDT_Perp",
    funding_rate: "0.0037",
    next_funding_time: "1764777600000000000",
  };
  malformed(
    tickerResponseSchema,
    { result: { ...ticker, funding_rate: undefined } },
    "result.funding_rate",
  );
  malformed(
    tickerResponseSchema,
    { result: { ...ticker, funding_rate: "1%" } },
    "result.funding_rate",
  );
  malformed(
    tickerResponseSchema,
    { result: { ...ticker, next_funding_time: 1.5 } },
    "result.next_funding_time",
  );
  malformed(
    tickerResponseSchema,
    { result: { ...ticker, mark_price: 92697.3 } },
    "result.mark_price",
  );
  const order = {
    order_id: "0x01",
    time_in_force: "GOOD_TILL_TIME",
    legs: [{ instrument: "BTC_USDT_Perp", size: "0.001", limit_price: "1", is_buying_asset: true }],
    metadata: { client_order_id: "1" },
    state: { status: "OPEN", book_size: ["0.001"], traded_size: ["0"] },
  };
  parsePayload(orderSchema, order);
  malformed(orderSchema, { ...order, metadata: {} }, "metadata.client_order_id");
  malformed(orderSchema, { ...order, state: { ...order.state, status: "DONE" } }, "state.status");
  malformed(
    orderSchema,
    { ...order, legs: [{ ...order.legs[0], size: 0.001 }] },
    "legs.0.size",
  );
  malformed(
    instrumentSchema,
    { instrument: "X", base: "X", quote: "Y", kind: "PERPETUAL" },
    "instrument_hash",
  );
  malformed(
    accountSummaryResponseSchema,
    { result: { available_balance: "1" } },
    "result.total_equity",
  );
  malformed(fillSchema, { ...{ event_time: "1", instrument: "X", is_buyer: "yes" } }, "is_buyer");
  malformed(
    feedEnvelopeSchema,
    { stream: "v1.book.d", selector: "X", feed: {} },
    "sequence_number",
  );
});
