/*
 * DNS names, host names and host patterns: the one module that checks them, for every
 * construct (no aws-cdk-lib import).
 */

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';

/** A DNS host name or IPv4 address: one or more RFC 1123 labels. */
const HOST = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);

/** A host pattern: a host whose leading labels (only) may be `*`. */
const HOST_PATTERN = new RegExp(`^(?:\\*\\.)*${LABEL}(?:\\.${LABEL})*$`);

/** An RFC 1123 label: lowercase letters, digits and inner hyphens. */
const RFC1123_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/** A label of a DNS name that may also hold underscores (service records, some RDS names). */
const DNS_LABEL = /^[a-z0-9_](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/**
 * True for a zone name as Route 53 private zones take it here: at least two lowercase RFC 1123
 * labels of at most 63 characters, no trailing dot.
 */
export function isZoneName(name: string): boolean {
  const labels = name.split('.');
  return name.length <= 253 && labels.length >= 2 && labels.every((l) => l.length <= 63 && RFC1123_LABEL.test(l));
}

/** True for a DNS name to resolve (not an IP address): labels of letters, digits, hyphens, underscores. */
export function isDnsName(value: string): boolean {
  if (value.length > 253 || /^[\d.]+$/.test(value) || value.includes(':')) return false;
  return value.replace(/\.$/, '').split('.').every((label) => DNS_LABEL.test(label));
}

/** True for a lowercase host name with an optional port (`activegate.internal:9999`). */
export function isHostWithPort(value: string): boolean {
  const [host, port, extra] = value.split(':');
  if (extra !== undefined || (port !== undefined && !/^\d{1,5}$/.test(port))) return false;
  return host.length <= 253 && host.split('.').every((l) => l.length <= 63 && RFC1123_LABEL.test(l));
}

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
