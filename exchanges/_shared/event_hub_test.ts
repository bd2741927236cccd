import { deepStrictEqual as deepEqual } from "node:assert/strict";
import { EventHub } from "./event_hub.ts";

Deno.test("EventHub gives each iterator every event, even a slow one", async () => {
  const hub = new EventHub<number>();
  const fast = hub.events();
  const slow = hub.events();
  for (let i = 0; i < 5000; i++) hub.emit(i);
  hub.close();
  const got: number[] = [];
  for await (const n of fast) got.push(n);
  deepEqual(got.length, 5000);
  deepEqual(got[4999], 4999);
  const slowGot: number[] = [];
  for await (const n of slow) slowGot.push(n);
  deepEqual(slowGot, got);
});

Deno.test("EventHub iterators end on abort and on break", async () => {
  const hub = new EventHub<string>();
  const ac = new AbortController();
  const it = hub.events({ signal: ac.signal });
  const pending = it.next();
  ac.abort();
  deepEqual((await pending).done, true);
  const it2 = hub.events();
  hub.emit("a");
  for await (const v of it2) {
    deepEqual(v, "a");
    break;
  }
  hub.emit("b");
  deepEqual((await it2.next()).done, true);
});

Deno.test("a throwing listener does not stop delivery to the others", () => {
  const errors: unknown[] = [];
  const hub = new EventHub<number>({ onListenerError: (e) => errors.push(e) });
  const seen: number[] = [];
  hub.onEvent(() => {
    throw new Error("listener bug");
  });
  hub.onEvent((n) => seen.push(n));
  hub.emit(1);
  deepEqual(seen, [1]);
  deepEqual(errors.length, 1);
});
