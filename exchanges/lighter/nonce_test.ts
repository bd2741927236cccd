import { deepStrictEqual as deepEqual, rejects } from "node:assert/strict";
import { NetworkError, PerpError } from "../../core/errors.ts";
import { LighterNonceManager } from "./nonce.ts";

Deno.test("nonces are fetched once and incremented locally", async () => {
  let fetched = 0;
  const nonces = new LighterNonceManager(() => Promise.resolve(10 + 0 * ++fetched));
  const used: number[] = [];
  await Promise.all([1, 2, 3].map(() => nonces.run((n) => Promise.resolve(void used.push(n)))));
  deepEqual([used, fetched], [[10, 11, 12], 1]);
});

Deno.test("an invalid nonce resyncs from the venue and sends once more; a lost answer is not resent", async () => {
  let venueNonce = 5;
  const nonces = new LighterNonceManager(() => Promise.resolve(venueNonce));
  await nonces.run(() => Promise.resolve()); // uses 5
  venueNonce = 9; // another process used the key
  const sent: number[] = [];
  await nonces.run((n) => {
    sent.push(n);
    if (n !== 9) {
      return Promise.reject(new PerpError("invalid nonce", { venue: "lighter", code: 21104 }));
    }
    return Promise.resolve();
  });
  deepEqual(sent, [6, 9]);
  const lost: number[] = [];
  await rejects(
    nonces.run((n) => {
      lost.push(n);
      return Promise.reject(new NetworkError({ venue: "lighter" }));
    }),
    NetworkError,
  );
  deepEqual(lost, [10], "sent once: the venue may have acted");
  venueNonce = 11;
  await nonces.run((n) => Promise.resolve(void lost.push(n)));
  deepEqual(lost, [10, 11], "the next transaction asks the venue again");
});

Deno.test("a refused transaction keeps its nonce for the next one", async () => {
  const nonces = new LighterNonceManager(() => Promise.resolve(3));
  await rejects(
    nonces.run(() => Promise.reject(new PerpError("bad", { venue: "lighter", code: 21706 }))),
  );
  const used: number[] = [];
  await nonces.run((n) => Promise.resolve(void used.push(n)));
  deepEqual(used, [3]);
});
