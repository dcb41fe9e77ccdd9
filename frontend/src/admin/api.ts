// The administration screens' requests: agencies, units, users and their roles.
import { type Agency, call, type Me, type Role, type Schemas, type Unit } from "../api";

type User = Schemas["UserOut"];

export type AgencyCreate = Schemas["AgencyCreateIn"];
export type UserCreate = Schemas["UserCreateIn"];
export type UserUpdate = Schemas["UserUpdateIn"];
export type UserRow = Schemas["UserAdminOut"];
export type RoleHeld = Schemas["RoleHeldOut"];
export type UserFilter = { q: string; agencyId: number | null; active: "" | "1" | "0"; offset: number };

export const ROLES: Role[] = ["admin", "clerk", "leader", "specialist", "secretary", "member"];
export const PAGE = 50;

function query(f: UserFilter): string {
  const params = new URLSearchParams();
  if (f.q.trim()) params.set("q", f.q.trim());
  if (f.agencyId !== null) params.set("agency_id", String(f.agencyId));
  if (f.active) params.set("active", f.active);
  params.set("limit", String(PAGE));
  params.set("offset", String(f.offset));
  return params.toString();
}

export const admin = {
  createAgency: (body: AgencyCreate) => call<Agency>("POST", "/agencies", body),
  updateAgency: (id: number, body: Schemas["AgencyUpdateIn"]) => call<Agency>("PATCH", `/agencies/${id}`, body),
  removeAgency: (id: number) => call<void>("DELETE", `/agencies/${id}`),
  units: (agencyId: number) => call<Schemas["UnitList"]>("GET", `/agencies/${agencyId}/units`),
  createUnit: (agencyId: number, body: Schemas["UnitCreateIn"]) => call<Unit>("POST", `/agencies/${agencyId}/units`, body),
  updateUnit: (id: number, body: Schemas["UnitUpdateIn"]) => call<Unit>("PATCH", `/units/${id}`, body),
  users: (f: UserFilter) => call<Schemas["UserAdminList"]>("GET", `/users?${query(f)}`),
  createUser: (body: UserCreate) => call<User>("POST", "/users", body),
  updateUser: (id: number, body: UserUpdate) => call<UserRow>("PATCH", `/users/${id}`, body),
  resetPassword: (id: number, password: string) => call<User>("POST", `/users/${id}/password`, { password }),
  setActive: (id: number, active: boolean) => call<User>("POST", `/users/${id}/${active ? "enable" : "disable"}`),
  grant: (userId: number, agencyId: number, role: Role, unitId: number | null) =>
    call<void>("POST", `/users/${userId}/roles`, { agency_id: agencyId, role, unit_id: unitId }),
  revoke: (userId: number, agencyId: number, role: Role) => call<void>("DELETE", `/users/${userId}/roles/${agencyId}/${role}`),
};

/** The agencies as a tree, depth first, each with its depth. */
export function tree(items: Agency[]): { agency: Agency; depth: number }[] {
  const children = new Map<number | null, Agency[]>();
  for (const a of items) children.set(a.parent_id, [...(children.get(a.parent_id) ?? []), a]);
  const out: { agency: Agency; depth: number }[] = [];
  const seen = new Set<number>();
  const walk = (parent: number | null, depth: number) => {
    for (const a of children.get(parent) ?? []) {
      if (seen.has(a.id)) continue;
      seen.add(a.id);
      out.push({ agency: a, depth });
      walk(a.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/** The agencies I administer: those where I am an administrator, and every one below them
 * (the server decides; this only hides buttons that would be refused). */
export function administered(me: Me, items: Agency[]): Set<number> {
  const admin = new Set(me.memberships.filter((m) => m.roles.includes("admin")).map((m) => m.agency.id));
  const parent = new Map(items.map((a) => [a.id, a.parent_id]));
  const out = new Set<number>();
  for (const a of items) {
    for (let id: number | null | undefined = a.id, hops = 0; id != null && hops < 64; id = parent.get(id), hops++) {
      if (admin.has(id)) {
        out.add(a.id);
        break;
      }
    }
  }
  return out;
}

/** An administrator of a top-level agency (may create top-level agencies and see everyone). */
export function administersRoot(me: Me): boolean {
  return me.memberships.some((m) => m.roles.includes("admin") && m.agency.parent_id === null);
}
