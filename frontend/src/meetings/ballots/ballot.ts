// Encrypted ballots (ecabinet/meetings/ballots/ballot.py): exponential ElGamal per option,
// a disjunctive Chaum-Pedersen proof of 0-or-1 for each, a proof that they sum to 1.
import { base32 } from './base32';
import { checkContext, contextDigest, type VoteContext } from './context';
import {
  G,
  Point,
  baseMul,
  bytesToHex,
  canonicalJson,
  challenge,
  hashParts,
  hexToBytes,
  mod,
  mul,
  pointHex,
  randomScalar,
  scalarHex,
  type Rng,
} from './group';

export const TAG_SELECTION = 'ecabinet/ballots/v1/selection';
export const TAG_SUM = 'ecabinet/ballots/v1/sum';
export const TAG_TRACKING = 'ecabinet/ballots/v1/tracking';

export interface RangeProof {
  c0: string;
  c1: string;
  v0: string;
  v1: string;
}

export interface Selection {
  A: string;
  B: string;
  proof: RangeProof;
}

export interface Ballot {
  context: string;
  selections: Selection[];
  sum_proof: { c: string; v: string };
}

function rangeProof(
  digest: Uint8Array,
  j: number,
  k: Point,
  a: Point,
  b: Point,
  m: number,
  r: bigint,
  rng: Rng,
): [bigint, bigint, bigint, bigint] {
  const other = m === 0 ? 1 : 0;
  const u = randomScalar(rng);
  const cSim = randomScalar(rng);
  const vSim = randomScalar(rng);
  const sim = [
    baseMul(vSim).add(mul(cSim, a)),
    mul(vSim, k).add(mul(cSim, b.subtract(baseMul(BigInt(other))))),
  ];
  const real = [baseMul(u), mul(u, k)];
  const commitments = m === 0 ? [...real, ...sim] : [...sim, ...real];
  const c = challenge(TAG_SELECTION, digest, j, a, b, ...commitments);
  const cReal = mod(c - cSim);
  const vReal = mod(u - cReal * r);
  return m === 0 ? [cReal, cSim, vReal, vSim] : [cSim, cReal, vSim, vReal];
}

/** The ballot a tablet sends for option `choice` (0-based). */
export function encryptBallot(ctx: VoteContext, choice: number, rng: Rng = (n) => crypto.getRandomValues(new Uint8Array(n))): Ballot {
  const k = checkContext(ctx);
  if (!Number.isInteger(choice) || choice < 0 || choice >= ctx.options.length) {
    throw new Error('choice out of range');
  }
  const digest = contextDigest(ctx);
  const selections: Selection[] = [];
  const pairs: Point[] = [];
  let totalR = 0n;
  for (let j = 0; j < ctx.options.length; j++) {
    const m = j === choice ? 1 : 0;
    let r: bigint;
    let a: Point;
    let b: Point;
    do {
      r = randomScalar(rng);
      a = baseMul(r);
      b = mul(r, k).add(m === 1 ? G : Point.ZERO);
    } while (b.equals(Point.ZERO));
    const [c0, c1, v0, v1] = rangeProof(digest, j, k, a, b, m, r, rng);
    selections.push({
      A: pointHex(a),
      B: pointHex(b),
      proof: { c0: scalarHex(c0), c1: scalarHex(c1), v0: scalarHex(v0), v1: scalarHex(v1) },
    });
    pairs.push(a, b);
    totalR = mod(totalR + r);
  }
  const u = randomScalar(rng);
  const c = challenge(TAG_SUM, digest, ctx.options.length, ...pairs, baseMul(u), mul(u, k));
  return {
    context: bytesToHex(digest),
    selections,
    sum_proof: { c: scalarHex(c), v: scalarHex(u - c * totalR) },
  };
}

/** Builds noble's precomputed table for G (the first encryption pays for it otherwise):
 * call it when the vote screen opens, before the member taps a choice. */
export function warmUp(ctx?: VoteContext): void {
  baseMul(2n);
  if (ctx) checkContext(ctx);
}

/** The full tracking code: tagged SHA-256 of the canonical ballot, hex. */
export function trackingCode(ballot: Ballot): string {
  return bytesToHex(hashParts(TAG_TRACKING, canonicalJson(ballot)));
}

/** What a voter reads: the first 80 bits in base32, as ABCD-EFGH-IJKL-MNOP. */
export function shortCode(tracking: string): string {
  const text = base32(hexToBytes(tracking).slice(0, 10));
  return [0, 4, 8, 12].map((i) => text.slice(i, i + 4)).join('-');
}
