/*
 * What the runner makes of the probes' results: CloudWatch metric data, and the custom
 * resource's attributes, kept inside CloudFormation's 4,096-byte answer. No aws-cdk-lib import.
 */
import type { MetricDatum } from '@aws-sdk/client-cloudwatch';
import { PROBE_METRICS, ProbeResult } from './probe-contract';

/** Bytes kept for the `Diagnosis` attribute; the answer's other fields need the rest. */
const MAX_DIAGNOSIS_BYTES = 1_500;
/** Bytes kept for the `Results` attribute (escaped once more inside the answer). */
const MAX_RESULTS_BYTES = 1_000;

/** The metric data of one run: per VPC, every flag and each latency that was measured. */
export function metricData(hostname: string, results: readonly ProbeResult[], timestamp: Date): MetricDatum[] {
  return results.flatMap((r) => {
    const datum = (name: string, value: number | undefined, unit: 'Count' | 'Milliseconds'): MetricDatum[] =>
      (value === undefined ? [] : [{
        MetricName: name,
        Dimensions: [{ Name: 'Hostname', Value: hostname }, { Name: 'VpcId', Value: r.vpcId }],
        Value: value,
        Unit: unit,
        Timestamp: timestamp,
      }]);
    const flag = (value: boolean) => (value ? 1 : 0);
    return [
      ...datum(PROBE_METRICS.resolved, flag(r.resolved), 'Count'),
      ...datum(PROBE_METRICS.private, flag(r.private), 'Count'),
      ...datum(PROBE_METRICS.dnsMs, r.dnsMs, 'Milliseconds'),
      ...datum(PROBE_METRICS.tcpConnectMs, r.tcpConnectMs, 'Milliseconds'),
      ...datum(PROBE_METRICS.tlsHandshakeMs, r.tlsHandshakeMs, 'Milliseconds'),
      ...datum(PROBE_METRICS.tlsOk, flag(r.tlsOk), 'Count'),
      ...datum(PROBE_METRICS.reachable, flag(r.ok), 'Count'),
    ];
  });
}

/** One line per VPC (after the endpoint's problem, if any): `vpc-…: diagnosis`. */
export function diagnosisLines(results: readonly ProbeResult[], endpointProblem?: string): string[] {
  return [...(endpointProblem ? [endpointProblem] : []), ...results.map((r) => `${r.vpcId}: ${r.diagnosis}`)];
}

/** The lines that fit in `maxBytes`, then a note of how many were left out. */
export function fitLines(lines: readonly string[], maxBytes = MAX_DIAGNOSIS_BYTES): string {
  const kept: string[] = [];
  for (const [i, line] of lines.entries()) {
    const left = lines.length - i;
    // Room for the note stays free while more lines follow.
    const room = left > 1 ? maxBytes - 80 : maxBytes;
    if (Buffer.byteLength([...kept, line].join('\n')) > room) {
      kept.push(`… and ${left} more line(s) in the probe runner's log`);
      break;
    }
    kept.push(line);
  }
  return kept.join('\n');
}

/** The results as compact JSON, without the diagnoses (they are in `Diagnosis`), cut to fit. */
export function resultsJson(results: readonly ProbeResult[], maxBytes = MAX_RESULTS_BYTES): string {
  const compact = results.map((r) => ({
    vpcId: r.vpcId,
    ok: r.ok,
    ...(r.failedStep ? { failedStep: r.failedStep } : {}),
    addresses: r.addresses,
    ...(r.dnsMs !== undefined ? { dnsMs: r.dnsMs } : {}),
    ...(r.tcpConnectMs !== undefined ? { tcpConnectMs: r.tcpConnectMs } : {}),
    ...(r.tlsHandshakeMs !== undefined ? { tlsHandshakeMs: r.tlsHandshakeMs } : {}),
  }));
  let kept: unknown[] = compact;
  for (let n = compact.length; n >= 0; n--) {
    kept = n === compact.length ? compact : [...compact.slice(0, n), { omitted: compact.length - n }];
    if (Buffer.byteLength(JSON.stringify(kept)) <= maxBytes) break;
  }
  return JSON.stringify(kept);
}
