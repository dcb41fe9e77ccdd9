// Small pieces the document screens share: dialog frame, error line, urgency badge.
import { type FormEvent, type ReactNode, useEffect, useId, useRef } from "react";
import { ApiError } from "../api";
import { useUi } from "../context";
import type { Urgency } from "./api";
import { useDocT } from "./i18n";

/** A link inside the app: a real href (opens in a new tab, readable by screen readers),
 * followed without reloading the page. */
export function AppLink({ to, className, children }: { to: string; className?: string; children: ReactNode }) {
  const { navigate } = useUi();
  return (
    <a
      href={to}
      className={className}
      onClick={(e) => {
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

export function ErrorLine({ error }: { error: unknown }) {
  const { lang } = useUi();
  if (!error) return null;
  const text = error instanceof ApiError ? error.text(lang) : String(error);
  return (
    <p role="alert" className="error">
      {text}
    </p>
  );
}

export function UrgencyBadge({ urgency }: { urgency: Urgency }) {
  const t = useDocT();
  if (urgency === "normal") return <span className="muted">{t("urgency_normal")}</span>;
  return <span className={`badge urgency-${urgency}`}>{t(`urgency_${urgency}`)}</span>;
}

/** A modal form: title, body, cancel and submit buttons. */
export function Dialog({
  title,
  children,
  submitLabel,
  busy,
  error,
  onSubmit,
  onClose,
  wide,
}: {
  title: string;
  children: ReactNode;
  submitLabel?: string;
  busy?: boolean;
  error?: unknown;
  onSubmit?: () => void | Promise<void>;
  onClose: () => void;
  wide?: boolean;
}) {
  const t = useDocT();
  const id = useId();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.querySelector<HTMLElement>("input, select, textarea, button")?.focus();
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void onSubmit?.();
  };
  return (
    <div className="backdrop">
      <div ref={ref} role="dialog" aria-modal="true" aria-labelledby={id} className={wide ? "dialog wide" : "dialog"}>
        <form onSubmit={submit}>
          <h2 id={id}>{title}</h2>
          <ErrorLine error={error} />
          {children}
          <div className="dialog-buttons">
            <button type="button" className="secondary" onClick={onClose}>
              {onSubmit ? t("cancel") : t("close")}
            </button>
            {onSubmit && submitLabel && (
              <button type="submit" className="primary" disabled={busy}>
                {busy ? t("working") : submitLabel}
              </button>
            )}
          </div>
        </form>
      </div>
    </div>
  );
}
