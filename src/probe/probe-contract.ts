/*
 * What the probe runner and the probe function say to each other, and the names both the
 * construct and the handlers use. No aws-cdk-lib import: the handler bundles include this file.
 */

/** The CloudWatch namespace of the probe's metrics. */
export const PROBE_NAMESPACE = 'SaasPrivateLink/Probe';

/** The metrics each run publishes per VPC, with dimensions `Hostname` and `VpcId`. */
export const PROBE_METRICS = {
  resolved: 'Resolved',
  private: 'Private',
  dnsMs: 'DnsMs',
  tcpConnectMs: 'TcpConnectMs',
  tlsHandshakeMs: 'TlsHandshakeMs',
  tlsOk: 'TlsOk',
  reachable: 'Reachable',
} as const;

/** What the runner asks one VPC's probe function to check. */
export interface ProbeRequest {
  readonly hostname: string;
  readonly port: number;
  /** The name the certificate must be valid for; the hostname when absent. */
  readonly expectedCertificateName?: string;
  readonly vpcId: string;
  /** The VPC's CIDR block: its addresses count as private, and diagnoses name it as the source. */
  readonly vpcCidr: string;
  /** The endpoint whose addresses the name must resolve to. */
  readonly endpointId?: string;
  /** The endpoint's private addresses, when the runner could read them. */
  readonly endpointAddresses?: string[];
  /** Each step's timeout: DNS, TCP and TLS. */
  readonly stepTimeoutMs: number;
}

/** The step a probe failed at. */
export type ProbeStep = 'dns' | 'private' | 'endpoint' | 'tcp' | 'tls' | 'probe';

/** What one VPC's probe saw. */
export interface ProbeResult {
  readonly vpcId: string;
  /** True when the VPC reaches the vendor privately: every check passed. */
  readonly ok: boolean;
  /** The first step that failed; absent when `ok`. */
  readonly failedStep?: ProbeStep;
  /** One line: what was seen, and for a failure its probable cause and fix. */
  readonly diagnosis: string;
  /** The IPv4 addresses the name resolved to. */
  readonly addresses: string[];
  readonly resolved: boolean;
  /** True when every answer is a private address. */
  readonly private: boolean;
  /** True when the TLS handshake with every address succeeded with a valid certificate. */
  readonly tlsOk: boolean;
  readonly dnsMs?: number;
  /** The slowest TCP connect over the addresses. */
  readonly tcpConnectMs?: number;
  /** The slowest TLS handshake over the addresses. */
  readonly tlsHandshakeMs?: number;
}

/** One VPC the runner probes: its probe function and the VPC's identity. */
export interface ProbeTarget {
  readonly FunctionArn: string;
  readonly VpcId: string;
  readonly VpcCidr: string;
}

/**
 * The runner's settings, as the custom resource's properties and as the schedule's input
 * (`{ "Probe": … }`). CloudFormation hands custom resources every scalar as a string.
 */
export interface ProbeSettings {
  readonly Hostname: string;
  readonly Port: number | string;
  readonly ExpectedCertificateName?: string;
  readonly EndpointId?: string;
  readonly EndpointRegion?: string;
  readonly StepTimeoutMs: number | string;
  readonly FailDeployment?: boolean | string;
  readonly Probes: ProbeTarget[];
}

/** The physical ID of a probe's custom resource: what it checks, never how. */
export function probePhysicalId(hostname: string, port: number | string): string {
  return `privatelink-probe:${hostname.toLowerCase().replace(/\.$/, '')}:${port}`;
}

/** How long the probe function may take: three steps and a margin for the function itself. */
export function probeFunctionTimeoutMs(stepTimeoutMs: number): number {
  return 3 * stepTimeoutMs + 5_000;
}

/** A result for a probe that failed at `step`, with what it saw before. */
export function failedResult(vpcId: string, step: ProbeStep, diagnosis: string, seen: Partial<ProbeResult> = {}): ProbeResult {
  return {
    vpcId,
    ok: false,
    failedStep: step,
    diagnosis,
    addresses: [],
    resolved: false,
    private: false,
    tlsOk: false,
    ...seen,
  };
}
