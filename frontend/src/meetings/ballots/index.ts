// Encrypted secret ballots, tablet side: byte-compatible with ecabinet/meetings/ballots.
export { encryptBallot, shortCode, trackingCode, warmUp, type Ballot, type Selection } from './ballot';
export {
  acceptShares,
  announcement,
  checkAnnouncement,
  jointKey,
  newGuardian,
  sharesFor,
  verificationKey,
  type Announcement,
  type GuardianSecret,
  type GuardianShare,
} from './ceremony';
export { checkContext, contextDigestHex, type VoteContext } from './context';
export {
  aggregate,
  aggregateDigest,
  partialDecrypt,
  partialDecryptBallots,
  type Aggregate,
  type Partial,
} from './decryption';
export { canonicalJson } from './group';
export { forgetGuardian, loadGuardian, saveGuardian, type StoredGuardian } from './storage';
export { Rejected, checkBallot, checkPartial, combine, verifyRecord, type RecordReport } from './verify';
