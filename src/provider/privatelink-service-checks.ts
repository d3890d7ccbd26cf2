/*
 * What PrivateLinkService refuses at synth, and the warnings it gives: each message names the
 * prop, the value and the rule.
 */
import { Annotations, Stack, Token } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { Construct } from 'constructs';
import { ConnectionEvent, ExposedPort, PrivateLinkServiceProps } from './privatelink-service-props';
import { twoInOneAz } from '../internal/subnets';
import {
  invalid, isAccountId, isIamPrincipalArn, isLiteral, isPort, isRegionName, partitionOf, show,
} from '../internal/validation';

/** Network Load Balancers accept at most this many listeners. */
const MAX_LISTENERS = 50;

export function validateAutoAccept(scope: Construct, props: PrivateLinkServiceProps): void {
  if (props.acceptanceRequired === false) {
    invalid(scope, '`autoAccept` needs `acceptanceRequired` to be true (without acceptance there is nothing to accept), got: false');
  }
  if (props.notificationEvents && !props.notificationEvents.includes(ConnectionEvent.CONNECT)) {
    invalid(scope, '`notificationEvents` must include ConnectionEvent.CONNECT when `autoAccept` is set, ' +
      `got: ${show(props.notificationEvents)}`);
  }
  const interval = props.autoAccept?.sweepInterval;
  if (interval && !interval.isUnresolved()) {
    const minutes = interval.toSeconds() / 60;
    if (!Number.isInteger(minutes) || minutes < 1) {
      invalid(scope, `\`autoAccept.sweepInterval\` must be a whole number of minutes, at least 1, got: ${interval.toHumanString()}`);
    }
  }
}

export function validatePrincipals(scope: Construct, principals: string[]): string[] {
  if (principals.length === 0) {
    invalid(scope, '`allowedPrincipals` must name at least one AWS account or IAM principal, got: []');
  }
  const stack = Stack.of(scope);
  const partition = isLiteral(stack.region) ? partitionOf(stack.region) : stack.partition;
  return principals.map((principal) => {
    if (!isLiteral(principal)) return principal;
    if (isAccountId(principal)) return `arn:${partition}:iam::${principal}:root`;
    if (isIamPrincipalArn(principal)) return principal;
    return invalid(scope, '`allowedPrincipals` entries must be a 12-digit AWS account ID or the IAM ARN of an account root, ' +
      `role or user (arn:aws:iam::123456789012:root), got: ${show(principal)}`);
  });
}

export function validatePorts(scope: Construct, ports: ExposedPort[]): void {
  if (ports.length === 0) {
    invalid(scope, '`ports` must expose at least one port, got: []');
  }
  if (ports.length > MAX_LISTENERS) {
    invalid(scope, `\`ports\` must expose at most ${MAX_LISTENERS} ports (a Network Load Balancer's listener limit), got: ${ports.length}`);
  }
  const seen = new Set<number>();
  for (const exposed of ports) {
    for (const [name, value] of [['port', exposed.port], ['targetPort', exposed.targetPort]] as const) {
      if (value !== undefined && !Token.isUnresolved(value) && !isPort(value)) {
        invalid(scope, `\`ports[].${name}\` must be an integer from 1 to 65535, got: ${value}`);
      }
    }
    if (seen.has(exposed.port)) {
      invalid(scope, `\`ports\` must not repeat a port (one listener per port), got ${exposed.port} twice`);
    }
    seen.add(exposed.port);
    validateTargets(scope, exposed);
  }
}

export function validateTargets(scope: Construct, exposed: ExposedPort): void {
  const serviceTargets = exposed.targets ?? [];
  if (serviceTargets.length === 0 && !exposed.ipTargetsSyncedExternally) {
    invalid(scope, `\`ports\` entry for port ${exposed.port} has no \`targets\`; give targets, ` +
      'or set `ipTargetsSyncedExternally: true` for addresses a sync construct registers');
  }
  const types = new Set(serviceTargets.map((t) => t.targetType));
  if (types.size > 1) {
    invalid(scope, `\`ports\` entry for port ${exposed.port} mixes target types ${show([...types])}; ` +
      'a target group holds one type');
  }
  if (exposed.ipTargetsSyncedExternally && serviceTargets.some((t) => t.targetType !== elbv2.TargetType.IP)) {
    invalid(scope, `\`ports\` entry for port ${exposed.port} sets \`ipTargetsSyncedExternally\`, ` +
      'so its `targets` must be IP addresses');
  }
  for (const target of serviceTargets) {
    const ip = target._ipAddress;
    if (ip !== undefined && isLiteral(ip) && !isIpv4(ip)) {
      invalid(scope, `\`ServiceTarget.ipAddress\` must be an IPv4 address, got: ${show(ip)}`);
    }
  }
}

export function validateRegions(scope: Construct, regions?: string[]): void {
  if (!regions) return;
  const stackRegion = Stack.of(scope).region;
  const expected = isLiteral(stackRegion) ? partitionOf(stackRegion) : undefined;
  for (const region of regions) {
    if (!isLiteral(region)) continue;
    if (!isRegionName(region)) {
      invalid(scope, `\`allowedRegions\` entries must be AWS region names such as "eu-west-1", got: ${show(region)}`);
    }
    const partition = partitionOf(region);
    if (expected !== undefined && partition !== expected) {
      invalid(scope, `\`allowedRegions\` must be in the stack's partition "${expected}" (region ${stackRegion}), ` +
        `got: ${show(region)} in partition "${partition}"`);
    }
    const first = regions.find(isLiteral)!;
    if (expected === undefined && partition !== partitionOf(first)) {
      invalid(scope, `\`allowedRegions\` must all be in one partition, got: ${show(regions)}`);
    }
  }
}


export function validateGivenLoadBalancer(scope: Construct, props: PrivateLinkServiceProps): void {
  const loadBalancer = props.loadBalancer!;
  for (const name of ['securityGroups', 'vpcSubnets', 'crossZoneEnabled', 'enforceSecurityGroupRulesOnPrivateLinkTraffic'] as const) {
    if (props[name] !== undefined) {
      invalid(scope, `\`${name}\` applies to a new load balancer only; set it on the given \`loadBalancer\` instead`);
    }
  }
  const cfn = loadBalancer.node.defaultChild as elbv2.CfnLoadBalancer | undefined;
  if (cfn?.scheme === 'internet-facing') {
    invalid(scope, `\`loadBalancer\` must be internal, got an internet-facing load balancer (${loadBalancer.node.path})`);
  }
  const hasSecurityGroups = (loadBalancer.securityGroups ?? []).length > 0;
  if (hasSecurityGroups && loadBalancer.enforceSecurityGroupInboundRulesOnPrivateLinkTraffic !== 'off') {
    Annotations.of(scope).addWarningV2('cdk-saas-privatelink:enforcedPrivateLinkRules',
      `The given load balancer (${loadBalancer.node.path}) has security groups that filter PrivateLink traffic: ` +
      'connections the inbound rules do not allow are dropped silently. ' +
      'Set enforceSecurityGroupInboundRulesOnPrivateLinkTraffic to false on it, or allow the traffic.');
  }
}

/** A load balancer takes one subnet per Availability Zone; zones synth cannot know are skipped. */
export function validateOneSubnetPerAz(scope: Construct, subnets: ec2.ISubnet[]): void {
  const clash = twoInOneAz(subnets);
  if (clash) {
    invalid(scope, '`vpcSubnets` must select at most one subnet per Availability Zone (a load balancer takes one subnet ' +
      `per AZ), got ${clash.first} and ${clash.second}, both in ${clash.az}: select one subnet group ` +
      '(such as `{ subnetGroupName: \'app\' }`) or add `onePerAz: true` to the selection');
  }
}

function isIpv4(value: string): boolean {
  const parts = value.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}
