import { deepEqual, ok, throws } from "node:assert/strict";
import { ConfigurationError } from "../../../core/errors.ts";
import { readFixture } from "./_fixtures_test.ts";
import { fp5ToBytes } from "./_fp5.ts";
import { toHex } from "./_hex.ts";
import { authMessageHash, parseAuthToken, verifyAuthToken } from "./auth_token.ts";
import { LighterSigner } from "./lighter_signer.ts";

interface TokenVector {
  sk: string;
  account_index: number;
  api_key_index: number;
  deadline: number;
  token: string;
}

const { vectors } = await readFixture<{ vectors: TokenVector[] }>(
  "lighter/SIGN_auth_token_oracle__nautilus-from-official-signer.json",
);
const intermediates = await readFixture<
  { auth_token_example: { message: string; hashed_msg_le_hex: string } }
>("lighter/SIGN_intermediates__computed.json");
const PK = "2c4fbfa7d45258fb02da89eaaf8a3af8eb62106ddd86cd98886e0fadcd7fcacf6f8fd2af3ca004f5";

Deno.test("auth-token message hashing matches the computed intermediate", () => {
  const { message, hashed_msg_le_hex } = intermediates.auth_token_example;
  deepEqual(toHex(fp5ToBytes(authMessageHash(message))), hashed_msg_le_hex);
});

Deno.test("all 6 official auth tokens verify under the oracle public key", () => {
  deepEqual(vectors.length, 6);
  for (const v of vectors) ok(verifyAuthToken(v.token, PK), v.token);
});

Deno.test("our tokens reproduce the official message part and verify", () => {
  for (const v of vectors) {
    const signer = new LighterSigner({
      privateKey: v.sk,
      accountIndex: v.account_index,
      apiKeyIndex: v.api_key_index,
      chainId: 304,
    });
    const token = signer.signAuthMessage(v.deadline);
    deepEqual(token.slice(0, token.lastIndexOf(":")), v.token.slice(0, v.token.lastIndexOf(":")));
    deepEqual(token.length, v.token.length);
    ok(verifyAuthToken(token, signer.publicKey));
  }
});

Deno.test("a token fails for a changed message, a flipped signature bit or another key", () => {
  const t = vectors[0].token;
  ok(!verifyAuthToken(t.replace("1700000000:", "1700000001:"), PK));
  const last = t.at(-1) === "0" ? "1" : "0";
  ok(!verifyAuthToken(t.slice(0, -1) + last, PK));
  const other = new LighterSigner({
    privateKey: "22".repeat(40),
    accountIndex: 12345,
    apiKeyIndex: 5,
    chainId: 304,
  });
  ok(!verifyAuthToken(t, other.publicKey));
  ok(!verifyAuthToken("garbage", PK));
});

Deno.test("verifyAuthToken with a clock refuses an expired token", () => {
  const t = vectors[0].token; // deadline 1700000000
  ok(verifyAuthToken(t, PK, { now: 1_699_999_999_000 }));
  ok(!verifyAuthToken(t, PK, { now: 1_700_000_001_000 }));
});

Deno.test("createAuthToken defaults to 7 hours and refuses deadlines beyond 8 hours or past", () => {
  const now = 1_750_000_000_000;
  const signer = new LighterSigner({
    privateKey: vectors[0].sk,
    accountIndex: 12345,
    apiKeyIndex: 5,
    chainId: 304,
    now: () => now,
  });
  deepEqual(parseAuthToken(signer.createAuthToken())?.deadline, now / 1000 + 7 * 3600);
  throws(() => signer.createAuthToken({ deadline: now / 1000 + 8 * 3600 + 1 }), ConfigurationError);
  throws(() => signer.createAuthToken({ deadline: now / 1000 - 1 }), ConfigurationError);
  throws(() => signer.createAuthToken({ deadline: 1.5 }), ConfigurationError);
});
