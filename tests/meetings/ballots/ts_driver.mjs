// Runs the tablet's TypeScript ballot code (bundled by the test) for the Python tests:
//   node ts_driver.mjs BUNDLE.mjs   then one JSON request per line on stdin,
//   {"op": ..., ...}, and one JSON answer per line on stdout.
import { createInterface } from 'node:readline';

const bundle = await import(process.argv[2]);

const ops = {
  digest: ({ ctx }) => ({ digest: bundle.contextDigestHex(ctx), canonical: bundle.canonicalJson(ctx) }),
  encrypt: ({ ctx, choices }) =>
    choices.map((choice) => {
      const ballot = bundle.encryptBallot(ctx, choice);
      const code = bundle.trackingCode(ballot);
      return { ballot, tracking_code: code, short_code: bundle.shortCode(code) };
    }),
  tracking: ({ ballots }) => ballots.map((b) => bundle.trackingCode(b)),
  new_guardian: ({ index, count, quorum }) => {
    const secret = bundle.newGuardian(index, count, quorum);
    return { secret, announcement: bundle.announcement(secret) };
  },
  shares_for: ({ secret, announcements }) => bundle.sharesFor(secret, announcements),
  accept_shares: ({ secret, announcements, received }) => {
    try {
      return { share: bundle.acceptShares(secret, announcements, received) };
    } catch (e) {
      return { error: String(e.message) };
    }
  },
  check_announcement: ({ announcement, count, quorum }) => {
    try {
      bundle.checkAnnouncement(announcement, count, quorum);
      return { ok: true };
    } catch (e) {
      return { ok: false, error: String(e.message) };
    }
  },
  keys: ({ announcements }) => ({
    joint_key: bundle.jointKey(announcements),
    verification_keys: announcements.map((a) => bundle.verificationKey(announcements, a.guardian)),
  }),
  partial: ({ ctx, share, aggregate }) => bundle.partialDecrypt(ctx, share, aggregate),
  aggregate: ({ ctx, ballots }) => bundle.aggregate(ctx, ballots),
  partial_checked: ({ ctx, share, ballots, aggregate, expected }) => {
    try {
      return { partial: bundle.partialDecryptBallots(ctx, share, ballots, aggregate, expected) };
    } catch (e) {
      return { error: String(e.message) };
    }
  },
  check_ballot: ({ ctx, ballot }) => {
    try {
      return { tracking_code: bundle.checkBallot(ctx, ballot) };
    } catch (e) {
      return { code: e.code ?? 'exception', where: e.where ?? String(e.message) };
    }
  },
  verify_record: ({ text }) => bundle.verifyRecord(text),
  time_verify: ({ text }) => {
    const t = performance.now();
    const report = bundle.verifyRecord(text);
    return { ms: performance.now() - t, ok: report.ok };
  },
  time_encrypt: ({ ctx, rounds }) => {
    const times = [];
    for (let i = 0; i < rounds; i++) {
      const t = performance.now();
      bundle.encryptBallot(ctx, i % ctx.options.length);
      times.push(performance.now() - t);
    }
    return times;
  },
};

for await (const line of createInterface({ input: process.stdin })) {
  const req = JSON.parse(line);
  process.stdout.write(JSON.stringify(ops[req.op](req)) + '\n');
}
