// The public pages' script (a bundle of its own, loaded by the server-rendered document page):
// every element marked `data-pdf-url` becomes the pdf.js viewer; without JavaScript it keeps
// the plain download link it holds.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { PdfViewer } from "../documents/PdfViewer";

const lang = document.documentElement.lang === "en" ? "en" : "vi";
for (const el of document.querySelectorAll<HTMLElement>("[data-pdf-url]")) {
  const url = el.dataset.pdfUrl;
  if (!url) continue;
  createRoot(el).render(
    <StrictMode>
      <PdfViewer url={url} title={el.dataset.pdfTitle ?? ""} lang={lang} />
    </StrictMode>,
  );
}
