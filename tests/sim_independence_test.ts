/**
 * The independence rule of the simulator (DESIGN, "The venue simulator"; stated in `sim/mod.ts`),
 * checked on the module graph Deno itself resolves (`deno info --json`, so `import type`,
 * `export … from` and dynamic `import()` are all seen, and comments are not):
 *
 * 1. A replica or engine file under `sim/` (not `*_test.ts`) imports from `exchanges/` only
 *    `exchanges/_shared/clock.ts` (venue-free crypto primitives live in `crypto/`, outside
 *    `exchanges/`). The same holds for everything it reaches through other modules, and it never reaches the
 *    client-side modules of `sim/`.
 * 2. The client-side modules of `sim/` (`paper.ts`, an `ExchangeClient` on the engine;
 *    `network.ts` and `serve.ts`, which hand out the venues' real clients; the `mod.ts` entry
 *    point) import from `exchanges/` only the shared plumbing `exchanges/_shared/*` and the
 *    venues' public entry points `exchanges/<venue>/mod.ts`.
 * 3. No file under `exchanges/` imports from `sim/` at all.
 * 4. The bot, the funding service and the CLI load `sim/` only with a dynamic `import()` (type
 *    imports are erased and allowed).
 */
import { deepStrictEqual } from "node:assert/strict";
import { dirname, join, relative } from "node:path";
import { fileURLToPath as fromFileUrl, pathToFileURL as toFileUrl } from "node:url";

const CLOCK = "exchanges/_shared/clock.ts";
/** Modules of `sim/` that are client code by design (rule 2). */
const CLIENT_SIDE = new Set(["sim/paper.ts", "sim/network.ts", "sim/serve.ts", "sim/mod.ts"]);
/** Library code outside `sim/` and `exchanges/` that may load `sim/` dynamically (rule 4). */
const APP_DIRS = ["strategies/", "funding/", "helpers/", "core/"];
const APP_FILES = new Set(["cli.ts", "mod.ts", "base.ts"]);

interface Edge {
  to: string;
  /** A value import evaluated at load time (static `import` / `export … from`). */
  value: boolean;
  /** An `import type` (erased). */
  typeOnly: boolean;
  /** A dynamic `import()`. */
  dynamic: boolean;
}

const isTest = (path: string) => path.endsWith("_test.ts");

async function listTs(root: string, dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(join(root, d))) {
      const p = `${d}/${e.name}`;
      if (e.isDirectory) await walk(p);
      else if (e.isFile && p.endsWith(".ts") && !isTest(p)) out.push(p);
    }
  };
  try {
    await walk(dir);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out;
}

/** Every local module's imports, resolved by `deno info` from one root importing `files`. */
async function moduleGraph(root: string, files: string[]): Promise<Map<string, Edge[]>> {
  const tmp = await Deno.makeTempDir();
  try {
    const entry = join(tmp, "all.ts");
    await Deno.writeTextFile(
      entry,
      files.map((f) => `import "${toFileUrl(join(root, f)).href}";`).join("\n") + "\n",
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", "--config", join(root, "deno.json"), entry],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
      modules: {
        specifier: string;
        dependencies?: {
          code?: { specifier?: string };
          type?: { specifier?: string };
          isDynamic?: boolean;
        }[];
      }[];
    };
    const local = (spec: string | undefined) => {
      if (spec === undefined || !spec.startsWith("file:")) return undefined;
      const rel = relative(root, fromFileUrl(spec)).replaceAll("\\", "/");
      return rel.startsWith("..") ? undefined : rel;
    };
    const graph = new Map<string, Edge[]>();
    for (const m of info.modules) {
      const from = local(m.specifier);
      if (from === undefined) continue;
      const edges: Edge[] = [];
      for (const d of m.dependencies ?? []) {
        const to = local(d.code?.specifier ?? d.type?.specifier);
        if (to === undefined) continue;
        const value = d.code !== undefined && !d.isDynamic;
        edges.push({
          to,
          value,
          typeOnly: d.type !== undefined && !value,
          dynamic: d.isDynamic === true,
        });
      }
      graph.set(from, edges);
    }
    return graph;
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

/** Whether a replica / engine file may import this `exchanges/` module. */
function allowedForReplica(_file: string, target: string): boolean {
  return target === CLOCK;
}

function allowedForClientSide(target: string): boolean {
  return target.startsWith("exchanges/_shared/") || /^exchanges\/[^/]+\/mod\.ts$/.test(target);
}

/**
 * Every breach of the rule in the tree at `root`, as `"<file> → <module>: <why>"`, sorted.
 *
 * @param root Directory holding `deno.json`, `sim/` and `exchanges/`.
 */
async function independenceViolations(root: string): Promise<string[]> {
  const simFiles = await listTs(root, "sim");
  const exchangeFiles = await listTs(root, "exchanges");
  const appFiles = [
    ...(await Promise.all(APP_DIRS.map((d) => listTs(root, d.slice(0, -1))))).flat(),
    ...[...APP_FILES].filter((f) => {
      try {
        return Deno.statSync(join(root, f)).isFile;
      } catch {
        return false;
      }
    }),
  ];
  const graph = await moduleGraph(root, [...simFiles, ...exchangeFiles, ...appFiles]);
  const found = new Set<string>();
  const edges = (f: string) => graph.get(f) ?? [];

  for (const file of simFiles) {
    const clientSide = CLIENT_SIDE.has(file);
    for (const e of edges(file)) {
      if (!e.to.startsWith("exchanges/")) continue;
      const ok = clientSide ? allowedForClientSide(e.to) : allowedForReplica(file, e.to);
      if (!ok) {
        found.add(
          `${file} → ${e.to}: ${
            clientSide
              ? "client-side sim code may use exchanges/_shared/* and exchanges/<venue>/mod.ts only"
              : "a replica may not import the client's code"
          }`,
        );
      }
    }
    if (clientSide) continue;
    // Through other modules: what a replica loads must obey the same rule.
    const seen = new Set<string>([file]);
    const queue: { at: string; via: string[] }[] = [{ at: file, via: [] }];
    while (queue.length > 0) {
      const { at, via } = queue.shift()!;
      for (const e of edges(at)) {
        if (seen.has(e.to)) continue;
        seen.add(e.to);
        const path = [...via, e.to];
        if (e.to.startsWith("exchanges/") && allowedForReplica(file, e.to)) continue;
        if (path.length > 1 && e.to.startsWith("exchanges/")) {
          found.add(`${file} → ${path.join(" → ")}: a replica may not import the client's code`);
          continue;
        }
        if (CLIENT_SIDE.has(e.to)) {
          found.add(`${file} → ${path.join(" → ")}: a replica may not load client-side sim code`);
          continue;
        }
        queue.push({ at: e.to, via: path });
      }
    }
  }

  for (const file of exchangeFiles) {
    for (const e of edges(file)) {
      if (e.to.startsWith("sim/")) {
        found.add(`${file} → ${e.to}: exchanges/ never imports sim/`);
      }
    }
  }

  for (const file of appFiles) {
    for (const e of edges(file)) {
      if (e.to.startsWith("sim/") && e.value) {
        found.add(`${file} → ${e.to}: load sim/ with a dynamic import() only`);
      }
    }
  }
  return [...found].sort();
}

const REPO = join(dirname(fromFileUrl(import.meta.url)), "..");

Deno.test("independence rule: replicas import no client code, exchanges/ never imports sim/, the apps load sim/ dynamically", async () => {
  deepStrictEqual(await independenceViolations(REPO), []);
});

Deno.test("independence rule check finds every kind of breach in a tree that has them", async () => {
  const root = await Deno.makeTempDir();
  const files: Record<string, string> = {
    "deno.json": "{}",
    "exchanges/_shared/clock.ts": "export const clock = 1;\n",
    "exchanges/_shared/http.ts": "export const http = 1;\n",
    "exchanges/v/mod.ts": 'import type { S } from "../../sim/engine.ts";\nexport type T = S;\n',
    "exchanges/v/errors.ts": "export type E = 1;\nexport const e = 1;\n",
    "exchanges/v/lazy.ts": 'export const f = () => import("../../sim/engine.ts");\n',
    "crypto/ecgfp5/_fp5.ts": "export const fp5 = 1;\n",
    "exchanges/lighter/signer/keys.ts": "export const keys = 1;\n",
    "exchanges/lighter/signer/_tx_encoding.ts": "export const tx = 1;\n",
    "sim/engine.ts":
      'import { clock } from "../exchanges/_shared/clock.ts";\nexport type S = 1;\n' +
      "export const s = clock;\n",
    "sim/helper.ts": 'export { e } from "../exchanges/v/errors.ts";\n',
    "sim/paper.ts":
      'import { http } from "../exchanges/_shared/http.ts";\nexport const p = http;\n',
    "sim/network.ts": 'import "../exchanges/v/mod.ts";\nimport "../exchanges/v/errors.ts";\n',
    "sim/v/replica.ts": 'import type { E } from "../../exchanges/v/errors.ts";\n' +
      '/** ```ts\n * import { tx } from "../../exchanges/lighter/signer/_tx_encoding.ts";\n * ``` */\n' +
      "export const r: E = 1;\n",
    "sim/v/primitive.ts": 'export { keys } from "../../exchanges/lighter/signer/keys.ts";\n',
    "sim/v/uses_network.ts": 'import "../network.ts";\n',
    "sim/v/replica_test.ts": 'import "../../exchanges/v/errors.ts";\n',
    "sim/lighter/replica.ts": 'import { fp5 } from "../../crypto/ecgfp5/_fp5.ts";\n' +
      'import { tx } from "../../exchanges/lighter/signer/_tx_encoding.ts";\n' +
      'import { e } from "../helper.ts";\nexport const l = [fp5, tx, e];\n',
    "funding/sources.ts": 'import type { S } from "../sim/engine.ts";\n' +
      'export const load = () => import("../sim/network.ts");\nexport type X = S;\n',
    "strategies/bad.ts": 'import { s } from "../sim/engine.ts";\nexport const b = s;\n',
  };
  try {
    for (const [path, text] of Object.entries(files)) {
      await Deno.mkdir(dirname(join(root, path)), { recursive: true });
      await Deno.writeTextFile(join(root, path), text);
    }
    const replicaRule = "a replica may not import the client's code";
    deepStrictEqual(await independenceViolations(root), [
      "exchanges/v/lazy.ts → sim/engine.ts: exchanges/ never imports sim/",
      "exchanges/v/mod.ts → sim/engine.ts: exchanges/ never imports sim/",
      `sim/helper.ts → exchanges/v/errors.ts: ${replicaRule}`,
      `sim/lighter/replica.ts → exchanges/lighter/signer/_tx_encoding.ts: ${replicaRule}`,
      `sim/lighter/replica.ts → sim/helper.ts → exchanges/v/errors.ts: ${replicaRule}`,
      "sim/network.ts → exchanges/v/errors.ts: client-side sim code may use exchanges/_shared/* and exchanges/<venue>/mod.ts only",
      `sim/v/primitive.ts → exchanges/lighter/signer/keys.ts: ${replicaRule}`,
      `sim/v/replica.ts → exchanges/v/errors.ts: ${replicaRule}`,
      "sim/v/uses_network.ts → sim/network.ts: a replica may not load client-side sim code",
      "strategies/bad.ts → sim/engine.ts: load sim/ with a dynamic import() only",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
