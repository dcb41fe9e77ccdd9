// The JSON API: one place for fetch, CSRF and error handling.
import type { Lang } from "./i18n";

import type { components } from "./api/schema";

/** The request and response bodies of the API, generated from /api/v1/openapi.json
 * (frontend/src/api/schema.ts: `make api-types` after changing a schema). */
export type Schemas = components["schemas"];
/** A generated schema with some fields narrowed (a plain string in the schema, one of a few
 * values in fact). */
export type Narrow<T, N extends { [K in keyof T]?: unknown }> = Omit<T, keyof N> & N;

export type Role = Schemas["Role"];
export type Level = Schemas["AgencyLevel"];
export type Agency = Schemas["AgencyOut"];
export type Unit = Schemas["UnitOut"];
export type Me = Schemas["MeOut"];
/** scopes: read (GET), write (other requests), sign (signing; always with the holder's PIN). */
export type Token = Schemas["TokenOut"];
export type Scope = Schemas["Scope"];

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

/** Turn a non-OK response into an ApiError carrying the server's bilingual message. */
async function errorOf(response: Response): Promise<ApiError> {
  const data = await response.json().catch(() => null);
  const messages = data?.message ?? { vi: `Lỗi ${response.status}`, en: `Error ${response.status}` };
  return new ApiError(response.status, data?.code ?? "unknown", messages);
}

const NETWORK = {
  vi: "Không kết nối được máy chủ. Vui lòng thử lại.",
  en: "Cannot reach the server. Please try again.",
};

/** The one place a request leaves the web app: the session's cookie, the CSRF token on a
 * state-changing request, and a bilingual ApiError when the server cannot be reached. */
async function send(method: string, url: string, init: RequestInit = {}): Promise<Response> {
  const headers: Record<string, string> = { ...(init.headers as Record<string, string> | undefined) };
  if (method !== "GET" && csrf) headers["X-CSRF-Token"] = csrf;
  try {
    return await fetch(url, { ...init, method, headers, credentials: "same-origin" });
  } catch {
    throw new ApiError(0, "network", NETWORK);
  }
}

/** An API path (/documents/1) or an address the API gave (/api/v1/…), as a URL. */
const apiUrl = (path: string) => (path.startsWith("/api/") ? path : `/api/v1${path}`);

/** Fired on the window after every request that changed something on the server (the
 *  frame reads the work queue again, so the menu's count follows the step just taken). */
export const CHANGED = "ecabinet:changed";

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await send(method, apiUrl(path), {
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (method !== "GET" && response.ok && !path.startsWith("/auth/")) window.dispatchEvent(new Event(CHANGED));
  if (response.status === 204) return undefined as T;
  if (!response.ok) throw await errorOf(response);
  return (await response.json().catch(() => null)) as T;
}

/** POST a file's bytes as the raw body; the JSON answer, or the server's bilingual error. */
export async function postBytes<T>(path: string, file: Blob, contentType: string): Promise<T> {
  const headers = { "Content-Type": contentType, Accept: "application/json" };
  const response = await send("POST", apiUrl(path), { headers, body: file });
  if (!response.ok) throw await errorOf(response);
  window.dispatchEvent(new Event(CHANGED));
  return (await response.json()) as T;
}

/** Bytes [begin, end) of a file by a Range request, and the file's whole size (a server
 * that ignores the range answers the whole file: its slice is returned). */
export async function getRange(path: string, begin: number, end: number): Promise<{ bytes: Uint8Array; total: number }> {
  const response = await send("GET", apiUrl(path), { headers: { Range: `bytes=${begin}-${end - 1}` } });
  if (!response.ok) throw await errorOf(response);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (response.status !== 206) return { bytes: bytes.subarray(begin, end), total: bytes.length };
  const total = Number(response.headers.get("Content-Range")?.split("/")[1]);
  return { bytes, total: Number.isFinite(total) ? total : begin + bytes.length };
}

/** GET the response itself (a file's bytes, for a cache or a viewer); an ApiError unless OK.
 * `fresh` skips the browser's HTTP cache. */
export async function getBytes(path: string, fresh = false): Promise<Response> {
  const response = await send("GET", apiUrl(path), fresh ? { cache: "no-store" } : {});
  if (!response.ok) throw await errorOf(response);
  return response;
}

export const api = {
  me: () => call<Me>("GET", "/auth/me"),
  login: (username: string, password: string) => call<Me>("POST", "/auth/login", { username, password }),
  logout: () => call<void>("POST", "/auth/logout"),
  agencies: () => call<{ items: Agency[] }>("GET", "/agencies"),
  tokens: () => call<{ items: Token[] }>("GET", "/tokens"),
  createToken: (name: string, expires_in_days: number | null, scopes: Scope[]) =>
    call<Schemas["TokenCreatedOut"]>("POST", "/tokens", { name, expires_in_days, scopes }),
  revokeToken: (id: number) => call<void>("DELETE", `/tokens/${id}`),
};
