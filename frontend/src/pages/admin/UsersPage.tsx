// User accounts for administrators: search and filter, create, edit, roles, reset the
// password, disable and enable.
import { useCallback, useEffect, useState } from "react";
import { type Agency, api, type Me } from "../../api";
import { admin, administered, PAGE, tree, type UserFilter, type UserRow } from "../../admin/api";
import { useAdminT } from "../../admin/i18n";
import { useUi } from "../../context";
import { ErrorLine } from "../../documents/ui";
import { CreateUserDialog, EditUserDialog, ResetPasswordDialog, RolesDialog } from "./UserForms";

type Open = { kind: "create" } | { kind: "edit" | "roles" | "password"; row: UserRow } | null;

export function UsersPage({ me }: { me: Me }) {
  const { t } = useUi();
  const at = useAdminT();
  const [agencies, setAgencies] = useState<Agency[]>([]);
  const [filter, setFilter] = useState<UserFilter>({ q: "", agencyId: null, active: "", offset: 0 });
  const [typed, setTyped] = useState("");
  const [page, setPage] = useState<{ items: UserRow[]; total: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<Open>(null);
  const [done, setDone] = useState("");

  useEffect(() => {
    api
      .agencies()
      .then((data) => setAgencies(data.items))
      .catch(setError);
  }, []);
  const load = useCallback(() => {
    admin
      .users(filter)
      .then((data) => {
        setPage(data);
        setError(null);
      })
      .catch((e: unknown) => {
        setPage(null);
        setError(e);
      });
  }, [filter]);
  useEffect(load, [load]);
  // The search runs a moment after typing stops, not on every key.
  useEffect(() => {
    const timer = window.setTimeout(() => setFilter((f) => (f.q === typed ? f : { ...f, q: typed, offset: 0 })), 300);
    return () => window.clearTimeout(timer);
  }, [typed]);

  const mine = administered(me, agencies);
  const managed = agencies.filter((a) => mine.has(a.id));
  const close = useCallback(() => setOpen(null), []);
  const finish = (message: string) => {
    setOpen(null);
    setDone(message);
    load();
  };
  const toggle = async (row: UserRow) => {
    const active = !row.user.is_active;
    if (!active && !window.confirm(at("confirmDisable", { name: row.user.full_name }))) return;
    try {
      await admin.setActive(row.user.id, active);
      setDone(`${row.user.full_name}: ${active ? at("active") : at("disabled")}`);
      load();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">{at("usersTitle")}</h1>
      <p className="muted">{at("usersIntro")}</p>
      {managed.length > 0 && (
        <div className="actions">
          <button type="button" className="primary" onClick={() => setOpen({ kind: "create" })}>
            {at("newUser")}
          </button>
        </div>
      )}
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <div className="grow">
          <label htmlFor="users-q">{at("search")}</label>
          <input id="users-q" type="search" maxLength={200} value={typed} onChange={(e) => setTyped(e.target.value)} />
        </div>
        <div>
          <label htmlFor="users-agency">{at("agency")}</label>
          <select
            id="users-agency"
            value={filter.agencyId ?? ""}
            onChange={(e) => setFilter({ ...filter, agencyId: e.target.value ? Number(e.target.value) : null, offset: 0 })}
          >
            <option value="">{at("allAgencies")}</option>
            {tree(managed).map(({ agency, depth }) => (
              <option key={agency.id} value={agency.id}>
                {"\u00a0".repeat(depth * 3)}
                {agency.abbreviation} — {agency.name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="users-state">{at("state")}</label>
          <select id="users-state" value={filter.active} onChange={(e) => setFilter({ ...filter, active: e.target.value as UserFilter["active"], offset: 0 })}>
            <option value="">{at("allStates")}</option>
            <option value="1">{at("active")}</option>
            <option value="0">{at("disabled")}</option>
          </select>
        </div>
      </form>
      <ErrorLine error={error} />
      {done && (
        <p role="status" className="notice">
          {done}
        </p>
      )}
      {!page && !error && <p>{t("loading")}</p>}
      {page && (
        <>
          <p className="muted" aria-live="polite">
            {at("total", { n: page.total })}
          </p>
          {page.items.length === 0 && <p>{at("noUsers")}</p>}
          {page.items.length > 0 && (
            <table className="doc-table user-table">
              <thead>
                <tr>
                  <th scope="col">{at("fullName")}</th>
                  <th scope="col">{at("roles")}</th>
                  <th scope="col">{at("actions")}</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((row) => (
                  <tr key={row.user.id}>
                    <td className="doc-abstract" data-label={at("fullName")}>
                      <strong>{row.user.full_name}</strong>
                      {!row.user.is_active && <span className="state state-refused user-state">{at("disabled")}</span>}
                      <div className="muted small">
                        <span className="mono">{row.user.username}</span>
                        {row.user.title && ` · ${row.user.title}`}
                      </div>
                      {row.user.email && <div className="muted small">{row.user.email}</div>}
                    </td>
                    <td data-label={at("roles")}>
                      {row.roles.length === 0 && <span className="muted">{at("noRoles")}</span>}
                      <ul className="plain-list">
                        {row.roles.map((held) => (
                          <li key={`${held.agency_id}-${held.role}`}>
                            {t(`role_${held.role}`)} — {held.agency_abbreviation}
                            {held.unit && ` · ${held.unit.abbreviation}`}
                          </li>
                        ))}
                      </ul>
                    </td>
                    <td data-label={at("actions")}>
                      <div className="row-actions">
                        <button type="button" className="secondary" onClick={() => setOpen({ kind: "edit", row })}>
                          {at("edit")} <span className="visually-hidden">{row.user.full_name}</span>
                        </button>
                        <button type="button" className="secondary" onClick={() => setOpen({ kind: "roles", row })}>
                          {at("manageRoles")} <span className="visually-hidden">{row.user.full_name}</span>
                        </button>
                        {row.user.id !== me.user.id && (
                          <>
                            <button type="button" className="secondary" onClick={() => setOpen({ kind: "password", row })}>
                              {at("resetPassword")} <span className="visually-hidden">{row.user.full_name}</span>
                            </button>
                            <button type="button" className={row.user.is_active ? "danger" : "secondary"} onClick={() => void toggle(row)}>
                              {row.user.is_active ? at("disable") : at("enable")} <span className="visually-hidden">{row.user.full_name}</span>
                            </button>
                          </>
                        )}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {page.total > PAGE && (
            <div className="pager">
              <button type="button" className="secondary" disabled={filter.offset === 0} onClick={() => setFilter({ ...filter, offset: Math.max(0, filter.offset - PAGE) })}>
                {at("previous")}
              </button>
              <span>
                {filter.offset + 1}–{Math.min(filter.offset + PAGE, page.total)} / {page.total}
              </span>
              <button type="button" className="secondary" disabled={filter.offset + PAGE >= page.total} onClick={() => setFilter({ ...filter, offset: filter.offset + PAGE })}>
                {at("next")}
              </button>
            </div>
          )}
        </>
      )}
      {open?.kind === "create" && (
        <CreateUserDialog agencies={managed} onClose={close} onDone={(name) => finish(at("userCreated", { name }))} />
      )}
      {open?.kind === "edit" && <EditUserDialog row={open.row} onClose={close} onDone={() => finish(at("saved"))} />}
      {open?.kind === "roles" && (
        <RolesDialog
          row={page?.items.find((r) => r.user.id === open.row.user.id) ?? open.row}
          agencies={managed}
          onClose={close}
          onChange={load}
        />
      )}
      {open?.kind === "password" && (
        <ResetPasswordDialog row={open.row} onClose={close} onDone={() => finish(at("passwordReset", { name: open.row.user.full_name }))} />
      )}
    </section>
  );
}
