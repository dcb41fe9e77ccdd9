import { type FormEvent, useCallback, useEffect, useState } from "react";
import { api, ApiError, type Scope, type Token } from "../api";
import { useUi } from "../context";
import { formatTime } from "../format";

export function Tokens() {
  const { t, lang } = useUi();
  const [items, setItems] = useState<Token[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [name, setName] = useState("");
  const [days, setDays] = useState("");
  const [scopes, setScopes] = useState<Scope[]>(["read", "write"]);
  const [secret, setSecret] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);

  const load = useCallback(() => {
    api
      .tokens()
      .then((data) => setItems(data.items))
      .catch((e: unknown) => setError(e instanceof ApiError ? e : null));
  }, []);
  useEffect(load, [load]);

  const fmt = (iso: string | null) => (iso ? formatTime(iso) : t("never"));

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const created = await api.createToken(name, days ? Number(days) : null, scopes);
      setSecret(created.token);
      setCopied(false);
      setName("");
      setDays("");
      load();
    } catch (e) {
      setError(e instanceof ApiError ? e : null);
    }
  };

  const revoke = async (token: Token) => {
    if (!window.confirm(t("confirmRevoke"))) return;
    try {
      await api.revokeToken(token.id);
      load();
    } catch (e) {
      setError(e instanceof ApiError ? e : null);
    }
  };

  return (
    <section aria-labelledby="tokens-title">
      <h1 id="tokens-title">{t("navTokens")}</h1>
      <p>{t("tokensIntro")}</p>
      {error && <p role="alert" className="error">{error.text(lang)}</p>}
      <form className="inline-form" onSubmit={create}>
        <div>
          <label htmlFor="token-name">{t("tokenName")}</label>
          <input id="token-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div>
          <label htmlFor="token-days">{t("expiresDays")}</label>
          <input id="token-days" type="number" min={1} max={3650} value={days} onChange={(e) => setDays(e.target.value)} />
        </div>
        <fieldset className="checks">
          <legend>{t("scopes")}</legend>
          {(["read", "write", "sign"] as Scope[]).map((scope) => (
            <label key={scope} className="check">
              <input
                type="checkbox"
                checked={scopes.includes(scope)}
                onChange={(e) => setScopes((list) => (e.target.checked ? [...list, scope] : list.filter((s) => s !== scope)))}
              />{" "}
              {t(`scope_${scope}`)}
            </label>
          ))}
        </fieldset>
        <button type="submit" className="primary" disabled={scopes.length === 0}>
          {t("create")}
        </button>
      </form>
      {secret && (
        <div className="secret" role="status">
          <p>{t("newTokenOnce")}</p>
          <code data-testid="new-token">{secret}</code>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              void navigator.clipboard?.writeText(secret);
              setCopied(true);
            }}
          >
            {copied ? t("copied") : t("copy")}
          </button>
        </div>
      )}
      {items && items.length === 0 && <p>{t("noTokens")}</p>}
      {items && items.length > 0 && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label={t("navTokens")}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("tokenName")}</th>
              <th scope="col">{t("scopes")}</th>
              <th scope="col">{t("created")}</th>
              <th scope="col">{t("lastUsed")}</th>
              <th scope="col">{t("expires")}</th>
              <th scope="col">
                <span className="visually-hidden">{t("revoke")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((token) => (
              <tr key={token.id}>
                <td>
                  {token.name} <span className="mono muted">{token.prefix}…</span>
                </td>
                <td>{token.scopes.map((scope) => t(`scope_${scope}`)).join(", ")}</td>
                <td>{fmt(token.created_at)}</td>
                <td>{fmt(token.last_used_at)}</td>
                <td>{fmt(token.expires_at)}</td>
                <td>
                  <button type="button" className="danger" onClick={() => revoke(token)}>
                    {t("revoke")} <span className="visually-hidden">{token.name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
    </section>
  );
}
