/**
 * The repository's test inputs: `testdata/` holds unmodified copies of the venues' documented
 * payloads, the official signing vectors, the GRVT venue notes and the benchmark's stream
 * generator (each file's public source is in `testdata/README.md`). Tests and benchmarks read
 * them only through this module (or, for the generator, a relative import), so a clone needs
 * nothing beside it. Nothing published imports this module.
 *
 * @module
 */

/** The repository's `testdata/` directory. */
export const TESTDATA_ROOT: URL = new URL("../testdata/", import.meta.url);

/**
 * The URL of a file, or of a directory when `path` ends in `/`, under `testdata/`.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { testdataUrl } from "./_testdata.ts";
 *
 * const vectors = testdataUrl("fixtures/edgex/test_vectors.json");
 * ok(vectors.pathname.endsWith("/testdata/fixtures/edgex/test_vectors.json"));
 * ```
 *
 * @param path Path relative to `testdata/`, without `..` segments.
 * @returns The file's URL.
 * @throws {Error} When `path` is absolute or leaves `testdata/`.
 */
export function testdataUrl(path: string): URL {
  if (path.startsWith("/") || /^[a-z]+:/i.test(path) || path.split("/").includes("..")) {
    throw new Error(`a testdata path is relative and stays inside testdata/: ${path}`);
  }
  return new URL(path, TESTDATA_ROOT);
}

/**
 * Reads a text file under `testdata/`.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { readTestdataText } from "./_testdata.ts";
 *
 * const readme = await readTestdataText("README.md");
 * ok(readme.startsWith("# testdata"));
 * ```
 *
 * @param path Path relative to `testdata/`.
 * @returns The file's text.
 */
export async function readTestdataText(path: string): Promise<string> {
  return await Deno.readTextFile(testdataUrl(path));
}

/**
 * Reads and parses a JSON file under `testdata/`.
 *
 * @example
 * ```ts
 * import { strictEqual as equal } from "node:assert/strict";
 * import { readTestdataJson } from "./_testdata.ts";
 *
 * const ping = await readTestdataJson<{ type: string }>("fixtures/edgex/ws/live-v2.ping.json");
 * equal(ping.type, "ping");
 * ```
 *
 * @param path Path relative to `testdata/`.
 * @returns The parsed JSON.
 */
export async function readTestdataJson<T = unknown>(path: string): Promise<T> {
  return JSON.parse(await readTestdataText(path)) as T;
}
