/**
 * Cost of one GRVT order signature, in one process:
 *
 * - **ours**: `createGrvtOrderSigner(...).signOrder` — validation, exact scaling, the EIP-712
 *   digest with precomputed type hashes and domain separator, and the ECDSA signature;
 * - **ccxt**: `grvt.createSignedRequest(request, "EIP712_ORDER_TYPE")`, the method ccxt's
 *   `createOrder` calls to build and sign the order typed data, on the same order, offline;
 * - **floor**: viem's `sign` alone over precomputed digests (secp256k1 only).
 *
 * ```sh
 * deno run -A --no-lock bench/grvt_signing_bench.ts [--batch 100] [--rounds 41]
 * ```
 *
 * ccxt is loaded only here, by a dynamic import of a specifier held in a variable, so it never
 * enters the package's module graph; `--no-lock` keeps `deno.lock` untouched. It is imported
 * before anything that loads viem: both depend on `ws@8.21.0`, ccxt's copy with `bufferutil` as a
 * peer, and Deno cannot set up that second copy for a package first seen at run time (the import
 * fails with `ERR_MODULE_NOT_FOUND …/ws/8.21.0_1/index.js`); imported first, ccxt gets the first.
 *
 * Every contender signs a different nonce each time; the three run interleaved, in rotating
 * order, and the medians of per-batch means are reported. ccxt's signature is checked against
 * ours. `deno bench bench/grvt_signing_bench.ts` runs a `Deno.bench` form without ccxt.
 *
 * Exits non-zero if our signature does not recover to the signer.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { GrvtOrder, GrvtOrderSignature } from "../exchanges/grvt/signing.ts";
import { median } from "./_stats.ts";

type SigningModule = typeof import("../exchanges/grvt/signing.ts");
type Sign = (args: { hash: `0x${string}`; privateKey: `0x${string}` }) => Promise<unknown>;

const CCXT_SPECIFIER: string = "npm:ccxt@4.5.84";
const SIGNING_SPECIFIER: string = new URL("../exchanges/grvt/signing.ts", import.meta.url).href;
const VIEM_ACCOUNTS_SPECIFIER: string = "viem/accounts";

// Official pysdk test key (not a real wallet).
const PRIVATE_KEY = "0xf7934647276a6e1fa0af3f4467b4b8ddaf45d25a7368fa1a295eef49a446819d";
const CHAIN_ID = 325; // prod; ccxt signs for 325 unless sandbox mode is on
const SUB_ACCOUNT = "2147050003876484";
const EXPIRATION = "1767455222801000000";
const SIZE = "0.001";
const PRICE = "90000.0";

function fail(message: string): never {
  console.error(`FAIL: ${message}`);
  Deno.exit(1);
}

function order(nonce: number): GrvtOrder {
  return {
    subAccountId: SUB_ACCOUNT,
    timeInForce: "GOOD_TILL_TIME",
    postOnly: true,
    legs: [{
      instrumentHash: "0x030501",
      baseDecimals: 9,
      size: SIZE,
      limitPrice: PRICE,
      isBuyingAsset: true,
    }],
    nonce,
    expiration: EXPIRATION,
  };
}

interface CcxtSignature {
  r: string;
  s: string;
  v: number;
  signer: string;
}

interface CcxtGrvt {
  setMarkets(markets: unknown[]): unknown;
  createSignedRequest(
    request: Record<string, unknown>,
    structureType: string,
  ): { signature: CcxtSignature };
}

/** The request ccxt's createOrder builds for the same order, before signing. */
function ccxtRequest(nonce: number): Record<string, unknown> {
  return {
    sub_account_id: SUB_ACCOUNT,
    time_in_force: "GOOD_TILL_TIME",
    legs: [{ instrument: "BTC_USDT_Perp", size: SIZE, limit_price: PRICE, is_buying_asset: true }],
    signature: {
      signer: "",
      r: "",
      s: "",
      v: 0,
      expiration: EXPIRATION,
      nonce,
      chain_id: String(CHAIN_ID),
    },
    metadata: { client_order_id: String(nonce) },
    is_market: false,
    post_only: true,
    reduce_only: false,
  };
}

async function loadCcxt(): Promise<((nonce: number) => CcxtSignature) | string> {
  try {
    const mod = await import(CCXT_SPECIFIER);
    const ccxt = mod.default ?? mod;
    const exchange = new ccxt.grvt({
      privateKey: PRIVATE_KEY,
      options: { builderFee: false },
    }) as CcxtGrvt;
    // What loadMarkets would store for BTC_USDT_Perp (live values from grvt.md §2.3), offline.
    exchange.setMarkets([{
      id: "BTC_USDT_Perp",
      symbol: "BTC/USDT:USDT",
      base: "BTC",
      quote: "USDT",
      settle: "USDT",
      baseId: "BTC",
      quoteId: "USDT",
      settleId: "USDT",
      type: "swap",
      swap: true,
      contract: true,
      linear: true,
      active: true,
      precision: { amount: 0.001, price: 0.1, base: 1e-9, quote: 1e-6 },
      limits: {},
      info: { instrument: "BTC_USDT_Perp", instrument_hash: "0x030501", base_decimals: "9" },
    }]);
    // As createOrder calls it: no signer address given, so ccxt derives it on every call.
    const signOnce = (nonce: number) =>
      exchange.createSignedRequest(ccxtRequest(nonce), "EIP712_ORDER_TYPE").signature;
    signOnce(1); // fails here, not mid-run, if something is missing
    return signOnce;
  } catch (error) {
    return error instanceof Error ? error.message.split("\n")[0] : String(error);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      batch: { type: "string", default: "100" },
      rounds: { type: "string", default: "41" },
    },
  });
  const batch = Number(values.batch);
  const rounds = Number(values.rounds);
  if (!(batch > 0 && rounds > 0)) fail("--batch and --rounds must be positive");

  const ccxtSign = await loadCcxt(); // before viem, see the module comment
  const signing: SigningModule = await import(SIGNING_SPECIFIER);
  const { sign }: { sign: Sign } = await import(VIEM_ACCOUNTS_SPECIFIER);

  const signer = signing.createGrvtOrderSigner({ privateKey: PRIVATE_KEY, chainId: CHAIN_ID });
  const warmup = 3;
  const totalOps = batch * (rounds + warmup);
  // Floor input: the digests of exactly the orders "ours" signs, computed before timing.
  const digests: `0x${string}`[] = [];
  for (let i = 0; i < totalOps; i++) digests.push(signing.hashGrvtOrder(order(i + 1), CHAIN_ID));

  // Correctness first: ours recovers through viem's generic path, and ccxt agrees with us.
  const probe: GrvtOrderSignature = await signer.signOrder(order(1));
  if ((await signing.recoverGrvtOrderSigner(order(1), probe, CHAIN_ID)) !== signer.address) {
    fail("our signature does not recover to the signer");
  }
  let ccxtAgrees = "n/a";
  if (typeof ccxtSign === "function") {
    const theirs = ccxtSign(1);
    ccxtAgrees = theirs.r === probe.r && theirs.s === probe.s && theirs.v === probe.v &&
        theirs.signer.toLowerCase() === signer.address.toLowerCase()
      ? "yes (identical r, s, v and signer)"
      : `NO: ccxt r=${theirs.r} v=${theirs.v}, ours r=${probe.r} v=${probe.v}`;
  }

  type Name = "ours" | "floor" | "ccxt";
  const samples: Record<Name, number[]> = { ours: [], floor: [], ccxt: [] };
  let cursor = 0;
  const runOurs = async (): Promise<number> => {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) await signer.signOrder(order(cursor + i + 1));
    return (performance.now() - t0) / batch;
  };
  const runFloor = async (): Promise<number> => {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) {
      await sign({ hash: digests[cursor + i], privateKey: PRIVATE_KEY });
    }
    return (performance.now() - t0) / batch;
  };
  const runCcxt = (fn: (nonce: number) => CcxtSignature): number => {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) fn(cursor + i + 1);
    return (performance.now() - t0) / batch;
  };
  const contenders: [Name, () => Promise<number> | number][] = [
    ["ours", runOurs],
    ["floor", runFloor],
  ];
  if (typeof ccxtSign === "function") contenders.push(["ccxt", () => runCcxt(ccxtSign)]);

  // Warm-up rounds first (JIT, noble's precomputed tables), then rotate the order every round.
  for (let round = 0; round < rounds + warmup; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const [name, run] = contenders[(k + round) % contenders.length];
      const perOp = await run();
      if (round >= warmup) samples[name].push(perOp);
    }
    cursor += batch;
  }

  const us = (ms: number) => `${(ms * 1000).toFixed(1).padStart(7)} µs`;
  const ours = median(samples.ours);
  const floor = median(samples.floor);
  console.log(
    `GRVT order signing: median per op over ${rounds} interleaved batches of ${batch} ` +
      `(${Deno.build.target}, Deno ${Deno.version.deno})`,
  );
  console.log(`  ours   signOrder (scale + digest + sign)    ${us(ours)}`);
  console.log(`  floor  viem sign over a precomputed digest  ${us(floor)}`);
  if (typeof ccxtSign === "function") {
    const ccxt = median(samples.ccxt);
    console.log(`  ccxt   grvt.createSignedRequest             ${us(ccxt)}`);
    console.log(`ours / floor = ${(ours / floor).toFixed(2)}x   (target <= 1.3x)`);
    console.log(`ours / ccxt  = ${(ours / ccxt).toFixed(2)}x   (target ~0.35x)`);
    console.log(`ccxt agrees with our signature: ${ccxtAgrees}`);
  } else {
    console.log(`  ccxt   not measured: ${ccxtSign}`);
    console.log(`ours / floor = ${(ours / floor).toFixed(2)}x   (target <= 1.3x)`);
  }
}

if (import.meta.main) {
  await main();
} else if (typeof Deno.bench === "function") {
  const signing: SigningModule = await import(SIGNING_SPECIFIER);
  const { sign }: { sign: Sign } = await import(VIEM_ACCOUNTS_SPECIFIER);
  const signer = signing.createGrvtOrderSigner({ privateKey: PRIVATE_KEY, chainId: CHAIN_ID });
  const digest = signing.hashGrvtOrder(order(1), CHAIN_ID);
  let nonce = 0;
  Deno.bench("grvt: viem sign over a precomputed digest (floor)", { baseline: true }, async () => {
    await sign({ hash: digest, privateKey: PRIVATE_KEY });
  });
  Deno.bench("grvt: signOrder (scale + digest + sign)", async () => {
    await signer.signOrder(order(++nonce));
  });
}
