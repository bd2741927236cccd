// Runs the shared store conformance suite against SQLite (memory and file) and PostgreSQL.
// PostgreSQL needs PERP_TEST_POSTGRES_URL (.ci/run starts a local server and sets it).
import { strictEqual as equal } from "node:assert/strict";
import postgres from "postgres";
import { PostgresFundingStore } from "../funding/postgres_store.ts";
import { SqliteFundingStore } from "../funding/sqlite_store.ts";
import { defineStoreSuite } from "./funding_store_suite.ts";

defineStoreSuite("sqlite (memory)", () => SqliteFundingStore.open(":memory:"));

defineStoreSuite("sqlite (file)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "funding_store_" });
  const store = await SqliteFundingStore.open(`${dir}/nested/funding.db`);
  const close = store.close.bind(store);
  store.close = async () => {
    await close();
    await Deno.remove(dir, { recursive: true });
  };
  return store;
});

const PG_URL = Deno.env.get("PERP_TEST_POSTGRES_URL");

/** Drops every table of the funding schema so each case starts empty. */
export async function resetPostgres(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(
      `DROP TABLE IF EXISTS funding_rates, latest_funding_rates, collection_logs, venues,
         opportunity_streaks, arb_positions, arb_claims, schema_migrations CASCADE`,
    );
  } finally {
    await sql.end({ timeout: 1 });
  }
}

defineStoreSuite(
  PG_URL ? "postgres" : "postgres (ignored: set PERP_TEST_POSTGRES_URL to run)",
  async () => {
    await resetPostgres(PG_URL!);
    return await PostgresFundingStore.open(PG_URL!, { maxConnections: 2 });
  },
  { ignore: PG_URL === undefined },
);

Deno.test({
  name: "postgres store: two processes migrating at once end at the same version",
  ignore: PG_URL === undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await resetPostgres(PG_URL!);
    const [a, b] = await Promise.all([
      PostgresFundingStore.open(PG_URL!, { maxConnections: 1 }),
      PostgresFundingStore.open(PG_URL!, { maxConnections: 1 }),
    ]);
    try {
      equal(await a.schemaVersion(), await b.schemaVersion());
      equal(a.hypertable, b.hypertable);
    } finally {
      await a.close();
      await b.close();
    }
  },
});
