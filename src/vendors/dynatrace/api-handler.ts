import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { DynatraceEnvironment } from './dynatrace-environment';
import { stateOf } from '../../internal/construct-state';
import { grantVpcNetworkInterfaces, handlerFunction, HandlerFunctionClass } from '../../internal/handler-function';
import { selectPrivateSubnets } from '../../internal/subnets';
import { invalid, show } from '../../internal/validation';

/** The Lambda timeout of the Dynatrace API handlers. */
export const API_HANDLER_TIMEOUT = Duration.minutes(5);

export interface ApiHandlerOptions {
  /** The handler's construct ID at stack level (one handler per stack). */
  readonly id: string;
  readonly fnClass: HandlerFunctionClass<lambda.Function>;
  readonly description: string;
  readonly environment: DynatraceEnvironment;
  readonly apiToken: secretsmanager.ISecret;
  readonly apiTokenField?: string;
}

export interface ApiHandler {
  readonly fn: lambda.Function;
  /** The resource properties that say where and how the API is reached (see dynatrace-api.ts). */
  readonly properties: Record<string, unknown>;
}

/**
 * The stack's handler for a Dynatrace API custom resource, placed as the environment's
 * `DynatraceApiAccess` says (in a VPC, trusting extra certificates), with read access to the
 * API token. The handler stays one function per stack whatever URL reaches the API, so
 * switching from the SaaS URL to an ActiveGate updates the function and the resources in
 * place: a custom resource's ServiceToken cannot change.
 */
export function dynatraceApiHandler(scope: Construct, options: ApiHandlerOptions): ApiHandler {
  const access = options.environment._access;
  const stack = Stack.of(scope);
  const placement = show({ vpc: access.vpc?.node.path, subnets: access.vpcSubnets, securityGroups: access.securityGroups?.map((g) => g.node.path) });
  const fn = (stack.node.tryFindChild(options.id) as lambda.Function | undefined) ?? createHandler(stack, options);
  // Where the stack's handler runs: a second, different placement in the same stack is refused.
  const first = stateOf(fn, 'Placement', () => placement);
  if (first !== placement) {
    invalid(scope, `\`environment\` must be reached the same way by every Dynatrace construct in stack ${stack.stackName}: ` +
      `one ${options.id} handler serves them all, got a different VPC placement (${placement}) than ${first}`);
  }
  options.apiToken.grantRead(fn);

  const pems: string[] = [];
  const secretRefs: string[] = [];
  for (const certificate of access.trustedCertificates ?? []) {
    const resolved = certificate._resolveForHandler(scope);
    if (resolved.pem) pems.push(resolved.pem);
    if (resolved.secret) {
      resolved.secret.grantRead(fn);
      secretRefs.push(resolved.field ? `${resolved.secret.secretArn}#${resolved.field}` : resolved.secret.secretArn);
    }
  }
  return {
    fn,
    properties: {
      ApiUrl: options.environment.apiUrl,
      EnvironmentId: options.environment.environmentId,
      TokenSecretArn: options.apiToken.secretArn,
      TokenSecretField: options.apiTokenField,
      ...(pems.length > 0 ? { TrustedCertificates: pems } : {}),
      ...(secretRefs.length > 0 ? { TrustedCertificateSecrets: secretRefs } : {}),
    },
  };
}

function createHandler(stack: Stack, options: ApiHandlerOptions): lambda.Function {
  const access = options.environment._access;
  let functionOptions: lambda.FunctionOptions | undefined;
  if (access.vpc) {
    const subnets = selectPrivateSubnets(stack, access.vpc, access.vpcSubnets, 'a Lambda function in a VPC gets no public address');
    const securityGroups = access.securityGroups ?? [defaultSecurityGroup(stack, options)];
    functionOptions = { vpc: access.vpc, vpcSubnets: { subnets: subnets.subnets }, securityGroups };
  }
  const fn = handlerFunction(stack, options.id, options.fnClass, {
    description: options.description,
    timeout: API_HANDLER_TIMEOUT,
    functionOptions,
  });
  if (access.vpc) {
    grantVpcNetworkInterfaces(fn.role!);
    Validations.of(fn.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'The EC2 network-interface actions a Lambda function in a VPC needs support no resource-level permissions.',
    });
  }
  return fn;
}

function defaultSecurityGroup(stack: Stack, options: ApiHandlerOptions): ec2.SecurityGroup {
  const vpc = options.environment._access.vpc!;
  const group = new ec2.SecurityGroup(stack, `${options.id}SecurityGroup`, {
    vpc,
    description: `${options.description}: HTTPS to Secrets Manager and the Dynatrace API`,
    allowAllOutbound: false,
  });
  group.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'Secrets Manager and the Dynatrace API over HTTPS');
  const port = portOf(options.environment.apiUrl);
  if (port !== 443) {
    group.addEgressRule(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.tcp(port), `The Dynatrace API on port ${port} inside the VPC`);
  }
  return group;
}

function portOf(url: string): number {
  try {
    return Number(new URL(url).port || 443);
  } catch {
    return 443; // an unresolved token in the URL: HTTPS's port
  }
}
