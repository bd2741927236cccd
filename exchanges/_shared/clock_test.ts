import { deepStrictEqual as deepEqual, rejects } from "node:assert/strict";
import { ManualClock, systemClock } from "./clock.ts";

Deno.test("ManualClock wakes sleepers in deadline order at their own times", async () => {
  const clock = new ManualClock(0);
  const log: string[] = [];
  clock.sleep(300).then(() => log.push(`c@${clock.now()}`));
  clock.sleep(100).then(() => log.push(`a@${clock.now()}`));
  clock.sleep(100).then(() => log.push(`b@${clock.now()}`));
  await clock.advance(250);
  deepEqual(log, ["a@100", "b@100"]);
  await clock.advance(50);
  deepEqual(log, ["a@100", "b@100", "c@300"]);
});

Deno.test("ManualClock runs chained sleeps of a simulated day quickly", async () => {
  const clock = new ManualClock(0);
  let ticks = 0;
  const loop = (async () => {
    while (clock.now() < 86_400_000) {
      await clock.sleep(60_000);
      ticks++;
    }
  })();
  await clock.advance(86_400_000);
  await loop;
  deepEqual(ticks, 1440);
});

Deno.test("sleep() rejects when its signal aborts", async () => {
  const clock = new ManualClock(0);
  const ac = new AbortController();
  const p = clock.sleep(1000, ac.signal);
  ac.abort(new Error("stop"));
  await rejects(p, /stop/);
  deepEqual(clock.pending, 0);
  const ac2 = new AbortController();
  const p2 = systemClock.sleep(10_000, ac2.signal);
  ac2.abort(new Error("stop"));
  await rejects(p2, /stop/);
});
