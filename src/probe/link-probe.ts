import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct, IDependable } from 'constructs';
import { PrivateLinkProbe } from './privatelink-probe';
import type { LinkProbeOptions } from './privatelink-probe-props';
import { addOutputs } from '../internal/outputs';
import { invalid } from '../internal/validation';

/** What a preset's probe checks, from where, and after what. */
export interface LinkProbeTarget {
  readonly hostname: string;
  readonly port?: number;
  readonly vpc: ec2.IVpc;
  readonly endpoint: ec2.IInterfaceVpcEndpoint;
  readonly endpointRegion?: string;
  /** The CIDR block of the endpoint's VPC: the probe connects only there. */
  readonly endpointCidr: string;
  /** What must exist before the deploy-time check runs (the DNS override, enable). */
  readonly after: IDependable[];
  /** The preset or spoke whose construct ID names the probe's outputs. */
  readonly owner: Construct;
}

/** The preset's probe, or undefined when its options turn it off. */
export function linkProbe(scope: Construct, id: string, target: LinkProbeTarget, options: LinkProbeOptions = {}): PrivateLinkProbe | undefined {
  if (options.enabled === false) {
    if (options.outputs) invalid(target.owner, '`probe.outputs` needs the probe: the outputs are its diagnosis, got: `enabled: false`');
    return undefined;
  }
  const probe = new PrivateLinkProbe(scope, id, {
    hostname: target.hostname,
    port: target.port,
    vpcs: [target.vpc],
    endpoint: target.endpoint,
    endpointRegion: target.endpointRegion,
    destination: ec2.Peer.ipv4(target.endpointCidr),
    failDeployment: options.failDeployment,
    canary: options.canary,
    interval: options.interval,
    alarmTopic: options.alarmTopic,
  });
  probe.node.addDependency(...target.after);
  // Named after the preset, not the probe: every preset's probe has the ID `Probe`, and two of
  // them in one stack would otherwise claim the same output IDs. The outputs stay in the probe's
  // stack (a spoke's probe may be in another stack than the spoke, even another region).
  const owner = Stack.of(scope) === Stack.of(target.owner) ? target.owner : new Construct(scope, target.owner.node.id);
  addOutputs(owner, options.outputs, {
    ProbeOk: { value: probe.ok, description: `Whether every VPC reaches ${probe.hostname}:${probe.port} privately (true or false)` },
    ProbeDiagnosis: { value: probe.diagnosis, description: `The deploy-time diagnosis of ${probe.hostname}:${probe.port}, one line per VPC` },
  });
  return probe;
}
