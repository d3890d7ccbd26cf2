/*
 * Reading L1 resources and relating them to each other, for the rules of `PrivateLinkChecks`.
 *
 * Every helper answers "don't know" (undefined, false or an empty list) rather than guess:
 * a rule that cannot relate two resources with certainty is not applicable, never failed.
 */
import { CfnResource, Stack } from 'aws-cdk-lib';

/** A resource as it will appear in its stack's template, with its tokens resolved. */
export interface RenderedResource {
  readonly node: CfnResource;
  readonly logicalId: string;
  readonly properties: Record<string, any>;
}

/**
 * The resource's template entry, overrides included (`addPropertyOverride` on an L1 is how
 * many apps set what an L2 does not expose, so reading the L1's typed properties would miss
 * them). Undefined when it cannot be rendered.
 */
export function render(node: CfnResource): RenderedResource | undefined {
  try {
    const stack = Stack.of(node);
    const logicalId = stack.resolve(node.logicalId);
    // `_toCloudFormation` is the same rendering `cdk synth` writes to the template.
    const template = stack.resolve((node as unknown as { _toCloudFormation(): any })._toCloudFormation());
    const resource = typeof logicalId === 'string' ? template?.Resources?.[logicalId] : undefined;
    if (!resource) return undefined;
    const properties = resource.Properties;
    return { node, logicalId, properties: isObject(properties) ? properties : {} };
  } catch {
    return undefined;
  }
}

/** The resources of one CloudFormation type in the same stack as `node` (nested stacks excluded). */
export function resourcesOfType(node: CfnResource, type: string): RenderedResource[] {
  const stack = Stack.of(node);
  const result: RenderedResource[] = [];
  for (const child of stack.node.findAll()) {
    if (CfnResource.isCfnResource(child) && child.cfnResourceType === type && Stack.of(child) === stack) {
      const rendered = render(child);
      if (rendered) result.push(rendered);
    }
  }
  return result;
}

/** True for a plain object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The logical ID a `Ref` or `Fn::GetAtt` points at, with the attribute for `Fn::GetAtt`. */
export function referenceOf(value: unknown): { logicalId: string; attribute?: string } | undefined {
  if (!isObject(value) || Object.keys(value).length !== 1) return undefined;
  if (typeof value.Ref === 'string') return { logicalId: value.Ref };
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt.length === 2 && typeof getAtt[0] === 'string' && typeof getAtt[1] === 'string') {
    return { logicalId: getAtt[0], attribute: getAtt[1] };
  }
  if (typeof getAtt === 'string' && getAtt.includes('.')) {
    const [logicalId, ...attribute] = getAtt.split('.');
    return { logicalId, attribute: attribute.join('.') };
  }
  return undefined;
}

/**
 * True when `value` is a `Ref` to `logicalId`, or an `Fn::GetAtt` of one of `attributes`
 * of it.
 */
export function refersTo(value: unknown, logicalId: string, attributes: string[] = []): boolean {
  const reference = referenceOf(value);
  if (!reference || reference.logicalId !== logicalId) return false;
  return reference.attribute === undefined || attributes.includes(reference.attribute);
}

/** True when `value` holds, anywhere inside it, an `Fn::GetAtt` of `attribute` of `logicalId`. */
export function containsGetAtt(value: unknown, logicalId: string, attribute: string): boolean {
  if (Array.isArray(value)) return value.some((v) => containsGetAtt(v, logicalId, attribute));
  if (!isObject(value)) return false;
  const reference = referenceOf(value);
  if (reference?.attribute !== undefined) {
    return reference.logicalId === logicalId && reference.attribute === attribute;
  }
  return Object.values(value).some((v) => containsGetAtt(v, logicalId, attribute));
}

/** The value of a string or boolean flag, lowercased; undefined when it is not a literal. */
export function flag(value: unknown): string | undefined {
  if (typeof value === 'boolean') return String(value);
  return typeof value === 'string' ? value.toLowerCase() : undefined;
}

/**
 * The value of one `{Key, Value}` attribute of a load balancer or target group: `absent` when
 * no entry has the key, undefined when the list or the value is not a literal.
 */
export function attributeValue(attributes: unknown, key: string): string | 'absent' | undefined {
  if (attributes === undefined) return 'absent';
  if (!Array.isArray(attributes)) return undefined;
  let result: string | 'absent' | undefined = 'absent';
  for (const entry of attributes) {
    if (!isObject(entry) || typeof entry.Key !== 'string') {
      // An entry whose key we cannot read may be this one.
      result = undefined;
      continue;
    }
    if (entry.Key === key) result = flag(entry.Value);
  }
  return result;
}

/**
 * The Network Load Balancers in `node`'s stack that a VPC endpoint service of that stack
 * fronts (`NetworkLoadBalancerArns` holds a `Ref` to them), by logical ID.
 */
export function loadBalancersBehindEndpointServices(node: CfnResource): Set<string> {
  const result = new Set<string>();
  for (const service of resourcesOfType(node, 'AWS::EC2::VPCEndpointService')) {
    const arns = service.properties.NetworkLoadBalancerArns;
    if (!Array.isArray(arns)) continue;
    for (const arn of arns) {
      const reference = referenceOf(arn);
      if (reference && (reference.attribute === undefined || reference.attribute === 'LoadBalancerArn')) {
        result.add(reference.logicalId);
      }
    }
  }
  return result;
}

/**
 * The logical IDs of the load balancers whose listeners forward to the target group
 * `targetGroup` (through `DefaultActions[].TargetGroupArn` or `ForwardConfig.TargetGroups`).
 */
export function loadBalancersOfTargetGroup(targetGroup: RenderedResource): Set<string> {
  const result = new Set<string>();
  for (const listener of resourcesOfType(targetGroup.node, 'AWS::ElasticLoadBalancingV2::Listener')) {
    const actions = listener.properties.DefaultActions;
    if (!Array.isArray(actions) || !actions.some((action) => forwardsTo(action, targetGroup.logicalId))) continue;
    const loadBalancer = referenceOf(listener.properties.LoadBalancerArn);
    if (loadBalancer && (loadBalancer.attribute === undefined || loadBalancer.attribute === 'LoadBalancerArn')) {
      result.add(loadBalancer.logicalId);
    }
  }
  return result;
}

function forwardsTo(action: unknown, targetGroupId: string): boolean {
  if (!isObject(action)) return false;
  if (refersTo(action.TargetGroupArn, targetGroupId, ['TargetGroupArn'])) return true;
  const groups = action.ForwardConfig?.TargetGroups;
  return Array.isArray(groups) && groups.some((g) => isObject(g) && refersTo(g.TargetGroupArn, targetGroupId, ['TargetGroupArn']));
}

/**
 * True when the target group is forwarded to by a Network Load Balancer that a VPC endpoint
 * service of the same stack fronts.
 */
export function isBehindEndpointService(targetGroup: RenderedResource): boolean {
  const fronted = loadBalancersBehindEndpointServices(targetGroup.node);
  if (fronted.size === 0) return false;
  const network = new Set(resourcesOfType(targetGroup.node, 'AWS::ElasticLoadBalancingV2::LoadBalancer')
    .filter((lb) => lb.properties.Type === 'network')
    .map((lb) => lb.logicalId));
  return [...loadBalancersOfTargetGroup(targetGroup)].some((id) => fronted.has(id) && network.has(id));
}

/**
 * The Network Load Balancer `node`, rendered, when a VPC endpoint service of its stack fronts
 * it; undefined for any other resource.
 */
export function frontedLoadBalancer(node: CfnResource): RenderedResource | undefined {
  if (node.cfnResourceType !== 'AWS::ElasticLoadBalancingV2::LoadBalancer') return undefined;
  const loadBalancer = render(node);
  if (!loadBalancer || loadBalancer.properties.Type !== 'network') return undefined;
  return loadBalancersBehindEndpointServices(node).has(loadBalancer.logicalId) ? loadBalancer : undefined;
}

/**
 * The target group `node`, rendered, when a Network Load Balancer fronted by a VPC endpoint
 * service of its stack forwards to it; undefined for any other resource.
 */
export function frontedTargetGroup(node: CfnResource): RenderedResource | undefined {
  if (node.cfnResourceType !== 'AWS::ElasticLoadBalancingV2::TargetGroup') return undefined;
  const targetGroup = render(node);
  return targetGroup && isBehindEndpointService(targetGroup) ? targetGroup : undefined;
}
