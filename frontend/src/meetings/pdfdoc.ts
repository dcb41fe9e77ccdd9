// pdf.js for the meeting room: documents opened from their bytes (kept on the device for
// offline reading), all on one pdf.js worker started once, so that opening another document
// with the Wi-Fi gone needs nothing from the network.
import type { PDFDocumentProxy, PDFWorker } from "pdfjs-dist";

let shared: Promise<{ pdfjs: typeof import("pdfjs-dist"); worker: PDFWorker }> | null = null;

function load() {
  shared ??= Promise.all([import("pdfjs-dist"), import("pdfjs-dist/build/pdf.worker.min.mjs?worker&url")]).then(([pdfjs, url]) => {
    pdfjs.GlobalWorkerOptions.workerSrc = url.default;
    return { pdfjs, worker: new pdfjs.PDFWorker() };
  });
  return shared;
}

/** Open a PDF from its bytes (pdf.js takes ownership of the buffer). */
export async function openPdfBytes(data: Uint8Array): Promise<PDFDocumentProxy> {
  const { pdfjs, worker } = await load();
  return pdfjs.getDocument({ data, worker, isEvalSupported: false }).promise;
}
