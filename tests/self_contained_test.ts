/**
 * A clone runs its tests with nothing beside it: every fixture, signing vector, venue note and
 * benchmark input a test reads is a copy under `testdata/` (sources in `testdata/README.md`).
 *
 * Rules, checked over every `.ts`, `.mts`, `.js`, `.mjs`, `.json` and `.sh` file and `.ci/run`
 * (not `testdata/` itself, whose files are verbatim copies, nor `.git`, `node_modules`, `data`,
 * `logs`):
 * 1. Nothing names a sibling checkout (`..` followed by `/shared`) or an absolute path under the
 *    machine's `/work` directory: such a path can only be read where that directory exists.
 * 2. Tests and benchmarks (`*_test.ts`, `tests/`, `bench/`) do not cite the research collection
 *    (`shared/{fixtures,venues,bench,reference}/…`) at all: what they read is in `testdata/`, and
 *    they say so. Other sources may keep doc-comment citations of that form as provenance (where a
 *    fact was researched); nothing reads them.
 * 3. Every testdata path a file names exists: the literal arguments of `testdataUrl`,
 *    `readTestdataText` and `readTestdataJson`, relative specifiers into `testdata/`, and, in the
 *    files that read test data (they import `tests/_testdata.ts` or the Lighter signer's
 *    `_fixtures_test.ts`), every string literal naming a `.json`, `.md`, `.mjs` or `.txt` file.
 */
import { deepStrictEqual as deepEqual, ok } from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const SCANNED = /\.(ts|mts|js|mjs|json|sh)$/;
const SKIPPED_DIRS = new Set([".git", "node_modules", "testdata", "data", "logs"]);

/** Built from parts so that this file does not match its own rules. */
const SIBLING = new RegExp(String.raw`\.\.[/\\]` + "shared" + String.raw`\b`);
const ABSOLUTE = new RegExp(String.raw`(^|[^\w.])/` + "work" + String.raw`/`);
const COLLECTION = new RegExp(
  String.raw`\b` + "shared" + String.raw`/(fixtures|venues|bench|reference)\b`,
);
const HELPER_CALL = /\b(?:testdataUrl|readTestdataText|readTestdataJson)\(\s*["'`]([^"'`$]+)["'`]/g;
const RELATIVE_SPECIFIER = /["'`]((?:\.\.?\/)+testdata\/[^"'`$]*)["'`]/g;
const READS_TESTDATA = /["'](?:\.\.?\/)+(?:tests\/)?_testdata\.ts["']|_fixtures_test\.ts["']/;
const DATA_FILE_LITERAL = /["'`]([\w./-]+\.(?:json|md|mjs|txt))["'`]/g;

/** One broken rule: the file, the 1-based line and what is wrong. */
interface Violation {
  file: string;
  line: number;
  problem: string;
}

/** Whether a repository path is a test or a benchmark (rule 2). */
function isTestOrBench(path: string): boolean {
  return path.endsWith("_test.ts") || path.startsWith("tests/") || path.startsWith("bench/");
}

/** 1-based line of a character offset. */
function lineOf(text: string, index: number): number {
  return text.slice(0, index).split("\n").length;
}

/**
 * Rules 1–3 on one file's text. `paths` holds every repository path (relative to the root,
 * `/`-separated) of a file or directory.
 */
function check(path: string, text: string, paths: ReadonlySet<string>): Violation[] {
  const exists = (p: string) => paths.has(p.replace(/\/$/, ""));
  const out: Violation[] = [];
  text.split("\n").forEach((line, i) => {
    if (SIBLING.test(line)) {
      out.push({ file: path, line: i + 1, problem: "names a sibling checkout" });
    }
    if (ABSOLUTE.test(line)) {
      out.push({ file: path, line: i + 1, problem: "names an absolute path" });
    }
    if (isTestOrBench(path) && COLLECTION.test(line)) {
      out.push({
        file: path,
        line: i + 1,
        problem: "cites the research collection, not testdata/",
      });
    }
  });
  for (const m of text.matchAll(HELPER_CALL)) {
    if (!exists(`testdata/${m[1]}`)) {
      out.push({ file: path, line: lineOf(text, m.index), problem: `testdata/${m[1]} is missing` });
    }
  }
  for (const m of text.matchAll(RELATIVE_SPECIFIER)) {
    const target = new URL(m[1], new URL(path, "file:///repo/")).pathname.replace(/^\/repo\//, "");
    if (!target.startsWith("testdata/") || !exists(target)) {
      out.push({ file: path, line: lineOf(text, m.index), problem: `${m[1]} is not in testdata/` });
    }
  }
  if (READS_TESTDATA.test(text)) {
    for (const m of text.matchAll(DATA_FILE_LITERAL)) {
      if (m[1].startsWith(".")) continue; // a relative specifier: checked above
      const name = m[1].replace(/^\/+/, "");
      const inTestdata = (p: string) => p.startsWith("testdata/") && p.endsWith(`/${name}`);
      if (!exists(name) && ![...paths].some(inTestdata)) {
        out.push({
          file: path,
          line: lineOf(text, m.index),
          problem: `${m[1]} is not in testdata/`,
        });
      }
    }
  }
  return out;
}

/** Every file under `dir` (a repository path, `""` for the root), skipping {@link SKIPPED_DIRS}. */
async function walk(dir: string, skip: Set<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(new URL(dir || ".", ROOT))) {
    const path = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory) {
      if (!skip.has(e.name) && (!e.name.startsWith(".") || e.name === ".ci")) {
        out.push(...await walk(path, skip));
      }
    } else if (e.isFile) out.push(path);
  }
  return out;
}

/** The scanned files, and every path (files and their directories) including `testdata/`. */
async function loadRepo(): Promise<{ files: string[]; paths: Set<string> }> {
  const files = await walk("", SKIPPED_DIRS);
  const paths = new Set<string>();
  for (const f of [...files, ...await walk("testdata", new Set())]) {
    const parts = f.split("/");
    for (let i = 1; i <= parts.length; i++) paths.add(parts.slice(0, i).join("/"));
  }
  return { files, paths };
}

// The inputs below are assembled from parts so that this file itself passes the rules.
Deno.test("the rules catch a sibling checkout, an absolute path, a collection citation and a missing file", () => {
  const files = new Set(["testdata", "testdata/fixtures", "testdata/fixtures/grvt"]);
  const problems = (path: string, text: string) =>
    check(path, text, files).map((v) => `${v.line} ${v.problem}`);
  const shared = ["..", "shared"].join("/");
  const work = ["", "work", "inputs"].join("/");
  const cite = ["shared", "fixtures", "x"].join("/");
  const testdata = "testdata";
  const helper = ["..", "..", "tests", "_testdata.ts"].join("/");

  deepEqual(
    problems("exchanges/x_test.ts", `new URL("../../${shared}/fixtures/", import.meta.url);`),
    ["1 names a sibling checkout", "1 cites the research collection, not testdata/"],
  );
  deepEqual(problems(".ci/run", `set -e\nif [ ! -d ${shared} ]; then exit 1; fi`), [
    "2 names a sibling checkout",
  ]);
  deepEqual(problems("bench/b.ts", `import "${work}/bench/g.mjs";`), ["1 names an absolute path"]);
  deepEqual(problems("sim/x_test.ts", `// payloads of ${cite}.json`), [
    "1 cites the research collection, not testdata/",
  ]);
  deepEqual(problems("sim/x.ts", `// payloads of ${cite}.json`), []);
  deepEqual(problems("tests/t_test.ts", `testdataUrl("fixtures/${"nope"}.json")`), [
    "1 testdata/fixtures/nope.json is missing",
  ]);
  deepEqual(problems("tests/t_test.ts", `testdataUrl("fixtures/${"grvt"}/")`), []);
  deepEqual(
    problems("exchanges/lighter/a_test.ts", `import { g } from "../../${testdata}/g.mjs";`),
    [
      "1 ../../testdata/g.mjs is not in testdata/",
    ],
  );
  deepEqual(problems("bench/b.ts", `import { g } from "../../${testdata}/fixtures/";`), [
    "1 ../../testdata/fixtures/ is not in testdata/",
  ]);
  deepEqual(
    problems("sim/grvt/a_test.ts", `import { t } from "${helper}";\nread("full_v1_${"x"}.json");`),
    ["2 full_v1_x.json is not in testdata/"],
  );
  // The same literal in a file that reads no test data is not a path.
  deepEqual(problems("sim/grvt/a_test.ts", `read("full_v1_${"x"}.json");`), []);
});

Deno.test("nothing in the repository reads from outside it, and every testdata path a test names exists", async () => {
  const { files, paths } = await loadRepo();
  const scanned = files.filter((f) => SCANNED.test(f) || f === ".ci/run");
  ok(
    scanned.includes(".ci/run") && scanned.includes("deno.json"),
    "the scan covers .ci/run and deno.json",
  );
  ok(scanned.length > 200, `scanned ${scanned.length} files`);
  const violations: Violation[] = [];
  for (const f of scanned) {
    violations.push(...check(f, await Deno.readTextFile(new URL(f, ROOT)), paths));
  }
  deepEqual(violations.map((v) => `${v.file}:${v.line}: ${v.problem}`), []);
});

Deno.test("the files that read test data are found, and testdata/ holds what they read", async () => {
  const { files, paths } = await loadRepo();
  const readers: string[] = [];
  for (const f of files.filter((f) => f.endsWith(".ts"))) {
    if (READS_TESTDATA.test(await Deno.readTextFile(new URL(f, ROOT)))) readers.push(f);
  }
  // The readers of fixtures and vectors for each venue, the funding units and the signer primitives.
  for (
    const reader of [
      "exchanges/edgex/schemas_test.ts",
      "exchanges/grvt/signing_test.ts",
      "exchanges/lighter/schemas_test.ts",
      "sim/lighter/tx_verifier_test.ts",
      "tests/funding_units_test.ts",
      "crypto/ecgfp5/_poseidon2_test.ts",
    ]
  ) ok(readers.includes(reader), `${reader} reads testdata/`);
  for (
    const file of [
      "testdata/README.md",
      "testdata/fixtures/edgex/test_vectors.json",
      "testdata/fixtures/grvt/eip712_signing_vectors_official_pysdk.json",
      "testdata/fixtures/lighter/SIGN_tx_oracle__nautilus-signer-v1.1.2.json",
      "testdata/fixtures/anchor_vectors/lighter_official_tx.json",
      "testdata/venues/grvt.md",
      "testdata/bench/orderbook_stream.mjs",
      "testdata/bench/prng.mjs",
    ]
  ) ok(paths.has(file), `${file} exists`);
});
