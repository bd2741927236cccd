/**
 * Every official signing vector of the Hyperliquid Python SDK (`tests/signing_test.py`,
 * hyperliquid-python-sdk 0.23.0), reproduced byte for byte, and a random cross-check of the
 * own EIP-712 and MessagePack code against viem's `signTypedData` and `@msgpack/msgpack`.
 */
import { deepStrictEqual as deepEqual, strictEqual as equal, throws } from "node:assert/strict";
import { encode as msgpackEncode } from "@msgpack/msgpack";
import { privateKeyToAccount } from "viem/accounts";
import { hashTypedData, keccak256 as viemKeccak, parseSignature } from "viem";
import {
  actionHash,
  createHyperliquidSigner,
  encodeMsgpack,
  type MsgpackValue,
  phantomAgentDigest,
  signDigest,
  toWireDecimal,
  USER_SIGNED_TYPES,
  userSignedDigest,
} from "./signing.ts";

const KEY = "0x0123456789012345678901234567890123456789012345678901234567890123";
const mainnet = createHyperliquidSigner({ privateKey: KEY, mainnet: true });
const testnet = createHyperliquidSigner({ privateKey: KEY, mainnet: false });

async function both(action: MsgpackValue, vault?: string) {
  const m = createHyperliquidSigner({ privateKey: KEY, mainnet: true, vaultAddress: vault });
  const t = createHyperliquidSigner({ privateKey: KEY, mainnet: false, vaultAddress: vault });
  return [(await m.signAction(action, 0)).signature, (await t.signAction(action, 0)).signature];
}

const order = (t: MsgpackValue, c?: string) => ({
  type: "order",
  orders: [{ a: 1, b: true, p: "100", s: "100", r: false, t, ...(c ? { c } : {}) }],
  grouping: "na",
});

Deno.test("hyperliquid signing: phantom agent creation matches production", () => {
  const action = {
    type: "order",
    orders: [{ a: 4, b: true, p: "1670.1", s: "0.0147", r: false, t: { limit: { tif: "Ioc" } } }],
    grouping: "na",
  };
  equal(
    actionHash(action, 1677777606040),
    "0x0fcbeda5ae3c4950a548021552a4fea2226858c4453571bf3f24ba017eac2908",
  );
});

Deno.test("hyperliquid signing: l1 action signing matches (dummy, mainnet and testnet)", async () => {
  const [m, t] = await both({ type: "dummy", num: 100000000000 });
  deepEqual(m, {
    r: "0x53749d5b30552aeb2fca34b530185976545bb22d0b3ce6f62e31be961a59298",
    s: "0x755c40ba9bf05223521753995abb2f73ab3229be8ec921f350cb447e384d8ed8",
    v: 27,
  });
  deepEqual(t, {
    r: "0x542af61ef1f429707e3c76c5293c80d01f74ef853e34b76efffcb57e574f9510",
    s: "0x17b8b32f086e8cdede991f1e2c529f5dd5297cbe8128500e00cbaf766204a613",
    v: 28,
  });
});

Deno.test("hyperliquid signing: l1 order signing matches", async () => {
  const [m, t] = await both(order({ limit: { tif: "Gtc" } }));
  deepEqual(m, {
    r: "0xd65369825a9df5d80099e513cce430311d7d26ddf477f5b3a33d2806b100d78e",
    s: "0x2b54116ff64054968aa237c20ca9ff68000f977c93289157748a3162b6ea940e",
    v: 28,
  });
  deepEqual(t, {
    r: "0x82b2ba28e76b3d761093aaded1b1cdad4960b3af30212b343fb2e6cdfa4e3d54",
    s: "0x6b53878fc99d26047f4d7e8c90eb98955a109f44209163f52d8dc4278cbbd9f5",
    v: 27,
  });
});

Deno.test("hyperliquid signing: l1 order with cloid signing matches", async () => {
  const [m, t] = await both(order({ limit: { tif: "Gtc" } }, "0x00000000000000000000000000000001"));
  deepEqual(m, {
    r: "0x41ae18e8239a56cacbc5dad94d45d0b747e5da11ad564077fcac71277a946e3",
    s: "0x3c61f667e747404fe7eea8f90ab0e76cc12ce60270438b2058324681a00116da",
    v: 27,
  });
  deepEqual(t, {
    r: "0xeba0664bed2676fc4e5a743bf89e5c7501aa6d870bdb9446e122c9466c5cd16d",
    s: "0x7f3e74825c9114bc59086f1eebea2928c190fdfbfde144827cb02b85bbe90988",
    v: 28,
  });
});

Deno.test("hyperliquid signing: l1 action signing matches with vault", async () => {
  const [m, t] = await both(
    { type: "dummy", num: 100000000000 },
    "0x1719884eb866cb12b2287399b15f7db5e7d775ea",
  );
  deepEqual(m, {
    r: "0x3c548db75e479f8012acf3000ca3a6b05606bc2ec0c29c50c515066a326239",
    s: "0x4d402be7396ce74fbba3795769cda45aec00dc3125a984f2a9f23177b190da2c",
    v: 28,
  });
  deepEqual(t, {
    r: "0xe281d2fb5c6e25ca01601f878e4d69c965bb598b88fac58e475dd1f5e56c362b",
    s: "0x7ddad27e9a238d045c035bc606349d075d5c5cd00a6cd1da23ab5c39d4ef0f60",
    v: 27,
  });
});

Deno.test("hyperliquid signing: l1 tpsl order signing matches", async () => {
  const [m, t] = await both(order({ trigger: { isMarket: true, triggerPx: "103", tpsl: "sl" } }));
  deepEqual(m, {
    r: "0x98343f2b5ae8e26bb2587daad3863bc70d8792b09af1841b6fdd530a2065a3f9",
    s: "0x6b5bb6bb0633b710aa22b721dd9dee6d083646a5f8e581a20b545be6c1feb405",
    v: 27,
  });
  deepEqual(t, {
    r: "0x971c554d917c44e0e1b6cc45d8f9404f32172a9d3b3566262347d0302896a2e4",
    s: "0x206257b104788f80450f8e786c329daa589aa0b32ba96948201ae556d5637eac",
    v: 28,
  });
});

Deno.test("hyperliquid signing: usd transfer (user-signed) matches", async () => {
  const d = userSignedDigest("UsdSend", USER_SIGNED_TYPES.UsdSend, {
    hyperliquidChain: "Testnet",
    destination: "0x5e9ee1089755c3435139848e47e6635505d5a13a",
    amount: "1",
    time: 1687816341423,
  }, 0x66eeen);
  deepEqual(await signDigest(d, KEY), {
    r: "0x637b37dd731507cdd24f46532ca8ba6eec616952c56218baeff04144e4a77073",
    s: "0x11a6a24900e6e314136d2592e2f8d502cd89b7c15b198e1bee043c9589f9fad7",
    v: 27,
  });
});

Deno.test("hyperliquid signing: withdraw from bridge (user-signed) matches", async () => {
  const d = userSignedDigest("Withdraw", USER_SIGNED_TYPES.Withdraw, {
    hyperliquidChain: "Testnet",
    destination: "0x5e9ee1089755c3435139848e47e6635505d5a13a",
    amount: "1",
    time: 1687816341423,
  }, 0x66eeen);
  deepEqual(await signDigest(d, KEY), {
    r: "0x8363524c799e90ce9bc41022f7c39b4e9bdba786e5f9c72b20e43e1462c37cf9",
    s: "0x58b1411a775938b83e29182e8ef74975f9054c8e97ebf5ec2dc8d51bfc893881",
    v: 28,
  });
});

Deno.test("hyperliquid signing: create sub-account matches", async () => {
  const [m, t] = await both({ type: "createSubAccount", name: "example" });
  deepEqual(m, {
    r: "0x51096fe3239421d16b671e192f574ae24ae14329099b6db28e479b86cdd6caa7",
    s: "0xb71f7d293af92d3772572afb8b102d167a7cef7473388286bc01f52a5c5b423",
    v: 27,
  });
  deepEqual(t, {
    r: "0xa699e3ed5c2b89628c746d3298b5dc1cca604694c2c855da8bb8250ec8014a5b",
    s: "0x53f1b8153a301c72ecc655b1c315d64e1dcea3ee58921fd7507e35818fcc1584",
    v: 28,
  });
});

Deno.test("hyperliquid signing: sub-account transfer matches", async () => {
  const [m, t] = await both({
    type: "subAccountTransfer",
    subAccountUser: "0x1d9470d4b963f552e6f671a81619d395877bf409",
    isDeposit: true,
    usd: 10,
  });
  deepEqual(m, {
    r: "0x43592d7c6c7d816ece2e206f174be61249d651944932b13343f4d13f306ae602",
    s: "0x71a926cb5c9a7c01c3359ec4c4c34c16ff8107d610994d4de0e6430e5cc0f4c9",
    v: 28,
  });
  deepEqual(t, {
    r: "0xe26574013395ad55ee2f4e0575310f003c5bb3351b5425482e2969fa51543927",
    s: "0xefb08999196366871f919fd0e138b3a7f30ee33e678df7cfaf203e25f0a4278",
    v: 28,
  });
});

Deno.test("hyperliquid signing: schedule cancel matches (with and without time)", async () => {
  const [m, t] = await both({ type: "scheduleCancel" });
  deepEqual(m, {
    r: "0x6cdfb286702f5917e76cd9b3b8bf678fcc49aec194c02a73e6d4f16891195df9",
    s: "0x6557ac307fa05d25b8d61f21fb8a938e703b3d9bf575f6717ba21ec61261b2a0",
    v: 27,
  });
  deepEqual(t, {
    r: "0xc75bb195c3f6a4e06b7d395acc20bbb224f6d23ccff7c6a26d327304e6efaeed",
    s: "0x342f8ede109a29f2c0723bd5efb9e9100e3bbb493f8fb5164ee3d385908233df",
    v: 28,
  });
  const [m2, t2] = await both({ type: "scheduleCancel", time: 123456789 });
  deepEqual(m2, {
    r: "0x609cb20c737945d070716dcc696ba030e9976fcf5edad87afa7d877493109d55",
    s: "0x16c685d63b5c7a04512d73f183b3d7a00da5406ff1f8aad33f8ae2163bab758b",
    v: 28,
  });
  deepEqual(t2, {
    r: "0x4e4f2dbd4107c69783e251b7e1057d9f2b9d11cee213441ccfa2be63516dc5bc",
    s: "0x706c656b23428c8ba356d68db207e11139ede1670481a9e01ae2dfcdb0e1a678",
    v: 27,
  });
});

Deno.test("hyperliquid signing: float_to_wire equivalents", () => {
  equal(toWireDecimal("100"), "100");
  equal(toWireDecimal("1670.10"), "1670.1");
  equal(toWireDecimal("0.01470000"), "0.0147");
  equal(toWireDecimal("-0.0"), "0");
  equal(toWireDecimal("000.5"), "0.5");
  throws(() => toWireDecimal("0.000000001"), RangeError);
});

Deno.test("hyperliquid signing: signer address and key checks", () => {
  equal(mainnet.address, privateKeyToAccount(KEY).address.toLowerCase());
  equal(testnet.address, mainnet.address);
  throws(() => createHyperliquidSigner({ privateKey: "0x12", mainnet: true }));
});

Deno.test("hyperliquid signing: msgpack edge encodings agree with @msgpack/msgpack", () => {
  for (
    const v of [
      0,
      127,
      128,
      255,
      256,
      65535,
      65536,
      2 ** 32 - 1,
      2 ** 32,
      Number.MAX_SAFE_INTEGER,
      -1,
      -32,
      -33,
      -128,
      -129,
      -32768,
      -32769,
      -(2 ** 31),
      -(2 ** 31) - 1,
      "x".repeat(31),
      "x".repeat(32),
      "x".repeat(256),
      "é",
      Array.from({ length: 16 }, (_, i) => i),
      Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i])),
      null,
      true,
      false,
    ]
  ) {
    deepEqual(encodeMsgpack(v), msgpackEncode(v), `value ${JSON.stringify(v)}`);
  }
});

/** Deterministic PRNG (mulberry32) so a failure is reproducible. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("hyperliquid signing: 5,000 random orders agree with viem signTypedData and @msgpack/msgpack", async () => {
  const r = rng(17);
  const account = privateKeyToAccount(KEY);
  const tifs = ["Alo", "Ioc", "Gtc"];
  let mismatches = 0;
  for (let i = 0; i < 5000; i++) {
    const px = (Math.floor(r() * 1e7) / 10 ** Math.floor(r() * 6)).toString();
    const sz = (Math.floor(r() * 1e6 + 1) / 10 ** Math.floor(r() * 5)).toString();
    const cloid = "0x" +
      Array.from({ length: 32 }, () => Math.floor(r() * 16).toString(16)).join("");
    const action = {
      type: "order",
      orders: [{
        a: Math.floor(r() * 200),
        b: r() < 0.5,
        p: toWireDecimal(px),
        s: toWireDecimal(sz),
        r: r() < 0.3,
        t: { limit: { tif: tifs[Math.floor(r() * 3)] } },
        ...(r() < 0.8 ? { c: cloid } : {}),
      }],
      grouping: "na",
    };
    const nonce = 1_700_000_000_000 + Math.floor(r() * 1e10);
    const isMain = r() < 0.5;
    // Independent path: @msgpack/msgpack + viem keccak + viem EIP-712.
    const bytes = msgpackEncode(action);
    const tail = new Uint8Array(9);
    new DataView(tail.buffer).setBigUint64(0, BigInt(nonce));
    const joined = new Uint8Array(bytes.length + 9);
    joined.set(bytes);
    joined.set(tail, bytes.length);
    const connectionId = viemKeccak(joined);
    const typed = {
      domain: {
        name: "Exchange",
        version: "1",
        chainId: 1337,
        verifyingContract: "0x0000000000000000000000000000000000000000",
      },
      types: {
        Agent: [{ name: "source", type: "string" }, { name: "connectionId", type: "bytes32" }],
      },
      primaryType: "Agent",
      message: { source: isMain ? "a" : "b", connectionId },
    } as const;
    const ours = phantomAgentDigest(actionHash(action, nonce), isMain);
    if (ours !== hashTypedData(typed)) mismatches++;
    if (i % 50 === 0) {
      const signer = isMain ? mainnet : testnet;
      const sig = (await signer.signAction(action, nonce)).signature;
      const theirs = parseSignature(await account.signTypedData(typed));
      if (BigInt(sig.r) !== BigInt(theirs.r) || BigInt(sig.s) !== BigInt(theirs.s)) mismatches++;
    }
  }
  equal(mismatches, 0);
});
