// A PDF fetched from the API and drawn page by page by pdf.js on canvases (tablets' and
// phones' browsers often show no PDF inline, and the server forbids framing).
import { useEffect, useState } from "react";
import type { PDFDocumentProxy } from "pdfjs-dist";
import { openPdfBytes } from "../../meetings/pdfdoc";
import { PageView } from "./DocumentViewer";

export function PdfPages({ url, label, testId }: { url: string; label: string; testId: string }) {
  const [pdf, setPdf] = useState<PDFDocumentProxy | null>(null);
  useEffect(() => {
    let live = true;
    let opened: PDFDocumentProxy | null = null;
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(`HTTP ${r.status}`))))
      .then((b) => openPdfBytes(new Uint8Array(b)))
      .then(
        (p) => {
          opened = p;
          if (live) setPdf(p);
          else void p.destroy();
        },
        () => undefined,
      );
    return () => {
      live = false;
      void opened?.destroy();
    };
  }, [url]);
  if (!pdf) return null;
  return (
    <div className="minutes-pages" data-testid={testId}>
      {Array.from({ length: pdf.numPages }, (_, i) => (
        <PageView key={i} pdf={pdf} pageNumber={i + 1} maxWidth={760} maxHeight={1075} label={`${label} — ${i + 1}`}>
          {() => null}
        </PageView>
      ))}
    </div>
  );
}
