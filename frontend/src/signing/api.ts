// Signing credentials' activation data: the PIN asked for each signature or batch, the
// holder's PIN changes, the TOTP second factor, the admin's unlock.
import { call, type Schemas } from "../api";
import type { Credential } from "../documents/api";

/** What the holder gives for one signature (never kept by the web app after the request). */
export interface Activation {
  pin: string;
  otp: string;
}

export const NO_ACTIVATION: Activation = { pin: "", otp: "" };

/** The activation data as the signing requests take it. */
export function activationBody(a: Activation): { pin: string; otp?: string } {
  return a.otp ? { pin: a.pin, otp: a.otp } : { pin: a.pin };
}

export type TotpStatus = Schemas["TotpOut"];

export const signing = {
  credentials: () => call<{ items: Credential[] }>("GET", "/signing-credentials"),
  setPin: (id: string, body: { new_pin: string; old_pin?: string; otp?: string }) =>
    call<Credential>("POST", `/signing-credentials/${id}/pin`, body),
  unlock: (id: string) => call<Credential>("POST", `/signing-credentials/${id}/unlock`),
  totp: () => call<TotpStatus>("GET", "/signing-totp"),
  startTotp: () => call<Schemas["TotpStartOut"]>("POST", "/signing-totp"),
  confirmTotp: (otp: string) => call<TotpStatus>("POST", "/signing-totp/confirm", { otp }),
  removeTotp: (otp: string) => call<TotpStatus>("POST", "/signing-totp/remove", { otp }),
};
