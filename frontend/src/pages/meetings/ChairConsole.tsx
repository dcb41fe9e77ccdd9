// The chair's (and secretary's) console in the room: open the meeting, the quorum, open and
// close a vote, close the meeting. Moving the agenda is on the agenda itself, granting the
// floor on the speakers' queue.
import { type FormEvent, useState } from "react";
import { ErrorLine } from "../../documents/ui";
import type { VoteRule } from "../../meetings/api";
import { useMeetT } from "../../meetings/i18n";
import { openVote } from "../../meetings/room";
import { type PanelProps, Quorum, useIntent } from "./RoomPanels";

const RULES: VoteRule[] = ["present", "cast", "members", "two_thirds"];

export function ChairConsole({ live, room, detail }: PanelProps) {
  const t = useMeetT();
  const { run, error, busy } = useIntent(live);
  const [confirmEnd, setConfirmEnd] = useState(false);
  const open = openVote(room);
  return (
    <section aria-labelledby="console-title" className="console">
      <h2 id="console-title">{t("console")}</h2>
      <Quorum room={room} />
      <ErrorLine error={error} />
      {room.state === "scheduled" && (
        <button type="button" className="primary big" disabled={busy} onClick={() => run("start")}>
          {t("startMeeting")}
        </button>
      )}
      {room.state === "in_progress" &&
        (open ? (
          <div className="panel">
            <p>
              {t("voteOpen")}: <strong>{open.question}</strong>
            </p>
            <p data-testid="console-count">
              {t("ballotsCast")}: {open.cast} / {open.eligible}
            </p>
            <button type="button" className="primary big" disabled={busy} onClick={() => run("vote_close", { vote_id: open.id })}>
              {t("closeVote")}
            </button>
          </div>
        ) : (
          <VoteForm disabled={busy} itemId={room.currentItemId ?? detail.agenda[0]?.id} onOpen={(body) => run("vote_open", body)} />
        ))}
      {room.state === "in_progress" &&
        (confirmEnd ? (
          <div className="panel">
            <p>{t("confirmEnd")}</p>
            <div className="actions">
              <button type="button" className="secondary" onClick={() => setConfirmEnd(false)}>
                {t("cancel")}
              </button>
              <button type="button" className="danger big" disabled={busy} onClick={() => run("end").then(() => setConfirmEnd(false))}>
                {t("endMeetingNow")}
              </button>
            </div>
          </div>
        ) : (
          <button type="button" className="danger big" onClick={() => setConfirmEnd(true)}>
            {t("endMeeting")}
          </button>
        ))}
    </section>
  );
}

function VoteForm({ itemId, disabled, onOpen }: { itemId: number | undefined; disabled: boolean; onOpen: (body: Record<string, unknown>) => Promise<unknown> }) {
  const t = useMeetT();
  const [question, setQuestion] = useState("");
  const [options, setOptions] = useState(t("defaultOptions"));
  const [secret, setSecret] = useState(false);
  const [rule, setRule] = useState<VoteRule>("present");
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (itemId === undefined) return;
    const labels = options
      .split("\n")
      .map((o) => o.trim())
      .filter(Boolean);
    const done = await onOpen({ item_id: itemId, question, options: labels, secret, rule });
    if (done) setQuestion("");
  };
  return (
    <form onSubmit={submit} className="vote-form">
      <h3>{t("openVote")}</h3>
      <label htmlFor="vote-question">{t("question")}</label>
      <textarea id="vote-question" required maxLength={1000} rows={2} value={question} onChange={(e) => setQuestion(e.target.value)} />
      <label htmlFor="vote-options">{t("options")}</label>
      <textarea id="vote-options" rows={3} value={options} onChange={(e) => setOptions(e.target.value)} />
      <label className="check">
        <input type="checkbox" checked={secret} onChange={(e) => setSecret(e.target.checked)} /> {t("secretBallot")}
      </label>
      <label htmlFor="vote-rule">{t("rule")}</label>
      <select id="vote-rule" value={rule} onChange={(e) => setRule(e.target.value as VoteRule)}>
        {RULES.map((r) => (
          <option key={r} value={r}>
            {t.rule(r)}
          </option>
        ))}
      </select>
      <button type="submit" className="primary big" disabled={disabled || itemId === undefined}>
        {t("openVoteNow")}
      </button>
    </form>
  );
}
