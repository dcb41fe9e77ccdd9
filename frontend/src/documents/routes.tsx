// The document screens inside the frame: navigation entries per role and the page of a path.
import type { Me } from "../api";
import { Dashboard } from "../pages/documents/Dashboard";
import { DocumentList } from "../pages/documents/DocumentList";
import { DocumentPage } from "../pages/documents/DocumentPage";
import { DraftEditor } from "../pages/documents/DraftEditor";
import { RegisterIncoming } from "../pages/documents/RegisterIncoming";
import type { DocKey } from "./i18n";
import { DOC_ROLES, hasRole } from "./roles";

export function documentNav(me: Me): { path: string; label: DocKey }[] {
  if (!hasRole(me, ...DOC_ROLES)) return [];
  const nav: { path: string; label: DocKey }[] = [
    { path: "/dashboard", label: "navDashboard" },
    { path: "/documents/incoming", label: "navIncoming" },
    { path: "/documents/outgoing", label: "navOutgoing" },
  ];
  if (hasRole(me, "clerk")) nav.push({ path: "/documents/incoming/new", label: "navRegister" });
  if (hasRole(me, "specialist", "leader")) nav.push({ path: "/documents/outgoing/new", label: "navDraft" });
  return nav;
}

export function documentPage(me: Me, path: string) {
  if (path === "/dashboard") return <Dashboard me={me} />;
  if (path === "/documents/incoming") return <DocumentList key="incoming" me={me} flow="incoming" />;
  if (path === "/documents/outgoing") return <DocumentList key="outgoing" me={me} flow="outgoing" />;
  if (path === "/documents/incoming/new") return <RegisterIncoming me={me} />;
  if (path === "/documents/outgoing/new") return <DraftEditor me={me} />;
  const replacing = /^\/documents\/(\d+)\/replacement$/.exec(path);
  if (replacing) return <DraftEditor key={path} me={me} replaces={Number(replacing[1])} />;
  const match = /^\/documents\/(\d+)$/.exec(path);
  if (match) return <DocumentPage key={match[1]} me={me} id={Number(match[1])} />;
  return null;
}
