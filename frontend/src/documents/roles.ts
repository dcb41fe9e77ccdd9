// Which agency the current user acts for in a role (the first membership holding it).
import type { Me, Role } from "../api";

export function agencyWith(me: Me, ...roles: Role[]): number | null {
  const m = me.memberships.find((x) => x.roles.some((r) => roles.includes(r)));
  return m ? m.agency.id : null;
}

export function hasRole(me: Me, ...roles: Role[]): boolean {
  return agencyWith(me, ...roles) !== null;
}

/** Whether the user holds one of the roles in this agency. */
export function hasRoleIn(me: Me, agencyId: number, ...roles: Role[]): boolean {
  return me.memberships.some((m) => m.agency.id === agencyId && m.roles.some((r) => roles.includes(r)));
}

export function unitOf(me: Me, agencyId: number): number | null {
  return me.memberships.find((m) => m.agency.id === agencyId && m.unit)?.unit?.id ?? null;
}

/** People who may work on documents: clerks, leaders and specialists. */
export const DOC_ROLES: Role[] = ["clerk", "leader", "specialist"];
