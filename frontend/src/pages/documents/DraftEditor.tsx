// The specialist's draft: the register fields and the main PDF; later versions of it. A
// replacement draft (Decree 30: an issued document with an error of content) starts from the
// fields of the document it replaces.
import { type FormEvent, useEffect, useState } from "react";
import type { Me } from "../../api";
import { useUi } from "../../context";
import { type Directory, type DocumentFile, type DocumentOut, docs, upload } from "../../documents/api";
import { formatTime, useDocT } from "../../documents/i18n";
import { agencyWith, unitOf } from "../../documents/roles";
import { ErrorLine } from "../../documents/ui";
import { EMPTY_META, type Meta, MetaFields, metaBody, metaOf, useTypes } from "./DraftFields";

export function DraftEditor({ me, replaces }: { me: Me; replaces?: number }) {
  const t = useDocT();
  const { navigate } = useUi();
  const [old, setOld] = useState<DocumentOut | null>(null);
  const agencyId = old?.agency_id ?? agencyWith(me, "specialist", "leader", "clerk");
  const [error, setError] = useState<unknown>(null);
  const types = useTypes(setError);
  const [directory, setDirectory] = useState<Directory | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [meta, setMeta] = useState<Meta>(EMPTY_META);
  const [unitId, setUnitId] = useState(agencyId === null ? "" : String(unitOf(me, agencyId) ?? ""));
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (replaces === undefined) return;
    docs.detail(replaces).then((d) => {
      setOld(d.document);
      setMeta({ ...metaOf(d.document), deadline: "" });
      if (d.document.drafting_unit_id !== null) setUnitId(String(d.document.drafting_unit_id));
    }, setError);
  }, [replaces]);
  useEffect(() => {
    if (agencyId !== null) docs.directory(agencyId).then(setDirectory, setError);
  }, [agencyId]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (agencyId === null) return;
    setBusy(true);
    setError(null);
    try {
      const fileId = file ? await upload(agencyId, file) : undefined;
      const created = await docs.draft({
        agency_id: agencyId,
        file_id: fileId,
        ...metaBody(meta),
        confidentiality: old?.confidentiality,
        drafting_unit_id: unitId ? Number(unitId) : null,
        replaces_id: replaces ?? null,
      });
      navigate(`/documents/${created.id}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="draft-title">
      <h1 id="draft-title">{replaces === undefined ? t("draftTitle") : t("replacementTitle")}</h1>
      {replaces !== undefined && (
        <p className="notice" data-testid="replaces">
          {t("replacesDoc")} {old ? old.number_symbol || `#${old.id}` : `#${replaces}`}
          {old && ` · ${old.abstract}`}
        </p>
      )}
      <ErrorLine error={error} />
      <form className="doc-form" onSubmit={submit}>
        <MetaFields prefix="d" types={types} value={meta} onChange={(patch) => setMeta((m) => ({ ...m, ...patch }))} />
        <label htmlFor="d-unit">{t("draftingUnit")}</label>
        <select id="d-unit" value={unitId} onChange={(e) => setUnitId(e.target.value)}>
          <option value="">{t("choose")}</option>
          {directory?.units.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name}
            </option>
          ))}
        </select>
        <label htmlFor="d-file">{t("pdfFile")}</label>
        <input id="d-file" type="file" accept="application/pdf,.pdf" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        <button type="submit" className="primary" disabled={busy || (replaces !== undefined && !old)}>
          {busy ? t("working") : t("createDraft")}
        </button>
      </form>
    </section>
  );
}

/** The versions of a draft's main file, and a new one to upload. */
export function DraftVersions({
  docId,
  agencyId,
  files,
  onChanged,
}: {
  docId: number;
  agencyId: number;
  files: DocumentFile[];
  onChanged: () => void;
}) {
  const t = useDocT();
  const { lang } = useUi();
  const [file, setFile] = useState<File | null>(null);
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const versions = files.filter((f) => f.kind === "main").sort((a, b) => b.version - a.version);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      const fileId = await upload(agencyId, file);
      await docs.addFile(docId, { file_id: fileId, kind: "main", note });
      setFile(null);
      setNote("");
      (e.target as HTMLFormElement).reset();
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="versions-title" className="panel">
      <h2 id="versions-title">{t("versions")}</h2>
      <ol className="versions">
        {versions.map((v) => (
          <li key={v.id}>
            {t("version")} {v.version}: {v.file.filename} · {formatTime(v.created_at, lang)} {v.note && `· ${v.note}`}
          </li>
        ))}
      </ol>
      <ErrorLine error={error} />
      <form className="inline-form" onSubmit={submit}>
        <div>
          <label htmlFor="v-file">{t("newVersion")}</label>
          <input id="v-file" type="file" accept="application/pdf,.pdf" required onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </div>
        <div>
          <label htmlFor="v-note">{t("versionNote")}</label>
          <input id="v-note" value={note} onChange={(e) => setNote(e.target.value)} />
        </div>
        <button type="submit" className="secondary" disabled={busy}>
          {busy ? t("working") : t("uploadVersion")}
        </button>
      </form>
    </section>
  );
}
