// One agency: its code and place in the tree, and its units (list, create, rename).
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { type Agency, api, type Me, type Unit } from "../../api";
import { admin, administered } from "../../admin/api";
import { useAdminT } from "../../admin/i18n";
import { useAction } from "../../admin/useAction";
import { useUi } from "../../context";
import { AppLink, ErrorLine } from "../../documents/ui";
import { EditAgencyDialog, RenameUnitDialog } from "./AgencyForms";

export function AgencyPage({ me, agencyId }: { me: Me; agencyId: number }) {
  const { t } = useUi();
  const at = useAdminT();
  const [agencies, setAgencies] = useState<Agency[] | null>(null);
  const [units, setUnits] = useState<Unit[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState(false);
  const [renaming, setRenaming] = useState<Unit | null>(null);
  const [name, setName] = useState("");
  const [abbreviation, setAbbreviation] = useState("");
  const adding = useAction();

  const load = useCallback(() => {
    Promise.all([api.agencies(), admin.units(agencyId)])
      .then(([list, found]) => {
        setAgencies(list.items);
        setUnits(found.items);
      })
      .catch(setError);
  }, [agencyId]);
  useEffect(load, [load]);

  const agency = agencies?.find((a) => a.id === agencyId);
  const parent = agency && agencies?.find((a) => a.id === agency.parent_id);
  const mayAdminister = agencies ? administered(me, agencies).has(agencyId) : false;

  const addUnit = (event: FormEvent) => {
    event.preventDefault();
    void adding.run(async () => {
      await admin.createUnit(agencyId, { name, abbreviation });
      setName("");
      setAbbreviation("");
      load();
    });
  };
  const closeEdit = useCallback(() => setEditing(false), []);
  const closeRename = useCallback(() => setRenaming(null), []);

  return (
    <section aria-labelledby="agency-title">
      <p>
        <AppLink to="/agencies">{at("backToAgencies")}</AppLink>
      </p>
      <h1 id="agency-title">{agency ? agency.name : agencies ? at("notFound") : t("loading")}</h1>
      <ErrorLine error={error ?? adding.error} />
      {agency && (
        <>
          <dl className="meta panel">
            <dt>{t("code")}</dt>
            <dd className="mono">{agency.code}</dd>
            <dt>{t("abbreviation")}</dt>
            <dd>{agency.abbreviation}</dd>
            <dt>{at("level")}</dt>
            <dd>{t(`level_${agency.level}`)}</dd>
            <dt>{at("parent")}</dt>
            <dd>{parent ? <AppLink to={`/agencies/${parent.id}`}>{parent.name}</AppLink> : at("none")}</dd>
          </dl>
          {mayAdminister && (
            <div className="actions">
              <button type="button" className="secondary" onClick={() => setEditing(true)}>
                {at("editAgency")}
              </button>
            </div>
          )}
          <h2>{at("units")}</h2>
          {units && units.length === 0 && <p>{at("noUnits")}</p>}
          {units && units.length > 0 && (
            <table className="doc-table">
              <thead>
                <tr>
                  <th scope="col">{at("unitName")}</th>
                  <th scope="col">{t("abbreviation")}</th>
                  {mayAdminister && <th scope="col">{at("actions")}</th>}
                </tr>
              </thead>
              <tbody>
                {units.map((unit) => (
                  <tr key={unit.id}>
                    <td className="doc-abstract" data-label={at("unitName")}>
                      {unit.name}
                    </td>
                    <td data-label={t("abbreviation")}>{unit.abbreviation}</td>
                    {mayAdminister && (
                      <td data-label={at("actions")}>
                        <button type="button" className="secondary" onClick={() => setRenaming(unit)}>
                          {at("renameUnit")} <span className="visually-hidden">{unit.name}</span>
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {mayAdminister && (
            <form className="inline-form" onSubmit={addUnit} aria-label={at("newUnit")}>
              <div>
                <label htmlFor="unit-name">{at("unitName")}</label>
                <input id="unit-name" required maxLength={255} value={name} onChange={(e) => setName(e.target.value)} />
              </div>
              <div>
                <label htmlFor="unit-abbreviation">{t("abbreviation")}</label>
                <input id="unit-abbreviation" required maxLength={20} value={abbreviation} onChange={(e) => setAbbreviation(e.target.value)} />
              </div>
              <button type="submit" className="primary" disabled={adding.busy}>
                {at("newUnit")}
              </button>
            </form>
          )}
        </>
      )}
      {editing && agency && (
        <EditAgencyDialog
          agency={agency}
          onClose={closeEdit}
          onDone={() => {
            setEditing(false);
            load();
          }}
        />
      )}
      {renaming && (
        <RenameUnitDialog
          unit={renaming}
          onClose={closeRename}
          onDone={() => {
            setRenaming(null);
            load();
          }}
        />
      )}
    </section>
  );
}
