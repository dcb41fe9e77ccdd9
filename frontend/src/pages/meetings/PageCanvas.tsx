// A PDF page drawn by pdf.js on a canvas, sharp on high-density screens: fitted into a box
// (PageView, the minutes), or at a given scale and only while it is near the screen
// (PageSlot, the meeting reader: a page that scrolls away has its drawing cancelled and its
// canvas dropped, so a long document costs what three pages cost).
import { type ReactNode, useEffect, useRef, useState } from "react";
import type { PDFDocumentProxy, PDFPageProxy, RenderTask } from "pdfjs-dist";
import { canvasRatio, mark } from "../../meetings/reader";

export interface Size {
  width: number;
  height: number;
}

/** Draw `page` on `canvas` at `scale` CSS pixels per point; the task, to cancel. */
function draw(page: PDFPageProxy, canvas: HTMLCanvasElement, scale: number): { task: RenderTask; size: Size } {
  const viewport = page.getViewport({ scale });
  const ratio = canvasRatio(viewport.width, viewport.height, window.devicePixelRatio || 1);
  canvas.width = Math.floor(viewport.width * ratio);
  canvas.height = Math.floor(viewport.height * ratio);
  canvas.style.width = `${viewport.width}px`;
  canvas.style.height = `${viewport.height}px`;
  const task = page.render({ canvas, viewport, transform: ratio === 1 ? undefined : [ratio, 0, 0, ratio, 0, 0] });
  return { task, size: { width: viewport.width, height: viewport.height } };
}

/** Draws a page while `on`; the scale comes from the page's size in points (`scaleOf`). */
function useDrawn(pdf: PDFDocumentProxy, pageNumber: number, on: boolean, scaleOf: (unit: Size) => number, deps: unknown[]) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [box, setBox] = useState<Size | null>(null);
  const [drawn, setDrawn] = useState(false);
  useEffect(() => {
    setDrawn(false);
    if (!on) return;
    let live = true;
    let task: RenderTask | null = null;
    pdf.getPage(pageNumber).then((p) => {
      const canvas = ref.current;
      if (!live || !canvas) return;
      const unit = p.getViewport({ scale: 1 });
      mark(`draw-${pageNumber}`);
      const job = draw(p, canvas, scaleOf({ width: unit.width, height: unit.height }));
      task = job.task;
      setBox(job.size);
      job.task.promise.then(
        () => live && setDrawn(true),
        () => undefined, // cancelled: scrolled away, or a newer scale replaced it
      );
    }, () => undefined);
    return () => {
      live = false;
      task?.cancel();
    };
    // `scaleOf` is a new function each render: `deps` say when the drawing changes
  }, [pdf, pageNumber, on, ...deps]);
  return { ref, box, drawn };
}

/** One page drawn to fit the box, the layer over it. */
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
  children: (width: number, height: number) => ReactNode;
}) {
  const fit = (u: Size) => Math.max(0.1, Math.min(maxWidth / u.width, maxHeight / u.height));
  const { ref, box, drawn } = useDrawn(pdf, pageNumber, true, fit, [maxWidth, maxHeight]);
  return (
    <div className="page-sheet" style={box ?? undefined}>
      <canvas ref={ref} className="page-canvas" data-testid="page-canvas" data-drawn={drawn ? "true" : "false"} role="img" aria-label={label} />
      {box && children(box.width, box.height)}
    </div>
  );
}

/** A page of the reader's column: its place always kept (its own size once known, the
 * first page's before), drawn only while `on`. */
export function PageSlot({
  pdf,
  pageNumber,
  scale,
  guess,
  on,
  current,
  label,
  testId = "page-canvas",
  onDrawn,
  children,
}: {
  pdf: PDFDocumentProxy;
  pageNumber: number;
  /** CSS pixels per PDF point. */
  scale: number;
  /** The page's size in points until it is known (the first page's). */
  guess: Size;
  on: boolean;
  current: boolean;
  label: string;
  testId?: string;
  /** Told when the page is drawn (true) or no longer (false). */
  onDrawn?: (page: number, drawn: boolean) => void;
  children: (width: number, height: number) => ReactNode;
}) {
  const [unit, setUnit] = useState<Size | null>(null);
  const { ref, drawn } = useDrawn(
    pdf,
    pageNumber,
    on,
    (u) => {
      setUnit(u);
      return scale;
    },
    [scale],
  );
  useEffect(() => onDrawn?.(pageNumber, drawn), [onDrawn, pageNumber, drawn]);
  const size = unit ?? guess;
  const width = size.width * scale;
  const height = size.height * scale;
  return (
    <div className="page-sheet" data-page={pageNumber} data-current={current ? "true" : "false"} style={{ width, height }}>
      {on && (
        <>
          <canvas
            ref={ref}
            className="page-canvas"
            data-testid={testId}
            data-page={pageNumber}
            data-drawn={drawn ? "true" : "false"}
            role="img"
            aria-label={label}
          />
          {children(width, height)}
        </>
      )}
    </div>
  );
}
