import { useUi } from "../context";

export function LanguageSwitch() {
  const { lang, setLang, t } = useUi();
  return (
    <button
      type="button"
      className="link-button"
      aria-label={`${t("language")}: ${t("switchTo")}`}
      onClick={() => setLang(lang === "vi" ? "en" : "vi")}
    >
      {t("switchTo")}
    </button>
  );
}
