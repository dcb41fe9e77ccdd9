// The specialist's draft: the register fields and the main PDF; later versions of it.
import { type FormEvent, useEffect, useState } from "react";
import type { Me } from "../../api";
import { useUi } from "../../context";
import { type Directory, type DocType, type DocumentFile, docs, upload, URGENCIES } from "../../documents/api";
import { formatTime, useDocT } from "../../documents/i18n";
import { agencyWith, unitOf } from "../../documents/roles";
import { ErrorLine } from "../../documents/ui";

export function DraftEditor({ me }: { me: Me }) {
  const t = useDocT();
  const { navigate } = useUi();
  const agencyId = agencyWith(me, "specialist", "leader", "clerk");
  const [types, setTypes] = useState<DocType[]>([]);
  const [directory, setDirectory] = useState<Directory | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [form, setForm] = useState({
    type_id: "",
    abstract: "",
    urgency: "normal",
    deadline: "",
    recipients_text: "",
    drafting_unit_id: agencyId === null ? "" : String(unitOf(me, agencyId) ?? ""),
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    docs.types().then((d) => setTypes(d.items), setError);
    if (agencyId !== null) docs.directory(agencyId).then(setDirectory, setError);
  }, [agencyId]);
  const set = (patch: Partial<typeof form>) => setForm((f) => ({ ...f, ...patch }));

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
        type_id: Number(form.type_id),
        abstract: form.abstract,
        urgency: form.urgency,
        deadline: form.deadline || null,
        recipients_text: form.recipients_text,
        drafting_unit_id: form.drafting_unit_id ? Number(form.drafting_unit_id) : null,
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
      <h1 id="draft-title">{t("draftTitle")}</h1>
      <ErrorLine error={error} />
      <form className="doc-form" onSubmit={submit}>
        <label htmlFor="d-type">{t("type")}</label>
        <select id="d-type" required value={form.type_id} onChange={(e) => set({ type_id: e.target.value })}>
          <option value="">{t("choose")}</option>
          {types.map((x) => (
            <option key={x.id} value={x.id}>
              {x.name}
            </option>
          ))}
        </select>
        <label htmlFor="d-abstract">{t("abstract")}</label>
        <textarea id="d-abstract" required rows={3} value={form.abstract} onChange={(e) => set({ abstract: e.target.value })} />
        <div className="row">
          <div>
            <label htmlFor="d-unit">{t("draftingUnit")}</label>
            <select id="d-unit" value={form.drafting_unit_id} onChange={(e) => set({ drafting_unit_id: e.target.value })}>
              <option value="">{t("choose")}</option>
              {directory?.units.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="d-urgency">{t("urgency")}</label>
            <select id="d-urgency" value={form.urgency} onChange={(e) => set({ urgency: e.target.value })}>
              {URGENCIES.map((u) => (
                <option key={u} value={u}>
                  {t(`urgency_${u}`)}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="d-deadline">{t("deadline")}</label>
            <input id="d-deadline" type="date" value={form.deadline} onChange={(e) => set({ deadline: e.target.value })} />
          </div>
        </div>
        <label htmlFor="d-recipients">{t("recipients")}</label>
        <textarea id="d-recipients" rows={2} value={form.recipients_text} onChange={(e) => set({ recipients_text: e.target.value })} />
        <label htmlFor="d-file">{t("pdfFile")}</label>
        <input id="d-file" type="file" accept="application/pdf,.pdf" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        <button type="submit" className="primary" disabled={busy}>
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
