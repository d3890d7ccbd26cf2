import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { isObject, referenceOf, render, RenderedResource, resourcesOfType } from './relations';

const WORLD = ['0.0.0.0/0', '::/0'];

/**
 * An interface VPC endpoint's security groups must not allow inbound traffic from 0.0.0.0/0
 * or ::/0, neither in the group's own `SecurityGroupIngress` nor in a separate
 * `AWS::EC2::SecurityGroupIngress`. Only security groups of the same stack are judged.
 */
export function endpointOpenToWorld(node: CfnResource): NagRuleCompliance {
  if (node.cfnResourceType !== 'AWS::EC2::VPCEndpoint') return NagRuleCompliance.NOT_APPLICABLE;
  const endpoint = render(node);
  if (!endpoint) return NagRuleCompliance.NOT_APPLICABLE;
  // VpcEndpointType defaults to Gateway, which has no security groups.
  if (endpoint.properties.VpcEndpointType !== 'Interface') return NagRuleCompliance.NOT_APPLICABLE;
  const groupIds = endpoint.properties.SecurityGroupIds;
  if (groupIds === undefined) return NagRuleCompliance.NOT_APPLICABLE; // the VPC's default group
  if (!Array.isArray(groupIds)) return NagRuleCompliance.NOT_APPLICABLE;

  const groups = new Map(resourcesOfType(node, 'AWS::EC2::SecurityGroup').map((g) => [g.logicalId, g]));
  const referenced = groupIds
    .map(referenceOf)
    .filter((r) => r && (r.attribute === undefined || r.attribute === 'GroupId') && groups.has(r.logicalId))
    .map((r) => groups.get(r!.logicalId)!);
  if (referenced.length === 0) return NagRuleCompliance.NOT_APPLICABLE;

  const standalone = resourcesOfType(node, 'AWS::EC2::SecurityGroupIngress');
  return referenced.some((group) => isOpenToWorld(group, standalone))
    ? NagRuleCompliance.NON_COMPLIANT
    : NagRuleCompliance.COMPLIANT;
}

function isOpenToWorld(group: RenderedResource, standalone: RenderedResource[]): boolean {
  const inline = group.properties.SecurityGroupIngress;
  const rules = Array.isArray(inline) ? [...inline] : [];
  for (const ingress of standalone) {
    const target = referenceOf(ingress.properties.GroupId);
    if (target?.logicalId === group.logicalId && (target.attribute === undefined || target.attribute === 'GroupId')) {
      rules.push(ingress.properties);
    }
  }
  return rules.some((rule) => isObject(rule) && (WORLD.includes(rule.CidrIp) || WORLD.includes(rule.CidrIpv6)));
}
