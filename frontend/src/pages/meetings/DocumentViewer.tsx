// The meeting document reader: the pages of a document in one scrolled column at fit width,
// zoomed by buttons or a pinch, with thumbnails and a full-screen reading mode; drawn by
// pdf.js from the bytes kept on the device; the annotation tools over every drawn page (at
// any zoom a stroke is stored as fractions of its page, so it lands under the finger); follow
// mode (the page the presenter shows) left by reading elsewhere, rejoined with one button.
import { useEffect, useRef, useState } from "react";
import { Dialog } from "../../documents/ui";
import { useOpenedPdf } from "../../documents/usePdf";
import { type AgendaDocument, type AnnotationBody, annotatedUrl, type AnnotationKind, documentUrl, type Point, type Visibility } from "../../meetings/api";
import { useMeetT } from "../../meetings/i18n";
import { documentBytes, isKept } from "../../meetings/offline";
import { openPdfByRanges, openPdfBytes } from "../../meetings/pdfdoc";
import { mark, stepZoom } from "../../meetings/reader";
import type { Sharing, Shown } from "../../meetings/useAnnotations";
import { AnnotationLayer, type Tool } from "./AnnotationLayer";
import { PageReader } from "./PageReader";
import { Thumbnails } from "./Thumbnails";

export { PageView } from "./PageCanvas";

export const COLORS = ["#D32F2F", "#1565C0", "#2E7D32", "#F9A825"];

export interface ViewerProps {
  meetingId: number;
  userId: number;
  documents: AgendaDocument[];
  /** The document and page (from 1) shown. */
  docId: number | null;
  page: number;
  follow: boolean;
  /** The page the presenter shows, when someone presents. */
  presenter: { docId: number; page: number } | null;
  /** The user turned a page or chose a document (leaves follow mode). */
  onNavigate: (docId: number, page: number) => void;
  onFollow: () => void;
  annotations: (docId: number, pageIndex: number) => Shown[];
  onCreate: (docId: number, pageIndex: number, kind: AnnotationKind, body: AnnotationBody, sharing: Sharing) => void;
  onDelete: (shown: Shown) => void;
  colleagues: { id: number; name: string }[];
  /** Shown only to those who may present: their page turns are sent to everyone following. */
  present?: { on: boolean; toggle: (on: boolean) => void };
  /** Full-screen reading: the agenda and the panels hidden. */
  reading: boolean;
  onReading: (on: boolean) => void;
  /** A page of the shown document is drawn. */
  onFirstDrawn: () => void;
}

export function DocumentViewer(props: ViewerProps) {
  const { meetingId, userId, documents, docId, page, follow, presenter, reading } = props;
  const t = useMeetT();
  const [tool, setTool] = useState<Tool>("view");
  const [color, setColor] = useState(COLORS[0]);
  const [sharing, setSharing] = useState<Sharing>({ visibility: "me", shared_with: [] });
  const [selected, setSelected] = useState<string | null>(null);
  const [noteAt, setNoteAt] = useState<{ page: number; at: Point } | null>(null);
  const [zoom, setZoom] = useState(1);
  const [thumbs, setThumbs] = useState(false);

  const { pdf, failed } = useOpenedPdf(
    docId === null
      ? null
      : () => openMeetingDocument(userId, documentUrl(meetingId, docId)),
    `${meetingId}:${userId}:${docId}`,
  );
  useEffect(() => setSelected(null), [docId]);
  // Escape leaves the reading mode (the way out of any full screen).
  const onReading = useRef(props.onReading);
  onReading.current = props.onReading;
  useEffect(() => {
    if (!reading) return;
    const key = (e: KeyboardEvent) => e.key === "Escape" && onReading.current(false);
    window.addEventListener("keydown", key);
    return () => window.removeEventListener("keydown", key);
  }, [reading]);

  const pages = pdf?.numPages ?? 0;
  const shownPage = pages ? Math.min(Math.max(1, page), pages) : page;
  const current = documents.find((d) => d.id === docId);
  const go = (next: number) => {
    if (docId === null || !pages) return;
    const to = Math.min(Math.max(1, next), pages);
    if (to !== shownPage) props.onNavigate(docId, to);
  };
  const chosen = docId === null ? undefined : findSelected(props.annotations, docId, pages, selected);

  return (
    <section className="viewer" aria-label={t("documents")}>
      <div className="doc-tabs">
        <div className="tab-list" role="tablist" aria-label={t("documents")}>
        {documents.map((d) => (
          <button
            key={d.id}
            type="button"
            role="tab"
            aria-selected={d.id === docId}
            className={d.id === docId ? "tab active" : "tab"}
            onClick={() => props.onNavigate(d.id, 1)}
          >
            {d.title}
          </button>
        ))}
        </div>
        {documents.length === 0 && <span className="muted">{t("noDocuments")}</span>}
        {docId !== null && (
          <a className="button my-copy" href={annotatedUrl(meetingId, docId)} download aria-label={`${t("myCopyShort")}: ${t("myCopy")}`} title={t("myCopy")}>
            ⤓ {t("myCopyShort")}
          </a>
        )}
      </div>
      <div className="viewer-bar">
        {follow ? (
          <span className="follow on" data-testid="follow-state">
            ● {t("following")}
          </span>
        ) : (
          <button type="button" className="secondary" data-testid="follow-state" onClick={props.onFollow}>
            {t("followPresenter")}
            {presenter && (
              <span className="small" data-testid="presenter-page">
                {" "}
                ({t("page").toLowerCase()} {presenter.page})
              </span>
            )}
          </button>
        )}
        {props.present && (
          <label className="check">
            <input type="checkbox" checked={props.present.on} onChange={(e) => props.present?.toggle(e.target.checked)} /> {t("presentToAll")}
          </label>
        )}
        <span className="grow" />
        <span className="zoom" role="group" aria-label={t("zoomLevel")}>
          <button type="button" className="secondary" aria-label={t("zoomOut")} title={t("zoomOut")} onClick={() => setZoom((z) => stepZoom(z, -1))}>
            −
          </button>
          <button type="button" className="secondary zoom-level" data-testid="zoom-level" aria-label={`${Math.round(zoom * 100)}%: ${t("fitWidth")}`} title={t("fitWidth")} onClick={() => setZoom(1)}>
            {Math.round(zoom * 100)}%
          </button>
          <button type="button" className="secondary" aria-label={t("zoomIn")} title={t("zoomIn")} onClick={() => setZoom((z) => stepZoom(z, 1))}>
            +
          </button>
        </span>
        <button type="button" className={thumbs ? "secondary active" : "secondary"} aria-pressed={thumbs} aria-label={t("thumbnails")} title={t("thumbnails")} onClick={() => setThumbs(!thumbs)}>
          ▦
        </button>
        <button
          type="button"
          className={reading ? "secondary active" : "secondary"}
          aria-pressed={reading}
          aria-label={reading ? t("leaveReading") : t("readingMode")}
          title={reading ? t("leaveReading") : t("readingMode")}
          onClick={() => props.onReading(!reading)}
        >
          {reading ? "⤡" : "⤢"}
        </button>
        <button type="button" className="secondary" aria-label={t("prevPage")} onClick={() => go(shownPage - 1)} disabled={shownPage <= 1}>
          ‹
        </button>
        <span data-testid="viewer-page" className="nowrap">
          {t("page")} {pages ? `${shownPage} / ${pages}` : "…"}
        </span>
        <button type="button" className="secondary" aria-label={t("nextPage")} onClick={() => go(shownPage + 1)} disabled={!pages || shownPage >= pages}>
          ›
        </button>
      </div>
      <div className="tool-bar" role="toolbar" aria-label={t("tools")}>
        {(["view", "ink", "highlight", "note"] as const).map((k) => (
          <button key={k} type="button" aria-pressed={tool === k} className={tool === k ? "tool active" : "tool"} onClick={() => setTool(k)}>
            {t.tool(k)}
          </button>
        ))}
        <span className="colors" role="radiogroup" aria-label={t("color")}>
          {COLORS.map((c) => (
            <button
              key={c}
              type="button"
              role="radio"
              aria-checked={color === c}
              aria-label={t.color(c)}
              className={color === c ? "swatch active" : "swatch"}
              style={{ background: c }}
              onClick={() => setColor(c)}
            />
          ))}
        </span>
        <label htmlFor="annot-visibility" className="visually-hidden">
          {t("visibility")}
        </label>
        <select
          id="annot-visibility"
          className="compact"
          value={sharing.visibility}
          onChange={(e) => setSharing({ ...sharing, visibility: e.target.value as Visibility })}
        >
          {(["me", "named", "everyone"] as const).map((v) => (
            <option key={v} value={v}>
              {t.visibility(v)}
            </option>
          ))}
        </select>
        {chosen?.mine && (
          <button type="button" className="danger" onClick={() => (props.onDelete(chosen), setSelected(null))}>
            {t("deleteAnnotation")}
          </button>
        )}
      </div>
      {sharing.visibility === "named" && (
        <fieldset className="checks share-with">
          <legend>{t("shareWith")}</legend>
          {props.colleagues.map((c) => (
            <label key={c.id} className="check">
              <input
                type="checkbox"
                checked={sharing.shared_with.includes(c.id)}
                onChange={(e) =>
                  setSharing({
                    ...sharing,
                    shared_with: e.target.checked ? [...sharing.shared_with, c.id] : sharing.shared_with.filter((x) => x !== c.id),
                  })
                }
              />{" "}
              {c.name}
            </label>
          ))}
        </fieldset>
      )}
      <div className="reader-body">
        <h2 className="visually-hidden" data-testid="viewer-doc-title">
          {current?.title ?? ""}
        </h2>
        {failed && <p className="error">{t("documentUnavailable")}</p>}
        {pdf && docId !== null && thumbs && <Thumbnails pdf={pdf} page={shownPage} onPick={go} />}
        {pdf && docId !== null && (
          <PageReader
            pdf={pdf}
            page={shownPage}
            zoom={zoom}
            onZoom={setZoom}
            onFirstDrawn={props.onFirstDrawn}
            onPage={go}
            label={(n) => `${current?.title ?? ""} — ${t("page")} ${n}`}
            layer={(n, width, height) => (
              <AnnotationLayer
                width={width}
                height={height}
                page={n}
                items={props.annotations(docId, n - 1)}
                tool={tool}
                color={color}
                selected={selected}
                onSelect={setSelected}
                onCreate={(kind, body) => props.onCreate(docId, n - 1, kind, body, sharing)}
                onNoteAt={(at) => setNoteAt({ page: n, at })}
              />
            )}
          />
        )}
      </div>
      {noteAt && docId !== null && (
        <NoteDialog
          onClose={() => setNoteAt(null)}
          onSave={(text) => {
            props.onCreate(docId, noteAt.page - 1, "note", { at: noteAt.at, text, color }, sharing);
            setNoteAt(null);
          }}
        />
      )}
    </section>
  );
}

/** A kept document from its bytes on the device; one not kept yet by ranges from the
 * server (the room is keeping it meanwhile, for the next opening and for offline use). */
async function openMeetingDocument(userId: number, url: string) {
  const opened = (await isKept(userId, url)) ? await documentBytes(userId, url).then(openPdfBytes) : await openPdfByRanges(url);
  mark("opened");
  return opened;
}

/** The selected annotation, on whichever page of the document it is. */
function findSelected(annotations: ViewerProps["annotations"], docId: number, pages: number, key: string | null): Shown | undefined {
  if (key === null) return undefined;
  for (let i = 0; i < pages; i += 1) {
    const found = annotations(docId, i).find((a) => a.key === key);
    if (found) return found;
  }
  return undefined;
}

function NoteDialog({ onSave, onClose }: { onSave: (text: string) => void; onClose: () => void }) {
  const t = useMeetT();
  const [text, setText] = useState("");
  return (
    <Dialog title={t("newNote")} submitLabel={t("save")} onSubmit={() => {
        if (text.trim()) onSave(text.trim());
      }} onClose={onClose}>
      <label htmlFor="note-text">{t("noteText")}</label>
      <textarea id="note-text" required maxLength={2000} rows={4} value={text} onChange={(e) => setText(e.target.value)} />
    </Dialog>
  );
}
