/**
 * EdgeX (API V2) venue constants (shared by the trading client and the funding adapter).
 * Facts from `shared/venues/edgex.md` §1–§5. EdgeX publishes no V2 testnet, so only production
 * hosts are listed; pass other hosts through options. Values the venue changed more than once
 * (hosts, header prefix, EIP-712 domain) are data here and options on the client, never logic.
 *
 * @module
 */

/**
 * EdgeX V2 production hosts (edgex.md §1, host table).
 *
 * @example
 * ```ts
 * import { EDGEX_PRODUCTION } from "./common.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(EDGEX_PRODUCTION.restUrl, "https://edgex-prod-v2.edgex.exchange");
 * ```
 */
export const EDGEX_PRODUCTION: Readonly<{ restUrl: string; wsUrl: string }> = Object.freeze({
  restUrl: "https://edgex-prod-v2.edgex.exchange",
  wsUrl: "wss://edgex-quote-prod-v2.edgex.exchange",
});

/**
 * WebSocket paths. V2 keeps the `/api/v1/` paths "for backward compatibility" (edgex.md §1).
 *
 * @example
 * ```ts
 * import { EDGEX_WS_PATHS } from "./common.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(EDGEX_WS_PATHS.public, "/api/v1/public/ws");
 * ```
 */
export const EDGEX_WS_PATHS: Readonly<{ public: string; private: string }> = Object.freeze({
  public: "/api/v1/public/ws",
  private: "/api/v1/private/ws",
});

/**
 * V2 REST paths (edgex.md §4), relative to the REST host.
 *
 * @example
 * ```ts
 * import { EDGEX_PATHS } from "./common.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(EDGEX_PATHS.createOrder, "/api/v2/private/order/createOrder");
 * ```
 */
export const EDGEX_PATHS: Readonly<{
  getServerTime: string;
  getMetaData: string;
  getTicker: string;
  getDepth: string;
  getLatestFundingRate: string;
  getFundingRatePage: string;
  getAccountAsset: string;
  getPositionTransactionPage: string;
  updateLeverageSetting: string;
  createOrder: string;
  cancelOrderById: string;
  cancelOrderByClientOrderId: string;
  cancelAllOrder: string;
  getOrderById: string;
  getOrderByClientOrderId: string;
  getActiveOrderPage: string;
}> = Object.freeze({
  getServerTime: "/api/v2/public/meta/getServerTime",
  getMetaData: "/api/v2/public/meta/getMetaData",
  getTicker: "/api/v2/public/quote/getTicker",
  getDepth: "/api/v2/public/quote/getDepth",
  getLatestFundingRate: "/api/v2/public/funding/getLatestFundingRate",
  getFundingRatePage: "/api/v2/public/funding/getFundingRatePage",
  getAccountAsset: "/api/v2/private/account/getAccountAsset",
  getPositionTransactionPage: "/api/v2/private/account/getPositionTransactionPage",
  updateLeverageSetting: "/api/v2/private/account/updateLeverageSetting",
  createOrder: "/api/v2/private/order/createOrder",
  cancelOrderById: "/api/v2/private/order/cancelOrderById",
  cancelOrderByClientOrderId: "/api/v2/private/order/cancelOrderByClientOrderId",
  cancelAllOrder: "/api/v2/private/order/cancelAllOrder",
  getOrderById: "/api/v2/private/order/getOrderById",
  getOrderByClientOrderId: "/api/v2/private/order/getOrderByClientOrderId",
  getActiveOrderPage: "/api/v2/private/order/getActiveOrderPage",
});

/**
 * Environment variables the client reads credentials from when options leave them out.
 *
 * @example
 * ```ts
 * import { EDGEX_ENV } from "./common.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(EDGEX_ENV.signerPrivateKey, "EDGEX_SIGNER_PRIVATE_KEY");
 * ```
 */
export const EDGEX_ENV: Readonly<{
  accountId: string;
  apiKey: string;
  apiSecret: string;
  apiPassphrase: string;
  signerPrivateKey: string;
}> = Object.freeze({
  accountId: "EDGEX_ACCOUNT_ID",
  apiKey: "EDGEX_API_KEY",
  apiSecret: "EDGEX_API_SECRET",
  apiPassphrase: "EDGEX_API_PASSPHRASE",
  signerPrivateKey: "EDGEX_SIGNER_PRIVATE_KEY",
});

/**
 * Order-expiry rules of the official SDKs (edgex.md §3.4): `expireTime` = now + 22 days,
 * `l2ExpireTime` = `expireTime` + 8 days (the venue requires at least that gap).
 *
 * @example
 * ```ts
 * import { EDGEX_EXPIRY } from "./common.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(EDGEX_EXPIRY.l2GapMs / 86_400_000, 8);
 * ```
 */
export const EDGEX_EXPIRY: Readonly<{ defaultMs: number; l2GapMs: number }> = Object.freeze({
  defaultMs: 22 * 86_400_000,
  l2GapMs: 8 * 86_400_000,
});
