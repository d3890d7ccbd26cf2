/*
 * Dynatrace token formats. Plain functions with no aws-cdk-lib import, so constructs and
 * Lambda handlers can share them. A token's secret part (after the last dot) is never shown:
 * error messages use `describeToken`, which keeps only the identifier.
 */

/** API access token: `dt0c01.` + 24 + `.` + 64 characters. */
const API_TOKEN = /^dt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}$/;

/** ActiveGate token: `dt0g02.` + 8 + `.` + 64 characters. */
const ACTIVEGATE_TOKEN = /^dt0g02\.[A-Z0-9]{8}\.[A-Z0-9]{64}$/;

/**
 * EdgeConnect secret placeholder: `dt0e01.` + 24 + `.` + 64 base32 characters. The vendor's
 * prose says 15 and 40, but those are the byte counts its own generator
 * (`openssl rand 15 | base32`, `openssl rand 40 | base32`) encodes, which yields 24 and 64.
 */
const EDGE_CONNECT_SECRET_TOKEN = /^dt0e01\.[A-Z2-7]{24}\.[A-Z2-7]{64}$/;

/** True for a well-formed Dynatrace API access token (`dt0c01.…`). */
export function isApiToken(value: string): boolean {
  return API_TOKEN.test(value);
}

/** True for a well-formed ActiveGate token (`dt0g02.…`). */
export function isActiveGateToken(value: string): boolean {
  return ACTIVEGATE_TOKEN.test(value);
}

/** True for a well-formed EdgeConnect secret placeholder token (`dt0e01.…`). */
export function isEdgeConnectSecretToken(value: string): boolean {
  return EDGE_CONNECT_SECRET_TOKEN.test(value);
}

/**
 * A token's identifier: the part before the last dot, which may be shown. Empty when the
 * value has no dot (then nothing of it may be shown).
 */
export function tokenIdentifier(token: string): string {
  const lastDot = token.lastIndexOf('.');
  return lastDot <= 0 ? '' : token.slice(0, lastDot);
}

/** A token for messages and logs: its identifier with the secret part masked. */
export function describeToken(token: string): string {
  const id = tokenIdentifier(token);
  return id ? `${id}.***` : '***';
}
