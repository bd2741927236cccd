/**
 * The shared conformance suite against the Hyperliquid replica, through the real
 * `HyperliquidClient` over loopback (`/info`, signed `/exchange` actions, WebSocket).
 */
import { Decimal } from "../../base.ts";
import { ManualClock } from "../_shared/clock.ts";
import { conformanceSuite, type VenueHarness } from "../../tests/conformance.ts";
import { scriptedFundingRates } from "../../sim/funding.ts";
import { HYPERLIQUID_FRONT_END, startHyperliquidReplica } from "../../sim/hyperliquid/mod.ts";
import { HyperliquidClient } from "./client.ts";
import { HyperliquidFundingAdapter } from "./funding_adapter.ts";

const harness: VenueHarness = {
  venue: "hyperliquid",
  start() {
    const clock = new ManualClock(Date.now());
    const replica = startHyperliquidReplica({ clock });
    const client = new HyperliquidClient({
      environment: "sim",
      hosts: replica.hosts,
      privateKey: replica.credentials.privateKey,
      outcomeDeadlineMs: 2_000,
    });
    const funding = new HyperliquidFundingAdapter({ environment: "sim", hosts: replica.hosts });
    const engine = replica.engine;
    const me = replica.credentials.accountAddress;
    const cp = replica.counterpartyAccountId;
    const fault = (
      kind: "drop_response" | "garble_response" | "error",
      target: string,
      times: number,
    ) => replica.control.injectFault({ kind, frontEnd: HYPERLIQUID_FRONT_END, target, times });
    return Promise.resolve({
      client,
      funding,
      symbol: "BTC",
      price: new Decimal("64000"),
      close: async () => {
        await client.disconnect();
        await funding.close();
        await replica.close();
      },
      replica: {
        setPrice: (symbol, price) => {
          engine.setPrices(symbol, { markPrice: price, indexPrice: price });
          return Promise.resolve();
        },
        setFundingRate: (symbol, rate) => {
          engine.setFundingRates(symbol, scriptedFundingRates(rate));
          return Promise.resolve();
        },
        advance: (ms) => replica.control.advance(ms),
        placeCounterOrder: (o) => {
          engine.placeOrder(cp, { ...o, type: "limit" });
          return Promise.resolve();
        },
        cancelCounterOrders: (symbol) => {
          engine.cancelAll(cp, symbol);
          return Promise.resolve();
        },
        openOrders: (symbol) =>
          Promise.resolve(
            engine.openOrders(me, symbol).map((o) => ({
              id: o.id,
              clientOrderId: o.clientOrderId,
              side: o.side,
              price: new Decimal(o.price ?? "0"),
              size: new Decimal(o.size),
              filledSize: new Decimal(o.filledSize),
            })),
          ),
        position: (symbol) => Promise.resolve(new Decimal(engine.position(me, symbol).size)),
        equity: () => Promise.resolve(new Decimal(engine.balance(me).equity)),
        dropConnections: () => {
          replica.dropConnections();
          return Promise.resolve();
        },
        injectBookGap: (symbol) => {
          replica.control.injectFault({
            kind: "gap",
            frontEnd: HYPERLIQUID_FRONT_END,
            target: `l2Book:${symbol}`,
            times: 1,
          });
          return Promise.resolve();
        },
        loseNextOrderResponse: () => {
          fault("drop_response", "exchange:order", 1);
          return Promise.resolve();
        },
        garbleNextOrderResponse: () => {
          fault("garble_response", "exchange:order", 1);
          return Promise.resolve();
        },
        failNextOrderLookups: (times) => {
          fault("error", "info:orderStatus", times);
          return Promise.resolve();
        },
        fundingPayments: (s) =>
          Promise.resolve(
            engine.fundingPayments(me, s).map((p) => ({
              time: p.time,
              amount: new Decimal(p.amount),
            })),
          ),
        leverage: (s) => Promise.resolve(new Decimal(engine.position(me, s).leverage)),
      },
    });
  },
};

conformanceSuite(harness);
