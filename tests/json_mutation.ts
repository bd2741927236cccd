/**
 * Seeded mutations of JSON answers and frames for the venue fuzz tests: a bad value at one or
 * a few leaves, a removed leaf, an unknown enum value, a whole other shape, truncated text, or
 * a body that is not JSON at all. Each venue supplies its own bad values and envelope shapes;
 * the draws happen in one fixed order, so a seed replays the same mutations.
 */

/** A path into a JSON value. */
export type JsonPath = (string | number)[];

/** Every path to a leaf or branch of `v`, parents first. */
export function jsonPaths(v: unknown, prefix: JsonPath = [], out: JsonPath[] = []): JsonPath[] {
  if (v && typeof v === "object") {
    for (const [k, child] of Object.entries(v)) {
      const p = [...prefix, Array.isArray(v) ? Number(k) : k];
      out.push(p);
      jsonPaths(child, p, out);
    }
  }
  return out;
}

/** Sets (or removes) the value at `path` in place; returns the root. */
export function setAtPath(root: unknown, path: JsonPath, value: unknown, remove = false): unknown {
  if (path.length === 0) return value;
  let node = root as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) {
    node = node[k] as Record<string | number, unknown>;
    // An earlier mutation replaced a parent with a scalar.
    if (!node || typeof node !== "object") return root;
  }
  const last = path[path.length - 1];
  if (remove) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = value;
  return root;
}

/** Values a fuzz test puts at leaves: wrong types, absurd numbers, empty and odd strings. */
export const BAD_JSON_VALUES: readonly unknown[] = [
  null,
  "abc",
  "NaN",
  "Infinity",
  "-Infinity",
  "-1",
  "-0.5",
  "0",
  "1e95",
  "9".repeat(96),
  "0." + "0".repeat(60) + "1",
  1e95,
  -1,
  0,
  3.14,
  true,
  {},
  [],
  "",
  " ",
  "<html>",
  "SOMETHING_NEW",
  "0x1f",
  "１２３",
];

/** What a venue's fuzz test varies. */
export interface JsonMutationOptions {
  /** Uniform [0, 1) draws (seeded). */
  rng: () => number;
  /** Values put at leaves. */
  badValues: readonly unknown[];
  /** Whole answers of another shape (the venue's envelopes with missing or odd parts). */
  otherShapes: readonly unknown[];
}

/** One mutation: a JSON value to send, or raw text. */
export type JsonMutation = { json: unknown } | { text: string };

/** A seeded mutator of JSON values. */
export function jsonMutator(options: JsonMutationOptions): (value: unknown) => JsonMutation {
  const { rng, badValues, otherShapes } = options;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
  return (value) => {
    const copy = structuredClone(value);
    const paths = jsonPaths(copy);
    const r = rng();
    if (r < 0.4 && paths.length > 0) {
      // Several leaves at once now and then.
      const n = rng() < 0.8 ? 1 : 3;
      for (let i = 0; i < n; i++) {
        // A copy: a shared `{}` placed twice would turn later mutations into a cycle.
        setAtPath(copy, pick(paths), structuredClone(pick(badValues)));
      }
      return { json: copy };
    }
    if (r < 0.55 && paths.length > 0) {
      return { json: setAtPath(copy, pick(paths), undefined, true) };
    }
    if (r < 0.65) {
      // An unknown enum value in a string field (status, side, type, channel, code …).
      const strings = paths.filter((p) => {
        let node: unknown = copy;
        for (const k of p) node = (node as Record<string | number, unknown>)[k];
        return typeof node === "string" && !/^[\d.-]+$/.test(node);
      });
      if (strings.length > 0) return { json: setAtPath(copy, pick(strings), "UNKNOWN_VALUE_X") };
    }
    if (r < 0.75) return { json: structuredClone(pick(otherShapes)) };
    if (r < 0.88) {
      const text = JSON.stringify(copy);
      return { text: text.slice(0, Math.floor(rng() * text.length)) };
    }
    return {
      text: pick(["", "null", "<html><body>502 Bad Gateway</body></html>", "{", "[1,2", "NaN"]),
    };
  };
}
