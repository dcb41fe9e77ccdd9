// A PDF fetched from the API and drawn page by page by pdf.js on canvases (tablets' and
// phones' browsers often show no PDF inline, and the server forbids framing).
import { useEffect, useRef, useState } from "react";
import type { PDFDocumentProxy } from "pdfjs-dist";
import { getBytes } from "../../api";
import { openPdfBytes } from "../../meetings/pdfdoc";
import { PageView } from "./DocumentViewer";

export function PdfPages({ url, label, testId }: { url: string; label: string; testId: string }) {
  const [pdf, setPdf] = useState<PDFDocumentProxy | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(760);
  useEffect(() => {
    // Pages as wide as the column allows (a phone's is well under an A4 page at 96 dpi).
    const fit = () => box.current && setWidth(Math.max(200, Math.min(760, box.current.clientWidth - 32)));
    fit();
    window.addEventListener("resize", fit);
    return () => window.removeEventListener("resize", fit);
  }, [pdf]);
  useEffect(() => {
    let live = true;
    let opened: PDFDocumentProxy | null = null;
    getBytes(url, true)
      .then((r) => r.arrayBuffer())
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
    <div className="minutes-pages" data-testid={testId} ref={box}>
      {Array.from({ length: pdf.numPages }, (_, i) => (
        <PageView key={i} pdf={pdf} pageNumber={i + 1} maxWidth={width} maxHeight={(width * 1075) / 760} label={`${label} — ${i + 1}`}>
          {() => null}
        </PageView>
      ))}
    </div>
  );
}
