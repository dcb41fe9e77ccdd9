// The vote context every proof binds (ecabinet/meetings/ballots/context.py).
import { G, canonicalJson, hashParts, parsePoint, bytesToHex, type Point } from './group';

export const VERSION = 'ecabinet-ballots/1';
export const TAG_CONTEXT = 'ecabinet/ballots/v1/context';

export interface VoteContext {
  version: string;
  deployment: string;
  meeting_id: number;
  vote_id: number;
  question: string;
  options: string[];
  guardian_count: number;
  quorum: number;
  joint_key: string;
  verification_keys: string[];
  ceremony: string;
}

export function contextDigest(ctx: VoteContext): Uint8Array {
  return hashParts(TAG_CONTEXT, canonicalJson(ctx));
}

export function contextDigestHex(ctx: VoteContext): string {
  return bytesToHex(contextDigest(ctx));
}

/** Checks the shape a tablet relies on before encrypting (throws Error). */
export function checkContext(ctx: VoteContext): Point {
  if (ctx.version !== VERSION) throw new Error('context: unknown version');
  if (!Array.isArray(ctx.options) || ctx.options.length < 2 || ctx.options.length > 10) {
    throw new Error('context: 2 to 10 options');
  }
  const k = parsePoint(ctx.joint_key);
  if (k.equals(G)) throw new Error('context: degenerate joint key');
  return k;
}
