/*
 * How a stack that reads another stack's values weakly learns that they changed. A weak
 * reference (Fn::GetStackOutput) is resolved when the reading stack is created or updated, but
 * `cdk deploy` skips a stack whose template did not change. So each reading resource carries,
 * in its Metadata, a fingerprint of the definition of what it reads: the producing resource and
 * everything that resource refers to in its own stack. A change that replaces the hub's endpoint
 * (a new service name, a new ServiceRegion) changes the fingerprint, so the spokes' stacks are
 * updated in the same `cdk deploy --all`, after the hub, and read the new values.
 */
import { createHash } from 'crypto';
import { CfnResource, Lazy, Stack } from 'aws-cdk-lib';

const METADATA_KEY = 'cdk-saas-privatelink:follows';
const cache = new WeakMap<CfnResource, string>();

/** A fingerprint of `producer`'s definition and of every resource of its stack it refers to. */
export function definitionFingerprint(producer: CfnResource): string {
  return Lazy.string({ produce: () => fingerprintNow(producer) });
}

/** Makes `consumer` (a resource of another stack) change whenever `producer`'s definition does. */
export function followDefinition(consumer: CfnResource, producer: CfnResource): void {
  const existing = (consumer.getMetadata(METADATA_KEY) as Record<string, string> | undefined) ?? {};
  consumer.addMetadata(METADATA_KEY, { ...existing, [producer.node.path]: definitionFingerprint(producer) });
}

function fingerprintNow(producer: CfnResource): string {
  const cached = cache.get(producer);
  if (cached) return cached;
  const stack = Stack.of(producer);
  const byLogicalId = new Map<string, CfnResource>();
  for (const c of stack.node.findAll()) {
    if (CfnResource.isCfnResource(c)) byLogicalId.set(stack.resolve(c.logicalId), c);
  }
  const hash = createHash('sha256');
  const seen = new Set<string>();
  const visit = (resource: CfnResource) => {
    const logicalId: string = stack.resolve(resource.logicalId);
    if (seen.has(logicalId)) return;
    seen.add(logicalId);
    const definition = stack.resolve((resource as unknown as { _toCloudFormation(): object })._toCloudFormation());
    hash.update(JSON.stringify(definition));
    for (const target of referencedIds(definition)) {
      const next = byLogicalId.get(target);
      if (next) visit(next);
    }
  };
  visit(producer);
  const fingerprint = hash.digest('hex').slice(0, 16);
  cache.set(producer, fingerprint);
  return fingerprint;
}

/** The logical IDs a resolved definition refers to with Ref, Fn::GetAtt or DependsOn. */
function referencedIds(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    value.forEach((v) => referencedIds(v, out));
  } else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'Ref' && typeof v === 'string') out.push(v);
      else if (key === 'Fn::GetAtt' && Array.isArray(v) && typeof v[0] === 'string') out.push(v[0]);
      else if (key === 'DependsOn') out.push(...(Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string'));
      else referencedIds(v, out);
    }
  }
  return out;
}
