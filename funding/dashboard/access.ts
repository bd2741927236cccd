/**
 * The access rule of every page and status endpoint (`funding serve` and the bot's
 * `--status-port`): read-only (GET and HEAD only) and, when a token is set, a bearer token in
 * the `Authorization` header or the `perp_token` cookie. A page link carrying `?token=` is
 * answered with a redirect that keeps the token in an HttpOnly cookie and drops it from the
 * address bar.
 *
 * @module
 */

/**
 * Constant-time comparison of two strings (for the bearer token).
 *
 * @param a One string.
 * @param b The other.
 * @returns Whether they are equal.
 *
 * @example
 * ```ts
 * import { sameSecret } from "./access.ts";
 * import { ok } from "node:assert/strict";
 * ok(sameSecret("s3cret", "s3cret"));
 * ok(!sameSecret("s3cret", "s3cre"));
 * ```
 */
export function sameSecret(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

function refusal(body: unknown, status: number, headers: Record<string, string>): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
  });
}

/**
 * The answer that stops a request at the door, or `undefined` when it may pass.
 *
 * @param request The request.
 * @param token The bearer token required, if any.
 * @param realm The realm named in `WWW-Authenticate` (`perp funding`, `perp bot`).
 * @returns 405 for anything but GET/HEAD, 303 to drop a valid `?token=` from a page address,
 *   401 without a valid token; `undefined` otherwise.
 *
 * @example
 * ```ts
 * import { accessRefusal } from "./access.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const get = (path: string, headers: Record<string, string> = {}) =>
 *   new Request(`http://127.0.0.1${path}`, { headers });
 * equal(accessRefusal(new Request("http://127.0.0.1/", { method: "POST" }), undefined, "x")?.status, 405);
 * equal(accessRefusal(get("/api/v1/bot"), "t0k", "perp bot")?.status, 401);
 * equal(accessRefusal(get("/api/v1/bot", { authorization: "Bearer t0k" }), "t0k", "perp bot"), undefined);
 * equal(accessRefusal(get("/?token=t0k"), "t0k", "perp bot")?.headers.get("location"), "/");
 * ```
 */
export function accessRefusal(
  request: Request,
  token: string | undefined,
  realm: string,
): Response | undefined {
  if (request.method !== "GET" && request.method !== "HEAD") {
    return refusal(
      { error: "method_not_allowed", message: `${request.method} is not allowed; read-only` },
      405,
      { allow: "GET, HEAD" },
    );
  }
  if (token === undefined) return undefined;
  const url = new URL(request.url);
  const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
  const cookie = /(?:^|;\s*)perp_token=([^;]+)/.exec(request.headers.get("cookie") ?? "")?.[1];
  const given = url.searchParams.get("token");
  if (given !== null && sameSecret(given, token) && !url.pathname.startsWith("/api/")) {
    // A page link carrying the token: keep it in a cookie and drop it from the address.
    url.searchParams.delete("token");
    return new Response(null, {
      status: 303,
      headers: {
        location: url.pathname + url.search,
        "set-cookie": `perp_token=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
      },
    });
  }
  const ok = (bearer !== undefined && sameSecret(bearer, token)) ||
    (cookie !== undefined && sameSecret(decodeURIComponent(cookie), token));
  if (ok) return undefined;
  return refusal(
    { error: "unauthorized", message: "a bearer token is required" },
    401,
    { "www-authenticate": `Bearer realm="${realm}"` },
  );
}
