/**
 * The dashboard in a real Chromium (Debian's `chromium`, driven by `playwright-core`): every
 * page loads without a console error and passes an axe-core check with no serious violation at
 * 1280×800 and 390×844; the grid shows the API's numbers; the holding-horizon control changes
 * net APR as the API computes it; a history chart draws the expected number of points; the
 * health page shows the failing venue; a bot's Bots page (`--status-port`) updates live, with no
 * reload, when the bot's order fills on the GRVT replica. Screenshots go to a temporary folder
 * printed by the test (or `PERP_SCREENSHOT_DIR`).
 *
 * Chromium is found at `PERP_CHROMIUM` or `/usr/bin/chromium` (`.ci/run` installs it). When it
 * is missing the test fails and says so; it is skipped only with `PERP_SKIP_BROWSER_TESTS=1`.
 */
import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";
import { chromium, type Page } from "playwright-core";
import axe from "axe-core";
import { createFundingApi } from "../funding/api.ts";
import { startSimVenue } from "../sim/network.ts";
import { BotStatusTracker, serveBotStatus } from "../strategies/status_server.ts";
import { seededStore, VENUES } from "./dashboard_fixture.ts";

const CHROMIUM = Deno.env.get("PERP_CHROMIUM") ?? "/usr/bin/chromium";
const SKIP = Deno.env.get("PERP_SKIP_BROWSER_TESTS") === "1";
const SECRET = "s3cret-pass";

function chromiumPresent(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

const SIZES = [[1280, 800], [390, 844]] as const;

async function axeSerious(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: (axe as unknown as { source: string }).source });
  return await page.evaluate(async () => {
    // deno-lint-ignore no-explicit-any
    const g = globalThis as any;
    const result = await g.axe.run(g.document, {
      resultTypes: ["violations"],
    });
    return result.violations
      .filter((v: { impact: string }) => v.impact === "serious" || v.impact === "critical")
      .map((v: { id: string; nodes: { target: string[] }[] }) =>
        `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`
      );
  });
}

Deno.test({
  name: "dashboard in Chromium: pages, grid = API, horizon, chart points, health, axe",
  ignore: SKIP,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    if (!chromiumPresent()) {
      throw new Error(
        `Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium, as .ci/run ` +
          "does) or set PERP_CHROMIUM; set PERP_SKIP_BROWSER_TESTS=1 to skip locally",
      );
    }
    const now = Date.now();
    await using store = await seededStore(now);
    const api = createFundingApi({
      store,
      venues: VENUES,
      storeLocation: `perp@db.example:5432/funding`,
      refreshSeconds: 0,
    });
    const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, api.fetch);
    const base = `http://127.0.0.1:${server.addr.port}`;
    const shots = Deno.env.get("PERP_SCREENSHOT_DIR") ??
      await Deno.makeTempDir({ prefix: "perp_dashboard_" });
    console.log(`screenshots: ${shots}`);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    });
    const apiJson = async (path: string) => await (await fetch(`${base}/api/v1${path}`)).json();
    try {
      // bypassCSP lets the test inject axe-core; the pages themselves allow no inline script.
      const context = await browser.newContext({
        viewport: { width: 1280, height: 800 },
        bypassCSP: true,
      });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(`${page.url()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => errors.push(`${page.url()}: ${e.message}`));

      await t.step(
        "every page loads, is labelled simulated, has no serious axe violation",
        async () => {
          const pages = [
            ["rates", "/"],
            ["opportunities", "/opportunities"],
            ["history", "/history?symbol=BTC&period=24h&dex1=lighter&dex2=grvt"],
            ["health", "/health"],
          ] as const;
          for (const [w, h] of SIZES) {
            await page.setViewportSize({ width: w, height: h });
            for (const [name, path] of pages) {
              const res = await page.goto(base + path, { waitUntil: "networkidle" });
              equal(res?.status(), 200, path);
              const banner = await page.locator(".sim-banner").textContent();
              ok(banner?.includes("SIMULATED DATA"), `${path}: simulated label`);
              const html = await page.content();
              ok(!html.includes(SECRET), `${path} shows no password`);
              await page.screenshot({ path: `${shots}/${name}_${w}x${h}.png`, fullPage: true });
              deepEqual(await axeSerious(page), [], `${path} at ${w}x${h}`);
            }
          }
          deepEqual(errors, []);
        },
      );

      await page.setViewportSize({ width: 1280, height: 800 });

      await t.step("the grid's numbers are the API's", async () => {
        await page.goto(`${base}/`);
        const data = (await apiJson("/funding-rates")).data;
        const cells = await page.locator("td.cell[data-hourly-rate]").evaluateAll((tds) =>
          tds.map((td) => ({
            symbol: td.closest("tr")!.getAttribute("data-symbol"),
            venue: td.getAttribute("data-venue"),
            hourly: td.getAttribute("data-hourly-rate"),
            apr: td.getAttribute("data-apr"),
          }))
        );
        equal(cells.length, 9);
        for (const c of cells) {
          deepEqual(
            [c.hourly, c.apr],
            [data[c.symbol!][c.venue!].hourly_rate, data[c.symbol!][c.venue!].apr],
          );
        }
        const edgexBtc = await page.locator('tr[data-symbol="BTC"] td[data-venue="edgex"]')
          .innerText();
        ok(edgexBtc.includes("8.76 % APR"), edgexBtc);
        ok(edgexBtc.includes("0.0010 %/h"), edgexBtc);
        ok(edgexBtc.includes("every 4h"), edgexBtc);
        ok(/next in \d+h \d\dm|next in \d+m \d\ds/.test(edgexBtc), edgexBtc);
        // The last settled rate beside the predicted one (EdgeX reports both).
        ok(edgexBtc.includes("predicted"), edgexBtc);
        ok(edgexBtc.includes("last settled 0.0005 %/h at"), edgexBtc);
        equal(
          await page.locator('tr[data-symbol="BTC"] td[data-venue="edgex"] .settled')
            .getAttribute("data-settled-hourly-rate"),
          data.BTC.edgex.settled_hourly_rate,
        );
        equal(data.BTC.edgex.settled_hourly_rate, "0.000005");
        const lighterBtc = await page.locator('tr[data-symbol="BTC"] td[data-venue="lighter"]')
          .innerText();
        equal(lighterBtc.includes("settled"), false, "no settled rate where none was reported");
        const stale = await page.locator('tr[data-symbol="SOL"] td[data-venue="lighter"]')
          .innerText();
        ok(stale.includes("STALE"), stale);
        // Sorted by the best gap: DOGE (0.0001 − (−0.00005) per hour) first.
        equal(
          await page.locator("#rates-grid tbody tr").first().getAttribute("data-symbol"),
          "DOGE",
        );
        await page.fill('input[name="q"]', "et");
        await page.press('input[name="q"]', "Enter");
        await page.waitForURL(/q=et/);
        deepEqual(
          await page.locator("#rates-grid tbody tr").evaluateAll((r) =>
            r.map((x) => x.getAttribute("data-symbol"))
          ),
          ["ETH"],
        );
      });

      await t.step(
        "changing the holding horizon changes net APR as the API computes it",
        async () => {
          await page.goto(`${base}/opportunities`);
          const eth = page.locator('#opportunities tr[data-symbol="ETH"]');
          ok((await eth.locator("td.net").innerText()).includes("4.38 %"));
          await page.fill("#hold-hours", "120");
          await page.press("#hold-hours", "Enter");
          await page.waitForURL(/hold_hours=120/);
          const net = await eth.locator("td.net").innerText();
          ok(net.includes("21.90 %"), net);
          const fromApi = await apiJson("/opportunities?hold_hours=120&symbol=ETH");
          equal(await eth.getAttribute("data-net-apr"), fromApi.opportunities[0].net_apr);
          ok(
            (await eth.innerText()).includes("47 h paid") ||
              (await eth.innerText()).includes("of 48 h"),
          );
        },
      );

      await t.step("a history chart draws the expected number of points", async () => {
        await page.goto(`${base}/history?symbol=BTC&period=24h&points=12`);
        const line = page.locator('#chart-rates polyline[data-series="grvt hourly rate"]');
        const coords = (await line.getAttribute("points"))!.trim().split(/\s+/);
        equal(coords.length, 12);
        const fromApi = await apiJson("/history/chart/BTC?period=24h&points=12");
        equal(fromApi.venues.grvt.hourly_rate.length, 12);
        // Without an explicit point count the script asks for the chart's width in pixels.
        await page.goto(`${base}/history?symbol=BTC&period=24h`, { waitUntil: "networkidle" });
        const width = await page.locator("#charts").evaluate((e) => Math.round(e.clientWidth));
        ok(width > 600, String(width));
        const later = page.locator('#chart-rates polyline[data-series="grvt hourly rate"]');
        // 25 hourly observations in 24 h, fewer than the width: every one is drawn.
        ok(Number(await later.getAttribute("data-points")) >= 24);
      });

      await t.step(
        "the health page shows the failing venue and the store without password",
        async () => {
          await page.goto(`${base}/health`);
          const edgex = page.locator('#venue-health tr[data-venue="edgex"]');
          const text = await edgex.innerText();
          ok(text.includes("FAILING"), text);
          equal((await edgex.locator("td.failures").innerText()).trim(), "2");
          ok(text.includes("HTTP 503"), text);
          const lighter = await page.locator('#venue-health tr[data-venue="lighter"]').innerText();
          ok(lighter.includes("OK") && lighter.includes("85 ms"), lighter);
          equal(
            (await page.locator("#store").innerText()).trim(),
            "sqlite · perp@db.example:5432/funding · connected",
          );
        },
      );
      await t.step("the banner follows the data: a mainnet store's pages carry none", async () => {
        await using real = await seededStore(now, "mainnet");
        const realApi = createFundingApi({ store: real, venues: VENUES, refreshSeconds: 0 });
        const realServer = Deno.serve(
          { port: 0, hostname: "127.0.0.1", onListen: () => {} },
          realApi.fetch,
        );
        try {
          const realBase = `http://127.0.0.1:${realServer.addr.port}`;
          for (const path of ["/", "/opportunities", "/health"]) {
            await page.goto(realBase + path);
            equal(await page.locator(".sim-banner").count(), 0, path);
            equal(
              await page.locator(".network").getAttribute("data-network"),
              "mainnet",
              path,
            );
            equal((await page.title()).includes("SIMULATED"), false, path);
          }
          await page.goto(realBase + "/");
          await page.screenshot({ path: `${shots}/rates_mainnet_1280x800.png`, fullPage: false });
          const body = await (await fetch(`${realBase}/api/v1/funding-rates`)).json();
          deepEqual([body.network, body.simulated], ["mainnet", false]);
        } finally {
          await realServer.shutdown();
        }
      });
      deepEqual(errors, []);
      await context.close();
    } finally {
      await browser.close();
      await server.shutdown();
    }
  },
});

Deno.test({
  name: "Bots page in Chromium: live update on a replica fill, no reload, axe, screenshots",
  ignore: SKIP,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    if (!chromiumPresent()) throw new Error(`Chromium not found at ${CHROMIUM}`);
    const sim = await startSimVenue("grvt", { protocol: "replica" });
    const client = sim.client();
    await client.connect();
    const tracker = new BotStatusTracker({
      strategy: "grid",
      network: "sim",
      clients: [{ venue: "grvt", client }],
      symbols: ["BTC"],
      pollMs: 60_000,
    });
    await tracker.start();
    const server = await serveBotStatus(tracker, { port: 0 });
    // `funding serve --bot <the bot's status server>`: the service's own Bots page lists it.
    await using fundingStore = await seededStore(Date.now(), "mainnet");
    const fundingApi = createFundingApi({
      store: fundingStore,
      venues: VENUES,
      refreshSeconds: 0,
      bots: [server.url],
    });
    const funding = Deno.serve(
      { port: 0, hostname: "127.0.0.1", onListen: () => {} },
      fundingApi.fetch,
    );
    const fundingBase = `http://127.0.0.1:${funding.addr.port}`;
    const shots = Deno.env.get("PERP_SCREENSHOT_DIR") ??
      await Deno.makeTempDir({ prefix: "perp_dashboard_" });
    console.log(`screenshots: ${shots}`);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    });
    try {
      const context = await browser.newContext({
        viewport: { width: 1280, height: 800 },
        bypassCSP: true,
      });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text());
      });
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${server.url}/`);
      ok((await page.locator(".sim-banner").textContent())?.includes("SIMULATED DATA"));
      equal((await page.locator("#fill-count").innerText()).trim(), "0");
      // A marker that a reload would erase.
      await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 7));

      const market = await client.getMarket("BTC");
      const book = await client.getBestBidAsk("BTC");
      const resting = await client.placeOrder({
        symbol: "BTC",
        side: "buy",
        type: "limit",
        size: "0.01",
        price: book.bid.minus(market.tickSize.times(20)),
        postOnly: true,
      });
      await page.locator(`#bot-orders tr[data-client-order-id="${resting.clientOrderId}"]`)
        .waitFor({ timeout: 10_000 });
      await client.placeOrder({
        symbol: "BTC",
        side: "buy",
        type: "limit",
        size: "0.01",
        price: book.ask.plus(market.tickSize.times(20)),
        timeInForce: "ioc",
      });
      await page.locator("#fill-count", { hasText: /^\s*1\s*$/ }).waitFor({ timeout: 10_000 });
      equal(
        await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker),
        7,
        "updated in place, not reloaded",
      );
      await page.locator('#bot-positions tr[data-symbol="BTC"][data-size="0.01"]').waitFor({
        timeout: 10_000,
      });
      ok((await page.locator('#bot-events li[data-kind="fill"]').first().innerText())
        .includes("buy 0.01 BTC @"));

      // The same bot under funding serve: listed with its network, updated live.
      const listed = await context.newPage();
      listed.on("console", (m) => {
        if (m.type() === "error") errors.push(`${listed.url()}: ${m.text()}`);
      });
      listed.on("pageerror", (e) => errors.push(e.message));
      await listed.goto(`${fundingBase}/bots`);
      const row = listed.locator(`#bot-list tr[data-bot="${server.url}"]`);
      equal(await row.getAttribute("data-reachable"), "true");
      const rowText = await row.innerText();
      ok(rowText.includes("grid on grvt") && rowText.includes("sim (simulated)"), rowText);
      equal((await row.locator("td.positions").innerText()).trim(), "1");
      equal(await listed.locator(".sim-banner").count(), 0, "the funding data is mainnet");
      ok((await listed.locator('nav a[href="/bots"]').count()) === 1, "Bots in the navigation");
      const bots = await (await fetch(`${fundingBase}/api/v1/bots`)).json();
      // The crossing order may take one or two ask levels: the relay must say what the bot says.
      const own = await (await fetch(`${server.url}/api/v1/bot`)).json();
      ok(own.fills >= 1, JSON.stringify(own.fills));
      deepEqual(
        [bots.count, bots.bots[0].url, bots.bots[0].status.bot.network, bots.bots[0].status.fills],
        [1, server.url, "sim", own.fills],
      );
      await listed.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 9));
      await client.placeOrder({
        symbol: "BTC",
        side: "buy",
        type: "limit",
        size: "0.01",
        price: book.ask.plus(market.tickSize.times(20)),
        timeInForce: "ioc",
      });
      await listed.locator(`#bot-list tr[data-bot="${server.url}"] td.pnl-net`).waitFor();
      await listed.locator("section.bot dd", { hasText: /^\s*2\s*$/ }).first().waitFor({
        timeout: 10_000,
      });
      equal(
        await listed.evaluate(() => (globalThis as unknown as { marker?: number }).marker),
        9,
        "the funding service's Bots page updated in place",
      );
      for (const [w, h] of SIZES) {
        await listed.setViewportSize({ width: w, height: h });
        await listed.screenshot({ path: `${shots}/serve_bots_${w}x${h}.png`, fullPage: true });
        deepEqual(await axeSerious(listed), [], `serve bots page at ${w}x${h}`);
      }
      await listed.close();
      for (const [w, h] of SIZES) {
        await page.setViewportSize({ width: w, height: h });
        await page.screenshot({ path: `${shots}/bots_${w}x${h}.png`, fullPage: true });
        deepEqual(await axeSerious(page), [], `bots page at ${w}x${h}`);
      }
      deepEqual(errors, []);
      await context.close();
    } finally {
      await browser.close();
      await funding.shutdown();
      await server.close();
      tracker.stop();
      await client.disconnect();
      await sim.close();
    }
  },
});
