import { ReferenceStrength, Stack, Token } from 'aws-cdk-lib';

/**
 * `value` as another stack reads it weakly (`Fn::GetStackOutput`): a resource attribute of
 * another stack then never becomes an export that blocks a change of its producer. A literal, or
 * a token that is no resource attribute (a parameter, an import), is returned as it is.
 */
export function readWeakly(value: string): string {
  if (!Token.isUnresolved(value)) return value;
  try {
    return Stack.consumeReference(value, ReferenceStrength.WEAK);
  } catch {
    return value;
  }
}
