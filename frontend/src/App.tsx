import { useCallback, useEffect, useMemo, useState } from "react";
import { api, ApiError, type Me, setCsrf } from "./api";
import { UiContext, type Ui } from "./context";
import { type Lang, storedLang, storeLang, translate } from "./i18n";
import { forgetDocuments } from "./meetings/offline";
import { Frame } from "./pages/Frame";
import { Login } from "./pages/Login";

export function App() {
  const [lang, setLangState] = useState<Lang>(storedLang);
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [path, setPath] = useState(window.location.pathname);

  const navigate = useCallback((to: string) => {
    if (to !== window.location.pathname) window.history.pushState(null, "", to);
    setPath(to);
  }, []);

  const ui: Ui = useMemo(
    () => ({
      lang,
      t: (key) => translate(lang, key),
      setLang: (next) => {
        storeLang(next);
        setLangState(next);
      },
      navigate,
    }),
    [lang, navigate],
  );

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  useEffect(() => {
    const onPop = () => setPath(window.location.pathname);
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);

  useEffect(() => {
    api
      .me()
      .then((data) => {
        setCsrf(data.csrf_token);
        setMe(data);
      })
      .catch((error: unknown) => {
        if (!(error instanceof ApiError) || error.status === 401) setMe(null);
        else setMe(null);
      });
  }, []);

  const onLogin = (data: Me) => {
    setCsrf(data.csrf_token);
    setMe(data);
    navigate(path === "/login" ? "/" : path);
  };

  const onLogout = async () => {
    try {
      await api.logout();
      await forgetDocuments(); // the meeting documents kept on this device for offline reading
    } finally {
      setCsrf(null);
      setMe(null);
      navigate("/login");
    }
  };

  let body;
  if (me === undefined) body = <p className="loading">{ui.t("loading")}</p>;
  else if (me === null) body = <Login onLogin={onLogin} />;
  else body = <Frame me={me} path={path} onLogout={onLogout} />;
  return <UiContext.Provider value={ui}>{body}</UiContext.Provider>;
}
