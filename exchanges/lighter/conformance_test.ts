/**
 * The shared conformance suite against the Lighter replica, through a real `LighterClient` and
 * `LighterFundingAdapter` over loopback HTTP and WebSocket.
 */
import { Decimal } from "../../base.ts";
import { systemClock } from "../_shared/clock.ts";
import { conformanceSuite, type VenueHarness } from "../../tests/conformance.ts";
import { scriptedFundingRates } from "../../sim/funding.ts";
import { LIGHTER_FRONT_END, startLighterReplica } from "../../sim/lighter/mod.ts";
import { LighterClient } from "./client.ts";
import { LighterFundingAdapter } from "./funding_adapter.ts";

export const lighterHarness: VenueHarness = {
  venue: "lighter",
  start() {
    const replica = startLighterReplica();
    const symbol = "ETH";
    // The client's clock runs in real time but jumps with the replica's virtual time, so both
    // agree on "now" (auth-token deadlines, transaction expiries) as a venue and a client do.
    let skew = 0;
    const clientClock = {
      now: () => Date.now() + skew,
      sleep: (ms: number, signal?: AbortSignal) => systemClock.sleep(ms, signal),
    };
    const client = new LighterClient({
      clock: clientClock,
      restUrl: replica.restUrl,
      wsUrl: replica.wsUrl,
      chainId: replica.chainId,
      credentials: replica.credentials,
      reconnectDelayMs: 20,
      outcomeDeadlineMs: 2_000,
    });
    const funding = new LighterFundingAdapter({ restUrl: replica.restUrl, wsUrl: replica.wsUrl });
    const { engine, clock, accountId, counterpartyId, server } = replica;
    return Promise.resolve({
      client,
      funding,
      symbol,
      price: new Decimal("2000.00"),
      close: async () => {
        await funding.close();
        await replica.close();
      },
      replica: {
        setPrice: (s, price) => {
          engine.setPrices(s, { markPrice: price, indexPrice: price });
          return Promise.resolve();
        },
        setFundingRate: (s, rate) => {
          engine.setFundingRates(s, scriptedFundingRates(rate));
          return Promise.resolve();
        },
        advance: async (ms) => {
          skew += ms;
          await clock.advance(ms);
          engine.sync();
        },
        placeCounterOrder: (o) => {
          engine.placeOrder(counterpartyId, { ...o, type: "limit" });
          return Promise.resolve();
        },
        cancelCounterOrders: (s) => {
          engine.cancelAll(counterpartyId, s);
          return Promise.resolve();
        },
        openOrders: (s) =>
          Promise.resolve(
            engine.openOrders(accountId, s).map((o) => ({
              id: replica.orderIndexOf(o.id),
              clientOrderId: o.clientOrderId,
              side: o.side,
              price: new Decimal(o.price ?? "0"),
              size: new Decimal(o.size),
              filledSize: new Decimal(o.filledSize),
            })),
          ),
        position: (s) => Promise.resolve(new Decimal(engine.position(accountId, s).size)),
        equity: () => Promise.resolve(new Decimal(engine.balance(accountId).equity)),
        dropConnections: () => {
          for (const s of server.sockets(LIGHTER_FRONT_END)) s.close(4000, "dropped by test");
          return Promise.resolve();
        },
        injectBookGap: (s) => {
          server.faults.inject({
            kind: "gap",
            frontEnd: LIGHTER_FRONT_END,
            target: `order_book:${replica.marketIdOf(s)}`,
            times: 1,
          });
          return Promise.resolve();
        },
        loseNextOrderResponse: () => {
          server.faults.inject({
            kind: "drop_response",
            frontEnd: LIGHTER_FRONT_END,
            target: "/api/v1/sendTx",
            times: 1,
          });
          return Promise.resolve();
        },
        garbleNextOrderResponse: () => {
          server.faults.inject({
            kind: "garble_response",
            frontEnd: LIGHTER_FRONT_END,
            target: "/api/v1/sendTx",
            times: 1,
          });
          return Promise.resolve();
        },
        failNextOrderLookups: (times) => {
          // Orders are looked up in the account's active and inactive order lists (and the
          // account itself is not read while an order is placed).
          server.faults.inject({
            kind: "error",
            frontEnd: LIGHTER_FRONT_END,
            target: "/api/v1/account*",
            times,
          });
          return Promise.resolve();
        },
        fundingPayments: (s) =>
          Promise.resolve(
            engine.fundingPayments(accountId, s).map((p) => ({
              time: p.time,
              amount: new Decimal(p.amount),
            })),
          ),
        leverage: (s) => Promise.resolve(new Decimal(engine.position(accountId, s).leverage)),
      },
    });
  },
};

conformanceSuite(lighterHarness);
