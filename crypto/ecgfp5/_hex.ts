/**
 * Hex helpers shared by the signer's public functions.
 *
 * @module
 */

/**
 * Lowercase hex of bytes, no prefix.
 *
 * @param bytes The bytes.
 * @returns The hex digits.
 */
export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]];
  return s;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * Parses hex (optionally `0x`-prefixed) of an exact byte length.
 *
 * @param hex The text.
 * @param length Expected number of bytes.
 * @returns The bytes, or `undefined` when the text is not `length` bytes of hex.
 */
export function fromHex(hex: string, length: number): Uint8Array | undefined {
  const s = hex.startsWith("0x") || hex.startsWith("0X") ? hex.slice(2) : hex;
  if (s.length !== 2 * length || !/^[0-9a-fA-F]*$/.test(s)) return undefined;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}
