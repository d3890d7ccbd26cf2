import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { isObject, referenceOf, render, RenderedResource, resourcesOfType } from './relations';

/** The ports MongoDB Atlas's PrivateLink assigns its nodes from. */
const ATLAS_FROM = 1024;
const ATLAS_TO = 65535;

/** The resource types whose `Fn::GetAtt` is an Atlas endpoint service name, with the attributes that are (undefined: any). */
const ATLAS_SERVICES: Record<string, string[] | undefined> = {
  'Custom::MongoDbAtlasEndpointService': ['ServiceName'],
  'MongoDB::Atlas::PrivateEndpointService': undefined,
};

/**
 * An interface VPC endpoint to a MongoDB Atlas endpoint service (its `ServiceName` an
 * `Fn::GetAtt` of a `Custom::MongoDbAtlasEndpointService` or a
 * `MongoDB::Atlas::PrivateEndpointService` of the same stack) must have a security group with
 * an inbound rule, in the group's own `SecurityGroupIngress` or a separate
 * `AWS::EC2::SecurityGroupIngress`, that opens TCP (or every protocol) on the whole of
 * 1024-65535. Only security groups of the same stack are judged; when one of the endpoint's
 * groups is not, or a rule's ports are known only at deploy time, the rule stays quiet unless
 * another rule opens the range.
 */
export function atlasEndpointPortRange(node: CfnResource): NagRuleCompliance {
  if (node.cfnResourceType !== 'AWS::EC2::VPCEndpoint') return NagRuleCompliance.NOT_APPLICABLE;
  const endpoint = render(node);
  if (!endpoint || endpoint.properties.VpcEndpointType !== 'Interface') return NagRuleCompliance.NOT_APPLICABLE;
  if (!isAtlasServiceName(node, endpoint.properties.ServiceName)) return NagRuleCompliance.NOT_APPLICABLE;
  const groupIds = endpoint.properties.SecurityGroupIds;
  if (!Array.isArray(groupIds) || groupIds.length === 0) return NagRuleCompliance.NOT_APPLICABLE;

  const groups = new Map(resourcesOfType(node, 'AWS::EC2::SecurityGroup').map((g) => [g.logicalId, g]));
  const referenced = groupIds.map((id) => {
    const r = referenceOf(id);
    return r && isGroupIdReference(r.attribute) ? groups.get(r.logicalId) : undefined;
  });
  const known = referenced.filter((g): g is RenderedResource => g !== undefined);
  if (known.length === 0) return NagRuleCompliance.NOT_APPLICABLE;

  const standalone = resourcesOfType(node, 'AWS::EC2::SecurityGroupIngress');
  const answers = known.flatMap((group) => ingressRulesOf(group, standalone)).map(opensAtlasRange);
  if (answers.includes(true)) return NagRuleCompliance.COMPLIANT;
  // A group of another stack, or a rule of deploy-time ports, may open the range.
  if (known.length < referenced.length || answers.includes(undefined)) return NagRuleCompliance.NOT_APPLICABLE;
  return NagRuleCompliance.NON_COMPLIANT;
}

/** True when the service name is read from an Atlas endpoint service of the endpoint's stack. */
function isAtlasServiceName(node: CfnResource, serviceName: unknown): boolean {
  const reference = referenceOf(serviceName);
  if (reference?.attribute === undefined) return false;
  return Object.entries(ATLAS_SERVICES).some(([type, attributes]) =>
    (attributes === undefined || attributes.includes(reference.attribute!))
    && resourcesOfType(node, type).some((service) => service.logicalId === reference.logicalId));
}

/** A `Ref` to a security group, or its `GroupId`. */
function isGroupIdReference(attribute: string | undefined): boolean {
  return attribute === undefined || attribute === 'GroupId';
}

/** The group's inbound rules: its own and those of separate ingress resources that name it. */
function ingressRulesOf(group: RenderedResource, standalone: RenderedResource[]): unknown[] {
  const inline = group.properties.SecurityGroupIngress;
  const rules: unknown[] = Array.isArray(inline) ? [...inline] : [];
  for (const ingress of standalone) {
    const target = referenceOf(ingress.properties.GroupId);
    if (target?.logicalId === group.logicalId && isGroupIdReference(target.attribute)) rules.push(ingress.properties);
  }
  return rules;
}

/** True when the rule opens TCP on all of 1024-65535, false when it does not, undefined when that is known only at deploy time. */
function opensAtlasRange(rule: unknown): boolean | undefined {
  if (!isObject(rule)) return undefined;
  const protocol = literal(rule.IpProtocol);
  if (protocol === undefined) return undefined;
  if (protocol === '-1') return true;
  if (protocol !== 'tcp' && protocol !== '6') return false;
  const from = literal(rule.FromPort);
  const to = literal(rule.ToPort);
  if (from === undefined || to === undefined) return undefined;
  return Number(from) <= ATLAS_FROM && Number(to) >= ATLAS_TO;
}

/** A number or string value as a lowercase string; undefined when it is not a literal. */
function literal(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' ? value.toLowerCase() : undefined;
}
