// One consultation: the question, its documents and deadline. Its creator attaches PDFs and
// sends the draft, follows who has answered and who has not, closes it, and downloads the
// tally PDF (also drawn here by pdf.js); each person asked answers (agree, disagree or comment
// only, with a comment) and may change the answer until the deadline.
import { type FormEvent, useCallback, useEffect, useState } from "react";
import {
  ANSWERS,
  attachPdf,
  type ConsultationAnswer,
  type ConsultationDetail,
  consultationDocumentUrl,
  consultations,
  type ConsultationResults,
  reportUrl,
} from "../../consultations/api";
import { useConsultT } from "../../consultations/i18n";
import { useUi } from "../../context";
import { formatTime } from "../../documents/i18n";
import { AppLink, ErrorLine } from "../../documents/ui";
import { PdfPages } from "../meetings/PdfPages";
import { ConsultationStateBadge } from "./ConsultationList";

export function ConsultationPage({ id }: { id: number }) {
  const t = useConsultT();
  const { lang } = useUi();
  const [detail, setDetail] = useState<ConsultationDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const load = useCallback(() => {
    consultations.detail(id).then(setDetail, setError);
  }, [id]);
  useEffect(load, [load]);
  if (!detail) return error ? <ErrorLine error={error} /> : <p>{t("loading")}</p>;
  const c = detail.consultation;
  const act = async (work: () => Promise<ConsultationDetail | void>) => {
    setBusy(true);
    setError(null);
    try {
      const next = await work();
      if (next) setDetail(next);
      else load();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <article aria-labelledby="consultation-title" className="consultation-page">
      <p>
        <AppLink to="/consultations">← {t("back")}</AppLink>
      </p>
      <h1 id="consultation-title">{c.title}</h1>
      <p>
        <ConsultationStateBadge state={c.state} /> · {t("deadline")}: {formatTime(c.deadline, lang)}
        {c.sent_at && ` · ${t("sentAt")}: ${formatTime(c.sent_at, lang)}`}
      </p>
      <p className="question" data-testid="consultation-question">
        {c.question}
      </p>
      <ErrorLine error={error} />
      {detail.manages && (
        <div className="actions">
          {c.state === "draft" && (
            <button type="button" className="primary big" disabled={busy} onClick={() => act(() => consultations.send(id))}>
              {t("send")}
            </button>
          )}
          {c.state === "open" && (
            <button
              type="button"
              className="danger"
              disabled={busy}
              onClick={() => window.confirm(t("confirmClose")) && act(() => consultations.close(id))}
            >
              {t("closeNow")}
            </button>
          )}
        </div>
      )}
      <section className="panel" aria-labelledby="c-docs-title">
        <h2 id="c-docs-title">{t("documents")}</h2>
        {detail.documents.length === 0 ? (
          <p className="muted">{t("noDocuments")}</p>
        ) : (
          <ul className="doc-links">
            {detail.documents.map((d) => (
              <li key={d.id}>
                <a href={consultationDocumentUrl(id, d.id)} download>
                  {d.title}
                </a>
              </li>
            ))}
          </ul>
        )}
        {detail.manages && c.state === "draft" && (
          <label className="button">
            {t("attachPdf")}
            <input
              type="file"
              accept="application/pdf"
              className="visually-hidden"
              onChange={(e) => {
                const file = e.target.files?.[0];
                e.target.value = "";
                if (file) void act(() => attachPdf(c, file));
              }}
            />
          </label>
        )}
      </section>
      {detail.member && c.state !== "draft" && <AnswerForm detail={detail} onDone={setDetail} />}
      {detail.results && c.state !== "draft" && <Results id={id} detail={detail} results={detail.results} />}
      {!detail.manages && !detail.results && c.state === "open" && <p className="muted">{t("resultsAfterClose")}</p>}
    </article>
  );
}

function AnswerForm({ detail, onDone }: { detail: ConsultationDetail; onDone: (d: ConsultationDetail) => void }) {
  const t = useConsultT();
  const mine = detail.my_answer;
  const [answer, setAnswer] = useState<ConsultationAnswer>(mine?.answer ?? "agree");
  const [comment, setComment] = useState(mine?.comment ?? "");
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSent(false);
    try {
      onDone(await consultations.answer(detail.consultation.id, answer, comment));
      setSent(true);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="panel" onSubmit={submit} aria-labelledby="c-answer-title">
      <h2 id="c-answer-title">{t("answerTitle")}</h2>
      {mine && (
        <p data-testid="my-consultation-answer">
          {t("yourAnswer")}: <strong>{t.answer(mine.answer)}</strong>
          {mine.comment && ` — ${mine.comment}`}
        </p>
      )}
      <ErrorLine error={error} />
      {detail.can_answer && (
        <>
          <fieldset className="checks">
            <legend>{t("answer")}</legend>
            {ANSWERS.map((a) => (
              <label key={a} className="check">
                <input type="radio" name="consultation-answer" checked={answer === a} onChange={() => setAnswer(a)} /> {t.answer(a)}
              </label>
            ))}
          </fieldset>
          <label htmlFor="c-comment">{t("comment")}</label>
          <textarea id="c-comment" rows={4} maxLength={5000} value={comment} onChange={(e) => setComment(e.target.value)} />
          <button type="submit" className="primary">
            {mine ? t("changeAnswer") : t("sendAnswer")}
          </button>
          {sent && (
            <p className="ok" role="status">
              {t("answerSent")}
            </p>
          )}
        </>
      )}
    </form>
  );
}

function Results({ id, detail, results }: { id: number; detail: ConsultationDetail; results: ConsultationResults }) {
  const t = useConsultT();
  const { lang } = useUi();
  const replies = results.replies;
  const missing = replies?.filter((r) => r.answer === null) ?? [];
  return (
    <section className="panel" aria-labelledby="c-results-title">
      <h2 id="c-results-title">{t("results")}</h2>
      <ul className="counts" data-testid="consultation-counts">
        <li>
          {t("asked")}: <strong>{results.asked}</strong>
        </li>
        {ANSWERS.map((a) => (
          <li key={a}>
            {t.answer(a)}: <strong>{results[a]}</strong>
          </li>
        ))}
        <li>
          {t("unanswered")}: <strong>{results.unanswered}</strong>
        </li>
      </ul>
      {replies && (
        <>
          <h3 id="c-missing-title">{t("whoNotAnswered")}</h3>
          {missing.length === 0 ? (
            <p className="ok">{t("everyoneAnswered")}</p>
          ) : (
            <ul aria-labelledby="c-missing-title" data-testid="non-responders">
              {missing.map((r) => (
                <li key={r.user_id}>
                  {r.name}
                  {r.title && <span className="small muted"> — {r.title}</span>}
                </li>
              ))}
            </ul>
          )}
          <h3>{t("replies")}</h3>
          <div className="table-scroll">
            <table data-testid="consultation-replies">
              <thead>
                <tr>
                  <th scope="col">{t("name")}</th>
                  <th scope="col">{t("answer")}</th>
                  <th scope="col">{t("answeredAt")}</th>
                </tr>
              </thead>
              <tbody>
                {replies.map((r) => (
                  <tr key={r.user_id}>
                    <td>{r.name}</td>
                    <td>
                      {r.answer ? t.answer(r.answer) : t("notAnswered")}
                      {r.comment && <div className="small muted">{r.comment}</div>}
                    </td>
                    <td>{formatTime(r.updated_at, lang)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {detail.manages && (
        <>
          <div className="actions">
            <a className="button" href={reportUrl(id)} download={`tong-hop-y-kien-${id}.pdf`} data-testid="tally-download">
              {t("tallyPdf")}
            </a>
          </div>
          <PdfPages
            key={`${results.asked - results.unanswered}-${detail.consultation.state}-${replies?.map((r) => r.updated_at).join()}`}
            url={reportUrl(id)}
            label={t("tallyPreview")}
            testId="tally-pages"
          />
        </>
      )}
    </section>
  );
}
