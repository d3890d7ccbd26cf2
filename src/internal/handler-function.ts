import { CfnResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** The constructor of a projen-generated handler function class (`*-function.ts`). */
export type HandlerFunctionClass<T extends lambda.Function> = new (scope: Construct, id: string, props?: lambda.FunctionOptions) => T;

export interface HandlerFunctionOptions {
  /** Lambda timeout; custom-resource handlers answer CloudFormation before it runs out. */
  readonly timeout: Duration;
  readonly description: string;
  readonly memorySize?: number;
  /** Environment variables. Never a secret: handlers read secrets from Secrets Manager. */
  readonly environment?: Record<string, string>;
  /** Extra options, such as VPC placement, for handlers that are not singletons. */
  readonly functionOptions?: lambda.FunctionOptions;
  /**
   * A role and log group shared with other functions of the stack (many functions of one kind,
   * such as one probe function per VPC): nothing of the function's own is created for them.
   */
  readonly shared?: { readonly role: iam.IRole; readonly logGroup: logs.ILogGroup };
}

/**
 * The handler function with the given id at stack level, created on first use, so a stack
 * has one of each handler however many constructs use it.
 */
export function singletonHandler<T extends lambda.Function>(
  scope: Construct,
  id: string,
  fnClass: HandlerFunctionClass<T>,
  options: HandlerFunctionOptions,
): T {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(id);
  if (existing) return existing as T;
  return handlerFunction(stack, id, fnClass, options);
}

/**
 * A handler function with its own log group (one year retention) and a role that may write
 * only to that log group. Findings of cdk-nag and checkov that do not apply to a handler are
 * acknowledged here, each with its reason.
 */
export function handlerFunction<T extends lambda.Function>(
  scope: Construct,
  id: string,
  fnClass: HandlerFunctionClass<T>,
  options: HandlerFunctionOptions,
): T {
  const { role, logGroup } = options.shared ?? handlerRoleAndLogs(scope, id, options.description);
  const fn = new fnClass(scope, id, {
    description: options.description,
    timeout: options.timeout,
    memorySize: options.memorySize ?? 256,
    environment: options.environment,
    role,
    logGroup,
    ...options.functionOptions,
  });
  skipCheckov(fn.node.defaultChild as CfnResource, {
    CKV_AWS_115: 'Reserved concurrency would take from the account\'s unreserved pool; this handler runs rarely.',
    CKV_AWS_116: 'Failures are reported, not queued: a custom resource answers CloudFormation itself, and a scheduled run is retried by the next one.',
    ...(options.functionOptions?.vpc ? {} : {
      CKV_AWS_117: 'Calls only AWS and vendor APIs over HTTPS; it needs no access to resources inside a VPC.',
    }),
    CKV_AWS_173: 'Environment variables hold names and settings only, never secrets.',
  });
  Validations.of(fn).acknowledge({ id: 'AwsSolutions-L1', reason: runtimePolicyReason(fn.runtime.name) });
  return fn;
}

/**
 * A log group (one year retention) and a role that may write only to it, for one handler
 * function or for several of one kind (`HandlerFunctionOptions.shared`).
 */
export function handlerRoleAndLogs(scope: Construct, id: string, description: string): { role: iam.Role; logGroup: logs.LogGroup } {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  skipCheckov(logGroup.node.defaultChild as CfnResource, {
    CKV_AWS_158: 'Handler logs hold no secret values (handlers redact them); CloudWatch Logs encrypts them at rest.',
  });
  const role = new iam.Role(scope, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description,
  });
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [logGroup.logGroupArn],
  }));
  return { role, logGroup };
}

/**
 * Why a handler stays on its runtime when the app's aws-cdk-lib knows a newer one (cdk-nag's
 * AwsSolutions-L1). The runtime itself is set once, in .projenrc.ts (`lambdaOptions.runtime`),
 * which also makes it the bundles' esbuild target.
 */
export function runtimePolicyReason(runtime: string): string {
  return `Pinned to ${runtime}: the Node.js LTS line this handler's bundle is built for and tested on, `
    + 'and the one aws-cdk-lib\'s own Runtime.NODEJS_LATEST names. A newer Lambda Node.js runtime is adopted '
    + 'in a release of cdk-saas-privatelink once the handlers\' tests pass on it, never by an aws-cdk-lib '
    + 'upgrade alone (README: Handler runtime).';
}

/** Writes checkov skips (with reasons) into a resource's template metadata. */
export function skipCheckov(resource: CfnResource, reasons: Record<string, string>): void {
  const existing = (resource.getMetadata('checkov') as { skip?: { id: string; comment: string }[] } | undefined)?.skip ?? [];
  const added = Object.entries(reasons).map(([id, comment]) => ({ id, comment }));
  resource.addMetadata('checkov', { skip: [...existing, ...added] });
}

/**
 * How long CloudFormation waits for a custom resource's answer: the handler's Lambda timeout
 * and one minute more. The handler answers before its own timeout; this bounds the wait when
 * it could not (a crash), instead of CloudFormation's default hour.
 */
export function serviceTimeoutFor(handlerTimeout: Duration): Duration {
  return Duration.seconds(handlerTimeout.toSeconds() + 60);
}

/**
 * The network-interface actions of AWSLambdaVPCAccessExecutionRole, inline, for a handler
 * role given to a function in a VPC (Lambda then adds no managed policy of its own).
 */
export function grantVpcNetworkInterfaces(role: iam.IRole): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: [
      'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets',
      'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses',
    ],
    resources: ['*'],
  }));
}

/**
 * Grants a VPC function's role the network-interface actions, and tells checkov (CKV_AWS_111,
 * unconstrained writes) and cdk-nag (IAM5, `Resource::*`) why, in the function's own words.
 */
export function grantVpcNetworkInterfacesWithReasons(role: iam.IRole, reasons: { checkov: string; nag: string }): void {
  grantVpcNetworkInterfaces(role);
  const policy = role.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
  if (policy) {
    skipCheckov(policy.node.defaultChild as CfnResource, { CKV_AWS_111: reasons.checkov });
  }
  Validations.of(role).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: reasons.nag });
}
