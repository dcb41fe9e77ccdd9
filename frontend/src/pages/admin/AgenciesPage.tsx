// The agency tree: codes, abbreviations, levels; create, edit and remove agencies.
import { useCallback, useEffect, useState } from "react";
import { type Agency, api, type Me } from "../../api";
import { admin, administered, administersRoot, tree } from "../../admin/api";
import { useAdminT } from "../../admin/i18n";
import { useUi } from "../../context";
import { AppLink, ErrorLine } from "../../documents/ui";
import { CreateAgencyDialog, EditAgencyDialog } from "./AgencyForms";

type Open = { kind: "create"; parentId: number | null } | { kind: "edit"; agency: Agency } | null;

export function AgenciesPage({ me }: { me: Me }) {
  const { t } = useUi();
  const at = useAdminT();
  const [items, setItems] = useState<Agency[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<Open>(null);
  const [done, setDone] = useState("");

  const load = useCallback(() => {
    api
      .agencies()
      .then((data) => setItems(data.items))
      .catch(setError);
  }, []);
  useEffect(load, [load]);

  const mine = items ? administered(me, items) : new Set<number>();
  const topLevel = administersRoot(me);
  const mayRemove = (a: Agency) => (a.parent_id === null ? topLevel : mine.has(a.parent_id));

  const remove = async (agency: Agency) => {
    if (!window.confirm(at("confirmRemove", { name: agency.name }))) return;
    setError(null);
    try {
      await admin.removeAgency(agency.id);
      load();
    } catch (e) {
      setError(e);
    }
  };
  const close = useCallback(() => setOpen(null), []);

  return (
    <section aria-labelledby="agencies-title">
      <h1 id="agencies-title">{t("agencyTree")}</h1>
      <p className="muted">{at("agenciesIntro")}</p>
      {(topLevel || mine.size > 0) && (
        <div className="actions">
          <button type="button" className="primary" onClick={() => setOpen({ kind: "create", parentId: topLevel ? null : [...mine][0] })}>
            {at("newAgency")}
          </button>
        </div>
      )}
      <ErrorLine error={error} />
      {done && (
        <p role="status" className="notice">
          {done}
        </p>
      )}
      {!items && !error && <p>{t("loading")}</p>}
      {items && (
        <table className="doc-table agency-tree">
          <thead>
            <tr>
              <th scope="col">{t("name")}</th>
              <th scope="col">{t("abbreviation")}</th>
              <th scope="col">{t("code")}</th>
              <th scope="col">{at("actions")}</th>
            </tr>
          </thead>
          <tbody>
            {tree(items).map(({ agency, depth }) => (
              <tr key={agency.id}>
                <td className="doc-abstract" data-label={t("name")}>
                  <span className="tree-name" style={{ marginLeft: `${depth * 1.25}rem` }}>
                    <AppLink to={`/agencies/${agency.id}`}>{agency.name}</AppLink>{" "}
                    <span className="muted small">({t(`level_${agency.level}`)})</span>
                  </span>
                </td>
                <td data-label={t("abbreviation")}>{agency.abbreviation}</td>
                <td className="mono nowrap" data-label={t("code")}>
                  {agency.code}
                </td>
                <td data-label={at("actions")}>
                  <div className="row-actions">
                    {mine.has(agency.id) && (
                      <>
                        <button type="button" className="secondary" onClick={() => setOpen({ kind: "edit", agency })}>
                          {at("edit")} <span className="visually-hidden">{agency.name}</span>
                        </button>
                        <button type="button" className="secondary" onClick={() => setOpen({ kind: "create", parentId: agency.id })}>
                          {at("newChild")} <span className="visually-hidden">{agency.name}</span>
                        </button>
                      </>
                    )}
                    {mayRemove(agency) && (
                      <button type="button" className="danger" onClick={() => void remove(agency)}>
                        {at("remove")} <span className="visually-hidden">{agency.name}</span>
                      </button>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open?.kind === "create" && items && (
        <CreateAgencyDialog
          agencies={items}
          parents={mine}
          topLevel={topLevel}
          parentId={open.parentId}
          onClose={close}
          onDone={(created) => {
            setOpen(null);
            setDone(`${created.code} ${created.name}: ${at("saved")}`);
            load();
          }}
        />
      )}
      {open?.kind === "edit" && (
        <EditAgencyDialog
          agency={open.agency}
          onClose={close}
          onDone={() => {
            setOpen(null);
            setDone(at("saved"));
            load();
          }}
        />
      )}
    </section>
  );
}
