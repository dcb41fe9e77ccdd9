// The verifier in the browser (a public page can check a record with no server help):
// the same checks as ecabinet/meetings/ballots (check_ballot, check_partial, combine,
// verify_record). Only public scalars are multiplied here, so the faster variable-time
// noble calls (mulAddUnsafe, multiplyUnsafe) are used.
import { TAG_SELECTION, TAG_SUM, trackingCode, type Ballot } from './ballot';
import { TAG_POK, type Announcement } from './ceremony';
import { TAG_CONTEXT, VERSION, type VoteContext } from './context';
import { TAG_AGGREGATE, TAG_BALLOTS, TAG_PARTIAL, type Aggregate, type Partial } from './decryption';
import {
  G,
  INFINITY_HEX,
  Point,
  bytesToHex,
  canonicalJson,
  challenge,
  hashParts,
  hexToBytes,
  mod,
  parsePoint,
  parseScalar,
  pointHex,
} from './group';

export const TAG_CEREMONY = 'ecabinet/ballots/v1/ceremony';

/** c·P + v·G for public scalars (either may be 0). */
function lin(v: bigint, c: bigint, p: Point): Point {
  const gv = v === 0n ? Point.ZERO : G.multiplyUnsafe(v);
  const pc = c === 0n || p.equals(Point.ZERO) ? Point.ZERO : p.multiplyUnsafe(c);
  return gv.add(pc);
}

/** v·X + c·Y for public scalars. */
function lin2(v: bigint, x: Point, c: bigint, y: Point): Point {
  const a = v === 0n || x.equals(Point.ZERO) ? Point.ZERO : x.multiplyUnsafe(v);
  const b = c === 0n || y.equals(Point.ZERO) ? Point.ZERO : y.multiplyUnsafe(c);
  return a.add(b);
}

function exactKeys(value: unknown, keys: string[]): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const got = Object.keys(value).sort();
  const want = [...keys].sort();
  return got.length === want.length && got.every((k, i) => k === want[i]);
}

export class Rejected extends Error {
  constructor(
    readonly code: string,
    readonly where: string,
  ) {
    super(`${code} (${where})`);
  }
}

function digestOf(ctx: VoteContext): Uint8Array {
  return hashParts(TAG_CONTEXT, canonicalJson(ctx));
}

/** Checks a ballot's shape and proofs; returns its tracking code or throws Rejected. */
export function checkBallot(ctx: VoteContext, ballot: unknown): string {
  if (!exactKeys(ballot, ['context', 'selections', 'sum_proof'])) throw new Rejected('ballot.malformed', 'fields');
  const digest = digestOf(ctx);
  if (ballot.context !== bytesToHex(digest)) throw new Rejected('ballot.wrong_vote', 'context');
  const selections = ballot.selections;
  if (!Array.isArray(selections)) throw new Rejected('ballot.malformed', 'selections');
  if (selections.length !== ctx.options.length) throw new Rejected('ballot.option_count', 'selections');
  const k = parsePoint(ctx.joint_key);
  const pairs: Point[] = [];
  let aSum = Point.ZERO;
  let bSum = Point.ZERO;
  selections.forEach((s: unknown, j: number) => {
    const where = `selections[${j}]`;
    if (!exactKeys(s, ['A', 'B', 'proof']) || !exactKeys(s.proof, ['c0', 'c1', 'v0', 'v1'])) {
      throw new Rejected('ballot.malformed', where);
    }
    let a: Point, b: Point, c0: bigint, c1: bigint, v0: bigint, v1: bigint;
    try {
      [c0, c1, v0, v1] = ['c0', 'c1', 'v0', 'v1'].map((n) => parseScalar((s.proof as Record<string, unknown>)[n]));
    } catch {
      throw new Rejected('ballot.malformed', `${where}.proof`);
    }
    try {
      a = parsePoint(s.A);
      b = parsePoint(s.B);
    } catch {
      throw new Rejected('ballot.bad_point', where);
    }
    const commitments = [lin(v0, c0, a), lin2(v0, k, c0, b), lin(v1, c1, a), lin2(v1, k, c1, b.subtract(G))];
    if (mod(c0 + c1) !== challenge(TAG_SELECTION, digest, j, a, b, ...commitments)) {
      throw new Rejected('ballot.bad_proof', where);
    }
    pairs.push(a, b);
    aSum = aSum.add(a);
    bSum = bSum.add(b);
  });
  const sp = ballot.sum_proof;
  if (!exactKeys(sp, ['c', 'v'])) throw new Rejected('ballot.malformed', 'sum_proof');
  let c: bigint, v: bigint;
  try {
    c = parseScalar(sp.c);
    v = parseScalar(sp.v);
  } catch {
    throw new Rejected('ballot.malformed', 'sum_proof');
  }
  const a = lin(v, c, aSum);
  const b = lin2(v, k, c, bSum.subtract(G));
  if (c !== challenge(TAG_SUM, digest, selections.length, ...pairs, a, b)) {
    throw new Rejected('ballot.bad_proof', 'sum_proof');
  }
  return trackingCode(ballot as unknown as Ballot);
}

function aggregatePoints(ctx: VoteContext, agg: Aggregate): [Point, Point][] {
  if (!exactKeys(agg, ['context', 'ballot_count', 'ballots_digest', 'selections'])) throw new Error('aggregate: fields');
  if (!Array.isArray(agg.selections) || agg.selections.length !== ctx.options.length) {
    throw new Error('aggregate: selections');
  }
  return agg.selections.map((s) => [parsePoint(s.A, true), parsePoint(s.B, true)]);
}

/** The D of each option of a partial whose proofs hold; throws otherwise. */
export function checkPartial(ctx: VoteContext, index: number, agg: Aggregate, partial: Partial): Point[] {
  const pairs = aggregatePoints(ctx, agg);
  if (!exactKeys(partial, ['guardian', 'aggregate', 'shares']) || partial.guardian !== index) {
    throw new Error(`guardian ${index}: fields`);
  }
  const adg = hashParts(TAG_AGGREGATE, canonicalJson(agg));
  if (partial.aggregate !== bytesToHex(adg)) throw new Error(`guardian ${index}: another aggregate`);
  if (!Array.isArray(partial.shares) || partial.shares.length !== pairs.length) {
    throw new Error(`guardian ${index}: share count`);
  }
  const x = parsePoint(ctx.verification_keys[index - 1]);
  const digest = digestOf(ctx);
  return pairs.map(([a], j) => {
    const s = partial.shares[j];
    if (!exactKeys(s, ['D', 'proof'])) throw new Error(`guardian ${index}: shares[${j}]`);
    if (a.equals(Point.ZERO)) {
      if (s.D !== INFINITY_HEX || s.proof !== null) throw new Error(`guardian ${index}: shares[${j}]`);
      return Point.ZERO;
    }
    if (!exactKeys(s.proof, ['c', 'v'])) throw new Error(`guardian ${index}: shares[${j}]`);
    const d = parsePoint(s.D);
    const c = parseScalar(s.proof.c);
    const v = parseScalar(s.proof.v);
    const commitG = lin(v, c, x);
    const commitA = lin2(v, a, c, d);
    if (c !== challenge(TAG_PARTIAL, digest, adg, index, j, x, a, d, commitG, commitA)) {
      throw new Error(`guardian ${index}: shares[${j}]: proof fails`);
    }
    return d;
  });
}

function lagrange(indices: number[], index: number): bigint {
  let num = 1n;
  let den = 1n;
  for (const m of indices) {
    if (m === index) continue;
    num = mod(num * BigInt(m));
    den = mod(den * BigInt(m - index));
  }
  return mod(num * Point.Fn.inv(den));
}

/** The counts from at least `ctx.quorum` valid partials (keyed by guardian index). */
export function combine(ctx: VoteContext, agg: Aggregate, partials: Record<number, Partial>, ballots: number): number[] {
  const pairs = aggregatePoints(ctx, agg);
  if (ballots !== agg.ballot_count) throw new Error('ballot count differs from the aggregate');
  const valid = new Map<number, Point[]>();
  for (const key of Object.keys(partials).map(Number).sort((a, b) => a - b)) {
    try {
      valid.set(key, checkPartial(ctx, key, agg, partials[key]));
    } catch {
      // an invalid partial is skipped; too few valid ones fail below
    }
  }
  if (valid.size < ctx.quorum) throw new Error(`only ${valid.size} valid partial decryptions, quorum ${ctx.quorum}`);
  const chosen = [...valid.keys()].slice(0, ctx.quorum);
  const table = new Map<string, number>();
  let t = Point.ZERO;
  for (let i = 0; i <= ballots; i++) {
    table.set(pointHex(t), i);
    t = t.add(G);
  }
  return pairs.map(([, b], j) => {
    let m = b;
    for (const i of chosen) {
      const d = valid.get(i)![j];
      if (!d.equals(Point.ZERO)) m = m.subtract(d.multiplyUnsafe(lagrange(chosen, i)));
    }
    const found = table.get(pointHex(m));
    if (found === undefined) throw new Error(`option ${j + 1}: count not within the ballots`);
    return found;
  });
}

export interface RecordReport {
  ok: boolean;
  counts: number[] | null;
  problems: [string, string][];
  trackingCodes: string[];
}

function checkAnnouncement(a: Announcement, count: number, quorum: number): void {
  if (!exactKeys(a, ['guardian', 'count', 'quorum', 'commitments', 'proofs', 'aux_key'])) throw new Error('fields');
  if (a.count !== count || a.quorum !== quorum) throw new Error('count or quorum');
  if (a.commitments.length !== quorum || a.proofs.length !== quorum) throw new Error('commitments');
  parsePoint(a.aux_key);
  a.commitments.forEach((hex, j) => {
    const k = parsePoint(hex);
    const c = parseScalar(a.proofs[j].c);
    const v = parseScalar(a.proofs[j].v);
    if (c !== challenge(TAG_POK, a.guardian, count, quorum, j, k, lin(v, c, k))) {
      throw new Error(`proof of coefficient ${j} fails`);
    }
  });
}

/** Everything `ecabinet vote verify` checks, in the browser. */
export function verifyRecord(text: string): RecordReport {
  const problems: [string, string][] = [];
  const done = (counts: number[] | null = null, trackingCodes: string[] = []): RecordReport => ({
    ok: problems.length === 0,
    counts,
    problems,
    trackingCodes,
  });
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(text);
    if (canonicalJson(record) + '\n' !== text) problems.push(['', 'not in canonical form']);
  } catch {
    problems.push(['', 'not JSON']);
    return done();
  }
  if (!exactKeys(record, ['version', 'context', 'announcements', 'ballots', 'aggregate', 'partials', 'counts'])) {
    problems.push(['', 'fields']);
    return done();
  }
  if (record.version !== VERSION) problems.push(['version', 'unknown version']);
  const ctx = record.context as VoteContext;
  try {
    if (ctx.version !== VERSION || ctx.verification_keys.length !== ctx.guardian_count) throw new Error();
    parsePoint(ctx.joint_key);
    ctx.verification_keys.forEach((x) => parsePoint(x));
  } catch {
    problems.push(['context', 'malformed']);
    return done();
  }
  const announcements = record.announcements as Announcement[];
  if (!Array.isArray(announcements) || announcements.length !== ctx.guardian_count) {
    problems.push(['announcements', `must list ${ctx.guardian_count} guardians`]);
  } else {
    let fine = true;
    announcements.forEach((a, i) => {
      try {
        if (a.guardian !== i + 1) throw new Error('position');
        checkAnnouncement(a, ctx.guardian_count, ctx.quorum);
      } catch (e) {
        problems.push([`announcements[${i}]`, String((e as Error).message)]);
        fine = false;
      }
    });
    if (fine) {
      if (bytesToHex(hashParts(TAG_CEREMONY, canonicalJson(announcements))) !== ctx.ceremony) {
        problems.push(['context.ceremony', 'does not match the announcements']);
      }
      const k = announcements.reduce((acc, a) => acc.add(parsePoint(a.commitments[0])), Point.ZERO);
      if (pointHex(k) !== ctx.joint_key) problems.push(['context.joint_key', 'does not match the announcements']);
      for (let l = 1; l <= ctx.guardian_count; l++) {
        let x = Point.ZERO;
        for (const a of announcements) {
          a.commitments.forEach((hex, j) => {
            x = x.add(parsePoint(hex).multiplyUnsafe(mod(BigInt(l) ** BigInt(j))));
          });
        }
        if (pointHex(x) !== ctx.verification_keys[l - 1]) {
          problems.push([`context.verification_keys[${l - 1}]`, 'does not match the announcements']);
        }
      }
    }
  }
  const entries = record.ballots as { tracking_code: string; ballot: Ballot }[];
  const codes: string[] = [];
  const sums = ctx.options.map(() => [Point.ZERO, Point.ZERO]);
  if (!Array.isArray(entries)) {
    problems.push(['ballots', 'not a list']);
    return done();
  }
  entries.forEach((entry, i) => {
    const path = `ballots[${i}]`;
    if (!exactKeys(entry, ['tracking_code', 'ballot'])) {
      problems.push([path, 'fields']);
      return;
    }
    let code: string;
    try {
      code = checkBallot(ctx, entry.ballot);
    } catch (e) {
      problems.push([`${path}.ballot`, String((e as Error).message)]);
      return;
    }
    if (entry.tracking_code !== code) problems.push([`${path}.tracking_code`, 'does not match the ballot']);
    if (codes.includes(code)) {
      problems.push([path, 'duplicate ballot']);
      return;
    }
    if (codes.length > 0 && code < codes[codes.length - 1]) problems.push([path, 'not sorted by tracking code']);
    codes.push(code);
    entry.ballot.selections.forEach((s, j) => {
      sums[j][0] = sums[j][0].add(parsePoint(s.A));
      sums[j][1] = sums[j][1].add(parsePoint(s.B));
    });
  });
  const agg = record.aggregate as Aggregate;
  try {
    aggregatePoints(ctx, agg);
  } catch (e) {
    problems.push(['aggregate', String((e as Error).message)]);
    return done(null, codes);
  }
  const sorted = [...codes].sort();
  const expected: Record<string, unknown> = {
    context: bytesToHex(digestOf(ctx)),
    ballot_count: codes.length,
    ballots_digest: bytesToHex(hashParts(TAG_BALLOTS, ...sorted.map((c) => hexToBytes(c)))),
  };
  for (const name of ['context', 'ballot_count', 'ballots_digest'] as const) {
    if (agg[name] !== expected[name]) problems.push([`aggregate.${name}`, 'does not match the ballots']);
  }
  agg.selections.forEach((s, j) => {
    if (s.A !== pointHex(sums[j][0])) problems.push([`aggregate.selections[${j}].A`, 'does not match the ballots']);
    if (s.B !== pointHex(sums[j][1])) problems.push([`aggregate.selections[${j}].B`, 'does not match the ballots']);
  });
  const partials = record.partials as Partial[];
  const valid: Record<number, Partial> = {};
  (Array.isArray(partials) ? partials : []).forEach((p, i) => {
    const index = p?.guardian;
    if (typeof index !== 'number' || index in valid) {
      problems.push([`partials[${i}]`, 'no guardian index, or twice']);
      return;
    }
    try {
      checkPartial(ctx, index, agg, p);
      valid[index] = p;
    } catch (e) {
      problems.push([`partials[${i}]`, String((e as Error).message)]);
    }
  });
  let tally: number[] | null = null;
  if (agg.ballot_count !== codes.length) {
    problems.push(['counts', 'cannot be decrypted: the aggregate is not of these ballots']);
  } else {
    try {
      tally = combine(ctx, agg, valid, codes.length);
    } catch (e) {
      problems.push(['partials', String((e as Error).message)]);
    }
  }
  const counts = record.counts as number[];
  if (!Array.isArray(counts) || counts.length !== ctx.options.length) {
    problems.push(['counts', `must list ${ctx.options.length} counts`]);
  } else if (tally !== null) {
    counts.forEach((said, j) => {
      if (said !== tally![j]) problems.push([`counts[${j}]`, `record says ${said}, decryption gives ${tally![j]}`]);
    });
  }
  return done(tally, codes);
}
