// The pages of a meeting document in one scrolled column, as wide as the reader at zoom 1
// (fit width), zoomed by the buttons, a pinch of two fingers or Ctrl + wheel (a touchpad's
// pinch) around the point under the fingers. Only the pages on screen and one on either side
// are drawn. Scrolling by hand reports the page the reader is on; a page given from outside
// (the presenter's, a thumbnail, the page buttons) is scrolled to.
import { type ReactNode, type TouchEvent, useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import type { PDFDocumentProxy } from "pdfjs-dist";
import { clampZoom, pageAt, pagesToDraw, visiblePages } from "../../meetings/reader";
import { PageSlot, type Size } from "./PageCanvas";

const PAD = 8; // around the column, in CSS pixels
const USER_MS = 800; // a scroll this soon after a touch, a wheel or a key is the reader's own

interface Slot {
  top: number;
  height: number;
}

export interface ReaderProps {
  pdf: PDFDocumentProxy;
  /** From 1: the page to show (scrolled to when it changes). */
  page: number;
  zoom: number;
  onZoom: (zoom: number) => void;
  /** The reader scrolled by hand to another page. */
  onPage: (page: number) => void;
  /** A page is drawn (the first time for this document, and after). */
  onFirstDrawn: () => void;
  label: (page: number) => string;
  layer: (page: number, width: number, height: number) => ReactNode;
}

export function PageReader({ pdf, page, zoom, onZoom, onPage, onFirstDrawn, label, layer }: ReaderProps) {
  const area = useRef<HTMLDivElement>(null);
  const column = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  const [first, setFirst] = useState<{ pdf: PDFDocumentProxy; size: Size } | null>(null);
  // The pages to draw (visible ± 1), those visible, and those drawn: the visible pages are
  // drawn first, their neighbours once they are (one worker: a neighbour would delay them).
  const [drawn, setDrawn] = useState<Set<number>>(new Set());
  const [visible, setVisible] = useState<number[]>([]);
  const [done, setDone] = useState<Set<number>>(new Set());
  const onDrawn = useCallback((n: number, is: boolean) => {
    setDone((d) => (d.has(n) === is ? d : is ? new Set(d).add(n) : new Set([...d].filter((x) => x !== n))));
  }, []);
  const where = useRef({ page: -1, userAt: 0, slots: [] as Slot[], top: 0, left: 0 });
  const anchor = useRef<{ x: number; y: number } | null>(null);
  const pinch = useRef<{ distance: number; zoom: number; x: number; y: number; ratio: number } | null>(null);
  const onPageRef = useRef(onPage);
  onPageRef.current = onPage;
  const zoomRef = useRef(zoom);
  zoomRef.current = zoom;
  const onZoomRef = useRef(onZoom);
  onZoomRef.current = onZoom;

  useEffect(() => {
    const el = area.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    let live = true;
    where.current.page = -1; // another document: scroll to its page whatever the number
    setDrawn(new Set());
    setVisible([]);
    setDone(new Set());
    pdf.getPage(1).then((p) => {
      const v = p.getViewport({ scale: 1 });
      if (live) setFirst({ pdf, size: { width: v.width, height: v.height } });
    }, () => undefined);
    return () => {
      live = false;
    };
  }, [pdf]);

  const ready = first !== null && first.pdf === pdf && width > 0;
  const scale = ready ? Math.max(0.05, (width - 2 * PAD) / first.size.width) * zoom : 0;

  /** Where the column stands: which pages to draw, which page the reader is on. */
  const update = useCallback(() => {
    const el = area.current;
    const col = column.current;
    if (!el || !col) return;
    const slots = [...col.children].map((c) => ({ top: (c as HTMLElement).offsetTop, height: (c as HTMLElement).offsetHeight }));
    const w = where.current;
    w.slots = slots;
    w.top = el.scrollTop;
    w.left = el.scrollLeft;
    const seen = visiblePages(slots, el.scrollTop, el.scrollTop + el.clientHeight);
    const next = pagesToDraw(seen, slots.length);
    setDrawn((d) => (d.size === next.size && [...next].every((p) => d.has(p)) ? d : next));
    setVisible((v) => (v.length === seen.length && v.every((p, i) => p === seen[i]) ? v : seen));
    const on = pageAt(slots, el.scrollTop, el.clientHeight);
    if (on === w.page) return;
    w.page = on;
    const now = performance.now();
    if (now - w.userAt < USER_MS) {
      w.userAt = now; // a fling goes on scrolling after the finger left
      onPageRef.current(on);
    }
  }, []);

  const scrollTo = useCallback(
    (target: number) => {
      const el = area.current;
      const slot = column.current?.children[target - 1] as HTMLElement | undefined;
      if (!el || !slot) return;
      where.current.userAt = 0;
      el.scrollTop = slot.offsetTop - PAD;
      update();
      where.current.page = target;
    },
    [update],
  );

  // A new scale (zoom, or another width): the point under the anchor (the fingers, or the
  // middle of the reader) stays where it was, measured in its page so the gaps do not drift.
  const lastScale = useRef(0);
  useLayoutEffect(() => {
    const el = area.current;
    const col = column.current;
    const before = lastScale.current;
    lastScale.current = scale;
    if (!el || !col || !before || !scale || before === scale) return;
    const w = where.current;
    const at = anchor.current ?? { x: el.clientWidth / 2, y: el.clientHeight / 2 };
    anchor.current = null;
    const y = w.top + at.y;
    const index = Math.max(0, w.slots.findIndex((s) => y < s.top + s.height));
    const old = w.slots[index];
    const slot = col.children[index] as HTMLElement | undefined;
    w.userAt = 0;
    if (old && slot) el.scrollTop = slot.offsetTop + ((y - old.top) / old.height) * slot.offsetHeight - at.y;
    el.scrollLeft = (w.left + at.x) * (scale / before) - at.x;
    update();
  }, [scale, update]);

  // The page given from outside, once the column is laid out (and again for another document).
  useEffect(() => {
    if (!ready) return;
    if (page !== where.current.page) scrollTo(page);
    else update();
  }, [ready, pdf, page, scrollTo, update]);

  // Ctrl + wheel (a touchpad's pinch) zooms; React's wheel listener cannot prevent the page zoom.
  useEffect(() => {
    const el = area.current;
    if (!el) return;
    const wheel = (e: WheelEvent) => {
      if (!e.ctrlKey) return;
      e.preventDefault();
      const r = el.getBoundingClientRect();
      anchor.current = { x: e.clientX - r.left, y: e.clientY - r.top };
      onZoomRef.current(clampZoom(zoomRef.current * Math.exp(-e.deltaY / 300)));
    };
    el.addEventListener("wheel", wheel, { passive: false });
    return () => el.removeEventListener("wheel", wheel);
  }, []);

  const user = () => {
    where.current.userAt = performance.now();
  };
  const spread = (e: TouchEvent) => {
    const [a, b] = [e.touches[0], e.touches[1]];
    const r = area.current!.getBoundingClientRect();
    return { distance: Math.hypot(a.clientX - b.clientX, a.clientY - b.clientY), x: (a.clientX + b.clientX) / 2 - r.left, y: (a.clientY + b.clientY) / 2 - r.top };
  };
  const touchStart = (e: TouchEvent) => {
    user();
    if (e.touches.length !== 2) return;
    const s = spread(e);
    pinch.current = { ...s, zoom, ratio: 1 };
  };
  const touchMove = (e: TouchEvent) => {
    user();
    const p = pinch.current;
    const el = area.current;
    const col = column.current;
    if (!p || !el || !col || e.touches.length !== 2 || p.distance < 1) return;
    // Until the fingers lift, the drawn pages are stretched; then drawn again at the new zoom.
    p.ratio = clampZoom(p.zoom * (spread(e).distance / p.distance)) / p.zoom;
    col.style.transformOrigin = `${el.scrollLeft + p.x}px ${el.scrollTop + p.y}px`;
    col.style.transform = `scale(${p.ratio})`;
  };
  const touchEnd = (e: TouchEvent) => {
    const p = pinch.current;
    if (!p || e.touches.length >= 2) return;
    pinch.current = null;
    if (column.current) column.current.style.transform = "";
    if (Math.abs(p.ratio - 1) < 0.02) return;
    anchor.current = { x: p.x, y: p.y };
    onZoom(clampZoom(p.zoom * p.ratio));
  };

  const count = ready ? pdf.numPages : 0;
  const visibleDone = visible.every((p) => done.has(p));
  const anyDrawn = done.size > 0;
  const firstDrawn = useRef(onFirstDrawn);
  firstDrawn.current = onFirstDrawn;
  useEffect(() => {
    if (anyDrawn) firstDrawn.current();
  }, [anyDrawn]);
  const on = (n: number) => drawn.has(n) && (visible.includes(n) || visibleDone || done.has(n));
  return (
    <div
      className="page-area"
      ref={area}
      tabIndex={0}
      data-testid="page-area"
      onScroll={update}
      onWheel={user}
      onKeyDown={user}
      onPointerDown={user}
      onTouchStart={touchStart}
      onTouchMove={touchMove}
      onTouchEnd={touchEnd}
      onTouchCancel={touchEnd}
    >
      <div className="page-column" ref={column} data-zoom={zoom} data-scale={scale.toFixed(4)}>
        {ready &&
          Array.from({ length: count }, (_, i) => i + 1).map((n) => (
            <PageSlot key={n} pdf={pdf} pageNumber={n} scale={scale} guess={first.size} on={on(n)} current={n === page} label={label(n)} onDrawn={onDrawn}>
              {(w, h) => layer(n, w, h)}
            </PageSlot>
          ))}
      </div>
    </div>
  );
}
