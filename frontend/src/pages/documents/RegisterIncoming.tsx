// The clerk receives an incoming document: PDF + register fields, optionally registered at once.
import { type FormEvent, useEffect, useState } from "react";
import type { Me } from "../../api";
import { useUi } from "../../context";
import { type DocType, docs, upload, URGENCIES } from "../../documents/api";
import { useDocT } from "../../documents/i18n";
import { agencyWith } from "../../documents/roles";
import { ErrorLine } from "../../documents/ui";

export function RegisterIncoming({ me }: { me: Me }) {
  const t = useDocT();
  const { navigate } = useUi();
  const agencyId = agencyWith(me, "clerk");
  const [types, setTypes] = useState<DocType[]>([]);
  const [file, setFile] = useState<File | null>(null);
  const [form, setForm] = useState({
    type_id: "",
    number_symbol: "",
    issued_on: "",
    issuing_agency_name: "",
    abstract: "",
    urgency: "normal",
    deadline: "",
    register_now: true,
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    docs.types().then((d) => setTypes(d.items), setError);
  }, []);
  const set = (patch: Partial<typeof form>) => setForm((f) => ({ ...f, ...patch }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (agencyId === null) return;
    setBusy(true);
    setError(null);
    try {
      const fileId = file ? await upload(agencyId, file) : undefined;
      const created = await docs.receive({
        agency_id: agencyId,
        file_id: fileId,
        type_id: Number(form.type_id),
        number_symbol: form.number_symbol,
        issued_on: form.issued_on || null,
        issuing_agency_name: form.issuing_agency_name,
        abstract: form.abstract,
        urgency: form.urgency,
        deadline: form.deadline || null,
        register_now: form.register_now,
      });
      navigate(`/documents/${created.id}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="register-title">
      <h1 id="register-title">{t("registerTitle")}</h1>
      <ErrorLine error={error} />
      <form className="doc-form" onSubmit={submit}>
        <label htmlFor="r-file">{t("pdfFile")}</label>
        <input id="r-file" type="file" accept="application/pdf,.pdf" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        <label htmlFor="r-type">{t("type")}</label>
        <select id="r-type" required value={form.type_id} onChange={(e) => set({ type_id: e.target.value })}>
          <option value="">{t("choose")}</option>
          {types.map((x) => (
            <option key={x.id} value={x.id}>
              {t.type(x)}
            </option>
          ))}
        </select>
        <div className="row">
          <div>
            <label htmlFor="r-number">{t("numberSymbol")}</label>
            <input id="r-number" placeholder="12/QĐ-UBND" value={form.number_symbol} onChange={(e) => set({ number_symbol: e.target.value })} />
          </div>
          <div>
            <label htmlFor="r-date">{t("issuedOn")}</label>
            <input id="r-date" type="date" value={form.issued_on} onChange={(e) => set({ issued_on: e.target.value })} />
          </div>
        </div>
        <label htmlFor="r-agency">{t("issuingAgency")}</label>
        <input id="r-agency" required value={form.issuing_agency_name} onChange={(e) => set({ issuing_agency_name: e.target.value })} />
        <label htmlFor="r-abstract">{t("abstract")}</label>
        <textarea id="r-abstract" required rows={3} value={form.abstract} onChange={(e) => set({ abstract: e.target.value })} />
        <div className="row">
          <div>
            <label htmlFor="r-urgency">{t("urgency")}</label>
            <select id="r-urgency" value={form.urgency} onChange={(e) => set({ urgency: e.target.value })}>
              {URGENCIES.map((u) => (
                <option key={u} value={u}>
                  {t(`urgency_${u}`)}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="r-deadline">{t("deadline")}</label>
            <input id="r-deadline" type="date" value={form.deadline} onChange={(e) => set({ deadline: e.target.value })} />
          </div>
        </div>
        <label className="check">
          <input type="checkbox" checked={form.register_now} onChange={(e) => set({ register_now: e.target.checked })} /> {t("registerNow")}
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t("working") : t("submitRegister")}
        </button>
      </form>
    </section>
  );
}
