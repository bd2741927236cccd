import assert from "node:assert/strict";
import { LarkNotifier } from "./lark.ts";
import { resetLogging, setupLogging } from "./logging.ts";
import { Notifications, notifiersFromEnv } from "./notifier.ts";
import { TelegramNotifier } from "./telegram.ts";

interface Recorded {
  method: string;
  path: string;
  body: unknown;
}

/** A local HTTP server that records every request and answers with `reply`. */
function recorder(reply: (path: string) => Response) {
  const requests: Recorded[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = new URL(req.url).pathname;
    requests.push({ method: req.method, path, body: await req.json() });
    return reply(path);
  });
  return { requests, server, baseUrl: `http://127.0.0.1:${server.addr.port}` };
}

const TG_TOKEN = "123456:tg-secret-token-for-tests";
const LARK_TOKEN = "lark-secret-token-for-tests";

Deno.test("Telegram sendMessage posts the chat id and text to /bot<token>/sendMessage", async () => {
  const r = recorder(() => Response.json({ ok: true, result: { message_id: 1 } }));
  try {
    const tg = new TelegramNotifier({ token: TG_TOKEN, chatId: "-1001", baseUrl: r.baseUrl });
    await tg.send("Position mismatch detected");
    assert.deepEqual(r.requests, [{
      method: "POST",
      path: `/bot${TG_TOKEN}/sendMessage`,
      body: { chat_id: "-1001", text: "Position mismatch detected" },
    }]);
  } finally {
    await r.server.shutdown();
  }
});

Deno.test("Telegram ok:false rejects with the API description and without the token", async () => {
  const r = recorder(() =>
    Response.json({ ok: false, description: "Bad Request: chat not found" }, { status: 400 })
  );
  try {
    const tg = new TelegramNotifier({ token: TG_TOKEN, chatId: "1", baseUrl: r.baseUrl });
    const error = await tg.send("x").then(() => undefined, (e: Error) => e);
    assert.ok(error);
    assert.equal(
      error.message,
      "Telegram sendMessage failed: HTTP 400: Bad Request: chat not found",
    );
    assert.ok(!error.message.includes(TG_TOKEN));
  } finally {
    await r.server.shutdown();
  }
});

Deno.test("Lark posts msg_type text to /flow/api/trigger-webhook/<token>; code != 0 rejects", async () => {
  let code = 0;
  const r = recorder(() => Response.json({ code, msg: code === 0 ? "success" : "bad token" }));
  try {
    const lark = new LarkNotifier({ token: LARK_TOKEN, baseUrl: r.baseUrl });
    await lark.send("bot started");
    assert.deepEqual(r.requests, [{
      method: "POST",
      path: `/flow/api/trigger-webhook/${LARK_TOKEN}`,
      body: { msg_type: "text", content: { text: "bot started" } },
    }]);
    code = 9499;
    await assert.rejects(lark.send("again"), /Lark webhook failed: HTTP 200 code 9499: bad token/);
  } finally {
    await r.server.shutdown();
  }
});

Deno.test("a failing or unreachable channel never throws and its token never reaches the logs", async () => {
  const r = recorder((path) =>
    path.startsWith("/bot") ? Response.json({ ok: true }) : new Response("oops", { status: 500 })
  );
  const lines: string[] = [];
  await setupLogging({ level: "debug", write: (l) => lines.push(l) });
  try {
    const env: Record<string, string> = {
      TELEGRAM_BOT_TOKEN: TG_TOKEN,
      TELEGRAM_CHAT_ID: "42",
      TELEGRAM_BASE_URL: r.baseUrl,
      LARK_TOKEN,
      LARK_BASE_URL: r.baseUrl,
    };
    const notifications = new Notifications(notifiersFromEnv((n) => env[n]));
    const outcomes = await notifications.notify("hello");
    assert.deepEqual(outcomes.map((o) => [o.channel, o.ok]), [["telegram", true], ["lark", false]]);
    assert.equal(r.requests.length, 2);
    // An unreachable host: the fetch error would quote the URL, which carries the token.
    const closed = new Notifications([
      new TelegramNotifier({ token: TG_TOKEN, chatId: "1", baseUrl: "http://127.0.0.1:9" }),
    ]);
    const [unreachable] = await closed.notify("x");
    assert.equal(unreachable.ok, false);
    assert.ok(!unreachable.error!.includes(TG_TOKEN));
    const logged = lines.join("");
    assert.match(logged, /Notification via lark failed/);
    assert.ok(!logged.includes(TG_TOKEN) && !logged.includes(LARK_TOKEN), logged);
  } finally {
    await resetLogging();
    await r.server.shutdown();
  }
});

Deno.test("notifiersFromEnv() needs both Telegram variables and skips blank ones", () => {
  const names = (env: Record<string, string>) => notifiersFromEnv((n) => env[n]).map((x) => x.name);
  assert.deepEqual(names({ TELEGRAM_BOT_TOKEN: TG_TOKEN }), []);
  assert.deepEqual(names({ TELEGRAM_BOT_TOKEN: TG_TOKEN, TELEGRAM_CHAT_ID: " " }), []);
  assert.deepEqual(names({ TELEGRAM_BOT_TOKEN: TG_TOKEN, TELEGRAM_CHAT_ID: "7" }), ["telegram"]);
  assert.deepEqual(names({ LARK_TOKEN }), ["lark"]);
});
