// Worker of bench/funding_api_bench.ts: serves the funding API over the seeded SQLite file.
import { createFundingApi } from "../funding/api.ts";
import { SqliteFundingStore } from "../funding/sqlite_store.ts";

const worker = self as unknown as {
  onmessage: (e: MessageEvent<{ path: string }>) => void;
  postMessage(data: unknown): void;
};
worker.onmessage = async (e: MessageEvent<{ path: string }>) => {
  const store = await SqliteFundingStore.open(e.data.path);
  const api = createFundingApi({
    store,
    venues: ["lighter", "grvt", "edgex"],
    maxAgeMs: 3_600_000,
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, api.fetch);
  worker.postMessage({ port: server.addr.port });
};
