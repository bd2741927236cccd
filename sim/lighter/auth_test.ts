import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";
import { LighterSigner } from "../../exchanges/lighter/signer/lighter_signer.ts";
import { checkLighterAuthToken, lighterAuthMessageHash, parseLighterAuthToken } from "./auth.ts";
import { testdataUrl } from "../../tests/_testdata.ts";

interface TokenVector {
  sk: string;
  account_index: number;
  api_key_index: number;
  deadline: number;
  token: string;
}

const fixtures = testdataUrl("fixtures/lighter/");
const read = async <T>(name: string): Promise<T> =>
  JSON.parse(await Deno.readTextFile(new URL(name, fixtures))) as T;

const { vectors } = await read<{ vectors: TokenVector[] }>(
  "SIGN_auth_token_oracle__nautilus-from-official-signer.json",
);
const intermediates = await read<
  { auth_token_example: { message: string; hashed_msg_le_hex: string } }
>("SIGN_intermediates__computed.json");
/** The oracle key's public key (lighter.md §5.8); every vector is signed with it. */
const PK = "2c4fbfa7d45258fb02da89eaaf8a3af8eb62106ddd86cd98886e0fadcd7fcacf6f8fd2af3ca004f5";
const keyOf = (account: number) => account === 12345 ? PK : undefined;
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

Deno.test("replica auth: message hash matches the computed intermediate", () => {
  const { message, hashed_msg_le_hex } = intermediates.auth_token_example;
  equal(hex(lighterAuthMessageHash(message)), hashed_msg_le_hex);
});

Deno.test("replica auth: all 6 official tokens verify under the oracle public key", () => {
  equal(vectors.length, 6);
  for (const v of vectors) ok(checkLighterAuthToken(v.token, keyOf), v.token);
});

Deno.test("replica auth: parses deadline, account and key of an official token", () => {
  const t = parseLighterAuthToken(vectors[0].token)!;
  deepEqual([t.deadline, t.accountIndex, t.apiKeyIndex, t.message, t.signature.length], [
    1700000000,
    12345,
    5,
    "1700000000:12345:5",
    80,
  ]);
  equal(parseLighterAuthToken("1700000000:12345:5:" + "AB".repeat(80)), undefined);
  equal(parseLighterAuthToken("garbage"), undefined);
});

Deno.test("replica auth: a changed message, a flipped bit, another key or account are refused", () => {
  const t = vectors[0].token;
  ok(!checkLighterAuthToken(t.replace("1700000000:", "1700000001:"), keyOf));
  const last = t.at(-1) === "0" ? "1" : "0";
  ok(!checkLighterAuthToken(t.slice(0, -1) + last, keyOf));
  const other = new LighterSigner({
    privateKey: "22".repeat(40),
    accountIndex: 12345,
    apiKeyIndex: 5,
    chainId: 304,
  });
  ok(!checkLighterAuthToken(t, () => other.publicKey));
  ok(!checkLighterAuthToken(t, () => undefined));
  ok(!checkLighterAuthToken(t, keyOf, { account: 12346 }));
  ok(checkLighterAuthToken(t, keyOf, { account: 12345 }));
  ok(!checkLighterAuthToken("garbage", keyOf));
  ok(!checkLighterAuthToken(undefined, keyOf));
});

Deno.test("replica auth: expired tokens and deadlines beyond 8 h are refused", () => {
  const t = vectors[0].token; // deadline 1700000000
  ok(checkLighterAuthToken(t, keyOf, { now: 1_699_999_999_000 }));
  ok(!checkLighterAuthToken(t, keyOf, { now: 1_700_000_001_000 }));
  // 9 h before the deadline: too far ahead.
  ok(!checkLighterAuthToken(t, keyOf, { now: 1_700_000_000_000 - 9 * 3_600_000 }));
});

Deno.test("replica auth: the client's tokens verify with the replica's code", () => {
  const now = 1_750_000_000_000;
  const signer = new LighterSigner({
    privateKey: vectors[0].sk,
    accountIndex: 12345,
    apiKeyIndex: 5,
    chainId: 304,
    now: () => now,
  });
  const token = signer.createAuthToken();
  ok(checkLighterAuthToken(token, keyOf, { now, account: 12345 }));
  equal(parseLighterAuthToken(token)?.deadline, now / 1000 + 7 * 3600);
});
