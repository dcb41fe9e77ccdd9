import { useEffect, useState } from "react";
import type { Me } from "../api";
import { useUi } from "../context";
import { useDocT } from "../documents/i18n";
import { documentNav, documentPage } from "../documents/routes";
import type { Key } from "../i18n";
import { useMeetT } from "../meetings/i18n";
import { meetingNav, meetingPage } from "../meetings/routes";
import { notes } from "../notifications/api";
import { useNoteT } from "../notifications/i18n";
import { useSignT } from "../signing/i18n";
import { Agencies } from "./Agencies";
import { LanguageSwitch } from "./LanguageSwitch";
import { Notifications } from "./Notifications";
import { Overview } from "./Overview";
import { SigningPage } from "./signing/SigningPage";
import { Tokens } from "./Tokens";

const NAV: { path: string; label: Key }[] = [
  { path: "/", label: "navOverview" },
  { path: "/agencies", label: "navAgencies" },
  { path: "/tokens", label: "navTokens" },
];

export function Frame({ me, path, onLogout }: { me: Me; path: string; onLogout: () => void }) {
  const { t, navigate } = useUi();
  const docT = useDocT();
  const meetT = useMeetT();
  const signT = useSignT();
  const noteT = useNoteT();
  const unread = useUnread(path);
  const agency = me.memberships[0]?.agency;
  const nav: { path: string; text: string; count?: number }[] = [
    NAV[0],
    { path: "/notifications", text: noteT("navNotifications"), count: unread.count },
    ...meetingNav().map((item) => ({ path: item.path, text: meetT(item.label) })),
    ...documentNav(me).map((item) => ({ path: item.path, text: docT(item.label) })),
    { path: "/signing", text: signT("navSigning") },
    ...NAV.slice(1),
  ].map((item) => ("label" in item ? { path: item.path, text: t(item.label) } : item));
  let page = meetingPage(me, path) ?? documentPage(me, path);
  if (page === null) {
    if (path === "/agencies") page = <Agencies />;
    else if (path === "/notifications") page = <Notifications me={me} onChange={unread.refresh} />;
    else if (path === "/tokens") page = <Tokens />;
    else if (path === "/signing") page = <SigningPage me={me} />;
    else page = <Overview me={me} />;
  }

  return (
    <div className="frame">
      <header className="topbar">
        <span className="brand">{t("product")}</span>
        <div className="who">
          <span className="who-name">{me.user.full_name}</span>
          <span className="who-title">{me.user.title}</span>
          {agency && <span className="who-agency">{agency.name}</span>}
        </div>
        <LanguageSwitch />
        <button type="button" className="secondary" onClick={onLogout}>
          {t("logout")}
        </button>
      </header>
      <nav className="sidebar" aria-label={t("navMain")}>
        <ul>
          {nav.map((item) => (
            <li key={item.path}>
              <a
                href={item.path}
                aria-current={path === item.path || (item.path === "/" && path === "/login") ? "page" : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(item.path);
                }}
              >
                {item.text}
                {item.count ? (
                  <span className="nav-count" aria-label={`${item.count} ${noteT("unreadCount")}`}>
                    {item.count}
                  </span>
                ) : null}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main className="content">{page}</main>
    </div>
  );
}

/** How many of my notifications are unread: fetched on every page change and each minute. */
function useUnread(path: string): { count: number; refresh: () => void } {
  const [count, setCount] = useState(0);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    notes
      .unread()
      .then((data) => live && setCount(data.unread))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [path, tick]);
  useEffect(() => {
    const timer = window.setInterval(() => setTick((n) => n + 1), 60_000);
    return () => window.clearInterval(timer);
  }, []);
  return { count, refresh: () => setTick((n) => n + 1) };
}
