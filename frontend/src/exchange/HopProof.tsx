// The proof behind one hop of a document's way to another system: the peer's signed
// receipt or message, checked by the server against the peer's pinned certificate, and
// downloadable as a bundle (bytes, CMS signature, certificate) anyone can check again.
import { useState } from "react";
import { exchange, type Proof } from "./api";
import { useExchangeT } from "./i18n";

export function HopProof({ documentId, path, step }: { documentId: number; path: string; step: string }) {
  const xt = useExchangeT();
  const [proof, setProof] = useState<Proof | null>(null);
  const [failed, setFailed] = useState(false);
  const [busy, setBusy] = useState(false);

  async function open() {
    setBusy(true);
    setFailed(false);
    try {
      setProof(await exchange.proof(documentId, path));
    } catch {
      setFailed(true);
    } finally {
      setBusy(false);
    }
  }

  if (!proof) {
    return (
      <>
        {" "}
        <button type="button" className="link-button small" onClick={open} disabled={busy} aria-label={`${xt("proofOf")} ${step}`}>
          {xt("proof")}
        </button>
        {failed && (
          <span role="alert" className="small exchange-reason">
            {" "}
            {xt("proofFailed")}
          </span>
        )}
      </>
    );
  }
  const bundle = URL.createObjectURL(new Blob([JSON.stringify(proof, null, 2)], { type: "application/json" }));
  return (
    <div className="small" data-testid="hop-proof">
      {proof.valid ? (
        <span className="proof-ok">✓ {xt("proofValid", { code: proof.signed_by })}</span>
      ) : (
        <span className="exchange-reason">
          ✗ {xt("proofInvalid")}: {proof.problem}
        </span>
      )}{" "}
      <a href={bundle} download={`bang-chung-${path.replace("/", "-")}.json`}>
        {xt("proofDownload")}
      </a>
    </div>
  );
}
