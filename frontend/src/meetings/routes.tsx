// The meeting and consultation screens inside the frame: the navigation entries and the
// page of a path.
import type { Me } from "../api";
import { ConsultationCreate, ConsultationList } from "../pages/consultations/ConsultationList";
import { ConsultationPage } from "../pages/consultations/ConsultationPage";
import { MeetingCreate, MeetingList } from "../pages/meetings/MeetingList";
import { MeetingPage } from "../pages/meetings/MeetingPage";
import { MeetingRoom } from "../pages/meetings/MeetingRoom";
import { MinutesPage } from "../pages/meetings/MinutesPage";
import type { MeetKey } from "./i18n";

export function meetingNav(): { path: string; label: MeetKey }[] {
  return [
    { path: "/meetings", label: "navMeetings" },
    { path: "/consultations", label: "navConsultations" },
  ];
}

function consultationPage(me: Me, path: string) {
  if (path === "/consultations") return <ConsultationList me={me} />;
  if (path === "/consultations/new") return <ConsultationCreate me={me} />;
  const match = /^\/consultations\/(\d+)$/.exec(path);
  return match ? <ConsultationPage key={path} id={Number(match[1])} /> : null;
}

export function meetingPage(me: Me, path: string) {
  if (path.startsWith("/consultations")) return consultationPage(me, path);
  if (path === "/meetings") return <MeetingList me={me} />;
  if (path === "/meetings/new") return <MeetingCreate me={me} />;
  const match = /^\/meetings\/(\d+)(\/room|\/minutes)?$/.exec(path);
  if (!match) return null;
  const id = Number(match[1]);
  if (match[2] === "/room") return <MeetingRoom key={path} me={me} id={id} />;
  if (match[2] === "/minutes") return <MinutesPage key={path} me={me} id={id} />;
  return <MeetingPage key={path} me={me} id={id} />;
}
