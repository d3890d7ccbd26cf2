import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct, IDependable } from 'constructs';
import { PrivateLinkProbe } from './privatelink-probe';
import type { LinkProbeOptions, PrivateLinkProbeProps } from './privatelink-probe-props';
import { stateOf } from '../internal/construct-state';
import { addOutputs } from '../internal/outputs';
import { invalid } from '../internal/validation';
import { readWeakly } from '../internal/weak-reference';

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

/** A preset's or spokes' probe as its target and options describe it, without its VPCs. */
function probeProps(target: LinkProbeTarget, options: LinkProbeOptions, endpoint: ec2.IInterfaceVpcEndpoint): PrivateLinkProbeProps {
  return {
    hostname: target.hostname,
    port: target.port,
    endpoint,
    endpointRegion: target.endpointRegion,
    destination: ec2.Peer.ipv4(target.endpointCidr),
    failDeployment: options.failDeployment,
    canary: options.canary,
    interval: options.interval,
    alarmTopic: options.alarmTopic,
  };
}

/** The preset's probe, or undefined when its options turn it off. */
export function linkProbe(scope: Construct, id: string, target: LinkProbeTarget, options: LinkProbeOptions = {}): PrivateLinkProbe | undefined {
  if (options.enabled === false) {
    if (options.outputs) invalid(target.owner, '`probe.outputs` needs the probe: the outputs are its diagnosis, got: `enabled: false`');
    return undefined;
  }
  const probe = new PrivateLinkProbe(scope, id, { ...probeProps(target, options, target.endpoint), vpcs: [target.vpc] });
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

/**
 * The probe of the spokes in `scope`'s stack that check the same host through the same endpoint
 * with the same options: one probe, so one deploy-time gate and one runner, with a function per
 * spoke VPC. The gate runs after every spoke's `after` (its DNS zones, routes and rules), so a
 * failing gate with `failDeployment` rolls the whole stack back, zones included.
 */
export function spokeProbe(scope: Construct, target: LinkProbeTarget, options: LinkProbeOptions = {}): PrivateLinkProbe | undefined {
  if (options.enabled === false) return linkProbe(scope, 'unused', target, options);
  const stack = Stack.of(scope);
  const probes = stateOf(stack, 'SaasPrivateLinkSpokeProbes', () => new Map<string, PrivateLinkProbe>());
  const key = JSON.stringify([target.hostname, target.port ?? 443, target.endpoint.node.path, target.endpointRegion,
    target.endpointCidr, options.failDeployment ?? false, options.canary ?? true, (options.interval ?? Duration.minutes(5)).toMinutes(),
    options.alarmTopic?.node.path]);
  let probe = probes.get(key);
  if (!probe) {
    const id = probes.size === 0 ? 'SpokesProbe' : `SpokesProbe${probes.size + 1}`;
    // The endpoint's ID read weakly from the hub's stack, so that no export blocks replacing it.
    const endpoint = Stack.of(target.endpoint) === stack ? target.endpoint : ec2.InterfaceVpcEndpoint.fromInterfaceVpcEndpointAttributes(
      stack, `${id}Endpoint`, { vpcEndpointId: readWeakly(target.endpoint.vpcEndpointId), port: target.port ?? 443 });
    probe = new PrivateLinkProbe(stack, id, probeProps(target, options, endpoint));
    probes.set(key, probe);
  }
  probe.addVpc(target.vpc);
  // Only the gate and the schedule wait for the spokes' zones: a DependsOn on the whole probe would
  // give each spoke's function, security group and alarm one on every zone of the stack.
  for (const id of ['DeployTimeCheck', 'Schedule']) probe.node.tryFindChild(id)?.node.addDependency(...target.after);
  if (options.outputs) {
    // Named after the spoke; in its own stack, the spoke itself holds them.
    const id = target.owner.node.id;
    if (Stack.of(target.owner) !== stack && stack.node.tryFindChild(id)) {
      invalid(target.owner, `\`probe.outputs\` needs the spoke's ID to be free in ${stack.stackName} for its outputs, got ` +
        `${id}, which another construct there has`);
    }
    const owner = Stack.of(target.owner) === stack ? target.owner : new Construct(stack, id);
    addOutputs(owner, true, {
      ProbeOk: { value: probe.ok, description: `Whether every spoke VPC of ${probe.node.path} reaches ${probe.hostname}:${probe.port} privately (true or false)` },
      ProbeDiagnosis: { value: probe.diagnosis, description: `The deploy-time diagnosis of ${probe.hostname}:${probe.port}, one line per spoke VPC` },
    });
  }
  return probe;
}
