/*
 * The PrivateLink probe: runs inside one VPC and checks what an instance there would see,
 * the way the vendors' guides do (`nslookup {host}` must answer the endpoint's private
 * addresses), then goes one step further:
 *
 * 1. resolve the host name's A records through the VPC's resolver (the system resolver of a
 *    Lambda function in a VPC);
 * 2. every answer must be a private address (RFC 1918, 100.64.0.0/10 or the VPC's own block),
 *    and one of the endpoint's addresses when the runner knows them;
 * 3. to every answer, in parallel: a TCP connect to the port, then a TLS handshake with the
 *    host name as SNI, validating the chain against the CAs Node.js trusts and the name
 *    against the expected certificate name.
 *
 * It stops at the first failed step and returns its diagnosis and each step's latency. It
 * needs no internet access and no AWS API: the runner, outside the VPC, does the rest.
 */
import { promises as dns } from 'dns';
import * as net from 'net';
import { performance } from 'perf_hooks';
import * as tls from 'tls';
import {
  certificateNameMismatch, certificateNotTrusted, dnsFailure, notEndpointAddress, publicAnswer, reachable,
  tcpFailure, tlsFailure,
} from './diagnoses';
import { failedResult, ProbeRequest, ProbeResult, ProbeStep } from './probe-contract';
import { inCidr } from '../internal/addresses';

/** Settings that tests give (in Lambda the defaults apply: the VPC's resolver and the system CAs). */
export interface ProbeOptions {
  /** The DNS server to ask, as "address:port". */
  readonly dnsServer?: string;
  /** PEM certificates trusted on top of the CAs Node.js trusts. */
  readonly extraCaPem?: string[];
  readonly log?: (line: string) => void;
}

/** Private address space (RFC 1918, and the shared space VPCs may use); the VPC's own block is added per probe. */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'];

/** More answers than this are not probed (a name for an endpoint has one per Availability Zone). */
const MAX_ADDRESSES = 16;

interface AddressCheck {
  readonly address: string;
  readonly tcpMs?: number;
  readonly tlsMs?: number;
  readonly failure?: { readonly step: ProbeStep; readonly diagnosis: string };
}

/** Checks one VPC's way to the vendor. Never throws: every failure is a diagnosis. */
export async function probe(request: ProbeRequest, options: ProbeOptions = {}): Promise<ProbeResult> {
  const { hostname, vpcId, stepTimeoutMs } = request;
  const failed = (step: ProbeStep, diagnosis: string, seen: Partial<ProbeResult> = {}) => failedResult(vpcId, step, diagnosis, seen);

  const dnsStart = performance.now();
  let addresses: string[];
  try {
    addresses = await resolve4(hostname, stepTimeoutMs, options.dnsServer);
  } catch (error) {
    return failed('dns', dnsFailure(errorCode(error), hostname, vpcId, stepTimeoutMs));
  }
  const dnsMs = elapsed(dnsStart);
  addresses = [...new Set(addresses)].slice(0, MAX_ADDRESSES);
  const seen = { addresses, resolved: true, dnsMs };

  const privateRanges = [...PRIVATE_RANGES, request.vpcCidr];
  const endpointAddresses = request.endpointAddresses ?? [];
  const publics = addresses.filter((a) => !endpointAddresses.includes(a) && !privateRanges.some((r) => inCidr(a, r)));
  if (publics.length > 0) {
    return failed('private', publicAnswer(hostname, publics, vpcId), seen);
  }
  if (request.endpointId && endpointAddresses.length > 0) {
    const strays = addresses.filter((a) => !endpointAddresses.includes(a));
    if (strays.length > 0) {
      return failed('endpoint', notEndpointAddress(hostname, strays, request.endpointId, endpointAddresses), { ...seen, private: true });
    }
  }

  const certificateName = request.expectedCertificateName || hostname;
  const ca = options.extraCaPem?.length ? [...tls.rootCertificates, ...options.extraCaPem] : undefined;
  const checks = await Promise.all(addresses.map((address) => checkAddress(address, request, certificateName, ca)));
  const times = (pick: (c: AddressCheck) => number | undefined) => {
    const values = checks.map(pick).filter((v): v is number => v !== undefined);
    return values.length > 0 ? Math.max(...values) : undefined;
  };
  const measured = { ...seen, private: true, tcpConnectMs: times((c) => c.tcpMs), tlsHandshakeMs: times((c) => c.tlsMs) };
  const failures = checks.filter((c) => c.failure);
  if (failures.length > 0) {
    const first = failures[0];
    const others = failures.slice(1).map((c) => c.address);
    const diagnosis = first.failure!.diagnosis + (others.length > 0 ? ` (also failed: ${others.join(', ')})` : '');
    const tlsOk = checks.every((c) => c.tlsMs !== undefined && !c.failure);
    return failed(first.failure!.step, diagnosis, { ...measured, tlsOk });
  }
  return {
    vpcId,
    ok: true,
    diagnosis: reachable(hostname, addresses, request.port, certificateName, endpointAddresses.length > 0 ? request.endpointId : undefined),
    ...measured,
    tlsOk: true,
  };
}

/** A, through the given server or the system's; bounded by the step timeout whatever the resolver does. */
async function resolve4(hostname: string, timeoutMs: number, server?: string): Promise<string[]> {
  // Two tries within the step: a lost UDP packet is retried once.
  const resolver = new dns.Resolver({ timeout: Math.max(50, Math.floor(timeoutMs / 2)), tries: 2 });
  if (server) resolver.setServers([server]);
  const timer = setTimeout(() => resolver.cancel(), timeoutMs);
  try {
    return await resolver.resolve4(hostname);
  } finally {
    clearTimeout(timer);
  }
}

async function checkAddress(address: string, request: ProbeRequest, certificateName: string, ca?: string[]): Promise<AddressCheck> {
  const { port, stepTimeoutMs, vpcCidr, hostname } = request;
  const tcpStart = performance.now();
  let socket: net.Socket;
  try {
    socket = await tcpConnect(address, port, stepTimeoutMs);
  } catch (error) {
    return { address, failure: { step: 'tcp', diagnosis: tcpFailure(address, port, vpcCidr, errorCode(error)) } };
  }
  const tcpMs = elapsed(tcpStart);
  const tlsStart = performance.now();
  let secure: tls.TLSSocket;
  try {
    secure = await tlsHandshake(socket, hostname, stepTimeoutMs, ca);
  } catch (error) {
    socket.destroy();
    return { address, tcpMs, failure: { step: 'tls', diagnosis: tlsFailure(address, port, hostname, errorCode(error)) } };
  }
  const tlsMs = elapsed(tlsStart);
  try {
    if (!secure.authorized) {
      return { address, tcpMs, failure: { step: 'tls', diagnosis: certificateNotTrusted(address, port, String(secure.authorizationError)) } };
    }
    const certificate = secure.getPeerCertificate();
    if (tls.checkServerIdentity(certificateName, certificate) !== undefined) {
      const presented = certificateNames(certificate);
      return { address, tcpMs, failure: { step: 'tls', diagnosis: certificateNameMismatch(address, port, presented, certificateName) } };
    }
    return { address, tcpMs, tlsMs };
  } finally {
    secure.destroy();
  }
}

function tcpConnect(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      // A reset after the connect reaches the TLS socket; this keeps it from being unhandled here.
      socket.on('error', () => undefined);
      resolve(socket);
    });
  });
}

/**
 * The handshake with the host name as SNI. The chain and the name are checked after it, not by
 * Node during it, so that each failure gets its own diagnosis.
 */
function tlsHandshake(socket: net.Socket, servername: string, timeoutMs: number, ca?: string[]): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = tls.connect({ socket, servername, ca, rejectUnauthorized: false, checkServerIdentity: () => undefined });
    const timer = setTimeout(() => {
      secure.destroy();
      reject(Object.assign(new Error('handshake timed out'), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    secure.once('error', (error) => {
      clearTimeout(timer);
      secure.destroy();
      reject(error);
    });
    secure.once('secureConnect', () => {
      clearTimeout(timer);
      secure.on('error', () => undefined);
      resolve(secure);
    });
  });
}

/** The DNS names a certificate is for (its subject alternative names, else its common name). */
function certificateNames(certificate: tls.PeerCertificate): string {
  const alt = (certificate.subjectaltname ?? '').split(',').map((s) => s.trim()).filter(Boolean)
    .map((s) => s.replace(/^DNS:/, '').replace(/^IP Address:/, ''));
  if (alt.length > 0) return alt.join(', ');
  const cn = certificate.subject?.CN;
  return cn ? String(cn) : '(no name)';
}

function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code) return code;
  return error instanceof Error ? error.message : String(error);
}

function elapsed(start: number): number {
  return Math.round(performance.now() - start);
}

/** The Lambda handler, with settings for tests; the deployed one uses the defaults. */
export function createHandler(options: ProbeOptions = {}): (event: ProbeRequest) => Promise<ProbeResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  return async (event) => {
    let result: ProbeResult;
    if (!event?.hostname || !event.port || !event.vpcId || !event.vpcCidr || !event.stepTimeoutMs) {
      result = failedResult(event?.vpcId ?? 'unknown', 'probe',
        'the probe was invoked without hostname, port, vpcId, vpcCidr and stepTimeoutMs: it is run by the probe runner only');
    } else {
      result = await probe(event, options);
    }
    log(JSON.stringify(result));
    return result;
  };
}

export const handler = createHandler();
