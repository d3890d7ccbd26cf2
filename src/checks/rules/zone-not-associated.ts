import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { containsGetAtt, isObject, referenceOf, refersTo, render, RenderedResource, resourcesOfType } from './relations';

/**
 * A private hosted zone that overrides a vendor hostname with an interface endpoint (one of
 * its records, an alias or a CNAME, points at the endpoint's `DnsEntries`) must be associated
 * with the endpoint's VPC; otherwise the endpoint's own VPC still resolves the public name.
 *
 * Route 53 lets a VPC hold only one private zone of a name (ConflictingDomainExists), so a
 * spoke's zone of the same name as the hub's, pointing at the hub's endpoint, cannot be
 * associated with the endpoint's VPC: there, another zone of that name that points at the
 * endpoint and is associated with its VPC serves it, and the zone is compliant.
 *
 * Only endpoints, records and zones of the zone's stack are related. VPC IDs are compared when
 * both sides are literals or references to VPCs of that stack, zone names when both are
 * literals; anything else is not judged.
 */
export function zoneNotAssociated(node: CfnResource): NagRuleCompliance {
  if (node.cfnResourceType !== 'AWS::Route53::HostedZone') return NagRuleCompliance.NOT_APPLICABLE;
  const zone = render(node);
  if (!zone) return NagRuleCompliance.NOT_APPLICABLE;
  const vpcs = zone.properties.VPCs;
  if (vpcs === undefined || (Array.isArray(vpcs) && vpcs.length === 0)) return NagRuleCompliance.NOT_APPLICABLE; // public zone
  if (!Array.isArray(vpcs)) return NagRuleCompliance.NOT_APPLICABLE;

  const endpoints = endpointsTargetedBy(zone);
  if (endpoints.length === 0) return NagRuleCompliance.NOT_APPLICABLE;

  const vpcIds = new Set(resourcesOfType(node, 'AWS::EC2::VPC').map((v) => v.logicalId));
  const associated = vpcs.map((entry) => (isObject(entry) ? vpcKey(entry.VPCId, vpcIds) : undefined));
  let unknown = false;
  for (const endpoint of endpoints) {
    const endpointVpc = vpcKey(endpoint.properties.VpcId, vpcIds);
    if (endpointVpc !== undefined && associated.includes(endpointVpc)) continue;
    if (endpointVpc === undefined || associated.includes(undefined)) {
      unknown = true;
      continue;
    }
    const served = servedByNamesake(zone, endpoint, endpointVpc, vpcIds);
    if (served === true) continue;
    if (served === undefined) {
      unknown = true;
      continue;
    }
    return NagRuleCompliance.NON_COMPLIANT;
  }
  return unknown ? NagRuleCompliance.NOT_APPLICABLE : NagRuleCompliance.COMPLIANT;
}

/**
 * Whether another private zone of the stack with the zone's name points at the endpoint and is
 * associated with the endpoint's VPC (true), may be (undefined: a name or a VPC ID known only at
 * deploy time), or none is (false).
 */
function servedByNamesake(
  zone: RenderedResource, endpoint: RenderedResource, endpointVpc: string, stackVpcs: Set<string>,
): boolean | undefined {
  const name = zoneName(zone);
  let result: boolean | undefined = false;
  for (const other of resourcesOfType(zone.node, 'AWS::Route53::HostedZone')) {
    if (other.logicalId === zone.logicalId) continue;
    const vpcs = other.properties.VPCs;
    if (!Array.isArray(vpcs) || vpcs.length === 0) continue;
    if (!endpointsTargetedBy(other).some((e) => e.logicalId === endpoint.logicalId)) continue;
    const keys = vpcs.map((entry) => (isObject(entry) ? vpcKey(entry.VPCId, stackVpcs) : undefined));
    const holdsVpc = keys.includes(endpointVpc) ? true : keys.includes(undefined) ? undefined : false;
    const otherName = zoneName(other);
    const sameName = name === undefined || otherName === undefined ? undefined : name === otherName;
    if (holdsVpc === false || sameName === false) continue;
    if (holdsVpc && sameName) return true;
    result = undefined;
  }
  return result;
}

/** The zone's name, lowercase without the trailing dot; undefined when not a literal. */
function zoneName(zone: RenderedResource): string | undefined {
  const name = zone.properties.Name;
  return typeof name === 'string' ? name.toLowerCase().replace(/\.$/, '') : undefined;
}

/** The interface endpoints of the zone's stack that a record of the zone points at. */
function endpointsTargetedBy(zone: RenderedResource): RenderedResource[] {
  const records: unknown[] = [];
  for (const recordSet of resourcesOfType(zone.node, 'AWS::Route53::RecordSet')) {
    if (inZone(recordSet.properties, zone)) records.push(recordSet.properties);
  }
  for (const group of resourcesOfType(zone.node, 'AWS::Route53::RecordSetGroup')) {
    const sets = group.properties.RecordSets;
    if (!Array.isArray(sets)) continue;
    if (inZone(group.properties, zone)) {
      records.push(...sets);
    } else {
      records.push(...sets.filter((set) => isObject(set) && inZone(set, zone)));
    }
  }
  if (records.length === 0) return [];
  return resourcesOfType(zone.node, 'AWS::EC2::VPCEndpoint')
    .filter((endpoint) => records.some((record) => containsGetAtt(record, endpoint.logicalId, 'DnsEntries')));
}

function inZone(properties: Record<string, any>, zone: RenderedResource): boolean {
  return refersTo(properties.HostedZoneId, zone.logicalId, ['Id']);
}

/**
 * A comparable key for a VPC ID: the literal ID, or the logical ID of a VPC of the stack;
 * undefined for anything else (a parameter, an import), which could be any VPC.
 */
function vpcKey(value: unknown, stackVpcs: Set<string>): string | undefined {
  if (typeof value === 'string') return `id:${value}`;
  const reference = referenceOf(value);
  if (reference && stackVpcs.has(reference.logicalId) && (reference.attribute === undefined || reference.attribute === 'VpcId')) {
    return `vpc:${reference.logicalId}`;
  }
  return undefined;
}
