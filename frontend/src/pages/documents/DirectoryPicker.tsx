// The clerk picks recipients from the agency directory: search by name or code, narrow to
// one level, results grouped by level (central, province, district, commune).
import { useEffect, useState } from "react";
import { type DirectoryEntry, docs } from "../../documents/api";
import { type DocKey, useDocT } from "../../documents/i18n";
import { ErrorLine } from "../../documents/ui";

const LEVELS = ["central", "province", "district", "commune"] as const;

export function DirectoryPicker({
  chosen,
  onChange,
  disabled,
}: {
  chosen: DirectoryEntry[];
  onChange: (entries: DirectoryEntry[]) => void;
  disabled: boolean;
}) {
  const t = useDocT();
  const [query, setQuery] = useState("");
  const [level, setLevel] = useState("");
  const [found, setFound] = useState<DirectoryEntry[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    // Nothing listed until the clerk searches or picks a level; then wait for a pause in
    // typing before asking the server.
    if (!query.trim() && !level) {
      setFound(null);
      return;
    }
    const timer = setTimeout(() => {
      docs.agencyDirectory(query.trim(), level).then(
        (d) => {
          setFound(d.items);
          setError(null);
        },
        setError,
      );
    }, 250);
    return () => clearTimeout(timer);
  }, [query, level]);

  const picked = new Set(chosen.map((e) => e.code));
  const toggle = (entry: DirectoryEntry, on: boolean) =>
    onChange(on ? [...chosen, entry] : chosen.filter((e) => e.code !== entry.code));

  return (
    <fieldset className="directory-picker" disabled={disabled} data-testid="directory-picker">
      <legend>{t("directoryLegend")}</legend>
      <label htmlFor="directory-q">{t("directorySearch")}</label>
      <input id="directory-q" type="search" value={query} onChange={(e) => setQuery(e.target.value)} autoComplete="off" />
      <label htmlFor="directory-level">{t("directoryLevel")}</label>
      <select id="directory-level" value={level} onChange={(e) => setLevel(e.target.value)}>
        <option value="">{t("directoryAllLevels")}</option>
        {LEVELS.map((l) => (
          <option key={l} value={l}>
            {t(`level_${l}` as DocKey)}
          </option>
        ))}
      </select>
      <ErrorLine error={error} />
      {found !== null && found.length === 0 && <p className="muted">{t("directoryNone")}</p>}
      <div className="directory-results">
        {LEVELS.filter((l) => found?.some((e) => e.level === l)).map((l) => (
          <fieldset key={l} className="checks" data-level={l}>
            <legend>{t(`level_${l}` as DocKey)}</legend>
            {found
              ?.filter((e) => e.level === l)
              .map((e) => (
                <label key={e.code} className="check">
                  <input type="checkbox" checked={picked.has(e.code)} onChange={(ev) => toggle(e, ev.target.checked)} /> {e.name}{" "}
                  <span className="muted">
                    {e.code}
                    {e.agency_id !== null && ` · ${t("directoryInside")}`}
                    {!e.electronic && ` · ${t("directoryPaperOnly")}`}
                  </span>
                </label>
              ))}
          </fieldset>
        ))}
      </div>
      {chosen.length > 0 && (
        <>
          <h4>{t("directoryChosen")}</h4>
          <ul data-testid="directory-chosen">
            {chosen.map((e) => (
              <li key={e.code}>
                {e.name} ({e.code}){" "}
                <button type="button" onClick={() => toggle(e, false)} aria-label={`${t("directoryRemove")} ${e.name}`}>
                  {t("directoryRemove")}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </fieldset>
  );
}
