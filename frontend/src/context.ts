import { createContext, useContext } from "react";
import { type Key, type Lang, translate } from "./i18n";

export interface Ui {
  lang: Lang;
  t: (key: Key) => string;
  setLang: (lang: Lang) => void;
  navigate: (path: string) => void;
}

export const UiContext = createContext<Ui>({
  lang: "vi",
  t: (key) => translate("vi", key),
  setLang: () => undefined,
  navigate: () => undefined,
});

export const useUi = (): Ui => useContext(UiContext);
