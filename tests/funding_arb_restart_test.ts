// Funding arbitrage restarts (a bot killed at each step of entry and exit, then started again
// on the same store and venues), two bots on one store, and a venue outage during holding.
import { strictEqual as equal } from "node:assert/strict";
import postgres from "postgres";
import type { ExchangeClient, Order, OrderRequest } from "../base.ts";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { PostgresFundingStore } from "../funding/postgres_store.ts";
import { SqliteFundingStore } from "../funding/sqlite_store.ts";
import type { FundingStore } from "../funding/store.ts";
import { PaperClient } from "../sim/paper.ts";
import {
  drive,
  hitMaker,
  memoryStore,
  paperVenue,
  strategy,
  T0,
  type TestVenue,
} from "./funding_arb_harness.ts";

const signal = new AbortController().signal;
const never = new Promise<never>(() => {});

/**
 * A client that "dies" at the n-th placeOrder: `before` never sends it, `after` sends it and
 * never answers (the process was killed in between).
 */
function dying(client: ExchangeClient, n: number, when: "before" | "after"): ExchangeClient {
  let count = 0;
  return new Proxy(client, {
    get(target, key) {
      if (key === "placeOrder") {
        return (req: OrderRequest): Promise<Order> => {
          if (++count !== n) return target.placeOrder(req);
          if (when === "after") void target.placeOrder(req).catch(() => {});
          return never;
        };
      }
      const v = Reflect.get(target, key, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

function restartClients(vs: TestVenue[]): TestVenue[] {
  return vs.map((v) => ({
    ...v,
    client: new PaperClient({ engine: v.engine, accountId: "me", faults: v.faults }),
  }));
}

async function killedAt(
  leg: "lighter" | "grvt",
  n: number,
  when: "before" | "after",
  exit: boolean,
) {
  const clock = new ManualClock(T0);
  const a = paperVenue(clock, { name: "lighter", rate: "-0.0001", intervalHours: 1 });
  const b = paperVenue(clock, { name: "grvt", rate: "0.0003", intervalHours: 1 });
  const store = await memoryStore();
  const vs = [a, b].map((v) => v.name === leg ? { ...v, client: dying(v.client, n, when) } : v);
  const first = strategy(vs, store, clock, { closeOnStop: exit });
  await first.arb.start(signal);
  const s = first.arb.step(signal);
  await clock.advance(100);
  hitMaker(a, "sell", "0.01");
  await clock.advance(10_000);
  if (exit) {
    // Entered; the exit (stop with closeOnStop) dies.
    await s;
    void first.arb.stop("manual");
    await clock.advance(10_000);
  }
  const before = [a, b].map((v) => v.engine.position("me", "BTC").size).join("/");
  // The first bot is gone (its promise never settles). A new one starts on the same store.
  const second = strategy(restartClients([a, b]), store, clock);
  await drive(clock, second.arb.start(signal));
  return { a, b, store, arb: second.arb, lines: second.lines, before };
}

type Case = [
  string,
  "lighter" | "grvt",
  number,
  "before" | "after",
  boolean,
  string,
  string,
  string,
];
const cases: Case[] = [
  // name, dying venue, n-th order, when, during exit, Lighter/GRVT at the kill, after restart
  // (the maker bid never reached the venue, so the taker found nothing of ours)
  ["before the maker order is sent", "lighter", 1, "before", false, "0/0", "0", "0"],
  ["after the maker order is sent (answer lost)", "lighter", 1, "after", false, "0.01/0", "0", "0"],
  ["between legs: maker filled, hedge not sent", "grvt", 1, "before", false, "0.01/0", "0", "0"],
  ["hedge sent, answer lost", "grvt", 1, "after", false, "0.01/-0.01", "0.01", "-0.01"],
  ["exit: first leg's close not sent", "grvt", 2, "before", true, "0.01/-0.01", "0", "0"],
  ["exit: first leg closed, second not sent", "lighter", 2, "before", true, "0.01/0", "0", "0"],
  ["exit: second close sent, answer lost", "lighter", 2, "after", true, "0/0", "0", "0"],
];

for (const [name, leg, n, when, exit, atKill, lighterSize, grvtSize] of cases) {
  Deno.test(`funding arb restart: killed ${name} → reconciled, no duplicate, no naked leg`, async () => {
    const { a, b, store, arb, lines, before } = await killedAt(leg, n, when, exit);
    try {
      equal(before, atKill, "venue positions when the first bot died");
      equal(a.engine.position("me", "BTC").size, lighterSize, lines.join("\n"));
      equal(b.engine.position("me", "BTC").size, grvtSize, lines.join("\n"));
      equal(a.engine.openOrders("me").length + b.engine.openOrders("me").length, 0);
      const rows = await store.arbPositions();
      equal(rows.length, 1, "one position record, never a second entry");
      const held = lighterSize !== "0";
      equal(arb.positions().length, held ? 1 : 0);
      if (held) equal(arb.positions()[0].status, "open");
      // Never more than one maker fill and one hedge of it on the venues.
      const engineFills = (v: TestVenue) => v.engine.fills("me", "BTC").length;
      equal(engineFills(b) <= (exit ? 2 : 1), true);
    } finally {
      await store.close();
    }
  });
}

async function twoBots(open: () => Promise<FundingStore>) {
  const clock = new ManualClock(T0);
  const a = paperVenue(clock, { name: "lighter", rate: "-0.0001", intervalHours: 1 });
  const b = paperVenue(clock, { name: "grvt", rate: "0.0003", intervalHours: 1 });
  for (const v of [a, b]) v.engine.createAccount("me2", { collateral: "100000" });
  const [s1, s2] = [await open(), await open()];
  const bot2Venues = [a, b].map((v) => ({
    ...v,
    client: new PaperClient({ engine: v.engine, accountId: "me2" }),
  }));
  const one = strategy([a, b], s1, clock, { owner: "bot-1" });
  const two = strategy(bot2Venues, s2, clock, { owner: "bot-2" });
  await one.arb.start(signal);
  await two.arb.start(signal);
  let settled = false;
  const steps = Promise.all([one.arb.step(signal), two.arb.step(signal)])
    .finally(() => settled = true);
  // A database answers in real time: let it, while virtual time moves slowly.
  const resting = () => a.engine.openOrders("me").length + a.engine.openOrders("me2").length;
  for (let i = 0; i < 400 && resting() === 0 && !settled; i++) {
    await new Promise((r) => setTimeout(r, 5));
    await clock.advance(10);
  }
  hitMaker(a, "sell", "0.02");
  for (let i = 0; i < 4000 && !settled; i++) {
    await new Promise((r) => setTimeout(r, 1));
    await clock.advance(10);
  }
  await steps;
  const held = [...one.arb.positions(), ...two.arb.positions()];
  equal(held.length, 1, "exactly one bot holds BTC lighter/grvt");
  equal((await s1.pairClaims()).length, 1);
  equal(
    two.lines.some((l) => l.includes("claimed by another bot")) ||
      one.lines.some((l) => l.includes("claimed by another bot")),
    true,
  );
  await s1.close();
  await s2.close();
}

Deno.test("funding arb: two bots on one SQLite store never take the same pair", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await twoBots(() => SqliteFundingStore.open(`${dir}/f.db`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const PG_URL = Deno.env.get("PERP_TEST_POSTGRES_URL");
Deno.test({
  name: "funding arb: two bots on one PostgreSQL store never take the same pair",
  ignore: PG_URL === undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    // A schema of its own: the store suite resets the default schema in parallel.
    const sql = postgres(PG_URL!, { max: 1, onnotice: () => {} });
    await sql.unsafe("DROP SCHEMA IF EXISTS perp_arb_two_bots CASCADE");
    await sql.unsafe("CREATE SCHEMA perp_arb_two_bots");
    await sql.end({ timeout: 1 });
    const url = `${PG_URL!}${PG_URL!.includes("?") ? "&" : "?"}search_path=perp_arb_two_bots`;
    await twoBots(() => PostgresFundingStore.open(url, { maxConnections: 2 }));
  },
});

Deno.test("funding arb: a venue outage during holding keeps the hedge, then reduces past the limit", async () => {
  const clock = new ManualClock(T0);
  const a = paperVenue(clock, { name: "lighter", rate: "-0.0001", intervalHours: 1 });
  const b = paperVenue(clock, { name: "grvt", rate: "0.0003", intervalHours: 1 });
  await using store = await memoryStore();
  const { arb, lines } = strategy([a, b], store, clock, { outageLimitMs: 300_000 });
  await arb.start(signal);
  const s = arb.step(signal);
  await clock.advance(100);
  hitMaker(a, "sell", "0.01");
  await drive(clock, s);
  equal(arb.positions()[0].status, "open");
  const outage = b.faults.inject({ kind: "error", status: 503 });
  // Four minutes of outage: both legs kept, no new orders.
  for (let i = 0; i < 4; i++) {
    await drive(clock, arb.step(signal));
    await clock.advance(60_000);
  }
  equal(a.engine.position("me", "BTC").size, "0.01");
  equal(b.engine.position("me", "BTC").size, "-0.01");
  equal(lines.filter((l) => l.includes("grvt unreachable")).length, 1);
  // Past five minutes: the reachable Lighter leg is closed, GRVT once it is back.
  for (let i = 0; i < 3; i++) {
    await drive(clock, arb.step(signal));
    await clock.advance(60_000);
  }
  equal(a.engine.position("me", "BTC").size, "0");
  equal(b.engine.position("me", "BTC").size, "-0.01");
  b.faults.clear(outage);
  await drive(clock, arb.step(signal));
  equal(b.engine.position("me", "BTC").size, "0");
  equal(arb.positions().length, 0);
});
