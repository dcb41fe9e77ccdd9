// The meeting document viewer: one page at a time, fitted to the tablet, drawn by pdf.js from
// the bytes kept on the device; the annotation tools over it; follow mode (the page the
// presenter shows) left by turning pages yourself and rejoined with one button.
import { type PointerEvent, useEffect, useRef, useState, type WheelEvent } from "react";
import type { PDFDocumentProxy } from "pdfjs-dist";
import { PdfPage } from "../../documents/PdfViewer";
import { Dialog } from "../../documents/ui";
import { useOpenedPdf } from "../../documents/usePdf";
import { type AgendaDocument, type AnnotationBody, annotatedUrl, type AnnotationKind, documentUrl, type Point, type Visibility } from "../../meetings/api";
import { useMeetT } from "../../meetings/i18n";
import { documentBytes } from "../../meetings/offline";
import { openPdfBytes } from "../../meetings/pdfdoc";
import type { Sharing, Shown } from "../../meetings/useAnnotations";
import { AnnotationLayer, type Tool } from "./AnnotationLayer";

export const COLORS = ["#D32F2F", "#1565C0", "#2E7D32", "#F9A825"];

export interface ViewerProps {
  meetingId: number;
  userId: number;
  documents: AgendaDocument[];
  /** The document and page (from 1) shown. */
  docId: number | null;
  page: number;
  follow: boolean;
  /** The user turned a page or chose a document (leaves follow mode). */
  onNavigate: (docId: number, page: number) => void;
  onFollow: () => void;
  annotations: (docId: number, pageIndex: number) => Shown[];
  onCreate: (docId: number, pageIndex: number, kind: AnnotationKind, body: AnnotationBody, sharing: Sharing) => void;
  onDelete: (shown: Shown) => void;
  colleagues: { id: number; name: string }[];
  /** Shown only to those who may present: their page turns are sent to everyone following. */
  present?: { on: boolean; toggle: (on: boolean) => void };
}

export function DocumentViewer(props: ViewerProps) {
  const { meetingId, userId, documents, docId, page, follow } = props;
  const t = useMeetT();
  const [tool, setTool] = useState<Tool>("view");
  const [color, setColor] = useState(COLORS[0]);
  const [sharing, setSharing] = useState<Sharing>({ visibility: "me", shared_with: [] });
  const [selected, setSelected] = useState<string | null>(null);
  const [noteAt, setNoteAt] = useState<Point | null>(null);
  const area = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ width: 800, height: 600 });

  useEffect(() => {
    const el = area.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setSize({ width: el.clientWidth, height: el.clientHeight }));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const { pdf, failed } = useOpenedPdf(
    docId === null ? null : () => documentBytes(userId, documentUrl(meetingId, docId)).then(openPdfBytes),
    `${meetingId}:${userId}:${docId}`,
  );
  useEffect(() => setSelected(null), [docId]);

  const pages = pdf?.numPages ?? 0;
  const shownPage = pages ? Math.min(Math.max(1, page), pages) : page;
  const current = documents.find((d) => d.id === docId);
  const turn = (delta: number) => {
    if (docId === null || !pages) return;
    const next = Math.min(Math.max(1, shownPage + delta), pages);
    if (next !== shownPage) props.onNavigate(docId, next);
  };
  const wheel = (e: WheelEvent) => {
    if (tool !== "view" || Math.abs(e.deltaY) < 20) return;
    turn(e.deltaY > 0 ? 1 : -1);
  };
  const swipe = useRef<number | null>(null);
  const swipeStart = (e: PointerEvent) => {
    if (tool === "view") swipe.current = e.clientX;
  };
  const swipeEnd = (e: PointerEvent) => {
    if (swipe.current === null) return;
    const dx = e.clientX - swipe.current;
    swipe.current = null;
    if (Math.abs(dx) > 80) turn(dx < 0 ? 1 : -1);
  };
  const items = docId === null ? [] : props.annotations(docId, shownPage - 1);
  const chosen = items.find((a) => a.key === selected);

  return (
    <section className="viewer" aria-label={t("documents")}>
      <div className="doc-tabs" role="tablist" aria-label={t("documents")}>
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
        {documents.length === 0 && <span className="muted">{t("noDocuments")}</span>}
        {docId !== null && (
          <a className="button my-copy" href={annotatedUrl(meetingId, docId)} download aria-label={t("myCopy")} title={t("myCopy")}>
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
          </button>
        )}
        {props.present && (
          <label className="check">
            <input type="checkbox" checked={props.present.on} onChange={(e) => props.present?.toggle(e.target.checked)} /> {t("presentToAll")}
          </label>
        )}
        <span className="grow" />
        <button type="button" className="secondary" aria-label={t("prevPage")} onClick={() => turn(-1)} disabled={shownPage <= 1}>
          ‹
        </button>
        <span data-testid="viewer-page" className="nowrap">
          {t("page")} {pages ? `${shownPage} / ${pages}` : "…"}
        </span>
        <button type="button" className="secondary" aria-label={t("nextPage")} onClick={() => turn(1)} disabled={!pages || shownPage >= pages}>
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
      <div className="page-area" ref={area} onWheel={wheel} onPointerDown={swipeStart} onPointerUp={swipeEnd}>
        <h2 className="visually-hidden" data-testid="viewer-doc-title">
          {current?.title ?? ""}
        </h2>
        {failed && <p className="error">{t("documentUnavailable")}</p>}
        {pdf && docId !== null && (
          <PageView
            key={`${docId}:${shownPage}`}
            pdf={pdf}
            pageNumber={shownPage}
            maxWidth={size.width - 16}
            maxHeight={size.height - 16}
            label={`${current?.title ?? ""} — ${t("page")} ${shownPage}`}
          >
            {(width, height) => (
              <AnnotationLayer
                width={width}
                height={height}
                items={items}
                tool={tool}
                color={color}
                selected={selected}
                onSelect={setSelected}
                onCreate={(kind, body) => props.onCreate(docId, shownPage - 1, kind, body, sharing)}
                onNoteAt={setNoteAt}
              />
            )}
          </PageView>
        )}
      </div>
      {noteAt && docId !== null && (
        <NoteDialog
          onClose={() => setNoteAt(null)}
          onSave={(text) => {
            props.onCreate(docId, shownPage - 1, "note", { at: noteAt, text, color }, sharing);
            setNoteAt(null);
          }}
        />
      )}
    </section>
  );
}

/** One page drawn to fit the area (the shared PdfPage), the layer over it. */
export function PageView({
  pdf,
  pageNumber,
  maxWidth,
  maxHeight,
  label,
  children,
}: {
  pdf: PDFDocumentProxy;
  pageNumber: number;
  maxWidth: number;
  maxHeight: number;
  label: string;
  children: (width: number, height: number) => React.ReactNode;
}) {
  const [box, setBox] = useState<{ width: number; height: number } | null>(null);
  return (
    <div className="page-sheet" style={box ?? undefined}>
      <PdfPage
        pdf={pdf}
        pageNumber={pageNumber}
        width={maxWidth}
        height={maxHeight}
        label={label}
        testId="page-canvas"
        onLayout={(g) => setBox({ width: g.width, height: g.height })}
      />
      {box && children(box.width, box.height)}
    </div>
  );
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
