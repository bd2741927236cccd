import { deepStrictEqual as deepEqual } from "node:assert/strict";
import fc from "fast-check";
import { keccak256 as viemKeccak } from "viem";
import { keccak256 } from "./keccak.ts";

Deno.test("keccak256() equals viem's keccak256 for inputs across block boundaries", () => {
  // Lengths around the 136-byte rate, where padding bugs live.
  for (const n of [0, 1, 31, 32, 135, 136, 137, 271, 272, 273, 1000]) {
    const input = new Uint8Array(n).map((_, i) => (i * 37 + n) & 0xff);
    deepEqual(keccak256(input), viemKeccak(input, "bytes"), `length ${n}`);
  }
});

Deno.test("keccak256() equals viem's keccak256 for random inputs (property)", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 700 }), (input) => {
      deepEqual(keccak256(input), viemKeccak(input, "bytes"));
    }),
    { numRuns: 2000 },
  );
});
