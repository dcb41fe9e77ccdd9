// The JSON API: one place for fetch, CSRF and error handling.
import type { Lang } from "./i18n";

export type Role = "admin" | "clerk" | "leader" | "specialist" | "secretary" | "member";
export type Level = "province" | "department" | "district" | "commune";

export interface Agency {
  id: number;
  code: string;
  name: string;
  abbreviation: string;
  parent_id: number | null;
  level: Level;
}
export interface Unit {
  id: number;
  name: string;
  abbreviation: string;
}
export interface Me {
  user: { id: number; username: string; full_name: string; title: string; email: string | null; language: Lang };
  memberships: { agency: Agency; unit: Unit | null; roles: Role[] }[];
  csrf_token: string | null;
}
export interface Token {
  id: number;
  name: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  /** read (GET), write (other requests), sign (signing; always with the holder's PIN). */
  scopes: Scope[];
}
export type Scope = "read" | "write" | "sign";

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    public messages: { vi: string; en: string },
  ) {
    super(messages.en);
  }
  text(lang: Lang): string {
    return this.messages[lang] || this.messages.vi;
  }
}

let csrf: string | null = null;

export function setCsrf(token: string | null): void {
  csrf = token;
}

/** Headers a state-changing request needs (the CSRF token of the session). */
export function csrfHeaders(): Record<string, string> {
  return csrf ? { "X-CSRF-Token": csrf } : {};
}

/** Turn a non-OK response into an ApiError carrying the server's bilingual message. */
export async function errorOf(response: Response): Promise<ApiError> {
  const data = await response.json().catch(() => null);
  const messages = data?.message ?? { vi: `Lỗi ${response.status}`, en: `Error ${response.status}` };
  return new ApiError(response.status, data?.code ?? "unknown", messages);
}

/** Fired on the window after every request that changed something on the server (the
 *  frame reads the work queue again, so the menu's count follows the step just taken). */
export const CHANGED = "ecabinet:changed";

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrf) headers["X-CSRF-Token"] = csrf;
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "network", {
      vi: "Không kết nối được máy chủ. Vui lòng thử lại.",
      en: "Cannot reach the server. Please try again.",
    });
  }
  if (method !== "GET" && response.ok && !path.startsWith("/auth/")) window.dispatchEvent(new Event(CHANGED));
  if (response.status === 204) return undefined as T;
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const messages = data?.message ?? { vi: `Lỗi ${response.status}`, en: `Error ${response.status}` };
    throw new ApiError(response.status, data?.code ?? "unknown", messages);
  }
  return data as T;
}

export const api = {
  me: () => call<Me>("GET", "/auth/me"),
  login: (username: string, password: string) => call<Me>("POST", "/auth/login", { username, password }),
  logout: () => call<void>("POST", "/auth/logout"),
  agencies: () => call<{ items: Agency[] }>("GET", "/agencies"),
  tokens: () => call<{ items: Token[] }>("GET", "/tokens"),
  createToken: (name: string, expires_in_days: number | null, scopes: Scope[]) =>
    call<{ token: string; item: Token }>("POST", "/tokens", { name, expires_in_days, scopes }),
  revokeToken: (id: number) => call<void>("DELETE", `/tokens/${id}`),
};
