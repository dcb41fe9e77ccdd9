// The dialogs of the users screen: create, edit, roles, reset password.
import { useEffect, useState } from "react";
import { type Agency, ApiError, type Role, type Unit } from "../../api";
import { admin, ROLES, tree, type UserRow } from "../../admin/api";
import { useAdminT } from "../../admin/i18n";
import { useAction } from "../../admin/useAction";
import { useUi } from "../../context";
import { Dialog } from "../../documents/ui";

/** An agency, a role in it and maybe one of its units. */
function RoleFields({
  agencies,
  agencyId,
  role,
  unitId,
  optional,
  onChange,
}: {
  agencies: Agency[];
  agencyId: string;
  role: string;
  unitId: string;
  optional: boolean;
  onChange: (next: { agencyId: string; role: string; unitId: string }) => void;
}) {
  const { t } = useUi();
  const at = useAdminT();
  const [units, setUnits] = useState<Unit[]>([]);
  useEffect(() => {
    let live = true;
    if (!agencyId) setUnits([]);
    else
      admin
        .units(Number(agencyId))
        .then((data) => live && setUnits(data.items))
        .catch(() => live && setUnits([]));
    return () => {
      live = false;
    };
  }, [agencyId]);
  return (
    <div className="row">
      <div>
        <label htmlFor="role-agency">{at("agency")}</label>
        <select id="role-agency" required={!optional} value={agencyId} onChange={(e) => onChange({ agencyId: e.target.value, role, unitId: "" })}>
          <option value="">{optional ? at("noRole") : "—"}</option>
          {tree(agencies).map(({ agency, depth }) => (
            <option key={agency.id} value={agency.id}>
              {"\u00a0".repeat(depth * 3)}
              {agency.name}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="role-role">{at("role")}</label>
        <select id="role-role" required={!optional || agencyId !== ""} value={role} onChange={(e) => onChange({ agencyId, role: e.target.value, unitId })}>
          <option value="">—</option>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`role_${r}`)}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="role-unit">{at("unit")}</label>
        <select id="role-unit" value={unitId} onChange={(e) => onChange({ agencyId, role, unitId: e.target.value })}>
          <option value="">{at("noUnit")}</option>
          {units.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}

function PasswordFields({ label, password, again, onChange }: { label: string; password: string; again: string; onChange: (p: string, a: string) => void }) {
  const at = useAdminT();
  return (
    <>
      <label htmlFor="new-password">{label}</label>
      <input id="new-password" type="password" autoComplete="new-password" required minLength={10} maxLength={1024} value={password} onChange={(e) => onChange(e.target.value, again)} aria-describedby="new-password-hint" />
      <p id="new-password-hint" className="muted small">
        {at("passwordHint")}
      </p>
      <label htmlFor="new-password-again">{at("passwordAgain")}</label>
      <input id="new-password-again" type="password" autoComplete="new-password" required maxLength={1024} value={again} onChange={(e) => onChange(password, e.target.value)} />
    </>
  );
}

/** A mismatch of the two password fields, shown as the server's errors are. */
function differ(text: string): ApiError {
  return new ApiError(0, "password.differ", { vi: text, en: text });
}

export function CreateUserDialog({ agencies, onDone, onClose }: { agencies: Agency[]; onDone: (name: string) => void; onClose: () => void }) {
  const { t } = useUi();
  const at = useAdminT();
  const [username, setUsername] = useState("");
  const [fullName, setFullName] = useState("");
  const [title, setTitle] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [again, setAgain] = useState("");
  const [grant, setGrant] = useState({ agencyId: agencies.length === 1 ? String(agencies[0].id) : "", role: "", unitId: "" });
  const { busy, error, setError, run } = useAction();
  const submit = () => {
    if (password !== again) return void setError(differ(at("passwordsDiffer")));
    return run(async () => {
      const user = await admin.createUser({ username, password, full_name: fullName, title, email: email.trim() || null, language: "vi", personal_id: null });
      if (grant.agencyId && grant.role)
        await admin.grant(user.id, Number(grant.agencyId), grant.role as Role, grant.unitId ? Number(grant.unitId) : null);
      onDone(user.username);
    });
  };
  return (
    <Dialog title={at("newUser")} submitLabel={at("createUser")} busy={busy} error={error} onSubmit={submit} onClose={onClose} wide>
      <div className="row">
        <div>
          <label htmlFor="user-username">{t("username")}</label>
          <input id="user-username" required maxLength={63} autoComplete="off" value={username} onChange={(e) => setUsername(e.target.value)} aria-describedby="user-username-hint" />
          <p id="user-username-hint" className="muted small">
            {at("usernameHint")}
          </p>
        </div>
        <div>
          <label htmlFor="user-full-name">{at("fullName")}</label>
          <input id="user-full-name" required maxLength={255} value={fullName} onChange={(e) => setFullName(e.target.value)} />
        </div>
      </div>
      <div className="row">
        <div>
          <label htmlFor="user-title">{at("title")}</label>
          <input id="user-title" maxLength={255} value={title} onChange={(e) => setTitle(e.target.value)} />
        </div>
        <div>
          <label htmlFor="user-email">{at("email")}</label>
          <input id="user-email" type="email" maxLength={255} value={email} onChange={(e) => setEmail(e.target.value)} />
        </div>
      </div>
      <PasswordFields label={at("initialPassword")} password={password} again={again} onChange={(p, a) => (setPassword(p), setAgain(a))} />
      <fieldset className="plain">
        <legend>{at("firstRole")}</legend>
        <RoleFields agencies={agencies} {...grant} optional onChange={setGrant} />
      </fieldset>
    </Dialog>
  );
}

export function EditUserDialog({ row, onDone, onClose }: { row: UserRow; onDone: () => void; onClose: () => void }) {
  const at = useAdminT();
  const u = row.user;
  const [fullName, setFullName] = useState(u.full_name);
  const [title, setTitle] = useState(u.title);
  const [email, setEmail] = useState(u.email ?? "");
  const [phone, setPhone] = useState(u.phone ? `0${u.phone.slice(2)}` : "");
  const { busy, error, run } = useAction();
  const submit = () =>
    run(async () => {
      await admin.updateUser(u.id, { full_name: fullName, title, email, phone });
      onDone();
    });
  return (
    <Dialog title={`${at("editUser")}: ${u.username}`} submitLabel={at("save")} busy={busy} error={error} onSubmit={submit} onClose={onClose}>
      <label htmlFor="edit-full-name">{at("fullName")}</label>
      <input id="edit-full-name" required maxLength={255} value={fullName} onChange={(e) => setFullName(e.target.value)} />
      <label htmlFor="edit-title">{at("title")}</label>
      <input id="edit-title" maxLength={255} value={title} onChange={(e) => setTitle(e.target.value)} />
      <label htmlFor="edit-email">{at("email")}</label>
      <input id="edit-email" type="email" maxLength={255} value={email} onChange={(e) => setEmail(e.target.value)} />
      <label htmlFor="edit-phone">{at("phone")}</label>
      <input id="edit-phone" type="tel" maxLength={32} value={phone} onChange={(e) => setPhone(e.target.value)} aria-describedby="edit-phone-hint" />
      <p id="edit-phone-hint" className="muted small">
        {at("phoneHint")}
      </p>
    </Dialog>
  );
}

export function RolesDialog({ row, agencies, onChange, onClose }: { row: UserRow; agencies: Agency[]; onChange: () => void; onClose: () => void }) {
  const { t } = useUi();
  const at = useAdminT();
  // Another role in the agency of the first one held is the common case.
  const first = row.roles.find((held) => agencies.some((a) => a.id === held.agency_id))?.agency_id ?? (agencies.length === 1 ? agencies[0].id : null);
  const [grant, setGrant] = useState({ agencyId: first === null ? "" : String(first), role: "", unitId: "" });
  const { busy, error, run } = useAction();
  const name = row.user.full_name;
  const change = (step: () => Promise<void>) =>
    run(async () => {
      await step();
      onChange();
    });
  const revoke = (held: UserRow["roles"][number]) => {
    const role = t(`role_${held.role}`);
    if (!window.confirm(at("confirmRevoke", { role, agency: held.agency_name, name }))) return;
    void change(() => admin.revoke(row.user.id, held.agency_id, held.role));
  };
  const submit = () =>
    change(async () => {
      await admin.grant(row.user.id, Number(grant.agencyId), grant.role as Role, grant.unitId ? Number(grant.unitId) : null);
      setGrant({ ...grant, role: "", unitId: "" });
    });
  return (
    <Dialog title={at("rolesOf", { name })} submitLabel={at("grant")} busy={busy} error={error} onSubmit={submit} onClose={onClose} wide>
      {row.roles.length === 0 && <p>{at("noRoles")}</p>}
      <ul className="role-list">
        {row.roles.map((held) => (
          <li key={`${held.agency_id}-${held.role}`}>
            <span>
              <strong>{t(`role_${held.role}`)}</strong> — {held.agency_name}
              {held.unit && <span className="muted"> · {held.unit.name}</span>}
            </span>
            <button type="button" className="danger" disabled={busy} onClick={() => revoke(held)}>
              {at("revoke")}{" "}
              <span className="visually-hidden">
                {t(`role_${held.role}`)} {held.agency_name}
              </span>
            </button>
          </li>
        ))}
      </ul>
      <fieldset className="plain">
        <legend>{at("grant")}</legend>
        <RoleFields agencies={agencies} {...grant} optional={false} onChange={setGrant} />
      </fieldset>
    </Dialog>
  );
}

export function ResetPasswordDialog({ row, onDone, onClose }: { row: UserRow; onDone: () => void; onClose: () => void }) {
  const at = useAdminT();
  const [password, setPassword] = useState("");
  const [again, setAgain] = useState("");
  const { busy, error, setError, run } = useAction();
  const submit = () => {
    if (password !== again) return void setError(differ(at("passwordsDiffer")));
    return run(async () => {
      await admin.resetPassword(row.user.id, password);
      onDone();
    });
  };
  return (
    <Dialog title={at("resetPasswordOf", { name: row.user.full_name })} submitLabel={at("resetPassword")} busy={busy} error={error} onSubmit={submit} onClose={onClose}>
      <p className="notice">{at("resetHint")}</p>
      <PasswordFields label={at("newPassword")} password={password} again={again} onChange={(p, a) => (setPassword(p), setAgain(a))} />
    </Dialog>
  );
}
