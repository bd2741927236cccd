import {
  deepStrictEqual as deepEqual,
  notDeepStrictEqual as notDeepEqual,
  ok,
} from "node:assert/strict";
import {
  CLIENT_ORDER_ID_RANGES,
  type ClientOrderIdVenue,
  deriveClientOrderId,
  isValidClientOrderId,
  randomClientOrderId,
} from "./client_order_id.ts";

const VENUES: ClientOrderIdVenue[] = ["grvt", "lighter", "edgex"];

Deno.test("randomClientOrderId() stays inside each venue's range, including at the extremes", () => {
  for (const venue of VENUES) {
    const { min, max } = CLIENT_ORDER_ID_RANGES[venue];
    const zeros = randomClientOrderId(venue, { random: (b) => b.fill(0) });
    const ones = randomClientOrderId(venue, { random: (b) => b.fill(255) });
    deepEqual(BigInt(zeros), min);
    ok(BigInt(ones) <= max && BigInt(ones) >= min);
    for (let i = 0; i < 500; i++) ok(isValidClientOrderId(venue, randomClientOrderId(venue)));
  }
});

Deno.test("GRVT ids use the upper half of uint64 that the API reserves for client machines", () => {
  for (let i = 0; i < 200; i++) ok(BigInt(randomClientOrderId("grvt")) >= 2n ** 63n);
  ok(!isValidClientOrderId("grvt", (2n ** 63n - 1n).toString()));
  ok(!isValidClientOrderId("grvt", (2n ** 64n).toString()));
});

Deno.test("Lighter ids stay below 2^31 and never use 0 (which means 'none')", () => {
  ok(!isValidClientOrderId("lighter", "0"));
  ok(!isValidClientOrderId("lighter", String(2 ** 31)));
  ok(isValidClientOrderId("lighter", String(2 ** 31 - 1)));
  ok(!isValidClientOrderId("lighter", "012"));
});

Deno.test("deriveClientOrderId() is a pure function of venue and key", () => {
  for (const venue of VENUES) {
    const a = deriveClientOrderId(venue, "acct/ETH/open/17");
    deepEqual(a, deriveClientOrderId(venue, "acct/ETH/open/17"));
    notDeepEqual(a, deriveClientOrderId(venue, "acct/ETH/open/18"));
    ok(isValidClientOrderId(venue, a));
  }
  notDeepEqual(deriveClientOrderId("edgex", "k"), deriveClientOrderId("lighter", "k"));
});

Deno.test("Hyperliquid ids are 0x + 32 lowercase hex digits (a 128-bit cloid), random and derived", () => {
  const zeros = randomClientOrderId("hyperliquid", { random: (b) => b.fill(0) });
  const ones = randomClientOrderId("hyperliquid", { random: (b) => b.fill(255) });
  deepEqual(zeros, "0x00000000000000000000000000000000");
  deepEqual(ones, "0xffffffffffffffffffffffffffffffff");
  for (let i = 0; i < 200; i++) {
    ok(/^0x[0-9a-f]{32}$/.test(randomClientOrderId("hyperliquid")));
  }
  const a = deriveClientOrderId("hyperliquid", "acct/ETH/open/17");
  ok(/^0x[0-9a-f]{32}$/.test(a));
  deepEqual(a, deriveClientOrderId("hyperliquid", "acct/ETH/open/17"));
  notDeepEqual(a, deriveClientOrderId("hyperliquid", "acct/ETH/open/18"));
  ok(!isValidClientOrderId("hyperliquid", "0xABCDEF00000000000000000000000000"));
  ok(!isValidClientOrderId("hyperliquid", "0x0000000000000000000000000000000"));
  ok(!isValidClientOrderId("hyperliquid", "12345"));
});
