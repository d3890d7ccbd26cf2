import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { DynatraceEnvironment } from './dynatrace-environment';
import { stateOf } from '../../internal/construct-state';
import { grantVpcNetworkInterfacesWithReasons, handlerFunction, HandlerFunctionClass } from '../../internal/handler-function';
import { HANDLER_MODE_ENV, WORK_MODE, WORKER_FUNCTION_ENV } from '../../internal/runtime/worker-relay';
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
  /** The function CloudFormation invokes (the ServiceToken), which answers it: never in a VPC. */
  readonly fn: lambda.Function;
  /**
   * The function that calls the Dynatrace API and reads the secrets: the worker in the VPC when
   * the access names one, else `fn`. Grant it what the vendor part needs.
   */
  readonly apiFunction: lambda.Function;
  /** The roles a custom resource depends on, so its Delete still has its permissions. */
  readonly roles: iam.IRole[];
  /** The resource properties that say where and how the API is reached (see dynatrace-api.ts). */
  readonly properties: Record<string, unknown>;
}

/**
 * The stack's handler for a Dynatrace API custom resource, placed as the environment's
 * `DynatraceApiAccess` says (in a VPC, trusting extra certificates), with read access to the
 * API token. The handler stays one function per stack whatever URL reaches the API, so
 * switching from the SaaS URL to an ActiveGate updates the function and the resources in
 * place: a custom resource's ServiceToken cannot change.
 *
 * With a VPC, the handler is two functions of the same bundle: the one CloudFormation invokes
 * stays outside the VPC (a VPC without egress reaches neither CloudFormation's response URL nor
 * EC2) and invokes a worker in the VPC for the Dynatrace calls (see worker-relay.ts).
 */
export function dynatraceApiHandler(scope: Construct, options: ApiHandlerOptions): ApiHandler {
  const access = options.environment._access;
  const stack = Stack.of(scope);
  const placement = show({ vpc: access.vpc?.node.path, subnets: access.vpcSubnets, securityGroups: access.securityGroups?.map((g) => g.node.path) });
  const fn = (stack.node.tryFindChild(options.id) as lambda.Function | undefined) ?? createHandler(stack, options);
  const apiFunction = (stack.node.tryFindChild(`${options.id}${WORKER_SUFFIX}`) as lambda.Function | undefined) ?? fn;
  // Where the stack's handler runs: a second, different placement in the same stack is refused.
  const first = stateOf(fn, 'Placement', () => placement);
  if (first !== placement) {
    invalid(scope, `\`environment\` must be reached the same way by every Dynatrace construct in stack ${stack.stackName}: ` +
      `one ${options.id} handler serves them all, got a different VPC placement (${placement}) than ${first}`);
  }
  options.apiToken.grantRead(apiFunction);

  const pems: string[] = [];
  const secretRefs: string[] = [];
  for (const certificate of access.trustedCertificates ?? []) {
    const resolved = certificate._resolveForHandler(scope);
    if (resolved.pem) pems.push(resolved.pem);
    if (resolved.secret) {
      resolved.secret.grantRead(apiFunction);
      secretRefs.push(resolved.field ? `${resolved.secret.secretArn}#${resolved.field}` : resolved.secret.secretArn);
    }
  }
  return {
    fn,
    apiFunction,
    roles: [...new Set([fn.role, apiFunction.role])].filter((r): r is iam.IRole => r !== undefined),
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

/** The worker's construct ID is the handler's and this. */
const WORKER_SUFFIX = 'Worker';

function createHandler(stack: Stack, options: ApiHandlerOptions): lambda.Function {
  const access = options.environment._access;
  if (!access.vpc) {
    return handlerFunction(stack, options.id, options.fnClass, { description: options.description, timeout: API_HANDLER_TIMEOUT });
  }
  const subnets = selectPrivateSubnets(stack, access.vpc, access.vpcSubnets, 'a Lambda function in a VPC gets no public address');
  const securityGroups = access.securityGroups ?? [defaultSecurityGroup(stack, options)];
  const worker = handlerFunction(stack, `${options.id}${WORKER_SUFFIX}`, options.fnClass, {
    description: `cdk-saas-privatelink: calls the Dynatrace API from inside the VPC for ${options.id} (reads the API token, answers nothing)`,
    timeout: API_HANDLER_TIMEOUT,
    environment: { [HANDLER_MODE_ENV]: WORK_MODE },
    functionOptions: { vpc: access.vpc, vpcSubnets: { subnets: subnets.subnets }, securityGroups },
  });
  grantVpcNetworkInterfacesWithReasons(worker.role!, {
    checkov: 'The only writes are the EC2 network-interface actions a Lambda function in a VPC needs, ' +
      'which support no resource-level permissions.',
    nag: 'The EC2 network-interface actions a Lambda function in a VPC needs support no resource-level permissions; ' +
      'besides them the worker may only read its secrets and write its logs.',
  });
  const fn = handlerFunction(stack, options.id, options.fnClass, {
    description: options.description,
    timeout: API_HANDLER_TIMEOUT,
    environment: { [WORKER_FUNCTION_ENV]: worker.functionName },
  });
  // Its unqualified ARN only: the answering function may invoke this worker and nothing else.
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [worker.functionArn] }));
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
