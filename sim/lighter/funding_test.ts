import { deepStrictEqual as deepEqual, strictEqual as equal } from "node:assert/strict";
import type { ExchangeEvent } from "../../base.ts";
import { ManualClock } from "../../exchanges/_shared/clock.ts";
import { LighterClient } from "../../exchanges/lighter/client.ts";
import { LighterSigner } from "../../exchanges/lighter/signer/lighter_signer.ts";
import { scriptedFundingRates } from "../funding.ts";
import { type LighterReplica, type LighterReplicaOptions, startLighterReplica } from "./replica.ts";

/** 2026-01-01 00:30 UTC: the next settlement is 01:00 = 1767229200 s. */
const START = Date.UTC(2026, 0, 1, 0, 30);
const FIRST_SETTLEMENT_S = 1767229200;

function replicaAt(options: LighterReplicaOptions = {}): LighterReplica {
  return startLighterReplica({ clock: new ManualClock(START), ...options });
}

function signerFor(replica: LighterReplica) {
  return new LighterSigner({
    privateKey: replica.credentials.apiKeyPrivateKey,
    accountIndex: replica.credentials.accountIndex,
    apiKeyIndex: replica.credentials.apiKeyIndex,
    chainId: replica.chainId,
    now: () => replica.clock.now(),
  });
}

/** Opens a position of the test account against the counterparty at 2000. */
function open(replica: LighterReplica, side: "buy" | "sell", size: string) {
  const { engine } = replica;
  engine.placeOrder(replica.counterpartyId, {
    symbol: "ETH",
    side: side === "buy" ? "sell" : "buy",
    size,
    price: "2000",
  });
  engine.placeOrder(replica.accountId, { symbol: "ETH", side, size, price: "2000" });
}

async function positionFunding(replica: LighterReplica, query = "") {
  const { accountIndex } = replica.credentials;
  const r = await fetch(
    `${replica.restUrl}/api/v1/positionFunding?account_index=${accountIndex}${query}`,
    { headers: { authorization: signerFor(replica).createAuthToken() } },
  );
  return { status: r.status, body: await r.json() };
}

async function accountPosition(replica: LighterReplica) {
  const r = await fetch(
    `${replica.restUrl}/api/v1/account?by=index&value=${replica.credentials.accountIndex}`,
  );
  return (await r.json()).accounts[0].positions[0];
}

Deno.test("replica: an hourly settlement debits a paying long and serves it on positionFunding with the documented fields and signs", async () => {
  await using replica = replicaAt({ collateral: "1000" });
  replica.engine.setFundingRates("ETH", scriptedFundingRates("0.0001"));
  open(replica, "buy", "1");
  await replica.clock.advance(30 * 60_000 - 1);
  replica.engine.sync();
  deepEqual(
    (await positionFunding(replica, "&limit=100")).body.position_fundings,
    [],
    "not before the hour",
  );
  await replica.clock.advance(1);
  replica.engine.sync();
  // 1 ETH × 2000 × 0.0001 = 0.2 paid by the long.
  equal(replica.engine.balance(replica.accountId).collateral, "999.8");
  const { status, body } = await positionFunding(replica, "&limit=100");
  equal(status, 200);
  deepEqual(body, {
    code: 200,
    position_fundings: [{
      timestamp: FIRST_SETTLEMENT_S,
      market_id: 0,
      funding_id: 1,
      change: "-0.200000",
      rate: "0.0100",
      position_size: "1.0000",
      position_side: "long",
      discount: "0.000000",
    }],
  });
  const truth = replica.control.truth(replica.accountId).fundingPayments;
  deepEqual(truth.map((p) => [p.time / 1000, p.amount]), [[FIRST_SETTLEMENT_S, "-0.2"]]);
});

Deno.test("replica: a short receives at a positive rate and pays at a negative one", async () => {
  await using replica = replicaAt();
  replica.engine.setFundingRates(
    "ETH",
    scriptedFundingRates([{ time: 0, rate: "0.0001" }, {
      time: START + 3_600_000,
      rate: "-0.00005",
    }]),
  );
  open(replica, "sell", "0.5");
  await replica.clock.advance(90 * 60_000);
  replica.engine.sync();
  const { body } = await positionFunding(replica, "&limit=100");
  // Newest first: −0.005 %/h paid by the short, then +0.01 %/h received by it.
  deepEqual(
    body.position_fundings.map((
      r: { change: string; rate: string; position_size: string; position_side: string },
    ) => [r.change, r.rate, r.position_size, r.position_side]),
    [["-0.050000", "-0.0050", "0.5000", "short"], ["0.100000", "0.0100", "0.5000", "short"]],
  );
});

Deno.test("replica: positionFunding pages newest first by cursor, filters by market, side and window, and needs auth", async () => {
  await using replica = replicaAt();
  replica.engine.setFundingRates("ETH", scriptedFundingRates("0.0001"));
  open(replica, "buy", "1");
  await replica.clock.advance(3 * 3_600_000);
  replica.engine.sync();
  const ids = async (q: string) => {
    const { body } = await positionFunding(replica, q);
    return [body.position_fundings.map((r: { funding_id: number }) => r.funding_id), body];
  };
  const [p1, b1] = await ids("&limit=2");
  deepEqual(p1, [3, 2]);
  equal(b1.next_cursor, "2");
  const [p2, b2] = await ids(`&limit=2&cursor=${b1.next_cursor}`);
  deepEqual(p2, [1]);
  equal(b2.next_cursor, undefined);
  deepEqual((await ids("&limit=10&market_id=1"))[0], []);
  deepEqual((await ids("&limit=10&side=short"))[0], []);
  const second = (FIRST_SETTLEMENT_S + 3600) * 1000;
  deepEqual((await ids(`&limit=10&start_timestamp=${second}&end_timestamp=${second}`))[0], [2]);
  const none = await fetch(
    `${replica.restUrl}/api/v1/positionFunding?account_index=${replica.credentials.accountIndex}&limit=10`,
  );
  deepEqual([none.status, (await none.json()).code], [400, 20001]);
});

Deno.test("replica: UpdateLeverage changes the position's margin fraction; isolated and above-maximum are refused", async () => {
  await using replica = replicaAt();
  open(replica, "buy", "1");
  const signer = signerFor(replica);
  const send = async (initialMarginFraction: number, marginMode: 0 | 1, nonce: number) => {
    const tx = signer.signUpdateLeverage(
      { marketIndex: 0, initialMarginFraction, marginMode },
      { nonce },
    );
    const body = new FormData();
    body.set("tx_type", String(tx.txType));
    body.set("tx_info", tx.txInfo);
    const r = await fetch(`${replica.restUrl}/api/v1/sendTx`, { method: "POST", body });
    return (await r.json()).code;
  };
  equal(await send(1000, 0, 0), 200);
  equal(replica.engine.position(replica.accountId, "ETH").leverage, "10");
  equal((await accountPosition(replica)).initial_margin_fraction, "10.00");
  equal(await send(1000, 1, 1), 21604, "isolated margin");
  equal(await send(100, 0, 1), 21604, "100x above the 20x maximum");
  equal(replica.engine.position(replica.accountId, "ETH").leverage, "10");
});

Deno.test("replica: liquidation_price is where equity meets maintenance margin", async () => {
  await using long = replicaAt({ collateral: "500" });
  open(long, "buy", "1");
  // Long 1 @ 2000, equity 500, maintenance 2.5 % (half the 5 % initial): (2000 − 500) / 0.975.
  equal((await accountPosition(long)).liquidation_price, "1538.46153846");
  await using short = replicaAt({ collateral: "500" });
  open(short, "sell", "1");
  // Short 1 @ 2000: (2000 + 500) / 1.025.
  equal((await accountPosition(short)).liquidation_price, "2439.02439024");
});

Deno.test("client on the replica: funding payments with the account's sign, a funding event per settlement, leverage set and risk reported", async () => {
  // The client runs on the system clock (its socket timers must not jump with the replica's
  // hour), so the replica starts at the real time and the payment lands after the connect.
  await using replica = startLighterReplica({
    clock: new ManualClock(Date.now()),
    collateral: "999.8",
  });
  const boundary = (Math.floor(replica.clock.now() / 3_600_000) + 1) * 3_600_000;
  replica.engine.setFundingRates("ETH", scriptedFundingRates("0.0001"));
  open(replica, "sell", "1");
  await using client = new LighterClient({
    restUrl: replica.restUrl,
    wsUrl: replica.wsUrl,
    chainId: replica.chainId,
    credentials: replica.credentials,
    authTokenLifetimeMs: 3 * 3_600_000,
  });
  const events: ExchangeEvent[] = [];
  client.onEvent((e) => events.push(e));
  await client.connect();
  await client.setLeverage("ETH", 10);
  equal(replica.engine.position(replica.accountId, "ETH").leverage, "10");
  await replica.clock.advance(boundary - replica.clock.now());
  replica.engine.sync();
  for (let i = 0; i < 100 && !events.some((e) => e.type === "funding"); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const payments = await client.getFundingPayments({ symbol: "ETH" });
  deepEqual(
    payments.map((p) => [
      p.time,
      p.amount.toString(),
      p.rate?.toString(),
      p.positionSize?.toString(),
    ]),
    [[boundary, "0.2", "0.0001", "-1"]],
  );
  const funding = events.flatMap((e) => (e.type === "funding" ? [e.payment] : []));
  deepEqual(funding.map((p) => [p.id, p.amount.toString()]), [["0:1", "0.2"]]);
  const [position] = await client.getPositions();
  deepEqual(
    [position.leverage?.toString(), position.cumulativeFunding?.toString()],
    ["10", "0.2"],
  );
  // Short 1 @ 2000, equity 999.8 + 0.2, maintenance 2.5 % (the 20x market's): 3000 / 1.025.
  equal(position.liquidationPrice?.toString(), "2926.82926829");
  // Cross margin used: 2000 × 10 %.
  equal(position.marginUsed?.toString(), "200");
  // Maintenance 2000 × 2.5 % = 50 over equity 1000.
  equal((await client.getBalance()).marginRatio?.toString(), "0.05");
});
