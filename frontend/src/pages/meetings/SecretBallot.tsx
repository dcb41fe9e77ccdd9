// Secret votes on the tablet: the guardians' key ceremony, a ballot encrypted before it leaves
// the tablet (with its tracking code kept here), a guardian's part of the decryption of the
// total, and the check of the election record. The server never sees a choice.
import { useCallback, useEffect, useState } from "react";

import { call, getBytes } from "../../api";
import {
  acceptShares,
  announcement,
  encryptBallot,
  loadGuardian,
  newGuardian,
  partialDecryptBallots,
  saveGuardian,
  sharesFor,
  shortCode,
  verifyRecord,
  warmUp,
  type Aggregate,
  type Announcement,
  type Ballot,
  type VoteContext,
} from "../../meetings/ballots";
import type { LiveMeeting } from "../../meetings/live";
import type { Vote } from "../../meetings/api";
import { type MeetKey, useMeetT } from "../../meetings/i18n";
import { ErrorLine } from "../../documents/ui";

interface Guardian {
  index: number;
  user_id: number;
  state: string;
}

export interface Ceremony {
  state: "none" | "announcing" | "sharing" | "confirming" | "complete";
  count: number;
  quorum: number;
  fingerprint: string | null;
  fingerprint_short?: string | null;
  guardians: Guardian[];
}

interface TallyRequest {
  vote_id: number;
  context: VoteContext;
  aggregate: Aggregate | null;
  ballots: Ballot[];
  cast: number;
  decrypted_by: number[];
}

const base = (meetingId: number) => `/meetings/${meetingId}`;

export const ballotApi = {
  ceremony: (m: number) => call<Ceremony>("GET", `${base(m)}/guardians`),
  designate: (m: number) => call<Ceremony>("POST", `${base(m)}/guardians`, {}),
  received: (m: number) =>
    call<{ index: number; announcements: Announcement[]; shares: Record<string, string> }>("GET", `${base(m)}/guardians/shares`),
  tally: (m: number, v: number) => call<TallyRequest>("GET", `${base(m)}/votes/${v}/tally`),
  // the record's exact bytes (its SHA-256 is the one the minutes cite), not a re-serialised parse
  record: async (m: number, v: number): Promise<string> => (await getBytes(`${base(m)}/votes/${v}/record`, true)).text(),
};

/** The meeting's ceremony, reloaded whenever the room moves on. */
export function useCeremony(meetingId: number, bump: unknown): [Ceremony | null, () => void] {
  const [ceremony, setCeremony] = useState<Ceremony | null>(null);
  const reload = useCallback(() => {
    ballotApi.ceremony(meetingId).then(setCeremony, () => setCeremony(null));
  }, [meetingId]);
  useEffect(reload, [reload, bump]);
  return [ceremony, reload];
}

const deployment = () => window.location.origin;

/** A ballot encrypted on this tablet: the server gets the ciphertext and its proofs only. */
export async function encryptedBallot(meetingId: number, voteId: number, choice: number): Promise<{ ballot: Ballot }> {
  const { context } = await ballotApi.tally(meetingId, voteId);
  return { ballot: encryptBallot(context, choice) };
}

export function warmBallots(): void {
  warmUp();
}

export const trackingLabel = (code: string) => shortCode(code);

/** The ceremony as the room sees it; the chair or the secretary starts it, each guardian's
 * tablet does its step (its secret stays in this tablet's IndexedDB). */
export function GuardianPanel({
  live,
  meetingId,
  userId,
  runs,
  bump,
}: {
  live: LiveMeeting;
  meetingId: number;
  userId: number;
  runs: boolean;
  bump: unknown;
}) {
  const t = useMeetT();
  const [ceremony, reload] = useCeremony(meetingId, bump);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const me = ceremony?.guardians.find((g) => g.user_id === userId);
  const step = async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const announce = () =>
    step(async () => {
      if (!ceremony || !me) return;
      const secret = newGuardian(me.index, ceremony.count, ceremony.quorum);
      await saveGuardian(meetingId, { secret }, deployment());
      await live.send("guardian_announce", { announcement: announcement(secret) });
    });
  const share = () =>
    step(async () => {
      const kept = await loadGuardian(meetingId, deployment());
      if (!kept) throw new Error(t("guardianLost"));
      const got = await ballotApi.received(meetingId);
      await live.send("guardian_shares", { shares: sharesFor(kept.secret, got.announcements) });
    });
  const confirm = () =>
    step(async () => {
      const kept = await loadGuardian(meetingId, deployment());
      if (!kept) throw new Error(t("guardianLost"));
      const got = await ballotApi.received(meetingId);
      const received: Record<number, string> = {};
      for (const [k, v] of Object.entries(got.shares)) received[Number(k)] = v;
      const keyShare = acceptShares(kept.secret, got.announcements, received);
      await saveGuardian(meetingId, { secret: kept.secret, share: keyShare }, deployment());
      await live.send("guardian_confirm", { joint_key: keyShare.joint_key });
    });
  if (!ceremony) return null;
  const mine = me?.state ?? null;
  return (
    <section aria-labelledby="guardians-title" data-testid="guardians">
      <h2 id="guardians-title">{t("guardians")}</h2>
      <ErrorLine error={error} />
      {ceremony.state === "none" ? (
        <p className="muted">{t("noCeremony")}</p>
      ) : (
        <p data-testid="ceremony-state">
          {t(`ceremony_${ceremony.state}` as MeetKey)} · {t("guardianQuorum")}: {ceremony.quorum} / {ceremony.count}
        </p>
      )}
      {ceremony.fingerprint_short && (
        <p className="ok">
          {t("keyFingerprint")}: <code data-testid="fingerprint">{ceremony.fingerprint_short}</code>
        </p>
      )}
      {runs && ceremony.state !== "complete" && (
        <button type="button" disabled={busy} onClick={() => step(() => ballotApi.designate(meetingId))} data-testid="designate">
          {t("designateGuardians")}
        </button>
      )}
      {me && ceremony.state === "announcing" && mine === "designated" && (
        <button type="button" className="primary" disabled={busy} onClick={announce} data-testid="guardian-announce">
          {t("guardianAnnounce")}
        </button>
      )}
      {me && ceremony.state === "sharing" && mine === "announced" && (
        <button type="button" className="primary" disabled={busy} onClick={share} data-testid="guardian-shares">
          {t("guardianShares")}
        </button>
      )}
      {me && ceremony.state === "confirming" && mine === "shared" && (
        <button type="button" className="primary" disabled={busy} onClick={confirm} data-testid="guardian-confirm">
          {t("guardianConfirm")}
        </button>
      )}
    </section>
  );
}

/** A guardian's "decrypt the total" step for a vote waiting for it. */
export function DecryptStep({ live, meetingId, vote }: { live: LiveMeeting; meetingId: number; vote: Vote }) {
  const t = useMeetT();
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const decrypt = async () => {
    setBusy(true);
    setError(null);
    try {
      const kept = await loadGuardian(meetingId, deployment());
      if (!kept?.share) throw new Error(t("guardianLost"));
      const request = await ballotApi.tally(meetingId, vote.id);
      if (!request.aggregate) throw new Error(t("tallyNotReady"));
      // refused here unless the total is the sum of the ballots, as many as the turnout
      const partial = partialDecryptBallots(request.context, kept.share, request.ballots, request.aggregate, vote.cast);
      await live.send("tally_partial", { vote_id: vote.id, partial });
      setDone(true);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div data-testid="decrypt-step">
      <ErrorLine error={error} />
      {done ? (
        <p className="ok">{t("decryptSent")}</p>
      ) : (
        <button type="button" className="primary" disabled={busy} onClick={decrypt} data-testid="decrypt">
          {t("decryptTally")}
        </button>
      )}
    </div>
  );
}

/** The vote's election record checked in this browser: every proof, the counts, and whether
 * this tablet's tracking code is in it. */
export function RecordCheck({ meetingId, vote, tracking }: { meetingId: number; vote: Vote; tracking: string | null }) {
  const t = useMeetT();
  const [report, setReport] = useState<{ ok: boolean; counts: number[] | null; mine: boolean | null } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const check = async () => {
    setError(null);
    try {
      const text = await ballotApi.record(meetingId, vote.id);
      const r = verifyRecord(text);
      setReport({ ok: r.ok, counts: r.counts, mine: tracking ? r.trackingCodes.includes(tracking) : null });
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div className="small" data-testid="record-check">
      {vote.record_hash && (
        <p>
          {t("recordHash")}: <code data-testid="record-hash">{vote.record_hash}</code>
        </p>
      )}
      <ErrorLine error={error} />
      <button type="button" onClick={check} data-testid="verify-record">
        {t("verifyRecord")}
      </button>
      {report && (
        <p className={report.ok ? "ok" : "error"} data-testid="record-report">
          {report.ok ? t("recordOk") : t("recordBad")}
          {report.counts && ` (${report.counts.join(" / ")})`}
          {report.mine !== null && ` · ${report.mine ? t("myBallotInRecord") : t("myBallotMissing")}`}
        </p>
      )}
    </div>
  );
}
