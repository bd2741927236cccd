import {
  deepStrictEqual as deepEqual,
  ok,
  rejects,
  strictEqual as equal,
} from "node:assert/strict";
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

Deno.test("two processes racing on one key: the transaction goes out after a few invalid nonces, pausing 20–150 ms between sends", async () => {
  let venueNonce = 20;
  const pauses: number[] = [];
  const draws = [0, 0.5, 0.999];
  const nonces = new LighterNonceManager(() => Promise.resolve(venueNonce), {
    sleep: (ms) => Promise.resolve(void pauses.push(ms)),
    random: () => draws.shift()!,
  });
  const sent: number[] = [];
  await nonces.run((n) => {
    sent.push(n);
    // The other process takes the nonce just read, three times over.
    if (sent.length <= 3) {
      venueNonce++;
      return Promise.reject(new PerpError("invalid nonce", { venue: "lighter", code: 21104 }));
    }
    return Promise.resolve();
  });
  deepEqual(sent, [20, 21, 22, 23]);
  deepEqual(pauses, [20, 85, 149]);
});

Deno.test("five invalid nonces in a row: the error names the key and says another process uses it", async () => {
  let sends = 0;
  const nonces = new LighterNonceManager(() => Promise.resolve(sends), {
    sleep: () => Promise.resolve(),
    describeKey: () => "API key 3 of account 7",
  });
  await rejects(
    nonces.run(() => {
      sends++;
      return Promise.reject(new PerpError("invalid nonce", { venue: "lighter", code: 21104 }));
    }),
    (e: unknown) => {
      ok(e instanceof PerpError);
      equal(e.code, 21104);
      equal(
        e.message,
        "invalid nonce: 5 sends in a row met a used nonce, so another process is signing with " +
          "API key 3 of account 7; give each bot its own API key index (LIGHTER_API_KEY_INDEX)",
      );
      return true;
    },
  );
  equal(sends, 5);
});
