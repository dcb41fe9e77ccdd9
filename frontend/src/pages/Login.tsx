import { type FormEvent, useState } from "react";
import { api, ApiError, type Me } from "../api";
import { useUi } from "../context";
import { LanguageSwitch } from "./LanguageSwitch";

export function Login({ onLogin }: { onLogin: (me: Me) => void }) {
  const { t, lang } = useUi();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onLogin(await api.login(username, password));
    } catch (e) {
      setError(e instanceof ApiError ? e : null);
      setPassword("");
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login-page">
      <form className="login-card" onSubmit={submit} aria-labelledby="login-title">
        <div className="login-head">
          <p className="brand">{t("product")}</p>
          <LanguageSwitch />
        </div>
        <p className="tagline">{t("tagline")}</p>
        <h1 id="login-title">{t("loginTitle")}</h1>
        {error && (
          <p className="error" role="alert">
            {error.text(lang)}
          </p>
        )}
        <label htmlFor="username">{t("username")}</label>
        <input
          id="username"
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          required
          value={username}
          onChange={(e) => setUsername(e.target.value)}
        />
        <label htmlFor="password">{t("password")}</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t("signingIn") : t("signIn")}
        </button>
      </form>
    </main>
  );
}
