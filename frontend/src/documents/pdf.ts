// pdf.js loaded on demand (its code and its worker are separate assets, fetched only when a
// page is drawn), and the geometry between a drawn page and PDF points.
import type { PageViewport, PDFDocumentProxy } from "pdfjs-dist";
import { getBytes } from "../api";
import { openPdfBytes, warmPdf } from "../meetings/pdfdoc";

/** Open a PDF of the API (its bytes fetched through the one client) on the app's one pdf.js
 * worker, which starts while the bytes arrive. */
export async function openPdf(url: string): Promise<PDFDocumentProxy> {
  warmPdf();
  const response = await getBytes(url);
  return openPdfBytes(new Uint8Array(await response.arrayBuffer()));
}

/** x1, y1, x2, y2 in PDF points: the page's user space, origin bottom left, unrotated. */
export type Box = [number, number, number, number];

/** A rectangle in CSS pixels over the drawn page, origin top left. */
export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** A drawn page: its size in pixels and the two-way mapping to PDF points. */
export interface PageGeometry {
  width: number;
  height: number;
  toPdf: (x: number, y: number) => [number, number];
  toView: (x: number, y: number) => [number, number];
}

/** The geometry of a pdf.js viewport (it accounts for the scale, the crop box and /Rotate). */
export function viewportGeometry(v: PageViewport): PageGeometry {
  return {
    width: v.width,
    height: v.height,
    toPdf: (x, y) => v.convertToPdfPoint(x, y) as [number, number],
    toView: (x, y) => v.convertToViewportPoint(x, y) as [number, number],
  };
}

/** A schematic unrotated page of the given size in points, drawn at `scale` pixels per point. */
export function schematicGeometry(widthPt: number, heightPt: number, scale: number): PageGeometry {
  return {
    width: widthPt * scale,
    height: heightPt * scale,
    toPdf: (x, y) => [x / scale, heightPt - y / scale],
    toView: (x, y) => [x * scale, (heightPt - y) * scale],
  };
}

export function rectToBox(g: PageGeometry, r: Rect): Box {
  const [ax, ay] = g.toPdf(r.left, r.top);
  const [bx, by] = g.toPdf(r.left + r.width, r.top + r.height);
  const round = (n: number) => Math.max(0, Math.round(n * 10) / 10);
  return [round(Math.min(ax, bx)), round(Math.min(ay, by)), round(Math.max(ax, bx)), round(Math.max(ay, by))];
}

export function boxToRect(g: PageGeometry, b: Box): Rect {
  const [ax, ay] = g.toView(b[0], b[1]);
  const [bx, by] = g.toView(b[2], b[3]);
  return { left: Math.min(ax, bx), top: Math.min(ay, by), width: Math.abs(bx - ax), height: Math.abs(by - ay) };
}

// Decree 30 layout: the signature block sits at the bottom right, right of "Nơi nhận".
// In points of the page as seen: 200 × 100, 65 from the right edge, 90 from the bottom.
const SIGN_W = 200;
const SIGN_H = 100;
const RIGHT = 65;
const BOTTOM = 90;

/** The default signature box: bottom right of the page as it is seen (rotation included). */
export function defaultBox(g: PageGeometry): Box {
  // Pixels per point, whatever the rotation: the distance between two points 100 pt apart.
  const [ox, oy] = g.toView(0, 0);
  const [px, py] = g.toView(100, 0);
  const scale = Math.hypot(px - ox, py - oy) / 100;
  const width = Math.min(SIGN_W * scale, g.width * 0.6);
  const height = Math.min(SIGN_H * scale, g.height * 0.3);
  const rect = {
    left: Math.max(0, g.width - RIGHT * scale - width),
    top: Math.max(0, g.height - BOTTOM * scale - height),
    width,
    height,
  };
  return rectToBox(g, rect);
}

/** Keep a rectangle inside the page and at least `min` pixels wide and high. */
export function clampRect(g: PageGeometry, r: Rect, min = 12): Rect {
  const width = Math.min(Math.max(min, r.width), g.width);
  const height = Math.min(Math.max(min, r.height), g.height);
  return {
    left: Math.min(Math.max(0, r.left), g.width - width),
    top: Math.min(Math.max(0, r.top), g.height - height),
    width,
    height,
  };
}
