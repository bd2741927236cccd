/**
 * Cost of EdgeX V2 request and order signing, in one process:
 *
 * - **ours**: `createEdgeXOrderSigner(...).signOrder` — exact field arithmetic (l2Value, fee
 *   cap, amounts), the sha256 nonce, the EIP-712 digest with precomputed type hashes and domain
 *   separator, and the ECDSA signature;
 * - **floor**: viem's `sign` alone over precomputed digests of the same orders (secp256k1 only);
 * - **viem**: the same fields, then viem's generic `account.signTypedData` on the typed data;
 * - **hmac**: `edgeXAuthenticate`'s hook on a createOrder POST (canonical body + HMAC-SHA256)
 *   and on a GET with a query.
 *
 * ```sh
 * deno run -A bench/edgex_signing_bench.ts [--batch 100] [--rounds 41]
 * ```
 *
 * Every order has its own client order id (so its own nonce); the contenders run interleaved,
 * in rotating order, and the medians of per-batch means are reported. Exits non-zero if our
 * signature does not recover to the signer or differs from viem's. `deno bench
 * bench/edgex_signing_bench.ts` runs a `Deno.bench` form of the same.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { privateKeyToAccount, sign } from "viem/accounts";
import { edgeXAuthenticate } from "../exchanges/edgex/auth.ts";
import {
  buildEdgeXOrderFields,
  createEdgeXOrderSigner,
  type EdgeXOrderInput,
  type EdgeXOrderMarket,
  edgeXOrderTypedData,
  hashEdgeXOrder,
} from "../exchanges/edgex/signing.ts";
import { recoverTypedDataAddress } from "viem";
import { median } from "./_stats.ts";

// The official Python SDK's test key (not a real wallet) and its testnet domain.
const PRIVATE_KEY = "0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const DOMAIN = {
  chainId: "33431",
  verifyingContract: "0x1ae109ea449cfe0bed08bfe8911e968a49a919b1",
};
const MARKET: EdgeXOrderMarket = {
  contractId: "30000001",
  quoteCoinId: "1000",
  contractResolution: "1000000000",
  quoteResolution: "1000000",
  takerFeeRate: "0.00038",
  makerFeeRate: "0.00015",
};
const ACCOUNT_ID = "724625476626153743";
const EXPIRE_TIME = 1_792_586_196_955;

function order(i: number): EdgeXOrderInput {
  return {
    accountId: ACCOUNT_ID,
    side: i % 2 ? "buy" : "sell",
    size: "0.013",
    price: "82899.4",
    clientOrderId: `bench-${i}`,
    expireTime: EXPIRE_TIME,
  };
}

const CREDENTIALS = {
  apiKey: "bench-api-key-0000",
  secret: "bench-api-secret-0000",
  passphrase: "bench-passphrase-0000",
};
const REST = "https://edgex-prod-v2.edgex.exchange";

function createOrderBody(i: number): string {
  return JSON.stringify({
    accountId: ACCOUNT_ID,
    contractId: "30000001",
    price: "82899.4",
    size: "0.013",
    type: "LIMIT",
    side: "SELL",
    timeInForce: "POST_ONLY",
    clientOrderId: `bench-${i}`,
    expireTime: String(EXPIRE_TIME),
    l2Nonce: "3218838843",
    l2Signature: `0x${"ab".repeat(65)}`,
    l2ExpireTime: String(EXPIRE_TIME + 8 * 86_400_000),
    l2Value: "1077.6922",
    l2Size: "0.013",
    l2LimitFee: "1",
    reduceOnly: false,
  });
}

function fail(message: string): never {
  console.error(`FAIL: ${message}`);
  Deno.exit(1);
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

  const signer = createEdgeXOrderSigner({ privateKey: PRIVATE_KEY, domain: DOMAIN });
  const account = privateKeyToAccount(PRIVATE_KEY);
  const authenticate = edgeXAuthenticate(CREDENTIALS, { clock: { now: () => 1_790_000_000_000 } });
  const warmup = 3;
  const totalOps = batch * (rounds + warmup);

  // Floor input: the digests of exactly the orders "ours" signs, computed before timing.
  const digests: `0x${string}`[] = [];
  for (let i = 0; i < totalOps; i++) {
    digests.push(
      hashEdgeXOrder(buildEdgeXOrderFields(order(i), MARKET), {
        signer: signer.address,
        domain: DOMAIN,
      }),
    );
  }
  const postUrl = new URL(`${REST}/api/v2/private/order/createOrder`);
  const postBodies: string[] = [];
  for (let i = 0; i < totalOps; i++) postBodies.push(createOrderBody(i));
  const getUrl = new URL(
    `${REST}/api/v2/private/order/getActiveOrderPage?accountId=${ACCOUNT_ID}&size=100` +
      "&filterContractIdList=30000001%2C30000002&filterStatusList=OPEN%2CPENDING",
  );

  // Correctness first: ours recovers through viem's generic path and equals viem's signature.
  const probe = await signer.signOrder(order(1), MARKET);
  const recovered = await recoverTypedDataAddress({
    ...(edgeXOrderTypedData(buildEdgeXOrderFields(order(1), MARKET), {
      signer: signer.address,
      domain: DOMAIN,
    }) as unknown as Parameters<typeof recoverTypedDataAddress>[0]),
    signature: probe.l2Signature,
  });
  if (recovered !== signer.address) fail("our signature does not recover to the signer");
  const viemProbe = await account.signTypedData(
    edgeXOrderTypedData(buildEdgeXOrderFields(order(1), MARKET), {
      signer: account.address,
      domain: DOMAIN,
    }) as unknown as Parameters<typeof account.signTypedData>[0],
  );
  if (viemProbe !== probe.l2Signature) fail("our signature differs from viem's signTypedData");

  type Name = "ours" | "floor" | "viem" | "hmacPost" | "hmacGet";
  const samples: Record<Name, number[]> = {
    ours: [],
    floor: [],
    viem: [],
    hmacPost: [],
    hmacGet: [],
  };
  let cursor = 0;
  const timed = async (fn: (i: number) => unknown): Promise<number> => {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) await fn(cursor + i);
    return (performance.now() - t0) / batch;
  };
  const timedSync = (fn: (i: number) => unknown): number => {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) fn(cursor + i);
    return (performance.now() - t0) / batch;
  };
  const contenders: [Name, () => Promise<number> | number][] = [
    ["ours", () => timed((i) => signer.signOrder(order(i), MARKET))],
    ["floor", () => timed((i) => sign({ hash: digests[i], privateKey: PRIVATE_KEY, to: "hex" }))],
    [
      "viem",
      () =>
        timed((i) =>
          account.signTypedData(
            edgeXOrderTypedData(buildEdgeXOrderFields(order(i), MARKET), {
              signer: account.address,
              domain: DOMAIN,
            }) as unknown as Parameters<typeof account.signTypedData>[0],
          )
        ),
    ],
    [
      "hmacPost",
      () => timedSync((i) => authenticate({ method: "POST", url: postUrl, body: postBodies[i] })),
    ],
    [
      "hmacGet",
      () => timedSync(() => authenticate({ method: "GET", url: getUrl, body: undefined })),
    ],
  ];

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
  const viem = median(samples.viem);
  console.log(
    `EdgeX signing: median per op over ${rounds} interleaved batches of ${batch} ` +
      `(${Deno.build.target}, Deno ${Deno.version.deno})`,
  );
  console.log(`  ours   signOrder (fields + digest + sign)          ${us(ours)}`);
  console.log(`  floor  viem sign over a precomputed digest         ${us(floor)}`);
  console.log(`  viem   fields + viem signTypedData                 ${us(viem)}`);
  console.log(
    `  hmac   POST createOrder (canonical body + HMAC)    ${us(median(samples.hmacPost))}`,
  );
  console.log(
    `  hmac   GET with a 4-key query                      ${us(median(samples.hmacGet))}`,
  );
  console.log(`ours / floor = ${(ours / floor).toFixed(2)}x   (target <= 1.3x)`);
  console.log(`viem / floor = ${(viem / floor).toFixed(2)}x`);
  console.log(`ours / viem  = ${(ours / viem).toFixed(2)}x`);
  console.log("our signature equals viem's signTypedData and recovers to the signer: yes");
}

if (import.meta.main) {
  await main();
} else if (typeof Deno.bench === "function") {
  const signer = createEdgeXOrderSigner({ privateKey: PRIVATE_KEY, domain: DOMAIN });
  const digest = hashEdgeXOrder(buildEdgeXOrderFields(order(1), MARKET), {
    signer: signer.address,
    domain: DOMAIN,
  });
  const authenticate = edgeXAuthenticate(CREDENTIALS);
  const postUrl = new URL(`${REST}/api/v2/private/order/createOrder`);
  const postBody = createOrderBody(1);
  let n = 0;
  Deno.bench("edgex: viem sign over a precomputed digest (floor)", { baseline: true }, async () => {
    await sign({ hash: digest, privateKey: PRIVATE_KEY, to: "hex" });
  });
  Deno.bench("edgex: signOrder (fields + digest + sign)", async () => {
    await signer.signOrder(order(++n), MARKET);
  });
  Deno.bench("edgex: HMAC of a createOrder POST", () => {
    authenticate({ method: "POST", url: postUrl, body: postBody });
  });
}
