// A held meeting's outcome on its page: who attended (from the check-in; a member who sent a
// deputy is away and the deputy is listed on the seat), each vote and its result (a secret
// vote by its totals only), the conclusions, and the minutes with their signatures.
import { useEffect, useState } from "react";
import { useUi } from "../../context";
import { formatTime } from "../../documents/i18n";
import { AppLink, ErrorLine } from "../../documents/ui";
import { type AttendanceLine, meetings, minutesUrl, type Outcome, type VoteResult } from "../../meetings/api";
import { useMeetT } from "../../meetings/i18n";

export function MeetingOutcome({ id }: { id: number }) {
  const t = useMeetT();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    meetings.outcome(id).then(setOutcome, setError);
  }, [id]);
  if (!outcome) return error ? <ErrorLine error={error} /> : <p>{t("loading")}</p>;
  return (
    <section aria-labelledby="outcome-title" className="meeting-outcome" data-testid="meeting-outcome">
      <h2 id="outcome-title">{t("outcome")}</h2>
      <div className="doc-grid">
        <Attendance outcome={outcome} />
        <section className="panel" aria-labelledby="conclusions-title">
          <h3 id="conclusions-title">{t("conclusions")}</h3>
          {outcome.conclusions ? (
            <p className="conclusions" data-testid="outcome-conclusions">
              {outcome.conclusions}
            </p>
          ) : (
            <p className="muted">{t("noConclusions")}</p>
          )}
          <MinutesStatus id={id} outcome={outcome} />
        </section>
      </div>
      <section className="panel" aria-labelledby="votes-title">
        <h3 id="votes-title">{t("voteResults")}</h3>
        {outcome.votes.length === 0 ? <p className="muted">{t("noVotes")}</p> : outcome.votes.map((v) => <VoteCard key={v.id} vote={v} />)}
      </section>
    </section>
  );
}

function Attendance({ outcome }: { outcome: Outcome }) {
  const t = useMeetT();
  const names = new Map(outcome.attendance.map((a) => [a.user_id, a.name]));
  const note = (a: AttendanceLine) =>
    a.deputy_for !== null
      ? `${t("deputyFor")} ${names.get(a.deputy_for) ?? ""}`
      : a.deputy_id !== null
        ? `${t("sentDeputyName")}: ${names.get(a.deputy_id) ?? ""}`
        : a.reason;
  return (
    <section className="panel" aria-labelledby="attended-title">
      <h3 id="attended-title">{t("attended")}</h3>
      <p data-testid="outcome-quorum">
        {t("attendedCount")}: {outcome.quorum.present}/{outcome.quorum.members}
      </p>
      <div className="table-scroll">
        <table data-testid="outcome-attendance">
          <thead>
            <tr>
              <th scope="col">{t("name")}</th>
              <th scope="col">{t("role")}</th>
              <th scope="col">{t("presenceCol")}</th>
            </tr>
          </thead>
          <tbody>
            {outcome.attendance.map((a) => (
              <tr key={`${a.user_id}-${a.deputy_for ?? ""}`} data-presence={a.presence}>
                <td>
                  {a.name}
                  {a.title && <div className="small muted">{a.title}</div>}
                </td>
                <td>{t.role(a.role)}</td>
                <td>
                  {t.presence(a.presence)}
                  {note(a) && <div className="small muted">{note(a)}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function VoteCard({ vote }: { vote: VoteResult }) {
  const t = useMeetT();
  const { lang } = useUi();
  return (
    <article className="vote-card" data-testid="outcome-vote" aria-label={vote.question}>
      <p className="small muted">
        {t("onItem")}: {vote.item_title}
      </p>
      <h4>{vote.question}</h4>
      <p className="small">
        {vote.secret ? t("secretVote") : t("namedVote")} · {t.rule(vote.rule)}
      </p>
      {vote.voided_reason != null ? (
        <p className="badge refused" data-testid="outcome-vote-voided">
          {t("voteVoided")}: {vote.voided_reason}
        </p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t("option")}</th>
              <th scope="col">{t("votesCount")}</th>
            </tr>
          </thead>
          <tbody>
            {vote.options.map((o) => (
              <tr key={o.label}>
                <td>{o.label}</td>
                <td>{o.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="small">
        {t("cast")}: {vote.cast}/{vote.eligible}
      </p>
      {vote.voided_reason == null && (
        <p className={vote.passed ? "badge ok" : "badge refused"} data-testid="outcome-vote-result">
          {lang === "vi" ? vote.result_label : vote.passed ? t("passed") : t("notPassed")}
        </p>
      )}
      {vote.secret ? (
        <>
          <p className="small muted">{t("secretTotals")}</p>
          {vote.record_hash && vote.record_url && (
            <p className="small" data-testid="outcome-record">
              {t("recordHash")}: <code className="hash">{vote.record_hash}</code>
              <br />
              <a href={vote.record_url} download={`ho-so-kiem-phieu-${vote.id}.json`}>
                {t("downloadRecord")}
              </a>{" "}
              · <a href={`/cong-khai/kiem-tra-bieu-quyet${lang === "en" ? "?lang=en" : ""}`}>{t("checkRecordPublic")}</a>
            </p>
          )}
        </>
      ) : (
        vote.voters.length > 0 && (
          <details>
            <summary>{t("whoVotedWhat")}</summary>
            <ul data-testid="outcome-voters">
              {vote.voters.map((v) => (
                <li key={v.name}>
                  {v.name}: {v.choice}
                </li>
              ))}
            </ul>
          </details>
        )
      )}
    </article>
  );
}

function MinutesStatus({ id, outcome }: { id: number; outcome: Outcome }) {
  const t = useMeetT();
  const { lang } = useUi();
  const m = outcome.minutes;
  return (
    <>
      <h3>{t("signedMinutes")}</h3>
      {!m ? (
        <p className="muted">{t("minutesNone")}</p>
      ) : (
        <>
          <p data-testid="outcome-minutes-state">
            {t("minutesState")}: {t.minutesState(m.state)}
          </p>
          {m.signatures.length > 0 && (
            <ul data-testid="outcome-minutes-signatures">
              {m.signatures.map((s) => (
                <li key={s.role}>
                  {t.any(`signedAs_${s.role}`)}: <strong>{s.signer_name}</strong> · {formatTime(s.signed_at, lang)}
                </li>
              ))}
            </ul>
          )}
          <div className="actions">
            <a className="button" href={minutesUrl(id)} download data-testid="outcome-download-minutes">
              {t("downloadMinutes")}
            </a>
            <AppLink to={`/meetings/${id}/minutes`} className="button">
              {t("openMinutes")}
            </AppLink>
          </div>
        </>
      )}
    </>
  );
}
