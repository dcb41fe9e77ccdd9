// pdf.js for the meeting room: documents opened from their bytes (kept on the device for
// offline reading), or, the first time, by ranges from the server (the first page needs a
// few hundred kilobytes of a 10 MB file, not all of it); all on one pdf.js worker started
// once, as soon as the room opens, so that it is ready when the first document arrives and
// opening another with the Wi-Fi gone needs nothing from the network.
import type { PDFDocumentProxy, PDFWorker } from "pdfjs-dist";
import { getRange } from "../api";

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

/** Open a PDF on the server by ranges: only what a page drawn needs is fetched, each range
 * through the app's one client (session cookie, bilingual errors). */
export async function openPdfByRanges(url: string): Promise<PDFDocumentProxy> {
  const { pdfjs, worker } = await load();
  const first = await getRange(url, 0, RANGE_CHUNK);
  if (first.bytes.length >= first.total) return pdfjs.getDocument({ data: first.bytes, worker, isEvalSupported: false }).promise;
  const transport = new pdfjs.PDFDataRangeTransport(first.total, first.bytes);
  const task = pdfjs.getDocument({ range: transport, worker, isEvalSupported: false, disableAutoFetch: true, disableStream: true, rangeChunkSize: RANGE_CHUNK });
  transport.requestDataRange = (begin: number, end: number) => {
    getRange(url, begin, end).then(
      (r) => transport.onDataRange(begin, r.bytes),
      () => void task.destroy(), // the document's promise fails: the viewer says so
    );
  };
  return task.promise;
}

/** Open a PDF from its bytes (pdf.js takes ownership of the buffer). */
export async function openPdfBytes(data: Uint8Array): Promise<PDFDocumentProxy> {
  const { pdfjs, worker } = await load();
  return pdfjs.getDocument({ data, worker, isEvalSupported: false }).promise;
}
