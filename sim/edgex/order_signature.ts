/**
 * Server-side check of EdgeX V2 order signatures (edgex.md §3), written from the venue notes:
 * the `l2Nonce` rule and the EIP-712 `LimitOrderParams` typed data, recovered with viem's
 * generic `recoverTypedDataAddress`.
 *
 * ```
 * EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)
 *   name "EdgeX", version "1", chainId = global.nativeChainId, verifyingContract = global.contractAddress
 * OrderBase(uint256 nonce,address signer,uint64 accountId,uint256 expirationTimestamp)
 * LimitOrderParams(OrderBase base,int256 amountSynthetic,int256 amountCollateral,uint256 amountFee,
 *                  uint64 assetIdSynthetic,uint64 assetIdCollateral,bool isBuyingSynthetic,
 *                  bytes32 parentOrderHash,uint256 subOrderIndex)
 * ```
 *
 * Field values (§3.4): `amountSynthetic = trunc(l2Size × contract resolution)`,
 * `amountCollateral = trunc(l2Value × quote resolution)`, `amountFee = l2LimitFee × quote
 * resolution`, `nonce = l2Nonce`, `expirationTimestamp = floor(expireTime / 1000)`, the contract
 * id and quote coin id, `isBuyingSynthetic = side == "BUY"`, 32 zero bytes and 0. The signer is not
 * in the body: it is the address bound to the API key.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { recoverTypedDataAddress } from "viem";

/** The typed-data types of an order (edgex.md §3.3); viem adds `EIP712Domain` itself. */
const ORDER_TYPES = {
  OrderBase: [
    { name: "nonce", type: "uint256" },
    { name: "signer", type: "address" },
    { name: "accountId", type: "uint64" },
    { name: "expirationTimestamp", type: "uint256" },
  ],
  LimitOrderParams: [
    { name: "base", type: "OrderBase" },
    { name: "amountSynthetic", type: "int256" },
    { name: "amountCollateral", type: "int256" },
    { name: "amountFee", type: "uint256" },
    { name: "assetIdSynthetic", type: "uint64" },
    { name: "assetIdCollateral", type: "uint64" },
    { name: "isBuyingSynthetic", type: "bool" },
    { name: "parentOrderHash", type: "bytes32" },
    { name: "subOrderIndex", type: "uint256" },
  ],
} as const;

const ZERO_HASH = `0x${"00".repeat(32)}` as const;

/**
 * `l2Nonce` of a client order id: the first 8 hex digits of `sha256(utf8(clientOrderId))` as a
 * uint32 (edgex.md §3.4).
 *
 * @param clientOrderId The client order id.
 * @returns The nonce.
 *
 * @example An official testnet body (SDKDOC)
 * ```ts
 * import { edgeXOrderNonce } from "./order_signature.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(edgeXOrderNonce("sdk-v2-1773302047079667844"), 2637799806);
 * ```
 */
export function edgeXOrderNonce(clientOrderId: string): number {
  const hex = createHash("sha256").update(clientOrderId, "utf8").digest("hex");
  return parseInt(hex.slice(0, 8), 16);
}

/**
 * What the gateway knows when it checks an order: the market, the domain and the signer bound
 * to the API key.
 *
 * @example
 * ```ts
 * import type { EdgeXOrderCheckContext } from "./order_signature.ts";
 * const c: EdgeXOrderCheckContext = {
 *   contractId: "30000001", quoteCoinId: "1000", contractResolution: "1000000000",
 *   quoteResolution: "1000000", chainId: "33431",
 *   verifyingContract: "0x1ae109ea449cfe0bed08bfe8911e968a49a919b1",
 *   signer: "0xFCAd0B19bB29D4674531d6f115237E16AfCE377c",
 * };
 * ```
 */
export interface EdgeXOrderCheckContext {
  /** Contract id (`assetIdSynthetic`). */
  readonly contractId: string;
  /** Quote coin id (`assetIdCollateral`). */
  readonly quoteCoinId: string;
  /** Contract `resolution`: a literal multiplier, decimal or `0x` hex. */
  readonly contractResolution: string;
  /** Quote coin `resolution`, same form. */
  readonly quoteResolution: string;
  /** Domain chain id (decimal or `0x` hex). */
  readonly chainId: string;
  /** Domain verifying contract. */
  readonly verifyingContract: string;
  /** The signer address bound to the API key. */
  readonly signer: string;
}

/**
 * The signed fields of a createOrder body, as strings on the wire.
 *
 * @example
 * ```ts
 * import type { EdgeXSignedOrderBody } from "./order_signature.ts";
 * const b: EdgeXSignedOrderBody = {
 *   accountId: "42", side: "BUY", l2Nonce: "1", l2Value: "200", l2Size: "0.1", l2LimitFee: "1",
 *   expireTime: "1767225600000", l2Signature: "0x…",
 * };
 * ```
 */
export interface EdgeXSignedOrderBody {
  /** Account id. */
  readonly accountId: string;
  /** `BUY` or `SELL`. */
  readonly side: string;
  /** uint32 nonce. */
  readonly l2Nonce: string;
  /** Notional. */
  readonly l2Value: string;
  /** Size. */
  readonly l2Size: string;
  /** Fee cap (whole quote units). */
  readonly l2LimitFee: string;
  /** ms; signed as whole seconds. */
  readonly expireTime: string;
  /** 65 bytes hex, with or without `0x`. */
  readonly l2Signature: string;
}

function resolutionOf(text: string, name: string): bigint {
  if (/^0x[0-9a-fA-F]+$/.test(text) || /^\d+$/.test(text)) return BigInt(text);
  throw new TypeError(`'${name}' must be a decimal or 0x-hex integer: got ${JSON.stringify(text)}`);
}

/** `trunc(decimal × multiplier)` without floats. */
function scaled(text: string, multiplier: bigint, name: string): bigint {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) {
    throw new TypeError(`'${name}' must be a non-negative decimal: got ${JSON.stringify(text)}`);
  }
  const fraction = m[2] ?? "";
  return (BigInt(m[1] + fraction) * multiplier) / 10n ** BigInt(fraction.length);
}

function integer(text: string, name: string): bigint {
  if (typeof text !== "string" || !/^\d{1,20}$/.test(text)) {
    throw new TypeError(`'${name}' must be a decimal integer: got ${JSON.stringify(text)}`);
  }
  return BigInt(text);
}

/**
 * Rebuilds an order's typed data from its body and recovers who signed it. The order is valid
 * iff the result equals `context.signer`.
 *
 * @param body The signed fields of the body.
 * @param context Market, domain and registered signer.
 * @returns The recovered checksummed address.
 * @throws {TypeError} If a field is malformed or the signature is not 65 bytes of hex.
 *
 * @example The Go SDK order (test_vectors.json `go_client_v2_test_createOrder`)
 * ```ts
 * import { recoverEdgeXOrder } from "./order_signature.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const signer = await recoverEdgeXOrder({
 *   accountId: "42", side: "BUY", l2Nonce: "3939355697", l2Value: "200", l2Size: "0.1",
 *   l2LimitFee: "1", expireTime: "1767225600000",
 *   l2Signature: "0x8df23ac7d64ec06ed1a3abb21216ef14a579dea863b81259097089462b34470e639fb2137b3bf585adf6063db399cec48d73d5e6080c2f60765901baeea20ba71c",
 * }, {
 *   contractId: "10000001", quoteCoinId: "2", contractResolution: "1000000000",
 *   quoteResolution: "1000000", chainId: "42161",
 *   verifyingContract: "0x0000000000000000000000000000000000000001",
 *   signer: "0x3c525baCDE632d065e92324b2bCe7dEAAFF2deff",
 * });
 * equal(signer, "0x3c525baCDE632d065e92324b2bCe7dEAAFF2deff");
 * ```
 */
export async function recoverEdgeXOrder(
  body: EdgeXSignedOrderBody,
  context: EdgeXOrderCheckContext,
): Promise<`0x${string}`> {
  if (body.side !== "BUY" && body.side !== "SELL") {
    throw new TypeError(`'side' must be "BUY" or "SELL": got ${JSON.stringify(body.side)}`);
  }
  const sig = typeof body.l2Signature === "string" ? body.l2Signature.trim() : "";
  if (!/^(0x)?[0-9a-fA-F]{130}$/.test(sig)) {
    throw new TypeError("'l2Signature' must be 65 bytes as 130 hex digits (with or without 0x)");
  }
  if (!/^0x[0-9a-fA-F]{40}$/.test(context.signer)) {
    throw new TypeError(`'signer' must be an address: got ${JSON.stringify(context.signer)}`);
  }
  const contractRes = resolutionOf(context.contractResolution, "contractResolution");
  const quoteRes = resolutionOf(context.quoteResolution, "quoteResolution");
  const message = {
    base: {
      nonce: integer(body.l2Nonce, "l2Nonce"),
      signer: context.signer as `0x${string}`,
      accountId: integer(body.accountId, "accountId"),
      expirationTimestamp: integer(body.expireTime, "expireTime") / 1000n,
    },
    amountSynthetic: scaled(body.l2Size, contractRes, "l2Size"),
    amountCollateral: scaled(body.l2Value, quoteRes, "l2Value"),
    amountFee: scaled(body.l2LimitFee, quoteRes, "l2LimitFee"),
    assetIdSynthetic: integer(context.contractId, "contractId"),
    assetIdCollateral: integer(context.quoteCoinId, "quoteCoinId"),
    isBuyingSynthetic: body.side === "BUY",
    parentOrderHash: ZERO_HASH,
    subOrderIndex: 0n,
  };
  return await recoverTypedDataAddress({
    domain: {
      name: "EdgeX",
      version: "1",
      chainId: BigInt(resolutionOf(context.chainId, "chainId")),
      verifyingContract: context.verifyingContract as `0x${string}`,
    },
    types: ORDER_TYPES,
    primaryType: "LimitOrderParams",
    message,
    signature: (sig.startsWith("0x") ? sig : `0x${sig}`) as `0x${string}`,
  });
}
