// "My signatures": the credentials I hold (my own; my agency's seals when I am its clerk), their
// PIN (set once for a credential from before the PINs, or changed: old PIN → new PIN), my
// authenticator (TOTP) second factor, and, for admins, the locked credentials to unlock.
import { type FormEvent, useCallback, useEffect, useState } from "react";
import type { Me } from "../../api";
import { useUi } from "../../context";
import type { Credential } from "../../documents/api";
import { formatDate } from "../../documents/i18n";
import { hasRoleIn } from "../../documents/roles";
import { ErrorLine } from "../../documents/ui";
import { signing, type TotpStatus } from "../../signing/api";
import { type SignKey, useSignT } from "../../signing/i18n";

export function SigningPage({ me }: { me: Me }) {
  const t = useSignT();
  const { lang } = useUi();
  const [items, setItems] = useState<Credential[] | null>(null);
  const [totp, setTotp] = useState<TotpStatus | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState("");
  const [editing, setEditing] = useState<string | null>(null);

  const load = useCallback(() => {
    signing.credentials().then((d) => setItems(d.items), setError);
    signing.totp().then(setTotp, setError);
  }, []);
  useEffect(load, [load]);

  const holds = (c: Credential) =>
    c.kind === "seal" ? hasRoleIn(me, c.agency_id, "clerk") : c.user_id === me.user.id;
  const held = (items ?? []).filter(holds);
  const toUnlock = (items ?? []).filter((c) => c.locked && !holds(c));
  const state = (c: Credential): SignKey =>
    c.disabled_at ? "statusDisabled" : c.kind === "token" ? "statusToken" : c.locked ? "statusLocked" : !c.pin_set ? "statusNoPin" : "statusReady";
  const unlock = async (c: Credential) => {
    setError(null);
    try {
      await signing.unlock(c.id);
      setStatus(t("unlocked"));
      load();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section aria-labelledby="signing-title">
      <h1 id="signing-title">{t("signingTitle")}</h1>
      <p>{t("signingIntro")}</p>
      <ErrorLine error={error} />
      {status && <p role="status">{status}</p>}
      <section className="panel" aria-labelledby="held-title">
        <h2 id="held-title">{t("myCredentials")}</h2>
        {items && held.length === 0 && <p>{t("noCredentials")}</p>}
        {held.length > 0 && (
          <div className="table-scroll" tabIndex={0} role="region" aria-label={t("myCredentials")}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t("myCredentials")}</th>
                <th scope="col">{t("expires")}</th>
                <th scope="col">{t("status")}</th>
                <th scope="col">
                  <span className="visually-hidden">{t("changePin")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {held.map((c) => (
                <tr key={c.id}>
                  <td>
                    {readable(c)} <span className="muted small">({t(`kind_${c.kind}` as SignKey)})</span>
                  </td>
                  <td>{formatDate(c.not_after, lang)}</td>
                  <td data-testid={`credential-status-${c.id}`}>{t(state(c))}</td>
                  <td>
                    {c.kind !== "token" && !c.disabled_at && (
                      <button type="button" className="secondary" onClick={() => setEditing(c.id)}>
                        {c.pin_set ? t("changePin") : t("setPin")}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          </div>
        )}
        {editing && (
          <PinForm
            credential={held.find((c) => c.id === editing)}
            onDone={() => {
              setEditing(null);
              setStatus(t("pinSaved"));
              load();
            }}
            onCancel={() => setEditing(null)}
          />
        )}
      </section>
      {totp && <TotpPanel status={totp} onChange={load} />}
      {toUnlock.length > 0 && (
        <section className="panel" aria-labelledby="unlock-title">
          <h2 id="unlock-title">{t("toUnlock")}</h2>
          <ul>
            {toUnlock.map((c) => (
              <li key={c.id}>
                {readable(c)}{" "}
                <button type="button" className="secondary" onClick={() => void unlock(c)}>
                  {t("unlock")} <span className="visually-hidden">{readable(c)}</span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}

/** The first PIN of a credential from before the PINs, or a change (old PIN → new PIN). */
function PinForm({ credential, onDone, onCancel }: { credential: Credential | undefined; onDone: () => void; onCancel: () => void }) {
  const t = useSignT();
  const [old, setOld] = useState("");
  const [otp, setOtp] = useState("");
  const [pin, setPin] = useState("");
  const [again, setAgain] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  if (!credential) return null;
  const change = credential.pin_set;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (pin !== again) {
      setError(t("pinsDiffer"));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await signing.setPin(credential.id, change ? { new_pin: pin, old_pin: old, ...(otp ? { otp } : {}) } : { new_pin: pin });
      onDone();
    } catch (err) {
      setError(err);
      setOld("");
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="panel" onSubmit={submit} aria-label={change ? t("changePin") : t("setPin")}>
      <p>{credential.subject}</p>
      {change && (
        <>
          <label htmlFor="pin-old">{t("oldPin")}</label>
          <input id="pin-old" type="password" autoComplete="off" required maxLength={64} value={old} onChange={(e) => setOld(e.target.value)} />
          {credential.needs_otp && (
            <>
              <label htmlFor="pin-otp">{t("otp")}</label>
              <input id="pin-otp" inputMode="numeric" autoComplete="one-time-code" required maxLength={6} value={otp} onChange={(e) => setOtp(e.target.value.trim())} />
            </>
          )}
        </>
      )}
      <label htmlFor="pin-new">{t("newPin")}</label>
      <input id="pin-new" type="password" autoComplete="new-password" required maxLength={64} value={pin} onChange={(e) => setPin(e.target.value)} />
      <label htmlFor="pin-again">{t("repeatPin")}</label>
      <input id="pin-again" type="password" autoComplete="new-password" required maxLength={64} value={again} onChange={(e) => setAgain(e.target.value)} />
      <ErrorLine error={error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t("working") : t("save")}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          {t("cancel")}
        </button>
      </div>
    </form>
  );
}

/** Enrol (the secret shown once, confirmed with a first code) or remove (with a code). */
function TotpPanel({ status, onChange }: { status: TotpStatus; onChange: () => void }) {
  const t = useSignT();
  const [started, setStarted] = useState<{ uri: string; secret: string } | null>(null);
  const [code, setCode] = useState("");
  const [error, setError] = useState<unknown>(null);
  const run = async (work: () => Promise<unknown>) => {
    setError(null);
    try {
      await work();
      setCode("");
      onChange();
    } catch (e) {
      setError(e);
    }
  };
  const confirmed = status.confirmed;
  return (
    <section className="panel" aria-labelledby="totp-title">
      <h2 id="totp-title">{t("totpTitle")}</h2>
      <p>{confirmed ? t("totpOn") : t("totpOff")}</p>
      <ErrorLine error={error} />
      {!confirmed && !started && (
        <button type="button" className="secondary" onClick={() => void run(async () => setStarted(await signing.startTotp()))}>
          {t("totpStart")}
        </button>
      )}
      {!confirmed && started && (
        <div>
          <p>{t("totpScan")}</p>
          <p>
            {t("totpSecret")}: <code data-testid="totp-secret">{started.secret}</code>
          </p>
          <p className="small">
            <a href={started.uri}>{started.uri}</a>
          </p>
        </div>
      )}
      {(confirmed || started) && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => (confirmed ? signing.removeTotp(code) : signing.confirmTotp(code).then(() => setStarted(null))));
          }}
        >
          <div>
            <label htmlFor="totp-code">{t("otp")}</label>
            <input id="totp-code" inputMode="numeric" autoComplete="one-time-code" required maxLength={6} value={code} onChange={(e) => setCode(e.target.value.trim())} />
          </div>
          <button type="submit" className={confirmed ? "danger" : "primary"}>
            {confirmed ? t("totpRemove") : t("totpConfirm")}
          </button>
        </form>
      )}
    </section>
  );
}

/** A certificate as a person reads it (never its distinguished name): holder, title, issuer. */
function readable(c: { holder: string; holder_title: string; issuer_name: string; label: string }): string {
  const who = [c.holder || c.label, c.holder_title].filter(Boolean).join(", ");
  return c.issuer_name ? `${who} — ${c.issuer_name}` : who;
}
