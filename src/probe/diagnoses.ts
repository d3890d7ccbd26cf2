/*
 * The probe's diagnoses: for each way a VPC can fail to reach the vendor privately, one line
 * that names what was seen, its probable cause and the fix. Only host names, addresses, CIDR
 * blocks, IDs and timings appear here. No aws-cdk-lib import (bundled into the handlers).
 */

/** How the DNS step failed: Node's resolver error codes, by meaning. */
export function dnsFailure(code: string, hostname: string, vpcId: string, timeoutMs: number): string {
  switch (code) {
    case 'ENOTFOUND':
      return `${hostname} does not exist (NXDOMAIN) as seen from ${vpcId}: the private hosted zone has no record for it, ` +
        `or no zone for it is associated with ${vpcId}; add the record, or associate the zone`;
    case 'ESERVFAIL':
      return `SERVFAIL for ${hostname} from the resolver of ${vpcId}: the resolver could not get an answer; a Route 53 ` +
        'Resolver forwarding rule for this domain points at a DNS server that does not answer, or DNSSEC validation failed';
    case 'ENODATA':
      return `${hostname} has no IPv4 address (no A record) as seen from ${vpcId}: the private hosted zone holds another ` +
        'record type for it; add an A alias record to the endpoint\'s DNS name';
    case 'EREFUSED':
      return `the resolver of ${vpcId} refused to answer for ${hostname} (REFUSED): a Route 53 Resolver rule forwards ` +
        'this domain to a DNS server that does not serve it';
    case 'ETIMEOUT':
    case 'ECANCELLED':
    case 'ECONNREFUSED':
      return `no DNS answer for ${hostname} within ${timeoutMs} ms from the resolver of ${vpcId}: the probe's security ` +
        'group must allow DNS (port 53) to the VPC\'s CIDR block, and the VPC needs DNS support (enableDnsSupport)';
    default:
      return `resolving ${hostname} from ${vpcId} failed (${code}): the VPC's resolver gave no usable answer`;
  }
}

/** Some answers are public addresses: the query went to public DNS, not the private zone. */
export function publicAnswer(hostname: string, publicAddresses: readonly string[], vpcId: string): string {
  return `${hostname} resolved to public ${publicAddresses.join(', ')}: the private hosted zone is not associated with ` +
    `${vpcId} (associate it; for a VPC in another region, associate the zone with it across regions)`;
}

/** Private answers that are not the endpoint's: the record points elsewhere. */
export function notEndpointAddress(
  hostname: string, strays: readonly string[], endpointId: string, endpointAddresses: readonly string[],
): string {
  return `${hostname} resolved to ${strays.join(', ')}, private but not an address of ${endpointId} ` +
    `(${endpointAddresses.join(', ')}): the record points at another endpoint or a stale address; ` +
    `point it at ${endpointId}'s DNS name`;
}

/** How the TCP connect failed, from the VPC's CIDR block to one address. */
export function tcpFailure(address: string, port: number, vpcCidr: string, code: string): string {
  const target = `TCP to ${address}:${port}`;
  switch (code) {
    case 'ETIMEDOUT':
      return `${target} timed out from ${vpcCidr}: the endpoint's security group does not allow this CIDR, ` +
        'or the route to the hub is missing';
    case 'ECONNREFUSED':
      return `${target} was refused from ${vpcCidr}: nothing accepts connections on port ${port} there; the endpoint ` +
        'service has no listener on this port (check `port`), or the address is not the endpoint\'s';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${target} found no route from ${vpcCidr} (${code}): the route to the hub is missing from this VPC's ` +
        'route tables, or a network ACL blocks it';
    default:
      return `${target} failed from ${vpcCidr} (${code}): a network ACL or firewall between this VPC and the endpoint ` +
        'drops the connection';
  }
}

/** The certificate does not name what was expected. */
export function certificateNameMismatch(address: string, port: number, presented: string, expected: string): string {
  return `TLS handshake failed: certificate name mismatch: ${address}:${port} presented a certificate for ${presented}, ` +
    `not ${expected}: the name leads to another service's endpoint, or the vendor's certificate carries another name ` +
    '(set `expectedCertificateName`)';
}

/** The certificate chain is not trusted (or not valid now). */
export function certificateNotTrusted(address: string, port: number, code: string): string {
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return `TLS handshake failed: certificate not valid now (${code}) at ${address}:${port}: the service behind the ` +
      'endpoint serves an outdated certificate; tell the vendor';
  }
  return `TLS handshake failed: certificate not trusted (${code}) at ${address}:${port}: its chain does not lead to a ` +
    'CA that Node.js trusts; a TLS-inspecting proxy or another service answers';
}

/** The handshake itself did not complete. */
export function tlsFailure(address: string, port: number, serverName: string, code: string): string {
  if (code === 'ETIMEDOUT') {
    return `TLS handshake with ${address}:${port} timed out: TCP connects but no TLS answer for ${serverName}; ` +
      'the port does not speak TLS, or the service behind the endpoint is down';
  }
  return `TLS handshake with ${address}:${port} failed (${code}): the service behind the endpoint ended the ` +
    `handshake; it does not accept TLS for ${serverName} (SNI), or its targets are unhealthy`;
}

/** Everything passed. */
export function reachable(
  hostname: string, addresses: readonly string[], port: number, certificateName: string, endpointId?: string,
): string {
  const where = endpointId ? `addresses of ${endpointId}` : 'private';
  return `OK: ${hostname} resolved to ${addresses.join(', ')} (${where}); TCP and TLS to port ${port} succeeded, ` +
    `certificate valid for ${certificateName}`;
}

/** The runner got no result from a VPC's probe function. */
export function probeFunctionFailed(detail: string): string {
  return `the probe function gave no result (${detail}): see the probe function's log group`;
}

/** The runner could not read the endpoint's addresses (the probes still ran, without that check). */
export function endpointUnreadable(endpointId: string, region: string, detail: string): string {
  return `could not read the addresses of ${endpointId} in ${region} (${detail}): check \`endpoint\` and ` +
    '`endpointRegion`; the probes ran without checking the answers against the endpoint';
}

/** The endpoint exists but has no network interfaces to check against. */
export function endpointNotAvailable(endpointId: string, state: string): string {
  const s = state.toLowerCase();
  const why = s === 'pendingacceptance' ? 'the vendor has not accepted the connection yet'
    : s === 'rejected' ? 'the vendor rejected the connection'
      : s === 'pending' ? 'it is still being created' : 'it has no network interfaces in service';
  return `${endpointId} is ${state}: ${why}; the probes ran without checking the answers against the endpoint`;
}
