/**
 * One JSON POST with a timeout, for the notification channels. Never puts the URL (which
 * carries the token) into an error message.
 *
 * @module
 */

/** What {@linkcode postJson} got back. */
export interface PostJsonResult {
  /** HTTP status. */
  status: number;
  /** Parsed JSON body, or `undefined` when the body is not JSON. */
  body: unknown;
}

/**
 * POSTs `payload` as JSON and reads the JSON answer.
 *
 * @param url Where to post (may contain a token: it never appears in errors).
 * @param payload The body.
 * @param options Client, timeout and abort signal.
 * @returns Status and parsed body.
 * @throws {Error} `"<what> request failed: timed out after N ms"` or the network error's text.
 */
export async function postJson(
  url: string,
  payload: unknown,
  options: { what: string; fetch?: typeof fetch; timeoutMs?: number; signal?: AbortSignal },
): Promise<PostJsonResult> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
      signal,
    });
  } catch (error) {
    if (timeout.aborted) {
      throw new Error(`${options.what} request failed: timed out after ${timeoutMs} ms`);
    }
    const name = error instanceof Error ? error.name : "Error";
    // Fetch errors quote the URL, and the URL carries the token: keep only the error kind.
    throw new Error(`${options.what} request failed: ${name}`);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body };
}
