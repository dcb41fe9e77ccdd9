// Small pictures of a document's pages beside the reader: one tap goes to that page. A
// picture is drawn when it scrolls into the strip, so a long document costs nothing more.
import { useEffect, useRef, useState } from "react";
import type { PDFDocumentProxy } from "pdfjs-dist";
import { useMeetT } from "../../meetings/i18n";
import { PageSlot, type Size } from "./PageCanvas";

const THUMB_WIDTH = 96;

export function Thumbnails({ pdf, page, onPick }: { pdf: PDFDocumentProxy; page: number; onPick: (page: number) => void }) {
  const t = useMeetT();
  const strip = useRef<HTMLElement>(null);
  const [first, setFirst] = useState<Size | null>(null);
  const [seen, setSeen] = useState<Set<number>>(new Set());

  useEffect(() => {
    let live = true;
    setSeen(new Set());
    pdf.getPage(1).then((p) => {
      const v = p.getViewport({ scale: 1 });
      if (live) setFirst({ width: v.width, height: v.height });
    }, () => undefined);
    return () => {
      live = false;
    };
  }, [pdf]);

  useEffect(() => {
    const el = strip.current;
    if (!el || !first) return;
    const observer = new IntersectionObserver(
      (entries) => {
        const shown = entries.filter((e) => e.isIntersecting).map((e) => Number((e.target as HTMLElement).dataset.thumb));
        if (shown.length) setSeen((s) => new Set([...s, ...shown]));
      },
      { root: el, rootMargin: "200px 0px" },
    );
    for (const b of el.querySelectorAll("[data-thumb]")) observer.observe(b);
    return () => observer.disconnect();
  }, [first, pdf]);

  // The page shown stays in sight in the strip.
  useEffect(() => {
    strip.current?.querySelector(`[data-thumb="${page}"]`)?.scrollIntoView({ block: "nearest" });
  }, [page, first]);

  return (
    <nav className="thumbnails" ref={strip} aria-label={t("thumbnails")} data-testid="thumbnails">
      {first &&
        Array.from({ length: pdf.numPages }, (_, i) => i + 1).map((n) => (
          <button
            key={n}
            type="button"
            className={n === page ? "thumb current" : "thumb"}
            data-thumb={n}
            aria-current={n === page ? "page" : undefined}
            aria-label={`${t("goToPage")} ${n}`}
            onClick={() => onPick(n)}
          >
            <PageSlot pdf={pdf} pageNumber={n} scale={THUMB_WIDTH / first.width} guess={first} on={seen.has(n)} current={false} label="" testId="thumb-canvas">
              {() => null}
            </PageSlot>
            <span className="thumb-number">{n}</span>
          </button>
        ))}
    </nav>
  );
}
