// The register fields a drafter fills in (type, abstract, urgency, deadline, recipients): shared
// by the new draft form, and the panel that changes them on a draft (PATCH).
import { type FormEvent, useEffect, useState } from "react";
import { type DocType, type DocumentDetail, type DocumentOut, docs, URGENCIES } from "../../documents/api";
import { useDocT } from "../../documents/i18n";
import { ErrorLine } from "../../documents/ui";

export interface Meta {
  type_id: string;
  abstract: string;
  urgency: string;
  deadline: string;
  recipients_text: string;
}

export const EMPTY_META: Meta = { type_id: "", abstract: "", urgency: "normal", deadline: "", recipients_text: "" };

export function metaOf(d: DocumentOut): Meta {
  return {
    type_id: String(d.type_id),
    abstract: d.abstract,
    urgency: d.urgency,
    deadline: d.deadline ?? "",
    recipients_text: d.recipients_text,
  };
}

/** The request fields of a form's values. */
export function metaBody(m: Meta) {
  return {
    type_id: Number(m.type_id),
    abstract: m.abstract,
    urgency: m.urgency,
    deadline: m.deadline || null,
    recipients_text: m.recipients_text,
  };
}

export function useTypes(onError: (e: unknown) => void): DocType[] {
  const [types, setTypes] = useState<DocType[]>([]);
  useEffect(() => {
    docs.types().then((d) => setTypes(d.items), onError);
  }, [onError]);
  return types;
}

/** The inputs; `prefix` keeps their ids apart when two forms share a page. */
export function MetaFields({
  prefix,
  types,
  value,
  onChange,
}: {
  prefix: string;
  types: DocType[];
  value: Meta;
  onChange: (patch: Partial<Meta>) => void;
}) {
  const t = useDocT();
  return (
    <>
      <label htmlFor={`${prefix}-type`}>{t("type")}</label>
      <select id={`${prefix}-type`} required value={value.type_id} onChange={(e) => onChange({ type_id: e.target.value })}>
        <option value="">{t("choose")}</option>
        {types.map((x) => (
          <option key={x.id} value={x.id}>
            {t.type(x)}
          </option>
        ))}
      </select>
      <label htmlFor={`${prefix}-abstract`}>{t("abstract")}</label>
      <textarea id={`${prefix}-abstract`} required rows={3} value={value.abstract} onChange={(e) => onChange({ abstract: e.target.value })} />
      <div className="row">
        <div>
          <label htmlFor={`${prefix}-urgency`}>{t("urgency")}</label>
          <select id={`${prefix}-urgency`} value={value.urgency} onChange={(e) => onChange({ urgency: e.target.value })}>
            {URGENCIES.map((u) => (
              <option key={u} value={u}>
                {t(`urgency_${u}`)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={`${prefix}-deadline`}>{t("deadline")}</label>
          <input id={`${prefix}-deadline`} type="date" value={value.deadline} onChange={(e) => onChange({ deadline: e.target.value })} />
        </div>
      </div>
      <label htmlFor={`${prefix}-recipients`}>{t("recipients")}</label>
      <textarea id={`${prefix}-recipients`} rows={2} value={value.recipients_text} onChange={(e) => onChange({ recipients_text: e.target.value })} />
    </>
  );
}

/** The drafter changes the register fields of the draft. PATCH replaces them all, so the
 * fields this form does not show are sent back as they are. */
export function DraftMetadata({ detail, onChanged }: { detail: DocumentDetail; onChanged: () => void }) {
  const t = useDocT();
  const d = detail.document;
  const [error, setError] = useState<unknown>(null);
  const types = useTypes(setError);
  const [form, setForm] = useState<Meta>(() => metaOf(d));
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      await docs.edit(d.id, {
        issued_on: d.issued_on,
        issuing_agency_name: d.issuing_agency_name,
        issuing_agency_code: d.issuing_agency_code,
        signer_name: d.signer_name,
        signer_title: d.signer_title,
        signing_form: d.signing_form,
        place: d.place,
        confidentiality: d.confidentiality,
        page_count: d.page_count,
        copies: d.copies,
        access: detail.access,
        ...metaBody(form),
      });
      setSaved(true);
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="draft-meta-title" className="panel">
      <h2 id="draft-meta-title">{t("editDraft")}</h2>
      <ErrorLine error={error} />
      <form className="doc-form" onSubmit={submit}>
        <MetaFields prefix="m" types={types} value={form} onChange={(patch) => setForm((f) => ({ ...f, ...patch }))} />
        <button type="submit" className="secondary" disabled={busy}>
          {busy ? t("working") : t("save")}
        </button>
        {saved && (
          <p role="status" className="ok">
            {t("saved")}
          </p>
        )}
      </form>
    </section>
  );
}
