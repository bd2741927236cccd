/**
 * The one conformance suite every funding store passes (SQLite and PostgreSQL run the same
 * cases). `defineStoreSuite(name, open)` registers the cases with `Deno.test`; `open` must
 * return an empty, migrated store.
 *
 * @module
 */
import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";
import { Decimal, fundingRate } from "../base.ts";
import { MIGRATIONS } from "../funding/migrations.ts";
import type { CollectionLog, FundingObservation } from "../funding/model.ts";
import { DAY_MS, type FundingStore } from "../funding/store.ts";

const T0 = Date.UTC(2026, 0, 1);
const H = 3_600_000;

/** An observation with defaults. */
export function obs(
  venue: string,
  symbol: string,
  time: number,
  rate = "0.0001",
  intervalHours = 8,
  extra: Partial<FundingObservation> = {},
): FundingObservation {
  return {
    venue,
    symbol,
    venueSymbol: `${symbol}-${venue}`,
    time,
    ...fundingRate({ rate, intervalHours }),
    ...extra,
  };
}

function plain(o: FundingObservation): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(o).map(([k, v]) => [k, v instanceof Decimal ? v.toString() : v]),
  );
}

function log(runId: string, venue: string, startedAt: number, extra: Partial<CollectionLog> = {}) {
  return {
    runId,
    venue,
    startedAt,
    completedAt: startedAt + 150,
    status: "success" as const,
    symbolsFetched: 3,
    symbolsFailed: 0,
    ...extra,
  };
}

/**
 * Registers the store conformance cases.
 *
 * @param name Store name used in the test names.
 * @param open Opens an empty, migrated store.
 * @param options `ignore` skips every case (e.g. no database configured); `openOther` opens a
 *   second store of another network on the database the last `open()` returned (the network
 *   cases are skipped without it).
 */
export function defineStoreSuite(
  name: string,
  open: () => Promise<FundingStore>,
  options: { ignore?: boolean; openOther?: (network: string) => Promise<FundingStore> } = {},
): void {
  const test = (title: string, fn: (store: FundingStore) => Promise<void>) =>
    Deno.test({
      name: `${name} store: ${title}`,
      ignore: options.ignore ?? false,
      sanitizeResources: false,
      sanitizeOps: false,
      fn: async () => {
        const store = await open();
        try {
          await fn(store);
        } finally {
          await store.close();
        }
      },
    });

  test("migrate() applies every version once and is idempotent", async (store) => {
    const last = MIGRATIONS[MIGRATIONS.length - 1].version;
    equal(await store.schemaVersion(), last);
    equal(await store.migrate(), last);
    equal(await store.migrate(), last);
  });

  test("a second write of the same venue, symbol and time adds no row", async (store) => {
    const o = obs("grvt", "BTC", T0);
    equal(await store.saveObservations([o, obs("grvt", "ETH", T0)]), 2);
    equal(await store.saveObservations([o, obs("grvt", "ETH", T0)]), 0);
    equal((await store.history("grvt", "BTC")).length, 1);
    equal((await store.stats(T0)).rates, 2);
  });

  test("decimals and optional fields round-trip exactly", async (store) => {
    const full = obs("edgex", "BTC", T0, "-0.00005537", 4, {
      nextFundingTime: T0 + 4 * H,
      markPrice: new Decimal("101559.9220921285450458526611328125"),
      indexPrice: new Decimal("101522.558968500"),
      volume24hUsd: new Decimal("471193598.847246"),
      openInterestUsd: new Decimal("123456789012.123456789"),
      bestBid: new Decimal("101484.7"),
      bestAsk: new Decimal("101485.8"),
      spreadBps: new Decimal("0.10839117823522737004"),
      latencyMs: 42,
      settledRate: new Decimal("0.00001250"),
      settledTime: T0 - 15 * 60_000,
    });
    const bare = obs("lighter", "2Z", T0, "0.000012", 1);
    await store.saveObservations([full, bare]);
    const [back] = await store.history("edgex", "BTC");
    deepEqual(plain(back), plain(full));
    deepEqual(plain((await store.latestRates({ venue: "lighter" }))[0]), plain(bare));
    equal(back.hourlyRate.toString(), "-0.0000138425");
  });

  test("the latest rate is upserted and never moves back in time", async (store) => {
    await store.saveObservations([obs("grvt", "BTC", T0 + H, "0.0002")]);
    await store.saveObservations([obs("grvt", "BTC", T0, "0.0009")]);
    equal((await store.latestRates())[0].rate.toString(), "0.0002");
    await store.saveObservations([obs("grvt", "BTC", T0 + 2 * H, "-0.0003")]);
    const latest = await store.latestRates();
    equal(latest.length, 1);
    equal(latest[0].rate.toString(), "-0.0003");
    equal(latest[0].time, T0 + 2 * H);
    equal((await store.history("grvt", "BTC")).length, 3);
  });

  test("one batch holding two times of a series keeps the newest as latest", async (store) => {
    await store.saveObservations([
      obs("grvt", "SOL", T0 + H, "0.0002"),
      obs("grvt", "SOL", T0, "0.0001"),
    ]);
    equal((await store.latestRates({ symbol: "SOL" }))[0].time, T0 + H);
  });

  test("latestRates() filters by venue and symbol", async (store) => {
    await store.saveObservations([
      obs("grvt", "BTC", T0),
      obs("grvt", "ETH", T0),
      obs("edgex", "BTC", T0, "0.00004", 4),
    ]);
    equal((await store.latestRates()).length, 3);
    deepEqual((await store.latestRates({ venue: "grvt" })).map((o) => o.symbol), ["BTC", "ETH"]);
    deepEqual((await store.latestRates({ symbol: "BTC" })).map((o) => o.venue), [
      "edgex",
      "grvt",
    ]);
    deepEqual(await store.latestRates({ venue: "grvt", symbol: "XRP" }), []);
  });

  test("history() returns a range oldest first, limit keeping the most recent", async (store) => {
    const rows = Array.from({ length: 10 }, (_, i) => obs("lighter", "ETH", T0 + i * H));
    await store.saveObservations([...rows, obs("lighter", "BTC", T0)]);
    deepEqual(
      (await store.history("lighter", "ETH", { start: T0 + 2 * H, end: T0 + 5 * H }))
        .map((o) => o.time),
      [2, 3, 4, 5].map((i) => T0 + i * H),
    );
    deepEqual(
      (await store.history("lighter", "ETH", { limit: 3 })).map((o) => o.time),
      [7, 8, 9].map((i) => T0 + i * H),
    );
    deepEqual(await store.history("lighter", "SOL"), []);
  });

  test("historyPoints() returns the same series as exact decimal strings", async (store) => {
    await store.saveObservations([
      obs("edgex", "ETH", T0, "-0.00005537", 4),
      obs("edgex", "ETH", T0 + H, "0.0002", 4),
      obs("edgex", "ETH", T0 + 2 * H, "0", 4),
    ]);
    deepEqual(
      (await store.historyPoints("edgex", "ETH", { start: T0 + H })).map((p) => [
        p.time,
        new Decimal(p.rate).toString(),
        p.intervalHours,
        new Decimal(p.hourlyRate).toString(),
      ]),
      [[T0 + H, "0.0002", 4, "0.00005"], [T0 + 2 * H, "0", 4, "0"]],
    );
    equal((await store.historyPoints("edgex", "ETH", { limit: 1 }))[0].time, T0 + 2 * H);
    deepEqual((await store.historyPoints("edgex", "ETH", { end: T0 }))[0], {
      time: T0,
      rate: "-0.00005537",
      intervalHours: 4,
      hourlyRate: "-0.0000138425",
      apr: "-0.1212603",
    });
  });

  test("collection logs are kept per run and venue, newest first", async (store) => {
    await store.saveCollectionLogs([
      log("r1", "grvt", T0),
      log("r1", "edgex", T0, { status: "failed", symbolsFetched: 0, errorMessage: "HTTP 503" }),
    ]);
    await store.saveCollectionLogs([log("r2", "grvt", T0 + 60_000)]);
    await store.saveCollectionLogs([log("r2", "grvt", T0 + 60_000, { status: "partial" })]);
    const all = await store.collectionLogs();
    deepEqual(all.map((l) => [l.runId, l.venue, l.status]), [
      ["r2", "grvt", "partial"],
      ["r1", "edgex", "failed"],
      ["r1", "grvt", "success"],
    ]);
    equal(all[1].errorMessage, "HTTP 503");
    equal(all[2].errorMessage, undefined);
    equal((await store.collectionLogs({ venue: "edgex" })).length, 1);
    equal((await store.collectionLogs({ limit: 1 })).length, 1);
  });

  test("venue fees are seeded once, configurable, and health is stored", async (store) => {
    const fee = (m: string, t: string) => ({ maker: new Decimal(m), taker: new Decimal(t) });
    await store.ensureVenues([{ venue: "grvt", fees: fee("-0.0001", "0.00055") }]);
    await store.setVenueFees("grvt", fee("-0.00005", "0.0005"));
    await store.ensureVenues([{ venue: "grvt", fees: fee("-0.0001", "0.00055") }]);
    await store.saveVenueHealth([
      { venue: "grvt", lastSuccessAt: T0, consecutiveErrors: 0 },
      { venue: "edgex", lastErrorAt: T0, lastError: "timed out", consecutiveErrors: 2 },
    ]);
    const venues = await store.venues();
    deepEqual(venues.map((v) => v.venue), ["edgex", "grvt"]);
    equal(venues[1].fees.maker.toString(), "-0.00005");
    equal(venues[1].fees.taker.toString(), "0.0005");
    equal(venues[1].lastSuccessAt, T0);
    equal(venues[1].lastError, undefined);
    equal(venues[0].consecutiveErrors, 2);
    equal(venues[0].lastError, "timed out");
  });

  test("opportunity streaks are replaced as a set", async (store) => {
    const s = { symbol: "BTC", longVenue: "edgex", shortVenue: "grvt", since: T0, lastSeen: T0 };
    await store.replaceStreaks([s, { ...s, symbol: "ETH" }]);
    await store.replaceStreaks([{ ...s, lastSeen: T0 + H }]);
    deepEqual(await store.streaks(), [{ ...s, lastSeen: T0 + H }]);
    await store.replaceStreaks([]);
    deepEqual(await store.streaks(), []);
  });

  test("prune() deletes rates past 90 days and logs past 30 days by default", async (store) => {
    const now = T0 + 200 * DAY_MS;
    await store.saveObservations([
      obs("grvt", "BTC", now - 91 * DAY_MS),
      obs("grvt", "BTC", now - 89 * DAY_MS),
    ]);
    await store.saveCollectionLogs([
      log("old", "grvt", now - 31 * DAY_MS),
      log("new", "grvt", now - 29 * DAY_MS),
    ]);
    deepEqual(await store.prune(now), { rates: 1, logs: 1 });
    deepEqual(await store.prune(now, { ratesDays: 1, logsDays: 1 }), { rates: 1, logs: 1 });
    equal((await store.latestRates()).length, 1, "the latest rate outlives retention");
  });

  test("stats() counts rows and reports the schema version", async (store) => {
    await store.saveObservations([obs("grvt", "BTC", T0 - 2 * DAY_MS), obs("grvt", "BTC", T0)]);
    await store.ensureVenues([{
      venue: "grvt",
      fees: { maker: new Decimal(0), taker: new Decimal(0) },
    }]);
    const stats = await store.stats(T0);
    equal(stats.rates, 2);
    equal(stats.ratesLast24h, 1);
    equal(stats.latestRates, 1);
    equal(stats.symbols, 1);
    equal(stats.venues, 1);
    equal(stats.schemaVersion, MIGRATIONS.length);
    await store.ping();
    ok(true);
  });

  test("arbitrage positions round-trip, upsert by id, filter held / owner / pair", async (store) => {
    // A unique pair per run: a database reset that forgets these tables leaves no stale rows.
    const pair = `BTC:grvt:lighter:${crypto.randomUUID()}`;
    const base = { pairKey: pair, owner: "bot-a", openedAt: T0, updatedAt: T0 };
    await store.saveArbPosition({ ...base, id: `${pair}/1`, status: "opening", data: '{"a":1}' });
    await store.saveArbPosition({
      ...base,
      id: `${pair}/2`,
      owner: "bot-b",
      status: "closed",
      openedAt: T0 + H,
      data: "{}",
    });
    await store.saveArbPosition({
      ...base,
      id: `${pair}/1`,
      status: "open",
      updatedAt: T0 + 5,
      data: '{"a":2}',
    });
    const all = await store.arbPositions({ pairKey: pair });
    deepEqual(all.map((p) => [p.id.slice(-2), p.status, p.updatedAt, p.data]), [
      ["/1", "open", T0 + 5, '{"a":2}'],
      ["/2", "closed", T0, "{}"],
    ]);
    deepEqual((await store.arbPositions({ pairKey: pair, held: true })).map((p) => p.owner), [
      "bot-a",
    ]);
    deepEqual((await store.arbPositions({ pairKey: pair, owner: "bot-b" })).length, 1);
    deepEqual((await store.arbPositions({ pairKey: pair, since: T0 + 1 })).length, 1);
  });

  test("a pair claim is held by one bot until released or lapsed", async (store) => {
    const pair = `ETH:edgex:grvt:${crypto.randomUUID()}`;
    equal(await store.claimPair(pair, "bot-a", T0, 60_000), true);
    equal(await store.claimPair(pair, "bot-b", T0 + 1, 60_000), false, "held by bot-a");
    equal(await store.claimPair(pair, "bot-a", T0 + 30_000, 60_000), true, "renewed");
    equal(await store.claimPair(pair, "bot-b", T0 + 60_001, 60_000), false, "renewal counts");
    const claim = (await store.pairClaims()).find((c) => c.pairKey === pair);
    deepEqual(claim, { pairKey: pair, owner: "bot-a", claimedAt: T0, expiresAt: T0 + 90_000 });
    equal(await store.claimPair(pair, "bot-b", T0 + 90_000, 60_000), true, "lapsed");
    await store.releasePair(pair, "bot-a"); // not the owner: no effect
    equal(await store.claimPair(pair, "bot-a", T0 + 90_001, 60_000), false);
    await store.releasePair(pair, "bot-b");
    equal(await store.claimPair(pair, "bot-a", T0 + 90_002, 60_000), true);
  });

  test("concurrent claims of one pair: exactly one bot wins", async (store) => {
    const pair = `SOL:edgex:lighter:${crypto.randomUUID()}`;
    const wins = await Promise.all(
      ["a", "b", "c", "d", "e"].map((o) => store.claimPair(pair, o, T0, 60_000)),
    );
    equal(wins.filter((w) => w).length, 1);
  });

  Deno.test({
    name: `${name} store: rows carry the network; another network on one database sees none`,
    ignore: (options.ignore ?? false) || options.openOther === undefined,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const real = await open();
      let sim: FundingStore | undefined;
      try {
        equal(real.network, "mainnet");
        const pair = `BTC:grvt:lighter:${crypto.randomUUID()}`;
        await real.saveObservations([obs("grvt", "BTC", T0, "0.0002", 8)]);
        await real.saveCollectionLogs([log("run-real", "grvt", T0)]);
        await real.setVenueFees("grvt", {
          maker: new Decimal("-0.0001"),
          taker: new Decimal("0.0005"),
        });
        await real.replaceStreaks([
          { symbol: "BTC", longVenue: "lighter", shortVenue: "grvt", since: T0, lastSeen: T0 },
        ]);
        await real.saveArbPosition({
          id: `p-${pair}`,
          pairKey: pair,
          owner: "bot-a",
          status: "open",
          openedAt: T0,
          updatedAt: T0,
          data: "{}",
        });
        equal(await real.claimPair(pair, "bot-a", T0, 60_000), true);

        sim = await options.openOther!("sim");
        equal(sim.network, "sim");
        deepEqual(await sim.latestRates(), []);
        deepEqual(await sim.history("grvt", "BTC"), []);
        deepEqual(await sim.historyPoints("grvt", "BTC"), []);
        deepEqual(await sim.collectionLogs(), []);
        deepEqual(await sim.venues(), []);
        deepEqual(await sim.streaks(), []);
        deepEqual(await sim.arbPositions(), []);
        deepEqual(await sim.pairClaims(), []);
        const simStats = await sim.stats(T0);
        deepEqual(
          [simStats.rates, simStats.latestRates, simStats.venues, simStats.collectionLogs],
          [0, 0, 0, 0],
        );
        // The same venue, symbol and time in the other network is another row.
        equal(await sim.saveObservations([obs("grvt", "BTC", T0, "0.0099", 8)]), 1);
        equal(await sim.claimPair(pair, "bot-sim", T0, 60_000), true, "claims are per network");
        await sim.saveVenueHealth([{ venue: "grvt", consecutiveErrors: 4 }]);
        deepEqual((await sim.latestRates()).map((r) => r.rate.toString()), ["0.0099"]);
        deepEqual((await real.latestRates()).map((r) => r.rate.toString()), ["0.0002"]);
        deepEqual((await real.history("grvt", "BTC")).map((r) => r.rate.toString()), ["0.0002"]);
        deepEqual(
          (await real.venues()).map((v) => [v.venue, v.consecutiveErrors, v.fees.taker.toString()]),
          [["grvt", 0, "0.0005"]],
        );
        deepEqual((await real.pairClaims()).map((c) => c.owner), ["bot-a"]);
        equal((await sim.prune(T0 + 365 * DAY_MS)).rates, 1, "prune stays in its network");
        equal((await real.history("grvt", "BTC")).length, 1);
      } finally {
        await sim?.close();
        await real.close();
      }
    },
  });
}
