// The arithmetic of the meeting reader: zoom steps around "fit width", which pages are on
// screen (and so drawn), and how large a canvas may grow before it is drawn less sharply.

/** Zoom factors relative to fit width (1 = the page as wide as the reader). */
export const ZOOMS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3, 4];
export const MIN_ZOOM = ZOOMS[0];
export const MAX_ZOOM = ZOOMS[ZOOMS.length - 1];

export const clampZoom = (z: number): number => Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, z));

/** The next zoom step up (+1) or down (-1) from any factor (a pinch leaves odd ones). */
export function stepZoom(zoom: number, direction: 1 | -1): number {
  if (direction > 0) return ZOOMS.find((z) => z > zoom + 0.001) ?? MAX_ZOOM;
  return [...ZOOMS].reverse().find((z) => z < zoom - 0.001) ?? MIN_ZOOM;
}

/** Pages (from 1) that overlap the visible band [top, bottom) of the scrolled column, given
 * each page's top and height in the column; empty when none does. */
export function visiblePages(slots: { top: number; height: number }[], top: number, bottom: number): number[] {
  const out: number[] = [];
  slots.forEach((s, i) => {
    if (s.top < bottom && s.top + s.height > top) out.push(i + 1);
  });
  return out;
}

/** The pages to draw: those visible and one on either side. */
export function pagesToDraw(visible: number[], count: number): Set<number> {
  const drawn = new Set<number>();
  if (visible.length === 0) return drawn;
  const first = Math.max(1, visible[0] - 1);
  const last = Math.min(count, visible[visible.length - 1] + 1);
  for (let p = first; p <= last; p += 1) drawn.add(p);
  return drawn;
}

/** The page a reader is on: the one holding the line a third down the visible band. */
export function pageAt(slots: { top: number; height: number }[], top: number, height: number): number {
  const line = top + Math.min(height / 3, 200);
  const i = slots.findIndex((s) => line >= s.top && line < s.top + s.height + 12);
  return i >= 0 ? i + 1 : line < (slots[0]?.top ?? 0) ? 1 : slots.length;
}

/** Canvas pixels per CSS pixel: the screen's density, lowered so that one page never takes
 * more than about 16 million pixels (a zoomed page on a tablet would otherwise run out of
 * memory, or be refused by the browser). */
export function canvasRatio(cssWidth: number, cssHeight: number, density: number, maxPixels = 16_000_000): number {
  const area = cssWidth * cssHeight;
  if (area <= 0) return density;
  return Math.max(0.25, Math.min(density, Math.sqrt(maxPixels / area)));
}

/** A User Timing mark (bench/reader.py reads them to say where the first page's time goes). */
export function mark(name: string): void {
  try {
    performance.mark(`ecabinet:${name}`);
  } catch {
    // marks are a measuring aid, never worth an error
  }
}
