// Runs the tablet's TypeScript ballot code (bundled by the test) for the Python tests:
//   node ts_driver.mjs BUNDLE.mjs < {"op": ..., ...}   →   JSON on stdout
const bundle = await import(process.argv[2]);
let input = '';
for await (const chunk of process.stdin) input += chunk;
const req = JSON.parse(input);

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

process.stdout.write(JSON.stringify(ops[req.op](req)));
