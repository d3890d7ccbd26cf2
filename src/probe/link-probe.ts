import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct, IDependable } from 'constructs';
import { PrivateLinkProbe } from './privatelink-probe';
import type { LinkProbeOptions } from './privatelink-probe-props';

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
}

/** The preset's probe, or undefined when its options turn it off. */
export function linkProbe(scope: Construct, id: string, target: LinkProbeTarget, options: LinkProbeOptions = {}): PrivateLinkProbe | undefined {
  if (options.enabled === false) return undefined;
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
  return probe;
}
