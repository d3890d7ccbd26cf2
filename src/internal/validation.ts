import { Token, UnscopedValidationError, ValidationError } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

type ErrorName = ConstructorParameters<typeof ValidationError>[0];

/**
 * Throws a synth-time error that names the construct, the prop, the value and the rule.
 * Callers validate every prop before they create a resource, so nothing is half-built.
 */
export function invalid(scope: IConstruct, message: string): never {
  throw new ValidationError('SaasPrivateLinkInvalidProp' as ErrorName, message, scope);
}

/**
 * Throws a synth-time error for a value that belongs to no construct yet (an enum-like
 * class's factory, a parsed file): the message names the prop or field, the value and the rule.
 */
export function refuse(message: string): never {
  throw new UnscopedValidationError('SaasPrivateLinkInvalidProp' as ErrorName, message);
}

/** Renders a value for an error message. */
export function show(value: unknown): string {
  return JSON.stringify(value);
}

/** True when the value is a literal we can check now (not a deploy-time token). */
export function isLiteral(value: string | number | undefined): boolean {
  return value !== undefined && !Token.isUnresolved(value);
}

const ACCOUNT_ID = /^\d{12}$/;
const IAM_PRINCIPAL_ARN = /^arn:aws(-[a-z]+)*:iam::(\d{12}):(root|role\/[\w+=,.@/-]+|user\/[\w+=,.@/-]+)$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

export function isAccountId(value: string): boolean {
  return ACCOUNT_ID.test(value);
}

export function isIamPrincipalArn(value: string): boolean {
  return IAM_PRINCIPAL_ARN.test(value);
}

export function isRegionName(value: string): boolean {
  return REGION.test(value);
}

/** The AWS partition a region belongs to, from its name. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-isof-')) return 'aws-iso-f';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  return 'aws';
}

/** True for a TCP/UDP port number. */
export function isPort(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= 65535;
}

/**
 * Refuses a range that is given with `ports`, has a port outside 1–65535, or ends before it
 * starts, naming the prop and the value (ports that are deploy-time tokens are not checked).
 */
export function validatePortRange(
  scope: IConstruct, singlePorts: number[] | undefined, range: { readonly fromPort: number; readonly toPort: number },
): void {
  if (singlePorts !== undefined) {
    invalid(scope, '`ports` and `portRange` must not both be given (`portRange` is opened instead of `ports`), ' +
      `got: ports ${show(singlePorts)} and portRange ${show(range)}`);
  }
  for (const field of ['fromPort', 'toPort'] as const) {
    const port = range[field];
    if (!Token.isUnresolved(port) && !isPort(port)) {
      invalid(scope, `\`portRange.${field}\` must be an integer from 1 to 65535, got: ${port}`);
    }
  }
  if (isLiteral(range.fromPort) && isLiteral(range.toPort) && range.fromPort > range.toPort) {
    invalid(scope, `\`portRange.fromPort\` must not be above \`portRange.toPort\`, got: ${range.fromPort} > ${range.toPort}`);
  }
}