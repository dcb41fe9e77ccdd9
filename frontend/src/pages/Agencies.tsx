import { useEffect, useState } from "react";
import { type Agency, api, ApiError } from "../api";
import { useUi } from "../context";

function tree(items: Agency[]): { agency: Agency; depth: number }[] {
  const children = new Map<number | null, Agency[]>();
  for (const a of items) children.set(a.parent_id, [...(children.get(a.parent_id) ?? []), a]);
  const out: { agency: Agency; depth: number }[] = [];
  const walk = (parent: number | null, depth: number) => {
    for (const a of children.get(parent) ?? []) {
      out.push({ agency: a, depth });
      walk(a.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

export function Agencies() {
  const { t, lang } = useUi();
  const [items, setItems] = useState<Agency[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    api
      .agencies()
      .then((data) => setItems(data.items))
      .catch((e: unknown) => setError(e instanceof ApiError ? e : null));
  }, []);

  return (
    <section aria-labelledby="agencies-title">
      <h1 id="agencies-title">{t("agencyTree")}</h1>
      {error && <p role="alert" className="error">{error.text(lang)}</p>}
      {!items && !error && <p>{t("loading")}</p>}
      {items && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t("name")}</th>
              <th scope="col">{t("abbreviation")}</th>
              <th scope="col">{t("code")}</th>
            </tr>
          </thead>
          <tbody>
            {tree(items).map(({ agency, depth }) => (
              <tr key={agency.id}>
                <td style={{ paddingLeft: `${0.75 + depth * 1.5}rem` }}>
                  {agency.name} <span className="muted">({t(`level_${agency.level}`)})</span>
                </td>
                <td>{agency.abbreviation}</td>
                <td className="mono">{agency.code}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
