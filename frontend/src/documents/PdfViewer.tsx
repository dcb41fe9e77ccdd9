// The document viewer of the staff pages, the sign dialog and the public pages: pages drawn by
// pdf.js on a canvas (no browser PDF plug-in, no frame: the server forbids framing its files),
// one at a time, fitted to the width or shown whole, with page navigation.
import { useEffect, useRef, useState } from "react";
import type { PDFDocumentProxy, RenderTask } from "pdfjs-dist";
import { openPdf, type PageGeometry, viewportGeometry } from "./pdf";
import { useOpenedPdf } from "./usePdf";

export type ViewerLang = "vi" | "en";

const TEXTS = {
  vi: {
    viewer: "Xem văn bản",
    page: "Trang",
    prev: "Trang trước",
    next: "Trang sau",
    fitWidth: "Vừa chiều rộng",
    wholePage: "Cả trang",
    loading: "Đang tải văn bản…",
    failed: "Không hiển thị được văn bản.",
    download: "Tải văn bản (PDF)",
  },
  en: {
    viewer: "Document viewer",
    page: "Page",
    prev: "Previous page",
    next: "Next page",
    fitWidth: "Fit width",
    wholePage: "Whole page",
    loading: "Loading the document…",
    failed: "The document could not be shown.",
    download: "Download the document (PDF)",
  },
} as const;

/** One page drawn on a canvas, sharp on high-density screens: as wide as `width` CSS pixels,
 * and no higher than `height` when one is given. Tells its geometry once laid out. */
export function PdfPage({
  pdf,
  pageNumber,
  width,
  height,
  label,
  onLayout,
  testId = "pdf-canvas",
}: {
  pdf: PDFDocumentProxy;
  pageNumber: number;
  width: number;
  height?: number;
  label: string;
  onLayout?: (g: PageGeometry) => void;
  testId?: string;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  const report = useRef(onLayout);
  report.current = onLayout;
  const [drawn, setDrawn] = useState(false);

  useEffect(() => {
    let live = true;
    let task: RenderTask | null = null;
    setDrawn(false);
    pdf.getPage(pageNumber).then((p) => {
      const canvas = ref.current;
      if (!live || !canvas) return;
      const unit = p.getViewport({ scale: 1 });
      const scale = Math.max(0.1, height === undefined ? width / unit.width : Math.min(width / unit.width, height / unit.height));
      const viewport = p.getViewport({ scale });
      const ratio = window.devicePixelRatio || 1;
      canvas.width = Math.floor(viewport.width * ratio);
      canvas.height = Math.floor(viewport.height * ratio);
      canvas.style.width = `${viewport.width}px`;
      canvas.style.height = `${viewport.height}px`;
      report.current?.(viewportGeometry(viewport));
      task = p.render({ canvas, viewport, transform: ratio === 1 ? undefined : [ratio, 0, 0, ratio, 0, 0] });
      task.promise.then(
        () => live && setDrawn(true),
        () => undefined, // cancelled: a newer page or size replaced this one
      );
    }, () => undefined);
    return () => {
      live = false;
      task?.cancel();
    };
  }, [pdf, pageNumber, width, height]);

  return <canvas ref={ref} className="page-canvas" data-testid={testId} data-drawn={drawn ? "true" : "false"} role="img" aria-label={label} />;
}

/** A PDF by URL (same origin), one page at a time: previous and next page, fit width or the
 * whole page; a download link when it cannot be drawn. */
export function PdfViewer({ url, title, lang }: { url: string; title: string; lang: ViewerLang }) {
  const t = TEXTS[lang];
  const { pdf, failed } = useOpenedPdf(() => openPdf(url), url);
  const [page, setPage] = useState(1);
  const [fit, setFit] = useState<"width" | "page">("width");
  const area = useRef<HTMLDivElement>(null);
  const [box, setBox] = useState<{ width: number; height: number } | null>(null);

  useEffect(() => setPage(1), [url]);
  useEffect(() => {
    const el = area.current;
    if (!el) return;
    const measure = () => setBox({ width: Math.floor(el.clientWidth), height: Math.floor(window.innerHeight * 0.8) });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const pages = pdf?.numPages ?? 0;
  const shown = pages ? Math.min(Math.max(1, page), pages) : 1;
  const turn = (delta: number) => setPage(Math.min(Math.max(1, shown + delta), Math.max(1, pages)));

  return (
    <section className="pdf-viewer" aria-label={`${t.viewer}: ${title}`} data-testid="pdf-viewer">
      <div className="pdf-viewer-bar" role="toolbar" aria-label={t.viewer}>
        <button type="button" className="secondary" aria-label={t.prev} title={t.prev} onClick={() => turn(-1)} disabled={shown <= 1}>
          ‹
        </button>
        <span className="pdf-viewer-page" data-testid="pdf-viewer-page" aria-live="polite">
          {t.page} {pages ? `${shown} / ${pages}` : "…"}
        </span>
        <button type="button" className="secondary" aria-label={t.next} title={t.next} onClick={() => turn(1)} disabled={!pages || shown >= pages}>
          ›
        </button>
        <button type="button" className="secondary" aria-pressed={fit === "width"} onClick={() => setFit(fit === "width" ? "page" : "width")}>
          {fit === "width" ? t.wholePage : t.fitWidth}
        </button>
      </div>
      {/* focusable, so that a keyboard scrolls a page taller than the area */}
      <div className="pdf-viewer-area" ref={area} tabIndex={0} role="region" aria-label={`${title} — ${t.page} ${shown}`}>
        {failed ? (
          <p className="error">
            {t.failed} <a href={url}>{t.download}</a>
          </p>
        ) : !pdf ? (
          <p className="muted">{t.loading}</p>
        ) : (
          box && (
            <div className="pdf-viewer-sheet">
              <PdfPage
                key={shown}
                pdf={pdf}
                pageNumber={shown}
                width={box.width}
                height={fit === "page" ? box.height : undefined}
                label={`${title} — ${t.page} ${shown}`}
              />
            </div>
          )
        )}
      </div>
    </section>
  );
}
