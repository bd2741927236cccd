import {
  deepStrictEqual as deepEqual,
  notDeepStrictEqual as notDeepEqual,
  ok,
  rejects,
  throws,
} from "node:assert/strict";
import fc from "fast-check";
import {
  hashDomain,
  hashStruct,
  hashTypedData,
  recoverTypedDataAddress,
  type TypedDataDefinition,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { ManualClock } from "../_shared/clock.ts";
import { Decimal } from "../../core/decimal.ts";
import { ConfigurationError, InvalidOrderError } from "../../core/errors.ts";
import { redact } from "../../core/redact.ts";
import {
  buildEdgeXOrderFields,
  createEdgeXOrderSigner,
  EDGEX_ORDER_TYPES,
  edgeXDomain,
  edgeXDomainFromMetadata,
  edgeXDomainSeparator,
  edgeXMarketOrderPrice,
  edgeXNonce,
  type EdgeXOrderFields,
  type EdgeXOrderMarket,
  edgeXOrderMessage,
  edgeXOrderTypedData,
  hashEdgeXOrder,
} from "./signing.ts";
import { recoverEdgeXOrder } from "../../sim/edgex/order_signature.ts";
import { testdataUrl } from "../../tests/_testdata.ts";

type Hex = `0x${string}`;

/** The replica's recovery (its own typed data, viem's generic hashing) of a client-signed body. */
function recoverEdgeXOrderSigner(
  body: {
    accountId: string;
    side: string;
    l2Nonce: string;
    l2Value: string;
    l2Size: string;
    l2LimitFee: string;
    expireTime: string;
    l2Signature: string;
  },
  options: {
    market: EdgeXOrderMarket;
    domain: { chainId: string | number | bigint; verifyingContract: string };
    signer: string;
  },
): Promise<Hex> {
  return recoverEdgeXOrder(body, {
    contractId: String(options.market.contractId),
    quoteCoinId: String(options.market.quoteCoinId),
    contractResolution: String(options.market.contractResolution),
    quoteResolution: String(options.market.quoteResolution),
    chainId: String(options.domain.chainId),
    verifyingContract: options.domain.verifyingContract,
    signer: options.signer,
  });
}

const FIXTURES = testdataUrl("fixtures/edgex/");
const readJson = async (path: string) =>
  JSON.parse(await Deno.readTextFile(new URL(path, FIXTURES)));
const VECTORS = await readJson("test_vectors.json");

interface TypedDataJson {
  domain: { name: string; version: string; chainId: string; verifyingContract: Hex };
  primaryType: string;
  types: Record<string, { name: string; type: string }[]>;
  message: Record<string, unknown>;
}

interface Eip712Vector {
  name: string;
  privateKey?: Hex;
  typedData: TypedDataJson;
  result: {
    signerAddress: Hex;
    domainSeparator: Hex;
    structHash: Hex;
    digest: Hex;
    signature0x: Hex;
    signatureNo0x: string;
    v: number;
  };
  inputs?: Record<string, string>;
  computed?: Record<string, string>;
  requestBodyGoStyle?: Record<string, unknown>;
  requestBodyPythonStyle?: Record<string, unknown>;
}

const EIP712: Eip712Vector[] = VECTORS.eip712;

/** JSON typed data → viem's (numeric strings to bigint by the field's type). */
function toViem(td: TypedDataJson): TypedDataDefinition {
  const convert = (type: string, value: unknown): unknown => {
    if (td.types[type]) {
      const obj = value as Record<string, unknown>;
      return Object.fromEntries(td.types[type].map((f) => [f.name, convert(f.type, obj[f.name])]));
    }
    if (/^u?int\d+$/.test(type)) return BigInt(value as string);
    return value;
  };
  const types = Object.fromEntries(
    Object.entries(td.types).filter(([name]) => name !== "EIP712Domain"),
  );
  return {
    domain: { ...td.domain, chainId: BigInt(td.domain.chainId) },
    types,
    primaryType: td.primaryType,
    message: convert(td.primaryType, td.message) as Record<string, unknown>,
  } as unknown as TypedDataDefinition;
}

const keyOf = (v: Eip712Vector): Hex => (v.privateKey ?? v.inputs?.privateKey) as Hex;

Deno.test("test_vectors.json holds seven EIP-712 vectors and four nonce vectors", () => {
  deepEqual(EIP712.length, 7);
  deepEqual(VECTORS.nonce.length, 4);
});

for (const v of EIP712) {
  Deno.test(`EIP-712 vector ${v.name}: domain separator, struct hash, digest and signature reproduce`, async () => {
    const td = toViem(v.typedData);
    const d = v.typedData.domain;
    deepEqual(
      edgeXDomainSeparator({
        chainId: d.chainId,
        verifyingContract: d.verifyingContract,
        name: d.name,
        version: d.version,
      }),
      v.result.domainSeparator,
    );
    deepEqual(
      hashDomain(
        { domain: td.domain, types: { EIP712Domain: v.typedData.types.EIP712Domain } } as never,
      ),
      v.result.domainSeparator,
    );
    deepEqual(
      hashStruct(
        { data: td.message, primaryType: v.typedData.primaryType, types: td.types } as never,
      ),
      v.result.structHash,
    );
    deepEqual(hashTypedData(td), v.result.digest);
    const account = privateKeyToAccount(keyOf(v));
    deepEqual(account.address, v.result.signerAddress);
    const signature = await account.signTypedData(td);
    deepEqual(signature, v.result.signature0x);
    deepEqual(signature.slice(2), v.result.signatureNo0x);
    deepEqual(parseInt(signature.slice(-2), 16), v.result.v);
    deepEqual(await recoverTypedDataAddress({ ...td, signature }), v.result.signerAddress);
  });
}

// The four LimitOrderParams vectors, computed with our own code end to end.
const ORDER_VECTORS = EIP712.filter((v) => v.typedData.primaryType === "LimitOrderParams");

function marketOf(inputs: Record<string, string>): EdgeXOrderMarket {
  return {
    contractId: inputs.contractId,
    quoteCoinId: inputs.quoteCoinId,
    contractResolution: inputs.contractResolution,
    quoteResolution: inputs.quoteResolution,
    takerFeeRate: inputs.takerFeeRate,
    makerFeeRate: inputs.makerFeeRate,
  };
}

function fieldsOf(inputs: Record<string, string>): EdgeXOrderFields {
  const fields = buildEdgeXOrderFields({
    accountId: inputs.accountId,
    side: inputs.side === "BUY" ? "buy" : "sell",
    size: inputs.size,
    price: inputs.l2Price,
    clientOrderId: inputs.clientOrderId,
    expireTime: Number(inputs.expireTimeMs),
  }, marketOf(inputs));
  // The Python test patches calc_nonce to a constant; reproduce that input.
  return inputs.nonceOverride ? { ...fields, nonce: Number(inputs.nonceOverride) } : fields;
}

Deno.test("test_vectors.json holds four order vectors", () => deepEqual(ORDER_VECTORS.length, 4));

for (const v of ORDER_VECTORS) {
  const inputs = v.inputs!;
  const domain = { chainId: inputs.chainId, verifyingContract: inputs.verifyingContract };

  Deno.test(`order vector ${v.name}: buildEdgeXOrderFields() computes the vector's fields`, () => {
    const f = fieldsOf(inputs);
    const c = v.computed!;
    deepEqual(f.l2Value, c.l2ValueGoString);
    deepEqual(new Decimal(f.l2Value).eq(c.l2ValuePythonString), true);
    deepEqual(f.l2LimitFee, c.l2LimitFee);
    deepEqual(f.amountSynthetic, BigInt(c.amountSynthetic));
    deepEqual(f.amountCollateral, BigInt(c.amountCollateral));
    deepEqual(f.amountFee, BigInt(c.amountFee));
    deepEqual(String(f.nonce), c.l2Nonce);
    deepEqual(String(f.expireTime), c.expireTime);
    deepEqual(String(f.l2ExpireTime), c.l2ExpireTime);
    deepEqual(edgeXOrderMessage(f, v.result.signerAddress), toViem(v.typedData).message);
  });

  Deno.test(`order vector ${v.name}: our precomputed digest equals the vector and viem`, () => {
    const f = fieldsOf(inputs);
    const options = { signer: v.result.signerAddress, domain };
    deepEqual(hashEdgeXOrder(f, options), v.result.digest);
    deepEqual(hashTypedData(edgeXOrderTypedData(f, options)), v.result.digest);
  });

  Deno.test(`order vector ${v.name}: the signer produces the vector's body fields and signature`, async () => {
    const signer = createEdgeXOrderSigner({ privateKey: inputs.privateKey, domain });
    deepEqual(signer.address, v.result.signerAddress);
    const signed = await signer.signFields(fieldsOf(inputs));
    deepEqual(signed.l2Signature, v.result.signature0x);
    const body = v.requestBodyGoStyle!;
    for (
      const k of [
        "clientOrderId",
        "expireTime",
        "l2Nonce",
        "l2Value",
        "l2Size",
        "l2LimitFee",
        "l2ExpireTime",
        "l2Signature",
      ] as const
    ) {
      deepEqual(signed[k], body[k], k);
    }
    if (!inputs.nonceOverride) {
      const viaOrder = await signer.signOrder({
        accountId: inputs.accountId,
        side: inputs.side === "BUY" ? "buy" : "sell",
        size: inputs.size,
        price: inputs.l2Price,
        clientOrderId: inputs.clientOrderId,
        expireTime: Number(inputs.expireTimeMs),
      }, marketOf(inputs));
      deepEqual(viaOrder, signed);
    }
  });

  Deno.test(`order vector ${v.name}: the replica recovers the signer from the body`, async () => {
    const options = { market: marketOf(inputs), domain, signer: v.result.signerAddress };
    deepEqual(
      await recoverEdgeXOrderSigner(v.requestBodyGoStyle as never, options),
      v.result.signerAddress,
    );
    if (v.requestBodyPythonStyle) {
      // Python sends the signature without 0x.
      deepEqual(
        await recoverEdgeXOrderSigner(v.requestBodyPythonStyle as never, options),
        v.result.signerAddress,
      );
    }
  });
}

Deno.test("edgeXMarketOrderPrice() gives the market-buy vector's l2Price from the oracle price", () => {
  const v = ORDER_VECTORS.find((x) => x.name === "derived_market_buy_30000001")!;
  const price = edgeXMarketOrderPrice("buy", {
    oraclePrice: "79025.030809853284955708",
    tickSize: "0.1",
  });
  deepEqual(price.toString(), v.inputs!.l2Price);
  // Half-even to the written tick decimals, as Python's round(Decimal, n).
  deepEqual(
    edgeXMarketOrderPrice("buy", { oraclePrice: "100.025", tickSize: "0.01" }).toString(),
    "1000.25",
  );
  deepEqual(
    edgeXMarketOrderPrice("buy", { oraclePrice: "100.0125", tickSize: "0.010" }).toString(),
    "1000.125",
  );
  deepEqual(edgeXMarketOrderPrice("buy", { oraclePrice: "0.05", tickSize: "1" }).toString(), "0");
  deepEqual(edgeXMarketOrderPrice("buy", { oraclePrice: "0.15", tickSize: "1" }).toString(), "2");
  deepEqual(edgeXMarketOrderPrice("sell", { oraclePrice: "1", tickSize: "0.5" }).toString(), "0.5");
  throws(() => edgeXMarketOrderPrice("buy", { oraclePrice: "1", tickSize: "0" }), RangeError);
});

// ---------------------------------------------------------------------------------------------
// Nonce

Deno.test("edgeXNonce() reproduces every nonce vector", () => {
  for (const n of VECTORS.nonce) {
    deepEqual(String(edgeXNonce(n.clientOrderId)), n.l2Nonce, n.clientOrderId);
  }
});

Deno.test("the sdkdoc createOrder request bodies' l2Nonce values verify", async () => {
  const expected: Record<string, number> = {
    "sdk-v2-1773302047079667844": 2637799806,
    "stop-market-sl-1773300663768631932": 2012469256,
  };
  for (
    const file of [
      "sdkdoc.createOrder.limit.testnet.request.json",
      "sdkdoc.createOrder.stopMarket.testnet.request.json",
    ]
  ) {
    const body = await readJson(`rest/${file}`);
    deepEqual(edgeXNonce(body.clientOrderId), expected[body.clientOrderId], file);
    deepEqual(String(edgeXNonce(body.clientOrderId)), body.l2Nonce, file);
    // l2ExpireTime = expireTime + 8 days, as computed here.
    deepEqual(Number(body.l2ExpireTime) - Number(body.expireTime), 8 * 86_400_000, file);
    // l2Value = signed price × size (the trigger price for STOP_MARKET).
    const signedPrice = body.type === "STOP_MARKET" ? body.triggerPrice : body.price;
    const f = buildEdgeXOrderFields({
      accountId: body.accountId,
      side: body.side === "BUY" ? "buy" : "sell",
      size: body.size,
      price: signedPrice,
      clientOrderId: body.clientOrderId,
      expireTime: Number(body.expireTime),
    }, {
      contractId: body.contractId,
      quoteCoinId: "1000",
      contractResolution: "1000000000",
      quoteResolution: "1000000",
    });
    deepEqual([f.l2Value, f.l2Size, String(f.nonce), String(f.l2ExpireTime)], [
      body.l2Value,
      body.l2Size,
      body.l2Nonce,
      body.l2ExpireTime,
    ], file);
  }
});

Deno.test("the sdkdoc STOP_MARKET body's l2LimitFee \"0\" contradicts the SDKs' ceil rule (doc anomaly)", async () => {
  const body = await readJson("rest/sdkdoc.createOrder.stopMarket.testnet.request.json");
  deepEqual(body.l2LimitFee, "0");
  // Any positive fee rate on a positive value rounds up to at least 1 quote unit.
  const f = buildEdgeXOrderFields({
    accountId: body.accountId,
    side: "sell",
    size: body.size,
    price: body.triggerPrice,
    clientOrderId: body.clientOrderId,
    expireTime: Number(body.expireTime),
  }, {
    contractId: body.contractId,
    quoteCoinId: "1000",
    contractResolution: "1000000000",
    quoteResolution: "1000000",
    takerFeeRate: "0.00000001",
    makerFeeRate: "0",
  });
  deepEqual(f.l2LimitFee, "1");
});

// ---------------------------------------------------------------------------------------------
// Exact amounts: property test against a BigInt rational reference

/** An exact rational n/d with d > 0, parsed from a decimal string by its own route. */
interface Rational {
  n: bigint;
  d: bigint;
}

function rational(text: string): Rational {
  const negative = text.startsWith("-");
  const body = negative ? text.slice(1) : text;
  const [whole, frac = ""] = body.split(".");
  const n = BigInt(whole || "0") * 10n ** BigInt(frac.length) + BigInt(frac || "0");
  return { n: negative ? -n : n, d: 10n ** BigInt(frac.length) };
}
const mul = (a: Rational, b: Rational): Rational => ({ n: a.n * b.n, d: a.d * b.d });
const floorR = (a: Rational): bigint => {
  const q = a.n / a.d;
  return a.n < 0n && q * a.d !== a.n ? q - 1n : q;
};
const ceilR = (a: Rational): bigint => -floorR({ n: -a.n, d: a.d });
const eqR = (a: Rational, b: Rational): boolean => a.n * b.d === b.n * a.d;
const maxR = (a: Rational, b: Rational): Rational => (a.n * b.d >= b.n * a.d ? a : b);

const decimalText = (maxDigits: number, maxScale: number) =>
  fc.tuple(
    fc.bigInt({ min: 1n, max: 10n ** BigInt(maxDigits) - 1n }),
    fc.integer({ min: 0, max: maxScale }),
    fc.nat(3),
  )
    .map(([m, scale, pad]) => {
      const digits = m.toString().padStart(scale + 1, "0");
      const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
      // Trailing zeros written by the caller must not change anything.
      return scale > 0 || pad === 0 ? text + "0".repeat(pad) : `${text}.${"0".repeat(pad)}`;
    });

const resolution = fc.oneof(
  fc.integer({ min: 0, max: 18 }).map((k) => ({
    text: (10n ** BigInt(k)).toString(),
    value: 10n ** BigInt(k),
  })),
  fc.bigInt({ min: 1n, max: 10n ** 15n }).map((r) => ({ text: r.toString(), value: r })),
  fc.bigInt({ min: 1n, max: 10n ** 15n }).map((r) => ({ text: `0x${r.toString(16)}`, value: r })),
);

const feeRate = fc.option(
  fc.tuple(fc.integer({ min: 0, max: 5_000_000 }), fc.integer({ min: 4, max: 9 }))
    .map(([m, s]) => rationalText(BigInt(m), s)),
  { nil: undefined },
);

function rationalText(m: bigint, scale: number): string {
  const digits = m.toString().padStart(scale + 1, "0");
  return scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

Deno.test("amounts from random decimal sizes and prices equal an exact BigInt rational reference (property)", () => {
  fc.assert(
    fc.property(
      decimalText(14, 12),
      decimalText(14, 10),
      resolution,
      resolution,
      feeRate,
      feeRate,
      (size, price, contractRes, quoteRes, taker, maker) => {
        const sizeR = rational(size);
        const units = mul(sizeR, { n: contractRes.value, d: 1n });
        const contractUnits = floorR(units);
        const market = {
          contractId: "30000001",
          quoteCoinId: "1000",
          contractResolution: contractRes.text,
          quoteResolution: quoteRes.text,
          takerFeeRate: taker,
          makerFeeRate: maker,
        };
        const order = {
          accountId: "1",
          side: "buy" as const,
          size,
          price,
          clientOrderId: "p",
          expireTime: 1_800_000_000_000,
        };
        // A size that is not a whole number of resolution units is refused, never truncated.
        if (contractUnits === 0n || units.n % units.d !== 0n) {
          throws(() => buildEdgeXOrderFields(order, market), InvalidOrderError);
          return;
        }
        const f = buildEdgeXOrderFields(order, market);
        const value = mul(sizeR, rational(price));
        const rate = maxR(rational(taker ?? "0.001"), rational(maker ?? "0.001"));
        const fee = ceilR(mul(value, rate));
        ok(eqR(rational(f.l2Value), value), `l2Value ${f.l2Value}`);
        ok(!/\.\d*0$/.test(f.l2Value) && !f.l2Value.endsWith("."), `normalized ${f.l2Value}`);
        ok(eqR(rational(f.l2Size), sizeR));
        deepEqual(f.l2LimitFee, fee.toString());
        deepEqual(f.amountSynthetic, contractUnits);
        deepEqual(f.amountCollateral, floorR(mul(value, { n: quoteRes.value, d: 1n })));
        deepEqual(f.amountFee, fee * quoteRes.value);
      },
    ),
    { numRuns: 1_000 },
  );
});

Deno.test("our digest equals viem's hashTypedData for random orders (property)", () => {
  const domain = { chainId: 3343, verifyingContract: "0x1ae109ea449cfe0bed08bfe8911e968a49a919b1" };
  fc.assert(
    fc.property(
      decimalText(10, 6),
      decimalText(10, 4),
      fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      fc.boolean(),
      fc.string({ minLength: 1, maxLength: 20 }),
      fc.integer({ min: 1, max: 4_102_444_800_000 }),
      (size, price, accountId, buy, clientOrderId, expireTime) => {
        const fields = buildEdgeXOrderFields(
          { accountId, side: buy ? "buy" : "sell", size, price, clientOrderId, expireTime },
          {
            contractId: "30000002",
            quoteCoinId: "1000",
            contractResolution: "1000000000000",
            quoteResolution: "1000000",
          },
        );
        const options = { signer: "0xFCAd0B19bB29D4674531d6f115237E16AfCE377c", domain };
        deepEqual(
          hashEdgeXOrder(fields, options),
          hashTypedData(edgeXOrderTypedData(fields, options)),
        );
      },
    ),
    { numRuns: 300 },
  );
});

// ---------------------------------------------------------------------------------------------
// Signing, recovery, tampering

const KEY = "0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const SIGNER = "0xFCAd0B19bB29D4674531d6f115237E16AfCE377c";
const DOMAIN = {
  chainId: "33431",
  verifyingContract: "0x1ae109ea449cfe0bed08bfe8911e968a49a919b1",
};
const MARKET: EdgeXOrderMarket = {
  contractId: "30000001",
  quoteCoinId: "1000",
  contractResolution: "1000000000",
  quoteResolution: "1000000",
  takerFeeRate: "0.00038",
  makerFeeRate: "0.00015",
};

Deno.test("signOrder() returns 0x + r‖s‖v with v 27 or 28, and recovery returns the signer", async () => {
  const signer = createEdgeXOrderSigner({ privateKey: KEY, domain: DOMAIN });
  deepEqual(signer.address, SIGNER);
  for (let i = 0; i < 8; i++) {
    const signed = await signer.signOrder(
      {
        accountId: "724625476626153743",
        side: i % 2 ? "buy" : "sell",
        size: "0.013",
        price: "82899.4",
        clientOrderId: `c-${i}`,
        expireTime: 1_792_586_196_955,
      },
      MARKET,
    );
    ok(/^0x[0-9a-f]{130}$/.test(signed.l2Signature), signed.l2Signature);
    ok(["1b", "1c"].includes(signed.l2Signature.slice(-2)));
    const body = { accountId: "724625476626153743", side: i % 2 ? "BUY" : "SELL", ...signed };
    deepEqual(
      await recoverEdgeXOrderSigner(body, { market: MARKET, domain: DOMAIN, signer: SIGNER }),
      SIGNER,
    );
  }
});

Deno.test("tampering with any signed field changes the recovered address", async () => {
  const signer = createEdgeXOrderSigner({ privateKey: KEY, domain: DOMAIN });
  const signed = await signer.signOrder(
    {
      accountId: "724625476626153743",
      side: "buy",
      size: "0.002",
      price: "790250.3",
      clientOrderId: "sim-mkt-1",
      expireTime: 1_792_586_196_955,
    },
    MARKET,
  );
  const body = { accountId: "724625476626153743", side: "BUY", ...signed };
  const options = { market: MARKET, domain: DOMAIN, signer: SIGNER };
  deepEqual(await recoverEdgeXOrderSigner(body, options), SIGNER);
  const tampered: Record<string, string>[] = [
    { l2Value: "1580.5007" },
    { l2Size: "0.003" },
    { l2LimitFee: "2" },
    { l2Nonce: String(Number(signed.l2Nonce) + 1) },
    { expireTime: String(Number(signed.expireTime) + 1000) },
    { accountId: "724625476626153744" },
    { side: "SELL" },
  ];
  for (const change of tampered) {
    notDeepEqual(
      await recoverEdgeXOrderSigner({ ...body, ...change }, options),
      SIGNER,
      JSON.stringify(change),
    );
  }
  // Same body checked against another market, domain or registered signer.
  notDeepEqual(
    await recoverEdgeXOrderSigner(body, {
      ...options,
      market: { ...MARKET, contractId: "30000002" },
    }),
    SIGNER,
  );
  notDeepEqual(
    await recoverEdgeXOrderSigner(body, { ...options, domain: { ...DOMAIN, chainId: "3343" } }),
    SIGNER,
  );
  notDeepEqual(
    await recoverEdgeXOrderSigner(body, {
      ...options,
      signer: "0x3c525baCDE632d065e92324b2bCe7dEAAFF2deff",
    }),
    SIGNER,
  );
  // What the signer does not sign does not matter: a millisecond change within the same second.
  deepEqual(
    await recoverEdgeXOrderSigner(
      { ...body, expireTime: String(Number(signed.expireTime) + 1) },
      options,
    ),
    SIGNER,
  );
});

// ---------------------------------------------------------------------------------------------
// Fields: rules and refusals

Deno.test("buildEdgeXOrderFields() defaults expireTime to now + 22 d and signs it in seconds", () => {
  const clock = new ManualClock(1_790_000_000_123);
  const f = buildEdgeXOrderFields(
    { accountId: "1", side: "buy", size: "1", price: "1", clientOrderId: "a" },
    MARKET,
    { clock },
  );
  deepEqual(f.expireTime, 1_790_000_000_123 + 22 * 86_400_000);
  deepEqual(f.l2ExpireTime, 1_790_000_000_123 + 30 * 86_400_000);
  deepEqual(
    edgeXOrderMessage(f, SIGNER).base.expirationTimestamp,
    BigInt(Math.floor(f.expireTime / 1000)),
  );
});

Deno.test("buildEdgeXOrderFields() takes the larger fee rate, defaulting each to 0.001", () => {
  const order = {
    accountId: "1",
    side: "sell" as const,
    size: "1",
    price: "10000",
    clientOrderId: "a",
    expireTime: 1,
  };
  const fee = (m: Partial<EdgeXOrderMarket>) =>
    buildEdgeXOrderFields(order, { ...MARKET, ...m }).l2LimitFee;
  deepEqual(fee({ takerFeeRate: "0.0005", makerFeeRate: "0.0002" }), "5");
  deepEqual(fee({ takerFeeRate: "0.0005", makerFeeRate: undefined }), "10");
  deepEqual(fee({ takerFeeRate: "", makerFeeRate: null }), "10");
  deepEqual(fee({ takerFeeRate: "0.00050001", makerFeeRate: "-0.0001" }), "6");
  deepEqual(fee({ takerFeeRate: "0", makerFeeRate: "0" }), "0");
  throws(() => fee({ takerFeeRate: "-0.1", makerFeeRate: "-0.2" }), ConfigurationError);
});

Deno.test("buildEdgeXOrderFields() reads resolutions literally, in decimal or 0x hex", () => {
  const order = {
    accountId: "1",
    side: "buy" as const,
    size: "0.1",
    price: "123.45",
    clientOrderId: "a",
    expireTime: 1,
  };
  const f = buildEdgeXOrderFields(order, { ...MARKET, contractResolution: "1000" });
  deepEqual(f.amountSynthetic, 100n); // "1000" is a multiplier, not 10^1000
  const hex = buildEdgeXOrderFields(order, { ...MARKET, contractResolution: "0x2540be400" });
  deepEqual(hex.amountSynthetic, 1_000_000_000n);
  for (const bad of ["", "1e9", "-10", "0", "0.5", "ten"]) {
    throws(
      () => buildEdgeXOrderFields(order, { ...MARKET, contractResolution: bad }),
      ConfigurationError,
      bad,
    );
  }
});

Deno.test("buildEdgeXOrderFields() refuses sizes and prices that are not positive", () => {
  const order = {
    accountId: "1",
    side: "buy" as const,
    size: "1",
    price: "1",
    clientOrderId: "a",
    expireTime: 1,
  };
  const err = (o: Partial<typeof order>) => {
    try {
      buildEdgeXOrderFields({ ...order, ...o }, MARKET);
    } catch (e) {
      return e;
    }
    return undefined;
  };
  const zero = err({ size: "0" });
  ok(zero instanceof InvalidOrderError && zero.reason === "invalid_size");
  deepEqual(
    zero.message,
    "Cannot place order on edgex as 'size' must be positive: current value is 0",
  );
  const negative = err({ price: "-5" });
  ok(negative instanceof InvalidOrderError && negative.reason === "invalid_price");
  // Below one unit of contract resolution (1e-9).
  const tiny = err({ size: "0.0000000001" });
  ok(tiny instanceof InvalidOrderError && tiny.reason === "invalid_size");
  // Finer than the resolution (1e-9): refused, never signed truncated.
  const fine = err({ size: "0.0130000001" });
  ok(fine instanceof InvalidOrderError && fine.reason === "invalid_size");
  deepEqual(
    fine.message,
    "Cannot place order on edgex as 'size' must be a multiple of the contract resolution (1/1000000000): current value is 0.0130000001",
  );
  ok(err({ size: "1e3" }) instanceof TypeError);
  ok(err({ size: 1 as unknown as string }) instanceof TypeError);
  ok(err({ clientOrderId: "" }) instanceof TypeError);
  ok(err({ side: "BUY" as "buy" }) instanceof TypeError);
  ok(err({ accountId: "18446744073709551616" }) instanceof RangeError);
  ok(err({ accountId: "12ab" }) instanceof TypeError);
  ok(err({ expireTime: 1.5 } as never) instanceof RangeError);
  // Decimal inputs work as strings do.
  deepEqual(
    buildEdgeXOrderFields(
      { ...order, size: new Decimal("0.013"), price: new Decimal("82899.40") },
      MARKET,
    ).l2Value,
    "1077.6922",
  );
});

Deno.test("signFields() refuses fields that do not fit their Solidity types", async () => {
  const signer = createEdgeXOrderSigner({ privateKey: KEY, domain: DOMAIN });
  const f = buildEdgeXOrderFields(
    {
      accountId: "1",
      side: "buy",
      size: "1",
      price: "1",
      clientOrderId: "a",
      expireTime: 1_800_000_000_000,
    },
    MARKET,
  );
  await rejects(signer.signFields({ ...f, accountId: 1n << 64n }), RangeError);
  await rejects(signer.signFields({ ...f, amountSynthetic: 1n << 255n }), RangeError);
  await rejects(signer.signFields({ ...f, amountFee: -1n }), RangeError);
  await rejects(signer.signFields({ ...f, nonce: -1 }), RangeError);
  await rejects(signer.signFields({ ...f, side: "BUY" as "buy" }), TypeError);
  await rejects(
    signer.signOrder(
      { accountId: "1", side: "buy", size: "0", price: "1", clientOrderId: "a" },
      MARKET,
    ),
    InvalidOrderError,
  );
});

// ---------------------------------------------------------------------------------------------
// Domain and key handling

Deno.test("edgeXDomainFromMetadata() prefers nativeChainId, falls back to chainId, accepts hex", () => {
  const contractAddress = "0x1ae109ea449cfe0bed08bfe8911e968a49a919b1";
  deepEqual(
    edgeXDomainFromMetadata({ nativeChainId: "33431", chainId: "1", contractAddress }).chainId,
    "33431",
  );
  deepEqual(
    edgeXDomainFromMetadata({ nativeChainId: null, chainId: "0x8297", contractAddress }).chainId,
    "0x8297",
  );
  deepEqual(
    edgeXDomainSeparator(edgeXDomainFromMetadata({ chainId: "0x8297", contractAddress })),
    edgeXDomainSeparator({
      chainId: 33431n,
      verifyingContract: contractAddress.toUpperCase().replace("0X", "0x"),
    }),
  );
  throws(() => edgeXDomainFromMetadata({ nativeChainId: "33431" }), ConfigurationError);
  throws(() => edgeXDomainFromMetadata({ contractAddress }), ConfigurationError);
});

Deno.test("edgeXDomainSeparator() equals viem's hashDomain for any name and version (property)", () => {
  // Names up to ~900 UTF-8 bytes run our keccak over 0 … 7 rate blocks and every tail length.
  fc.assert(
    fc.property(
      fc.string({ maxLength: 300, unit: "binary" }),
      fc.string({ maxLength: 40 }),
      fc.bigInt({ min: 1n, max: (1n << 256n) - 1n }),
      fc.uint8Array({ minLength: 20, maxLength: 20 }),
      (name, version, chainId, address) => {
        const verifyingContract = `0x${
          Array.from(address, (b) => b.toString(16).padStart(2, "0")).join("")
        }` as Hex;
        const domain = { name, version, chainId, verifyingContract };
        deepEqual(
          edgeXDomainSeparator(domain),
          hashDomain({
            domain,
            types: {
              EIP712Domain: [
                { name: "name", type: "string" },
                { name: "version", type: "string" },
                { name: "chainId", type: "uint256" },
                { name: "verifyingContract", type: "address" },
              ],
            },
          } as never),
        );
      },
    ),
    { numRuns: 150 },
  );
});

Deno.test("edgeXDomain() refuses a bad chain id or address; nothing is built in", () => {
  const verifyingContract = "0x1ae109ea449cfe0bed08bfe8911e968a49a919b1";
  for (const chainId of [0, -1, "", "abc", 1.5, "1e3"]) {
    throws(() => edgeXDomain({ chainId, verifyingContract }), ConfigurationError, String(chainId));
  }
  throws(() => edgeXDomain({ chainId: 1, verifyingContract: "0x1234" }), ConfigurationError);
  // A mixed-case address must carry a valid checksum.
  throws(
    () =>
      edgeXDomain({ chainId: 1, verifyingContract: "0x1Ae109ea449cfe0bed08bfe8911e968a49a919b1" }),
    ConfigurationError,
  );
  deepEqual(edgeXDomain({ chainId: 1, verifyingContract }).name, "EdgeX");
  deepEqual(
    edgeXDomain({ chainId: 1, verifyingContract, name: "Other", version: "2" }).version,
    "2",
  );
  deepEqual(EDGEX_ORDER_TYPES.LimitOrderParams.length, 9);
});

Deno.test("createEdgeXOrderSigner() masks the key and never puts it in errors", () => {
  const key = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6";
  const signer = createEdgeXOrderSigner({ privateKey: key, domain: DOMAIN });
  deepEqual(Object.keys(signer).sort(), ["address", "domain", "signFields", "signOrder"]);
  ok(!Deno.inspect(signer, { depth: 5 }).includes(key.slice(2)));
  ok(!redact(`key ${key} and ${key.slice(2)}`).includes(key.slice(2)));
  const bad = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007zz";
  try {
    createEdgeXOrderSigner({ privateKey: bad, domain: DOMAIN });
    ok(false, "should throw");
  } catch (e) {
    ok(e instanceof ConfigurationError);
    ok(!e.message.includes("7c852118") && !String(e.stack).includes("7c852118"), e.message);
  }
  // The group order n is not a valid key.
  throws(
    () =>
      createEdgeXOrderSigner({
        privateKey: "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
        domain: DOMAIN,
      }),
    ConfigurationError,
  );
  throws(
    () => createEdgeXOrderSigner({ privateKey: KEY, domain: { ...DOMAIN, chainId: 0 } }),
    ConfigurationError,
  );
});
