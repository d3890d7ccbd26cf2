/*
 * Host names and host patterns as EdgeConnect understands them. Shared by the config model
 * and the provisioner options; no aws-cdk-lib import.
 */

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';

/** A DNS host name or IPv4 address: one or more RFC 1123 labels. */
const HOST = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);

/** A host pattern: a host whose leading labels (only) may be `*`. */
const HOST_PATTERN = new RegExp(`^(?:\\*\\.)*${LABEL}(?:\\.${LABEL})*$`);

/** An RFC 1123 label: lowercase letters, digits and inner hyphens. */
const RFC1123_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/** True for a host name (no scheme, port, path or wildcard) of at most 253 characters. */
export function isHostName(value: string): boolean {
  return value.length <= 253 && HOST.test(value);
}

/** True for a host pattern such as `internal.example.org` or `*.example.com`. */
export function isHostPattern(value: string): boolean {
  return value.length <= 253 && HOST_PATTERN.test(value);
}

/** True for an RFC 1123 label of at most `max` characters. */
export function isRfc1123Label(value: string, max: number): boolean {
  return value.length <= max && RFC1123_LABEL.test(value);
}

/** True when the host pattern covers the host (`*.example.com` covers `a.example.com`). */
export function patternCovers(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().split('.');
  const h = host.toLowerCase().split('.');
  if (p.length !== h.length) return false;
  return p.every((label, i) => label === '*' || label === h[i]);
}
