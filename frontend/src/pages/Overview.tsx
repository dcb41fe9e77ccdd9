import type { Me } from "../api";
import { useUi } from "../context";

export function Overview({ me }: { me: Me }) {
  const { t } = useUi();
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">
        {t("hello")}, {me.user.full_name}
      </h1>
      <h2>{t("yourRoles")}</h2>
      {me.memberships.length === 0 ? (
        <p>{t("noMemberships")}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t("agency")}</th>
              <th scope="col">{t("unit")}</th>
              <th scope="col">{t("roles")}</th>
            </tr>
          </thead>
          <tbody>
            {me.memberships.map((m) => (
              <tr key={`${m.agency.id}-${m.unit?.id ?? 0}`}>
                <td>{m.agency.name}</td>
                <td>{m.unit?.name ?? "—"}</td>
                <td>{m.roles.map((r) => t(`role_${r}`)).join(", ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
