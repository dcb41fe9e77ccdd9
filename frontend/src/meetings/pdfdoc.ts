// pdf.js for the meeting room: documents opened from their bytes (kept on the device for
// offline reading), or, the first time, by ranges from the server (the first page needs a
// few hundred kilobytes of a 10 MB file, not all of it); all on one pdf.js worker started
// once, as soon as the room opens, so that it is ready when the first document arrives and
// opening another with the Wi-Fi gone needs nothing from the network.
import type { PDFDocumentProxy, PDFWorker } from "pdfjs-dist";

let shared: Promise<{ pdfjs: typeof import("pdfjs-dist"); worker: PDFWorker }> | null = null;

function load() {
  shared ??= Promise.all([import("pdfjs-dist"), import("pdfjs-dist/build/pdf.worker.min.mjs?worker&url")]).then(([pdfjs, url]) => {
    pdfjs.GlobalWorkerOptions.workerSrc = url.default;
    return { pdfjs, worker: new pdfjs.PDFWorker() };
  });
  return shared;
}

/** Load pdf.js and start its worker now (the room calls it on opening). */
export function warmPdf(): void {
  void load().catch(() => undefined);
}

/** Bytes per range request: a first page with its fonts in two or three requests. */
const RANGE_CHUNK = 256 * 1024;

/** Open a PDF on the server by ranges: only what a page drawn needs is fetched (same origin:
 * the session cookie goes along). */
export async function openPdfByRanges(url: string): Promise<PDFDocumentProxy> {
  const { pdfjs, worker } = await load();
  return pdfjs.getDocument({ url, worker, isEvalSupported: false, disableAutoFetch: true, disableStream: true, rangeChunkSize: RANGE_CHUNK }).promise;
}

/** Open a PDF from its bytes (pdf.js takes ownership of the buffer). */
export async function openPdfBytes(data: Uint8Array): Promise<PDFDocumentProxy> {
  const { pdfjs, worker } = await load();
  return pdfjs.getDocument({ data, worker, isEvalSupported: false }).promise;
}
