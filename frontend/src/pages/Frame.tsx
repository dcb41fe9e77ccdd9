import { useEffect, useState } from "react";
import { CHANGED, type Me } from "../api";
import { useUi } from "../context";
import { useDocT } from "../documents/i18n";
import { documentNav, documentPage } from "../documents/routes";
import type { Key } from "../i18n";
import { useMeetT } from "../meetings/i18n";
import { meetingNav, meetingPage } from "../meetings/routes";
import { useSignT } from "../signing/i18n";
import { useAdminT } from "../admin/i18n";
import { hasRole } from "../documents/roles";
import { useExchangeT } from "../exchange/i18n";
import { ExchangeConsole } from "./exchange/ExchangeConsole";
import { AgenciesPage } from "./admin/AgenciesPage";
import { AgencyPage } from "./admin/AgencyPage";
import { UsersPage } from "./admin/UsersPage";
import { LanguageSwitch } from "./LanguageSwitch";
import { Notifications } from "./Notifications";
import { notes } from "../notifications/api";
import { useNoteT } from "../notifications/i18n";
import { work, type WorkQueue as Queue } from "../work/api";
import { useWorkT } from "../work/i18n";
import { SigningPage } from "./signing/SigningPage";
import { Tokens } from "./Tokens";
import { WorkQueue } from "./WorkQueue";

const NAV: { path: string; label: Key }[] = [
  { path: "/agencies", label: "navAgencies" },
  { path: "/tokens", label: "navTokens" },
];

export function Frame({ me, path, onLogout }: { me: Me; path: string; onLogout: () => void }) {
  const { t, navigate } = useUi();
  const docT = useDocT();
  const meetT = useMeetT();
  const signT = useSignT();
  const workT = useWorkT();
  const noteT = useNoteT();
  const adminT = useAdminT();
  const exchangeT = useExchangeT();
  const keepsExchange = hasRole(me, "clerk", "admin");
  const isAdmin = me.memberships.some((m) => m.roles.includes("admin"));
  const unread = useUnread(path);
  const agency = me.memberships[0]?.agency;
  // The queue is read again on every move and after every change, so the menu's count
  // follows the steps just taken.
  const [queue, setQueue] = useState<{ data: Queue | null; error: unknown }>({ data: null, error: null });
  useEffect(() => {
    let live = true;
    const load = () =>
      work.queue().then(
        (data) => live && setQueue({ data, error: null }),
        (error: unknown) => live && setQueue({ data: null, error }),
      );
    void load();
    window.addEventListener(CHANGED, load);
    return () => {
      live = false;
      window.removeEventListener(CHANGED, load);
    };
  }, [path]);
  useEffect(() => {
    // On a phone the menu is a strip: keep the current entry in sight.
    document.querySelector('.sidebar a[aria-current="page"]')?.scrollIntoView({ block: "nearest", inline: "nearest" });
  }, [path]);
  const nav: { path: string; text: string; count?: number; countText?: string; countId?: string }[] = [
    { path: "/", text: workT("navWork"), count: queue.data?.total, countText: workT("waiting"), countId: "work-count" },
    {
      path: "/notifications",
      text: noteT("navNotifications"),
      count: unread.count,
      countText: noteT("unreadCount"),
      countId: "unread-count",
    },
    ...meetingNav().map((item) => ({ path: item.path, text: meetT(item.label) })),
    ...documentNav(me).map((item) => ({ path: item.path, text: docT(item.label) })),
    ...(keepsExchange ? [{ path: "/exchange", text: exchangeT("navExchange") }] : []),
    { path: "/signing", text: signT("navSigning") },
    ...NAV.map((item) => ({ path: item.path, text: t(item.label) })),
    ...(isAdmin ? [{ path: "/users", text: adminT("navUsers") }] : []),
  ];
  let page = meetingPage(me, path) ?? documentPage(me, path);
  if (page === null) {
    const agencyPath = /^\/agencies\/(\d+)$/.exec(path);
    if (path === "/agencies") page = <AgenciesPage me={me} />;
    else if (agencyPath) page = <AgencyPage me={me} agencyId={Number(agencyPath[1])} />;
    else if (path === "/users") page = <UsersPage me={me} />;
    else if (path === "/exchange" && keepsExchange) page = <ExchangeConsole />;
    else if (path === "/notifications") page = <Notifications me={me} onChange={unread.refresh} />;
    else if (path === "/tokens") page = <Tokens />;
    else if (path === "/signing") page = <SigningPage me={me} />;
    else page = <WorkQueue me={me} queue={queue.data} error={queue.error} />;
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
                {item.count !== undefined && item.count > 0 && (
                  <span className="count-badge" data-testid={item.countId}>
                    {item.count}
                    <span className="visually-hidden"> {item.countText}</span>
                  </span>
                )}
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
    const bump = () => setTick((n) => n + 1);
    const timer = window.setInterval(bump, 60_000);
    window.addEventListener(CHANGED, bump);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener(CHANGED, bump);
    };
  }, []);
  return { count, refresh: () => setTick((n) => n + 1) };
}
