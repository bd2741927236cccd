/**
 * The shared conformance suite against the GRVT replica, through a real `GRVTClient` over
 * loopback (HTTP + WebSocket), with the replica's clock virtual.
 */
import { Decimal } from "../../base.ts";
import { ManualClock } from "../_shared/clock.ts";
import { conformanceSuite, type VenueHarness } from "../../tests/conformance.ts";
import { startGrvtReplica } from "../../sim/grvt/mod.ts";
import { GRVTClient } from "./client.ts";
import { GRVTFundingAdapter } from "./funding_adapter.ts";

const grvtHarness: VenueHarness = {
  venue: "grvt",
  start() {
    // Virtual time for the replica, starting now so signature expiries agree with the client.
    const replica = startGrvtReplica({ clock: new ManualClock(Date.now()) });
    const options = {
      environment: "sim" as const,
      hosts: replica.hosts,
      ...replica.credentials,
      reconnect: { baseDelayMs: 20, maxDelayMs: 200 },
      env: {},
    };
    const client = new GRVTClient({ ...options, outcomeDeadlineMs: 2_000 });
    const funding = new GRVTFundingAdapter(options);
    return Promise.resolve({
      client,
      funding,
      replica: replica.control,
      symbol: "BTC",
      price: new Decimal("64000"),
      close: async () => {
        await client.disconnect();
        await funding.close();
        await replica.close();
      },
    });
  },
};

conformanceSuite(grvtHarness);
