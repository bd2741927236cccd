import { deepStrictEqual as deepEqual, ok, throws } from "node:assert/strict";
import { ConfigurationError } from "../../../core/errors.ts";
import { readFixture } from "./_fixtures_test.ts";
import { fp5ToBytes } from "../../../crypto/ecgfp5/_fp5.ts";
import { toHex } from "../../../crypto/ecgfp5/_hex.ts";
import { authMessageHash } from "./auth_token.ts";
import { LighterSigner } from "./lighter_signer.ts";
import { verify } from "../../../crypto/ecgfp5/verify.ts";

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

/** Checks a token's signature with the Schnorr primitive (the venue's full check is in sim/lighter). */
function signatureValid(token: string, publicKey: string): boolean {
  const cut = token.lastIndexOf(":");
  const message = token.slice(0, cut);
  return verify(publicKey, fp5ToBytes(authMessageHash(message)), token.slice(cut + 1));
}

Deno.test("auth-token message hashing matches the computed intermediate", () => {
  const { message, hashed_msg_le_hex } = intermediates.auth_token_example;
  deepEqual(toHex(fp5ToBytes(authMessageHash(message))), hashed_msg_le_hex);
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
    ok(signatureValid(token, signer.publicKey));
    ok(signatureValid(v.token, PK), v.token);
  }
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
  deepEqual(Number(signer.createAuthToken().split(":")[0]), now / 1000 + 7 * 3600);
  throws(() => signer.createAuthToken({ deadline: now / 1000 + 8 * 3600 + 1 }), ConfigurationError);
  throws(() => signer.createAuthToken({ deadline: now / 1000 - 1 }), ConfigurationError);
  throws(() => signer.createAuthToken({ deadline: 1.5 }), ConfigurationError);
});
