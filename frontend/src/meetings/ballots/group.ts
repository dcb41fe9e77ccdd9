// The group: secp256k1 through @noble/curves, SHA-256 challenges. Byte-compatible with
// ecabinet/meetings/ballots/group.py (see docs/ballots.md). `null` is never used for the
// point at infinity here: noble's Point.ZERO is, and it encodes as the single byte 0x00.
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';

export const Point = secp256k1.Point;
export type Point = InstanceType<typeof secp256k1.Point>;
export const N: bigint = Point.Fn.ORDER;
export const G: Point = Point.BASE;
export const INFINITY_HEX = '00';

export type Rng = (n: number) => Uint8Array;

export const defaultRng: Rng = (n) => crypto.getRandomValues(new Uint8Array(n));

export function mod(a: bigint): bigint {
  const r = a % N;
  return r < 0n ? r + N : r;
}

export function bytesToBig(b: Uint8Array): bigint {
  return b.length === 0 ? 0n : BigInt('0x' + bytesToHex(b));
}

export function scalarBytes(s: bigint): Uint8Array {
  return hexToBytes(mod(s).toString(16).padStart(64, '0'));
}

export function scalarHex(s: bigint): string {
  return mod(s).toString(16).padStart(64, '0');
}

export function randomScalar(rng: Rng = defaultRng): bigint {
  for (;;) {
    const s = bytesToBig(rng(32));
    if (s > 0n && s < N) return s;
  }
}

/** s·P (constant-time path for nonzero scalars; the identity for 0 or P = ZERO). */
export function mul(s: bigint, p: Point): Point {
  const k = mod(s);
  if (k === 0n || p.equals(Point.ZERO)) return Point.ZERO;
  return p.multiply(k);
}

export function baseMul(s: bigint): Point {
  return mul(s, G);
}

export function encodePoint(p: Point): Uint8Array {
  return p.equals(Point.ZERO) ? new Uint8Array([0]) : p.toBytes(true);
}

export function pointHex(p: Point): string {
  return bytesToHex(encodePoint(p));
}

const HEX = /^[0-9a-f]*$/;

export function parsePoint(value: unknown, allowInfinity = false): Point {
  if (typeof value !== 'string') throw new Error('point: not a string');
  if (allowInfinity && value === INFINITY_HEX) return Point.ZERO;
  if (value.length !== 66 || !HEX.test(value) || !(value.startsWith('02') || value.startsWith('03'))) {
    throw new Error('point: not a 33-byte compressed point in lowercase hex');
  }
  const p = Point.fromHex(value); // checks the point is on the curve
  p.assertValidity();
  if (p.toHex(true) !== value) throw new Error('point: non-canonical');
  return p;
}

export function parseScalar(value: unknown): bigint {
  if (typeof value !== 'string' || value.length !== 64 || !HEX.test(value)) {
    throw new Error('scalar: not 32 bytes of lowercase hex');
  }
  const s = BigInt('0x' + value);
  if (s >= N) throw new Error('scalar: not below the group order');
  return s;
}

export type Part = Uint8Array | string | number | bigint | Point;

function partBytes(part: Part): Uint8Array {
  if (part instanceof Uint8Array) return part;
  if (typeof part === 'string') return utf8ToBytes(part);
  if (typeof part === 'number') return scalarBytes(BigInt(part));
  if (typeof part === 'bigint') {
    if (part < 0n || part >= 1n << 256n) throw new Error('integer part out of range');
    return hexToBytes(part.toString(16).padStart(64, '0'));
  }
  return encodePoint(part);
}

function lengthPrefix(n: number): Uint8Array {
  return new Uint8Array([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
}

/** SHA-256 over the tag then each part, every item prefixed by its 4-byte big-endian length. */
export function hashParts(tag: string, ...parts: Part[]): Uint8Array {
  const items = [utf8ToBytes(tag), ...parts.map(partBytes)];
  return sha256(concatBytes(...items.flatMap((item) => [lengthPrefix(item.length), item])));
}

export function challenge(tag: string, ...parts: Part[]): bigint {
  return mod(bytesToBig(hashParts(tag, ...parts)));
}

/** Sorted keys, no spaces, non-ASCII kept as UTF-8: the same bytes as Python's
 * json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) {
      throw new Error('canonical JSON holds integers only');
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return '[' + value.map(canonicalJson).join(',') + ']';
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalJson(record[k])).join(',') + '}';
}

export { bytesToHex, hexToBytes, utf8ToBytes, concatBytes };
