// My notifications (newest first, unread in bold) and the "Thông báo" settings: the
// channels of each kind and the mobile number that receives urgent SMS.
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { ApiError, type Me } from "../api";
import { useUi } from "../context";
import { formatTime } from "../documents/i18n";
import { type Choice, type Notice, notes, type Preferences, target } from "../notifications/api";
import { kindLabel, useNoteT } from "../notifications/i18n";

export function Notifications({ me, onChange }: { me: Me; onChange: () => void }) {
  return (
    <div className="notifications-page">
      <NoticeList onChange={onChange} />
      <Settings me={me} />
    </div>
  );
}

function NoticeList({ onChange }: { onChange: () => void }) {
  const t = useNoteT();
  const { lang, navigate } = useUi();
  const [items, setItems] = useState<Notice[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const load = useCallback(() => {
    notes
      .list()
      .then((data) => setItems(data.items))
      .catch((e: unknown) => setError(e instanceof ApiError ? e : null));
  }, []);
  useEffect(load, [load]);

  const done = (work: Promise<unknown>) =>
    work
      .then(() => {
        load();
        onChange();
      })
      .catch((e: unknown) => setError(e instanceof ApiError ? e : null));

  const open = (n: Notice) => {
    const go = () => navigate(target(n));
    if (n.read_at) go();
    else notes.read(n.id).then(() => onChange()).finally(go);
  };

  return (
    <section aria-labelledby="notice-list-title">
      <div className="section-head">
        <h1 id="notice-list-title">{t("listTitle")}</h1>
        {items && items.some((n) => !n.read_at) && (
          <button type="button" className="secondary" onClick={() => done(notes.readAll())}>
            {t("markAllRead")}
          </button>
        )}
      </div>
      {error && (
        <p role="alert" className="error">
          {error.text(lang)}
        </p>
      )}
      {items === null ? null : items.length === 0 ? (
        <p className="muted">{t("nothing")}</p>
      ) : (
        <ul className="notice-list">
          {items.map((n) => (
            <li key={n.id} className={n.read_at ? "notice read" : "notice unread"}>
              <a
                href={target(n)}
                onClick={(e) => {
                  e.preventDefault();
                  open(n);
                }}
              >
                {n.urgent && <span className="badge refused">{t("urgent")}</span>} {lang === "vi" ? n.title_vi : n.title_en}
              </a>
              <span className="small muted">
                {kindLabel(t, n.kind)} · {formatTime(n.created_at, lang)}
              </span>
              {!n.read_at && (
                <button type="button" className="secondary small" onClick={() => done(notes.read(n.id))}>
                  {t("markRead")}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Settings({ me }: { me: Me }) {
  const t = useNoteT();
  const { lang } = useUi();
  const [prefs, setPrefs] = useState<Preferences | null>(null);
  const [choices, setChoices] = useState<Choice[]>([]);
  const [phone, setPhone] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [status, setStatus] = useState("");

  useEffect(() => {
    notes
      .preferences()
      .then((data) => {
        setPrefs(data);
        setChoices(data.items);
        setPhone(data.phone ? `0${data.phone.slice(2)}` : "");
      })
      .catch((e: unknown) => setError(e instanceof ApiError ? e : null));
  }, []);

  const flip = (kind: string, channel: "email" | "sms") =>
    setChoices((all) => all.map((c) => (c.kind === kind ? { ...c, [channel]: !c[channel] } : c)));

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setStatus("");
    try {
      const data = await notes.choose(choices.map((c) => ({ kind: c.kind, email: c.email, sms: c.sms_possible && c.sms })));
      setPrefs(data);
      setChoices(data.items);
      setStatus(t("saved"));
    } catch (e) {
      setError(e instanceof ApiError ? e : null);
    }
  };

  const savePhone = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setStatus("");
    try {
      const user = await notes.setPhone(me.user.id, phone);
      setPhone(user.phone ? `0${user.phone.slice(2)}` : "");
      setStatus(t("phoneSaved"));
    } catch (e) {
      setError(e instanceof ApiError ? e : null);
    }
  };

  return (
    <section aria-labelledby="notice-settings-title">
      <h2 id="notice-settings-title">{t("settingsTitle")}</h2>
      <p>{t("settingsIntro")}</p>
      {error && (
        <p role="alert" className="error">
          {error.text(lang)}
        </p>
      )}
      {status && (
        <p role="status" className="ok">
          {status}
        </p>
      )}
      {prefs && !prefs.email && <p className="muted">{t("noEmail")}</p>}
      {prefs && !prefs.sms_available && <p className="muted">{t("smsOff")}</p>}
      <form onSubmit={savePhone} className="phone-form">
        <label htmlFor="notice-phone">{t("phone")}</label>
        <input
          id="notice-phone"
          type="tel"
          inputMode="tel"
          autoComplete="tel"
          value={phone}
          maxLength={20}
          aria-describedby="notice-phone-hint"
          onChange={(e) => setPhone(e.target.value)}
        />
        <span id="notice-phone-hint" className="small muted">
          {t("phoneHint")}
        </span>
        <button type="submit">{t("savePhone")}</button>
      </form>
      <form onSubmit={save}>
        <div className="table-wrap">
          <table className="prefs">
            <thead>
              <tr>
                <th scope="col">{t("kind")}</th>
                <th scope="col">{t("inApp")}</th>
                <th scope="col">{t("email")}</th>
                <th scope="col">{t("sms")}</th>
              </tr>
            </thead>
            <tbody>
              {choices.map((c) => (
                <tr key={c.kind}>
                  <th scope="row">{kindLabel(t, c.kind)}</th>
                  <td>
                    <input type="checkbox" checked disabled aria-label={`${kindLabel(t, c.kind)}: ${t("inApp")} (${t("always")})`} />
                  </td>
                  <td>
                    <input
                      type="checkbox"
                      checked={c.email}
                      aria-label={`${kindLabel(t, c.kind)}: ${t("email")}`}
                      onChange={() => flip(c.kind, "email")}
                    />
                  </td>
                  <td>
                    {c.sms_possible ? (
                      <input
                        type="checkbox"
                        checked={c.sms}
                        aria-label={`${kindLabel(t, c.kind)}: ${t("sms")}`}
                        onChange={() => flip(c.kind, "sms")}
                      />
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <button type="submit">{t("save")}</button>
      </form>
    </section>
  );
}
