// The activation data a signature needs: the credential's PIN, and the authenticator code
// when its official enrolled one. Shared by every sign dialog (document, issue, minutes,
// copy). A locked credential, or one without a PIN yet, says so instead.
import type { Credential } from "../../documents/api";
import type { Activation } from "../../signing/api";
import { useSignT } from "../../signing/i18n";

export function ActivationFields({
  credential,
  value,
  onChange,
  seal = false,
}: {
  credential: Credential | undefined;
  value: Activation;
  onChange: (next: Activation) => void;
  seal?: boolean;
}) {
  const t = useSignT();
  if (credential?.locked) {
    return (
      <p className="error" role="alert" data-testid="credential-locked">
        {t("lockedNotice")}
      </p>
    );
  }
  if (credential && !credential.pin_set) {
    return (
      <p className="error" role="alert">
        {t("pinNotSetNotice")}
      </p>
    );
  }
  return (
    <div className="activation">
      <label htmlFor="sign-pin">{seal ? t("sealPin") : t("pin")}</label>
      <input
        id="sign-pin"
        type="password"
        autoComplete="off"
        required
        maxLength={64}
        value={value.pin}
        onChange={(e) => onChange({ ...value, pin: e.target.value })}
      />
      {credential?.needs_otp && (
        <>
          <label htmlFor="sign-otp">{t("otp")}</label>
          <input
            id="sign-otp"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            required
            maxLength={6}
            value={value.otp}
            onChange={(e) => onChange({ ...value, otp: e.target.value.trim() })}
          />
        </>
      )}
      <p className="muted small">{t("pinHelp")}</p>
    </div>
  );
}
