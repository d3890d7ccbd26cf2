import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { containsGetAtt, isObject, referenceOf, refersTo, render, RenderedResource, resourcesOfType } from './relations';

/**
 * A private hosted zone that overrides a vendor hostname with an interface endpoint (one of
 * its records, an alias or a CNAME, points at the endpoint's `DnsEntries`) must be associated
 * with the endpoint's VPC; otherwise the endpoint's own VPC still resolves the public name.
 *
 * Only endpoints and records of the zone's stack are related. VPC IDs are compared when both
 * sides are literals or references to VPCs of that stack; anything else is not judged.
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
    return NagRuleCompliance.NON_COMPLIANT;
  }
  return unknown ? NagRuleCompliance.NOT_APPLICABLE : NagRuleCompliance.COMPLIANT;
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
