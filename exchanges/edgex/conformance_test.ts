/**
 * The shared conformance suite against the EdgeX replica, through the real `EdgeXClient` over
 * loopback (HTTP + WebSocket, HMAC auth, EIP-712 orders).
 */
import { Decimal } from "../../base.ts";
import { ManualClock } from "../_shared/clock.ts";
import { conformanceSuite, type VenueHarness } from "../../tests/conformance.ts";
import { scriptedFundingRates } from "../../sim/funding.ts";
import { EDGEX_FRONT_END, startEdgeXReplica } from "../../sim/edgex/mod.ts";
import { EdgeXClient } from "./client.ts";
import { EDGEX_PATHS } from "./common.ts";
import { EdgeXFundingAdapter } from "./funding_adapter.ts";

const harness: VenueHarness = {
  venue: "edgex",
  start() {
    const clock = new ManualClock(Date.now());
    const replica = startEdgeXReplica({ clock });
    const c = replica.credentials;
    const client = new EdgeXClient({
      accountId: c.accountId,
      apiKey: c.apiKey,
      apiSecret: c.apiSecret,
      apiPassphrase: c.apiPassphrase,
      signerPrivateKey: c.signerPrivateKey,
      restUrl: replica.restUrl,
      wsUrl: replica.wsUrl,
      reconnectBaseDelayMs: 50,
      outcomeDeadlineMs: 2_000,
    });
    const funding = new EdgeXFundingAdapter({ restUrl: replica.restUrl });
    const engine = replica.engine;
    const me = c.accountId;
    const cp = replica.counterpartyAccountId;
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
            frontEnd: EDGEX_FRONT_END,
            target: `depth.${replica.contractIdOf(symbol)}.*`,
            times: 1,
          });
          return Promise.resolve();
        },
        loseNextOrderResponse: () => {
          replica.control.injectFault({
            kind: "drop_response",
            frontEnd: EDGEX_FRONT_END,
            target: "/api/v2/private/order/createOrder",
            times: 1,
          });
          return Promise.resolve();
        },
        garbleNextOrderResponse: () => {
          replica.control.injectFault({
            kind: "garble_response",
            frontEnd: EDGEX_FRONT_END,
            target: "/api/v2/private/order/createOrder",
            times: 1,
          });
          return Promise.resolve();
        },
        failNextOrderLookups: (times) => {
          replica.control.injectFault({
            kind: "error",
            frontEnd: EDGEX_FRONT_END,
            target: EDGEX_PATHS.getOrderByClientOrderId,
            times,
          });
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
