/**
 * `openVenueClient` on a live network builds each venue's real client from the variables a
 * trader sets (hosts and credentials): here the replicas pose as the venues, and a private
 * read (balance) must succeed with the credentials read through the environment function.
 */
import { ok, strictEqual as equal } from "node:assert/strict";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { startSimVenue } from "../sim/network.ts";
import { openVenueClient } from "../strategies/venue_clients.ts";

for (const venue of ["lighter", "grvt", "edgex", "hyperliquid"] as const) {
  Deno.test(`openVenueClient(${venue}, mainnet): the real client reads its credentials from the environment function and reads the balance`, async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const sim = await startSimVenue(venue, { clock, protocol: "replica", seed: 3 });
    const vars: Record<string, string> = {};
    for (const [name, value] of Object.entries(sim.endpoints)) {
      if (!name.endsWith("_CONTROL_URL")) vars[name] = String(value);
    }
    const connection = await openVenueClient(venue, {
      network: "mainnet",
      env: (n) => vars[n],
      clock,
    });
    try {
      await connection.client.connect();
      const balance = await connection.client.getBalance();
      ok(balance.equity.gt(0), `equity ${balance.equity}`);
      equal(connection.publicOnly ?? false, false);
    } finally {
      await connection.close();
      await sim.close();
    }
  });
}
