import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { stateOf } from './construct-state';
import { invalid } from './validation';

export interface OutputValue {
  readonly value: string;
  readonly description: string;
}

/**
 * The stack outputs of a construct whose `outputs` prop is true. Each output's logical ID is
 * the construct's own ID and the output's name (`DynatraceEndpointId` for a construct with ID
 * `Dynatrace`), so it stays the same when the tree above the construct changes; two
 * constructs with outputs and the same ID in one stack are refused.
 */
export function addOutputs(scope: Construct, enabled: boolean | undefined, outputs: Record<string, OutputValue>): void {
  if (!enabled) return;
  const stack = Stack.of(scope);
  const taken = stateOf(stack, 'SaasPrivateLinkOutputIds', () => new Map<string, string>());
  const prefix = scope.node.id.replace(/[^A-Za-z0-9]/g, '');
  const ids = Object.keys(outputs).map((name) => `${prefix}${name}`);
  for (const id of ids) {
    if (taken.has(id)) {
      invalid(scope, `\`outputs\` need construct IDs that are unique in the stack: the output ${id} of ${scope.node.path} ` +
        `is already the output of ${taken.get(id)}; give one of them another ID`);
    }
  }
  Object.entries(outputs).forEach(([name, output], i) => {
    taken.set(ids[i], scope.node.path);
    new CfnOutput(scope, name, { value: output.value, description: output.description }).overrideLogicalId(ids[i]);
  });
}

