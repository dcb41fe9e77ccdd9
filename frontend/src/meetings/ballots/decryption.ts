// A guardian's partial decryption of the tally (ecabinet/meetings/ballots/decryption.py).
import { trackingCode, type Ballot } from './ballot';
import { contextDigest, type VoteContext } from './context';
import type { GuardianShare } from './ceremony';
import {
  INFINITY_HEX,
  Point,
  baseMul,
  bytesToHex,
  canonicalJson,
  challenge,
  defaultRng,
  hashParts,
  hexToBytes,
  mod,
  mul,
  parsePoint,
  parseScalar,
  pointHex,
  randomScalar,
  scalarHex,
  type Rng,
} from './group';

export const TAG_BALLOTS = 'ecabinet/ballots/v1/ballots';
export const TAG_AGGREGATE = 'ecabinet/ballots/v1/aggregate';
export const TAG_PARTIAL = 'ecabinet/ballots/v1/partial';

export interface Aggregate {
  context: string;
  ballot_count: number;
  ballots_digest: string;
  selections: { A: string; B: string }[];
}

export interface Partial {
  guardian: number;
  aggregate: string;
  shares: { D: string; proof: { c: string; v: string } | null }[];
}

export function aggregateDigest(agg: Aggregate): Uint8Array {
  return hashParts(TAG_AGGREGATE, canonicalJson(agg));
}

/** D_l = x_l·A per option with a Chaum-Pedersen proof that log_G X_l = log_A D_l. */
export function partialDecrypt(ctx: VoteContext, share: GuardianShare, agg: Aggregate, rng: Rng = defaultRng): Partial {
  const digest = contextDigest(ctx);
  if (agg.context !== bytesToHex(digest)) throw new Error('the aggregate is for another vote');
  if (share.joint_key !== ctx.joint_key || ctx.verification_keys[share.index - 1] !== share.verification_key) {
    throw new Error("the key share is not this vote's");
  }
  if (agg.selections.length !== ctx.options.length) throw new Error('aggregate: option count');
  const aggDigest = aggregateDigest(agg);
  const x = parseScalar(share.secret);
  const xPoint = parsePoint(share.verification_key);
  const shares = agg.selections.map((s, j) => {
    const a = parsePoint(s.A, true);
    parsePoint(s.B, true);
    if (s.A === INFINITY_HEX) return { D: INFINITY_HEX, proof: null };
    const d = mul(x, a);
    const u = randomScalar(rng);
    const c = challenge(TAG_PARTIAL, digest, aggDigest, share.index, j, xPoint, a, d, baseMul(u), mul(u, a));
    return { D: pointHex(d), proof: { c: scalarHex(c), v: scalarHex(mod(u - c * x)) } };
  });
  return { guardian: share.index, aggregate: bytesToHex(aggDigest), shares };
}

/** The aggregate of `ballots`, computed on this tablet: the same JSON as Python's
 * aggregate(). Proofs are not checked here (the server and any verifier do that); the
 * point is that a guardian only ever decrypts a sum it has made itself. */
export function aggregate(ctx: VoteContext, ballots: Ballot[]): Aggregate {
  const digest = bytesToHex(contextDigest(ctx));
  const sums = ctx.options.map(() => ({ A: Point.ZERO, B: Point.ZERO }));
  const codes: string[] = [];
  for (const ballot of ballots) {
    if (ballot.context !== digest) throw new Error('a ballot is for another vote');
    if (ballot.selections.length !== ctx.options.length) throw new Error('a ballot has the wrong option count');
    ballot.selections.forEach((s, j) => {
      sums[j].A = sums[j].A.add(parsePoint(s.A));
      sums[j].B = sums[j].B.add(parsePoint(s.B));
    });
    codes.push(trackingCode(ballot));
  }
  codes.sort();
  if (new Set(codes).size !== codes.length) throw new Error('a ballot appears twice');
  return {
    context: digest,
    ballot_count: ballots.length,
    ballots_digest: bytesToHex(hashParts(TAG_BALLOTS, ...codes.map((c) => hexToBytes(c)))),
    selections: sums.map((s) => ({ A: pointHex(s.A), B: pointHex(s.B) })),
  };
}

/** Decrypt the tally only if `agg` is the sum of `ballots` and holds `expectedBallots`
 * ballots (the turnout the room saw): a server cannot have one ballot decrypted alone. */
export function partialDecryptBallots(
  ctx: VoteContext,
  share: GuardianShare,
  ballots: Ballot[],
  agg: Aggregate,
  expectedBallots: number,
  rng: Rng = defaultRng,
): Partial {
  if (ballots.length !== expectedBallots) throw new Error('the ballot count differs from the turnout');
  if (canonicalJson(aggregate(ctx, ballots)) !== canonicalJson(agg)) {
    throw new Error('the aggregate is not the sum of the ballots');
  }
  return partialDecrypt(ctx, share, agg, rng);
}
