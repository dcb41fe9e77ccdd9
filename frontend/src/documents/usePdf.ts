// A PDF opened with pdf.js for as long as a screen shows it: opened again when `key`
// changes, destroyed when replaced or when the screen goes, never set after that.

import { useEffect, useState } from "react";
import type { PDFDocumentProxy } from "pdfjs-dist";

export function useOpenedPdf(
  open: (() => Promise<PDFDocumentProxy>) | null,
  key: string,
): { pdf: PDFDocumentProxy | null; failed: boolean } {
  const [pdf, setPdf] = useState<PDFDocumentProxy | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    setPdf(null);
    setFailed(false);
    if (open === null) return;
    let live = true;
    let opened: PDFDocumentProxy | null = null;
    open().then(
      (p) => {
        opened = p;
        if (live) setPdf(p);
        else void p.destroy();
      },
      () => live && setFailed(true),
    );
    return () => {
      live = false;
      void opened?.destroy();
    };
    // `open` is a new function on every render; `key` says when it opens something else
  }, [key]);
  return { pdf, failed };
}
