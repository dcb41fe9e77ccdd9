// The dialogs of the agency screens: create an agency, edit one, rename a unit.
import { useState } from "react";
import { type Agency, type Level, type Unit } from "../../api";
import { admin, tree } from "../../admin/api";
import { useAdminT } from "../../admin/i18n";
import { useAction } from "../../admin/useAction";
import { useUi } from "../../context";
import { Dialog } from "../../documents/ui";

const LEVELS: Level[] = ["province", "department", "district", "commune"];

/** Create an agency under one of those I administer (or at the top, for a top-level admin). */
export function CreateAgencyDialog({
  agencies,
  parents,
  topLevel,
  parentId,
  onDone,
  onClose,
}: {
  agencies: Agency[];
  parents: Set<number>;
  topLevel: boolean;
  parentId: number | null;
  onDone: (agency: Agency) => void;
  onClose: () => void;
}) {
  const { t } = useUi();
  const at = useAdminT();
  const [code, setCode] = useState("");
  const [name, setName] = useState("");
  const [abbreviation, setAbbreviation] = useState("");
  const [parent, setParent] = useState<string>(parentId === null ? "" : String(parentId));
  const [level, setLevel] = useState<Level>(parentId === null ? "province" : "department");
  const [parentName, setParentName] = useState("");
  const { busy, error, run } = useAction();
  const submit = () =>
    run(async () => {
      const created = await admin.createAgency({
        code,
        name,
        abbreviation,
        level,
        parent_id: parent ? Number(parent) : null,
        parent_name: parentName,
        tax_code: null,
        budget_code: null,
      });
      onDone(created);
    });
  return (
    <Dialog title={at("newAgency")} submitLabel={at("createAgency")} busy={busy} error={error} onSubmit={submit} onClose={onClose}>
      <label htmlFor="agency-parent">{at("parent")}</label>
      <select id="agency-parent" value={parent} onChange={(e) => setParent(e.target.value)}>
        {topLevel && <option value="">{at("none")}</option>}
        {tree(agencies)
          .filter(({ agency }) => parents.has(agency.id))
          .map(({ agency, depth }) => (
            <option key={agency.id} value={agency.id}>
              {"\u00a0".repeat(depth * 3)}
              {agency.name}
            </option>
          ))}
      </select>
      <label htmlFor="agency-code">{t("code")}</label>
      <input id="agency-code" className="mono" required maxLength={32} value={code} onChange={(e) => setCode(e.target.value)} aria-describedby="agency-code-hint" />
      <p id="agency-code-hint" className="muted small">
        {at("codeHint")}
      </p>
      <label htmlFor="agency-name">{t("name")}</label>
      <input id="agency-name" required maxLength={255} value={name} onChange={(e) => setName(e.target.value)} />
      <label htmlFor="agency-abbreviation">{t("abbreviation")}</label>
      <input id="agency-abbreviation" required maxLength={20} value={abbreviation} onChange={(e) => setAbbreviation(e.target.value)} />
      <label htmlFor="agency-level">{at("level")}</label>
      <select id="agency-level" value={level} onChange={(e) => setLevel(e.target.value as Level)}>
        {LEVELS.map((l) => (
          <option key={l} value={l}>
            {t(`level_${l}`)}
          </option>
        ))}
      </select>
      <label htmlFor="agency-parent-name">{at("parentName")}</label>
      <input id="agency-parent-name" maxLength={255} value={parentName} onChange={(e) => setParentName(e.target.value)} />
    </Dialog>
  );
}

/** A name and an abbreviation to change: an agency's (its code stays) or a unit's. */
export function NameDialog({
  title,
  nameLabel,
  code,
  initial,
  save,
  onDone,
  onClose,
}: {
  title: string;
  nameLabel: string;
  code?: string;
  initial: { name: string; abbreviation: string };
  save: (changed: { name: string; abbreviation: string }) => Promise<unknown>;
  onDone: () => void;
  onClose: () => void;
}) {
  const { t } = useUi();
  const at = useAdminT();
  const [name, setName] = useState(initial.name);
  const [abbreviation, setAbbreviation] = useState(initial.abbreviation);
  const { busy, error, run } = useAction();
  const submit = () =>
    run(async () => {
      await save({ name, abbreviation });
      onDone();
    });
  return (
    <Dialog title={title} submitLabel={at("save")} busy={busy} error={error} onSubmit={submit} onClose={onClose}>
      {code && (
        <p>
          {t("code")}: <span className="mono">{code}</span>
        </p>
      )}
      <label htmlFor="rename-name">{nameLabel}</label>
      <input id="rename-name" required maxLength={255} value={name} onChange={(e) => setName(e.target.value)} />
      <label htmlFor="rename-abbreviation">{t("abbreviation")}</label>
      <input id="rename-abbreviation" required maxLength={20} value={abbreviation} onChange={(e) => setAbbreviation(e.target.value)} />
    </Dialog>
  );
}

export function EditAgencyDialog({ agency, onDone, onClose }: { agency: Agency; onDone: () => void; onClose: () => void }) {
  const { t } = useUi();
  const at = useAdminT();
  return (
    <NameDialog
      title={at("editAgency")}
      nameLabel={t("name")}
      code={agency.code}
      initial={agency}
      save={(changed) => admin.updateAgency(agency.id, changed)}
      onDone={onDone}
      onClose={onClose}
    />
  );
}

export function RenameUnitDialog({ unit, onDone, onClose }: { unit: Unit; onDone: () => void; onClose: () => void }) {
  const at = useAdminT();
  return (
    <NameDialog
      title={at("renameUnit")}
      nameLabel={at("unitName")}
      initial={unit}
      save={(changed) => admin.updateUnit(unit.id, changed)}
      onDone={onDone}
      onClose={onClose}
    />
  );
}
