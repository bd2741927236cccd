/**
 * Cost of signing a Hyperliquid order action, in one process:
 *
 * - **ours**: `createHyperliquidSigner(...).signAction` — own MessagePack encoder, the package's
 *   keccak, the phantom-agent EIP-712 digest with a precomputed domain separator, and viem's
 *   `sign` (secp256k1);
 * - **viem**: `@msgpack/msgpack` + viem `keccak256` for the action hash, then viem's generic
 *   `account.signTypedData` on the `Agent` typed data (the path the official SDKs take);
 * - **floor**: viem's `sign` alone over precomputed digests of the same actions (secp256k1 only).
 *
 * ```sh
 * deno run -A bench/hyperliquid_signing_bench.ts [--batch 100] [--rounds 41]
 * ```
 *
 * Every action has its own nonce and cloid; the contenders run interleaved, in rotating order,
 * and the medians of per-batch means are reported. Exits non-zero if our signature differs from
 * viem's on any action. (`@nktkas/hyperliquid` is not measured: it is not in the lock file.)
 *
 * @module
 */
import { parseArgs } from "node:util";
import { encode } from "@msgpack/msgpack";
import { keccak256 } from "viem";
import { privateKeyToAccount, sign } from "viem/accounts";
import {
  actionHash,
  createHyperliquidSigner,
  type MsgpackValue,
  phantomAgentDigest,
} from "../exchanges/hyperliquid/signing.ts";
import { median } from "./_stats.ts";

// The official Python SDK's test key (not a real wallet).
const KEY = "0x0123456789012345678901234567890123456789012345678901234567890123";
const NONCE0 = 1_700_000_000_000;

function action(i: number): MsgpackValue {
  return {
    type: "order",
    orders: [{
      a: i % 2,
      b: i % 3 === 0,
      p: i % 2 ? "3201.4" : "64012",
      s: i % 2 ? "0.0157" : "0.00123",
      r: false,
      t: { limit: { tif: i % 5 === 0 ? "Ioc" : "Alo" } },
      c: `0x${i.toString(16).padStart(32, "0")}`,
    }],
    grouping: "na",
  };
}

const account = privateKeyToAccount(KEY);
const ours = createHyperliquidSigner({ privateKey: KEY, mainnet: true });

async function viemSign(a: MsgpackValue, nonce: number): Promise<string> {
  const packed = encode(a);
  const bytes = new Uint8Array(packed.length + 9);
  bytes.set(packed);
  new DataView(bytes.buffer).setBigUint64(packed.length, BigInt(nonce));
  return await account.signTypedData({
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
    message: { source: "a", connectionId: keccak256(bytes) },
  });
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      batch: { type: "string", default: "100" },
      rounds: { type: "string", default: "41" },
    },
  });
  const batch = Number(values.batch);
  const rounds = Number(values.rounds);
  const actions = Array.from({ length: batch }, (_, i) => action(i));
  const digests = actions.map((a, i) => phantomAgentDigest(actionHash(a, NONCE0 + i), true));

  // Agreement first: our {r, s, v} equals viem's 65-byte signature on every action.
  for (let i = 0; i < batch; i++) {
    const mine = (await ours.signAction(actions[i], NONCE0 + i)).signature;
    const theirs = await viemSign(actions[i], NONCE0 + i);
    const r = BigInt(theirs.slice(0, 66));
    const s = BigInt(`0x${theirs.slice(66, 130)}`);
    const v = parseInt(theirs.slice(130), 16);
    if (BigInt(mine.r) !== r || BigInt(mine.s) !== s || mine.v !== v) {
      console.error(`signature mismatch on action ${i}`);
      Deno.exit(1);
    }
  }

  const contenders: Record<string, () => Promise<unknown>> = {
    ours: async () => {
      for (let i = 0; i < batch; i++) await ours.signAction(actions[i], NONCE0 + i);
    },
    viem: async () => {
      for (let i = 0; i < batch; i++) await viemSign(actions[i], NONCE0 + i);
    },
    floor: async () => {
      for (let i = 0; i < batch; i++) await sign({ hash: digests[i], privateKey: KEY });
    },
  };
  const names = Object.keys(contenders);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (const n of names) await contenders[n](); // warm-up
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length];
      const t0 = performance.now();
      await contenders[name]();
      samples[name].push((performance.now() - t0) * 1000 / batch);
    }
  }
  const m = Object.fromEntries(names.map((n) => [n, median(samples[n])]));
  for (const n of names) {
    console.log(
      `${n.padEnd(6)} ${m[n].toFixed(1).padStart(8)} µs/sign  ${
        (m[n] / m.floor).toFixed(2)
      }× floor`,
    );
  }
  console.log(`ours / viem signTypedData: ${(m.ours / m.viem).toFixed(2)}×`);
}
