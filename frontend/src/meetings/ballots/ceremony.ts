// Guardian side of the key ceremony (ecabinet/meetings/ballots/ceremony.py).
import { gcm } from '@noble/ciphers/aes.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  N,
  Point,
  baseMul,
  bytesToBig,
  bytesToHex,
  challenge,
  concatBytes,
  defaultRng,
  encodePoint,
  hashParts,
  hexToBytes,
  mod,
  mul,
  parsePoint,
  parseScalar,
  pointHex,
  randomScalar,
  scalarBytes,
  scalarHex,
  type Rng,
} from './group';

export const TAG_POK = 'ecabinet/ballots/v1/guardian-pok';
export const TAG_SHARE = 'ecabinet/ballots/v1/share';

export interface ScalarProof {
  c: string;
  v: string;
}

/** What the guardian's tablet keeps; the same JSON as GuardianSecret.to_json(). */
export interface GuardianSecret {
  kind: 'guardian-secret';
  index: number;
  count: number;
  quorum: number;
  coefficients: string[];
  aux_secret: string;
  proofs: ScalarProof[];
}

/** The same JSON as GuardianShare.to_json(). */
export interface GuardianShare {
  kind: 'guardian-share';
  index: number;
  count: number;
  quorum: number;
  secret: string;
  joint_key: string;
  verification_key: string;
}

export interface Announcement {
  guardian: number;
  count: number;
  quorum: number;
  commitments: string[];
  proofs: ScalarProof[];
  aux_key: string;
}

function pokChallenge(index: number, count: number, quorum: number, j: number, k: Point, u: Point): bigint {
  return challenge(TAG_POK, index, count, quorum, j, k, u);
}

export function newGuardian(index: number, count: number, quorum: number, rng: Rng = defaultRng): GuardianSecret {
  if (!(1 <= quorum && quorum <= count && count <= 15 && 1 <= index && index <= count)) {
    throw new Error('guardian index, count or quorum out of range');
  }
  const coefficients: bigint[] = [];
  const proofs: ScalarProof[] = [];
  for (let j = 0; j < quorum; j++) {
    const a = randomScalar(rng);
    const u = randomScalar(rng);
    const c = pokChallenge(index, count, quorum, j, baseMul(a), baseMul(u));
    coefficients.push(a);
    proofs.push({ c: scalarHex(c), v: scalarHex(u - c * a) });
  }
  return {
    kind: 'guardian-secret',
    index,
    count,
    quorum,
    coefficients: coefficients.map(scalarHex),
    aux_secret: scalarHex(randomScalar(rng)),
    proofs,
  };
}

export function announcement(g: GuardianSecret): Announcement {
  return {
    guardian: g.index,
    count: g.count,
    quorum: g.quorum,
    commitments: g.coefficients.map((a) => pointHex(baseMul(parseScalar(a)))),
    proofs: g.proofs.map((p) => ({ c: p.c, v: p.v })),
    aux_key: pointHex(baseMul(parseScalar(g.aux_secret))),
  };
}

/** Throws unless `a` is well formed with every proof of knowledge valid. */
export function checkAnnouncement(a: Announcement, count: number, quorum: number): void {
  const who = `guardian ${a?.guardian}`;
  if (a.count !== count || a.quorum !== quorum || !Number.isInteger(a.guardian) || a.guardian < 1 || a.guardian > count) {
    throw new Error(`${who}: wrong index, count or quorum`);
  }
  if (a.commitments.length !== quorum || a.proofs.length !== quorum) throw new Error(`${who}: commitments`);
  parsePoint(a.aux_key);
  a.commitments.forEach((hex, j) => {
    const k = parsePoint(hex);
    const c = parseScalar(a.proofs[j].c);
    const v = parseScalar(a.proofs[j].v);
    const u = baseMul(v).add(mul(c, k));
    if (u.equals(Point.ZERO) || pokChallenge(a.guardian, count, quorum, j, k, u) !== c) {
      throw new Error(`${who}: proof of coefficient ${j} fails`);
    }
  });
}

function checkAll(announcements: Announcement[], count: number, quorum: number): Map<number, Announcement> {
  const byIndex = new Map<number, Announcement>();
  for (const a of announcements) {
    checkAnnouncement(a, count, quorum);
    if (byIndex.has(a.guardian)) throw new Error(`guardian ${a.guardian}: duplicate`);
    byIndex.set(a.guardian, a);
  }
  for (let i = 1; i <= count; i++) if (!byIndex.has(i)) throw new Error(`guardian ${i}: missing`);
  return byIndex;
}

function evaluate(coefficients: bigint[], x: number): bigint {
  let acc = 0n;
  let power = 1n;
  for (const a of coefficients) {
    acc = mod(acc + a * power);
    power = mod(power * BigInt(x));
  }
  return acc;
}

function shareKey(secret: bigint, pub: Point, sender: number, recipient: number, ephemeral: Point, recipientKey: Point): Uint8Array {
  const shared = encodePoint(mul(secret, pub)).slice(1);
  return hkdf(sha256, shared, undefined, hashParts(TAG_SHARE, sender, recipient, ephemeral, recipientKey), 32);
}

/** P_i(l) for every other guardian l, encrypted to l's auxiliary key. */
export function sharesFor(g: GuardianSecret, announcements: Announcement[], rng: Rng = defaultRng): Record<number, string> {
  const byIndex = checkAll(announcements, g.count, g.quorum);
  const coefficients = g.coefficients.map(parseScalar);
  const out: Record<number, string> = {};
  for (const [l, a] of [...byIndex.entries()].sort((x, y) => x[0] - y[0])) {
    if (l === g.index) continue;
    const recipient = parsePoint(a.aux_key);
    const z = randomScalar(rng);
    const ephemeral = baseMul(z);
    const key = shareKey(z, recipient, g.index, l, ephemeral, recipient);
    const nonce = rng(12);
    const sealed = gcm(key, nonce, hashParts(TAG_SHARE, g.index, l)).encrypt(scalarBytes(evaluate(coefficients, l)));
    out[l] = bytesToHex(concatBytes(encodePoint(ephemeral), nonce, sealed));
  }
  return out;
}

function lincombCommitments(commitments: string[], x: number): Point {
  let acc = Point.ZERO;
  commitments.forEach((hex, j) => {
    acc = acc.add(mul(BigInt(x) ** BigInt(j), parsePoint(hex)));
  });
  return acc;
}

/** Decrypt and check every other guardian's share; throws naming a bad sender. */
export function acceptShares(g: GuardianSecret, announcements: Announcement[], received: Record<number, string>): GuardianShare {
  const byIndex = checkAll(announcements, g.count, g.quorum);
  const mine = announcement(g);
  if (byIndex.get(g.index)!.commitments.join() !== mine.commitments.join()) {
    throw new Error('the announcement under my index is not mine');
  }
  const auxSecret = parseScalar(g.aux_secret);
  const ownAux = baseMul(auxSecret);
  let total = evaluate(g.coefficients.map(parseScalar), g.index);
  for (const i of [...byIndex.keys()].sort((x, y) => x - y)) {
    if (i === g.index) continue;
    const blob = received[i];
    if (typeof blob !== 'string' || blob.length !== 2 * (33 + 12 + 48)) {
      throw new Error(`share from guardian ${i}: missing or wrong length`);
    }
    let value: bigint;
    try {
      const raw = hexToBytes(blob);
      const ephemeral = parsePoint(bytesToHex(raw.slice(0, 33)));
      const key = shareKey(auxSecret, ephemeral, i, g.index, ephemeral, ownAux);
      value = bytesToBig(gcm(key, raw.slice(33, 45), hashParts(TAG_SHARE, i, g.index)).decrypt(raw.slice(45)));
    } catch {
      throw new Error(`share from guardian ${i}: does not decrypt`);
    }
    if (value >= N || value === 0n || !baseMul(value).equals(lincombCommitments(byIndex.get(i)!.commitments, g.index))) {
      throw new Error(`share from guardian ${i}: does not match the commitments`);
    }
    total = mod(total + value);
  }
  const vk = verificationKey(announcements, g.index);
  if (pointHex(baseMul(total)) !== vk) throw new Error('key share mismatch');
  return {
    kind: 'guardian-share',
    index: g.index,
    count: g.count,
    quorum: g.quorum,
    secret: scalarHex(total),
    joint_key: jointKey(announcements),
    verification_key: vk,
  };
}

export function jointKey(announcements: Announcement[]): string {
  const { count, quorum } = announcements[0];
  const byIndex = checkAll(announcements, count, quorum);
  let k = Point.ZERO;
  for (const a of byIndex.values()) k = k.add(parsePoint(a.commitments[0]));
  return pointHex(k);
}

export function verificationKey(announcements: Announcement[], index: number): string {
  const { count, quorum } = announcements[0];
  const byIndex = checkAll(announcements, count, quorum);
  let x = Point.ZERO;
  for (const a of byIndex.values()) x = x.add(lincombCommitments(a.commitments, index));
  return pointHex(x);
}
