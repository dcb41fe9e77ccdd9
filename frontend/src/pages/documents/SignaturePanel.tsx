// The signature report of a file, each verdict in plain words.
import { useState } from "react";
import { useUi } from "../../context";
import { type DocumentFile, docs, type SignatureReport } from "../../documents/api";
import { formatTime, useDocT } from "../../documents/i18n";
import { ErrorLine } from "../../documents/ui";

const VERDICT = { "TOTAL-PASSED": "verdict_passed", INDETERMINATE: "verdict_indeterminate", "TOTAL-FAILED": "verdict_failed" } as const;

export function SignaturePanel({ docId, file }: { docId: number; file: DocumentFile }) {
  const t = useDocT();
  const { lang } = useUi();
  const [report, setReport] = useState<SignatureReport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const check = () => {
    setBusy(true);
    setError(null);
    docs
      .signatures(docId, file.id)
      .then(setReport, setError)
      .finally(() => setBusy(false));
  };
  return (
    <section aria-labelledby="sig-title" className="panel">
      <h2 id="sig-title">{t("signatures")}</h2>
      <button type="button" className="secondary" onClick={check} disabled={busy}>
        {busy ? t("working") : t("checkSignatures")}
      </button>
      <ErrorLine error={error} />
      {report && report.signatures.length === 0 && <p>{t("noSignatures")}</p>}
      {report && report.signatures.length > 0 && (
        <ul className="signatures" data-testid="signature-report">
          {report.signatures.map((s) => (
            <li key={s.field} className={`sig sig-${s.indication}`}>
              <strong>{t(VERDICT[s.indication])}</strong>
              {" — "}
              {t("signedBy")}: {s.signer?.common_name ?? "—"}
              {s.signer?.organization && ` (${s.signer.organization})`}
              <div className="small">
                {t("signedAt")}: {formatTime(s.timestamp_time ?? s.claimed_time, lang)} · {s.intact ? t("intact") : t("notIntact")} ·{" "}
                {s.trusted ? t("trusted") : t("notTrusted")}
                {s.pades_level && ` · PAdES ${s.pades_level}`}
              </div>
              {s.notes.length > 0 && (
                <ul className="small muted">
                  {s.notes.map((n, i) => (
                    <li key={i}>{n[lang] || n.vi}</li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
