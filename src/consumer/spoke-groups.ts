/*
 * The stacks the library creates for spokes in another region than their hub: per hub stack and
 * spoke stack (a group), one stack in the hub's region for the hub-side routes and security
 * group rules, and one in the spoke's region for what must come after them, the spokes' DNS
 * zones and their probe. A group whose stacks would pass SPLIT_AT resources goes on in a
 * second pair, and so on. Every value these stacks read from another stack is a weak reference
 * (Fn::GetStackOutput), so that a spoke can be removed, or the hub's endpoint replaced, without
 * destroying a stack by hand first; see followDefinition for how they learn of a change.
 */
import { CfnResource, CrossStackReferences, ReferenceStrength, Stack, Stage } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { stateOf } from '../internal/construct-state';
import { boundCrossRegionReferences } from '../internal/service-timeouts';

/** Where a group's stacks are split: below CloudFormation's 500 resources, with room for outputs' helpers. */
export const SPLIT_AT = 450;

/** One pair of stacks of a group, and what a spoke has added to them so far. */
export interface SpokeGroupStacks {
  /** In the hub's region: the hub-side routes and the endpoint's security group rules. */
  readonly hubSide: Stack;
  /** In the spoke's region, after `hubSide`: the spokes' DNS zones and their probe. */
  readonly dns: Stack;
  /** The most resources one spoke added to either stack, the first spoke's shared parts (runner, gate) aside. */
  largestSpoke: number;
  /** How many spokes the pair holds. */
  spokes: number;
}

/** Resources of a stack, counted when a spoke is added (before and after). */
export function resourceCount(stack: Stack): number {
  return stack.node.findAll().filter((c) => CfnResource.isCfnResource(c)).length;
}

/**
 * The pair of stacks the next spoke of this hub stack and spoke stack goes into: the group's
 * last pair, or a new one when the last would pass SPLIT_AT resources with one more spoke.
 */
export function groupStacks(hubStack: Stack, spokeStack: Stack): SpokeGroupStacks {
  const pairs = stateOf(hubStack, `SaasPrivateLinkSpokeGroup${spokeStack.node.addr}`, () => [] as SpokeGroupStacks[]);
  const last = pairs[pairs.length - 1];
  const fits = (stack: Stack) => resourceCount(stack) + Math.max(last.largestSpoke, 1) <= SPLIT_AT;
  if (last && fits(last.hubSide) && fits(last.dns)) return last;
  const n = pairs.length === 0 ? '' : String(pairs.length + 1);
  const name = `${hubStack.node.id}-${spokeStack.node.id}`.replace(/[^A-Za-z0-9-]/g, '');
  const pair: SpokeGroupStacks = {
    hubSide: groupStack(hubStack, `${name}-HubSide${n}`, hubStack.region,
      `cdk-saas-privatelink: hub-side routes and endpoint security group rules for the spokes in ${spokeStack.stackName} ` +
      `of the PrivateLink hub in ${hubStack.stackName}${n ? ` (part ${n})` : ''}`),
    dns: groupStack(hubStack, `${name}-SpokeDns${n}`, spokeStack.region,
      `cdk-saas-privatelink: DNS zones and probe for the spokes in ${spokeStack.stackName} of the PrivateLink hub in ` +
      `${hubStack.stackName}, after their routes${n ? ` (part ${n})` : ''}`),
    largestSpoke: 0,
    spokes: 0,
  };
  pair.dns.addStackDependency(pair.hubSide, 'the spokes\' DNS goes live only once the hub side routes to them');
  pairs.push(pair);
  return pair;
}

function groupStack(hubStack: Stack, id: string, region: string, description: string): Stack {
  const stack = new Stack(Stage.of(hubStack)!, id, { env: { account: hubStack.account, region }, description });
  CrossStackReferences.of(stack).consume(ReferenceStrength.WEAK);
  boundCrossRegionReferences(stack);
  return stack;
}

/** Names a spoke's scope in a group stack: its path below the hub stack, unique in the stack. */
export function spokeScopeId(stack: Stack, self: Construct, hubStack: Stack): string {
  const id = self.node.path.split('/').slice(hubStack.node.path.split('/').length).join('-').replace(/[^A-Za-z0-9-]/g, '');
  return stack.node.tryFindChild(id) ? `${id}-${self.node.addr.slice(0, 8)}` : id;
}
