import { Aws, CfnResource, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { ActivegateTokenFunction } from './activegate-token-function';
import { DAYS_TO_EXPIRY, METRIC_NAMESPACE, ROTATION_CONFIG_ENV } from './token-rotation';
import { grantVpcNetworkInterfacesWithReasons, handlerFunction } from '../../../internal/handler-function';
import { selectPrivateSubnets } from '../../../internal/subnets';
import { invalid } from '../../../internal/validation';
import type { DynatraceEnvironment } from '../dynatrace-environment';

/** Secrets Manager's limits on a rotation interval, in days. */
const MIN_INTERVAL_DAYS = 1;
const MAX_INTERVAL_DAYS = 1000;
/** Lambda refuses environment variables over 4 KB in total; the config must leave room. */
const MAX_CONFIG_CHARS = 3_500;
/** How often the expiry check publishes DaysToExpiry. */
const CHECK_EVERY = Duration.hours(6);

export interface TokenRotationOptions {
  readonly secret: secretsmanager.Secret;
  readonly environment: DynatraceEnvironment;
  readonly apiToken: secretsmanager.ISecret;
  /** The custom resource's API properties (how Dynatrace is reached), as the custom resource has them. */
  readonly access: Record<string, unknown>;
  readonly resource: CfnResource;
  readonly name: string;
  readonly activeGateType: string;
  readonly expiration: string;
  /** The token's lifetime in days (from a relative expiry). */
  readonly lifetimeDays: number;
  readonly rotateBefore: Duration;
  readonly alarmBefore: Duration;
  readonly deleteReplacedTokens: boolean;
}

export interface TokenRotation {
  readonly fn: lambda.Function;
  readonly interval: Duration;
  readonly daysToExpiry: cloudwatch.Metric;
  readonly expiryAlarm: cloudwatch.Alarm;
  readonly rotationFailedAlarm: cloudwatch.Alarm;
}

/**
 * The rotation of a token's secret: a function of the token handler's bundle with the resource's
 * settings in ROTATION_CONFIG, Secrets Manager's schedule, the expiry check every 6 hours, and two
 * alarms (see token-rotation.ts for what the function does).
 */
export function addTokenRotation(scope: Construct, options: TokenRotationOptions): TokenRotation {
  const rotateDays = options.rotateBefore.toHours() / 24;
  const alarmDays = options.alarmBefore.toHours() / 24;
  const lifetime = Math.round(options.lifetimeDays * 100) / 100;
  if (rotateDays < 1) {
    invalid(scope, `\`rotateBefore\` must be at least 1 day, got: ${options.rotateBefore.toHumanString()}`);
  }
  const intervalDays = Math.floor(options.lifetimeDays - rotateDays);
  if (intervalDays < MIN_INTERVAL_DAYS || intervalDays > MAX_INTERVAL_DAYS) {
    invalid(scope, `\`rotateBefore\` must leave at least ${MIN_INTERVAL_DAYS} day between a token's creation and its rotation ` +
      `(the token lives ${lifetime} days, from \`expiry\`; Secrets Manager rotates every 1 to 1000 days), got: ${options.rotateBefore.toHumanString()}`);
  }
  if (alarmDays < 1 || alarmDays >= rotateDays) {
    invalid(scope, `\`alarmBeforeExpiry\` must be at least 1 day and shorter than \`rotateBefore\` (${options.rotateBefore.toHumanString()}), ` +
      `so that the alarm means a rotation did not happen, got: ${options.alarmBefore.toHumanString()}`);
  }
  const pems = (options.access.TrustedCertificates as string[] | undefined) ?? [];
  const pemChars = pems.reduce((n, p) => n + (Token.isUnresolved(p) ? 0 : p.length), 0);
  if (pemChars > MAX_CONFIG_CHARS - 1_000) {
    invalid(scope, '`rotation` needs the environment\'s trusted certificates in its function\'s environment (at most 4 KB): use ' +
      `RootCertificate.fromSecret instead of certificates from files (${pemChars} characters), or set \`rotation: false\``);
  }

  const stack = Stack.of(scope);
  const access = options.environment._access;
  const vpcOptions = access.vpc ? vpcPlacement(scope, access.vpc, access.vpcSubnets, access.securityGroups) : {};
  const config = {
    ...options.access,
    TargetSecretArn: options.secret.secretArn,
    Name: options.name,
    ActiveGateType: options.activeGateType,
    ExpirationDate: options.expiration,
    StackId: Aws.STACK_ID,
    LogicalResourceId: stack.getLogicalId(options.resource),
    DeleteReplaced: String(options.deleteReplacedTokens),
  };
  const fn = handlerFunction(scope, 'Rotation', ActivegateTokenFunction, {
    description: 'cdk-saas-privatelink: rotates a Dynatrace ActiveGate token and publishes its days to expiry',
    timeout: Duration.minutes(5),
    environment: { [ROTATION_CONFIG_ENV]: stack.toJsonString(config) },
    functionOptions: vpcOptions,
  });
  const unscoped = 'cloudwatch:PutMetricData supports no resource-level permissions (a condition limits it to the namespace ' +
    `${METRIC_NAMESPACE}); secretsmanager:GetRandomPassword, which aws-cdk-lib grants every rotation function, has no resource`;
  if (access.vpc) {
    grantVpcNetworkInterfacesWithReasons(fn.role!, {
      checkov: 'The only writes are the EC2 network-interface actions a Lambda function in a VPC needs, which support no resource-level ' +
        `permissions, and ${unscoped}.`,
      nag: `The EC2 network-interface actions a Lambda function in a VPC needs support no resource-level permissions; ${unscoped}. ` +
        'Besides them the rotation function may only read and stage its secret, read the API token and write its logs.',
    });
  } else {
    Validations.of(fn.role!).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: `${unscoped}.` });
  }
  options.apiToken.grantRead(fn);
  for (const certificate of access.trustedCertificates ?? []) certificate._resolveForHandler(scope).secret?.grantRead(fn);
  fn.addToRolePolicy(new iam.PolicyStatement({
    actions: ['cloudwatch:PutMetricData'],
    resources: ['*'],
    conditions: { StringEquals: { 'cloudwatch:namespace': METRIC_NAMESPACE } },
  }));
  const interval = Duration.days(intervalDays);
  const schedule = options.secret.addRotationSchedule('RotationSchedule', {
    rotationLambda: fn,
    automaticallyAfter: interval,
    // The token was just made by the custom resource: the first rotation is due `interval` later.
    rotateImmediatelyOnUpdate: false,
  });
  // Rotation starts from the token the custom resource stored.
  schedule.node.addDependency(options.resource);
  // aws-cdk-lib lets any account's Secrets Manager invoke the function (checkov CKV_AWS_364): only this account's.
  for (const child of fn.node.children) {
    if (child instanceof lambda.CfnPermission && child.principal === 'secretsmanager.amazonaws.com') child.sourceAccount = Aws.ACCOUNT_ID;
  }

  new events.Rule(scope, 'ExpiryCheck', {
    description: `cdk-saas-privatelink: publishes ${DAYS_TO_EXPIRY} of the Dynatrace ActiveGate token in ${scope.node.path}`,
    schedule: events.Schedule.rate(CHECK_EVERY),
    targets: [new targets.LambdaFunction(fn, { retryAttempts: 2 })],
  });

  const daysToExpiry = new cloudwatch.Metric({
    namespace: METRIC_NAMESPACE,
    metricName: DAYS_TO_EXPIRY,
    dimensionsMap: { SecretArn: options.secret.secretArn },
    statistic: cloudwatch.Stats.MINIMUM,
    period: Duration.days(1),
  });
  const expiryAlarm = daysToExpiry.createAlarm(scope, 'ExpiryAlarm', {
    alarmDescription: `The Dynatrace ActiveGate token in the secret of ${scope.node.path} expires within ${alarmDays} days ` +
      'or is not live: the rotation is not working (see the rotation function\'s log). INSUFFICIENT_DATA: the check has not run for two days.',
    comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    threshold: alarmDays,
    // Two daily periods, both breaching: today's period is still empty for a few hours after midnight.
    evaluationPeriods: 2,
    datapointsToAlarm: 2,
    // Missing data as breaching would raise the alarm at every new deploy, before the first check
    // (6 hours later) publishes: two days without a check make it INSUFFICIENT_DATA instead.
    treatMissingData: cloudwatch.TreatMissingData.MISSING,
  });
  const rotationFailedAlarm = fn.metricErrors({ period: Duration.days(1), statistic: cloudwatch.Stats.SUM }).createAlarm(scope, 'RotationFailedAlarm', {
    alarmDescription: `A rotation step or expiry check of the Dynatrace ActiveGate token in the secret of ${scope.node.path} failed ` +
      '(see the rotation function\'s log)',
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    threshold: 1,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  return { fn, interval, daysToExpiry, expiryAlarm, rotationFailedAlarm };
}

/** The placement of the token handler's worker: the same VPC, subnets and security groups. */
function vpcPlacement(scope: Construct, vpc: ec2.IVpc, selection: ec2.SubnetSelection | undefined, groups: ec2.ISecurityGroup[] | undefined) {
  const subnets = selectPrivateSubnets(scope, vpc, selection, 'a Lambda function in a VPC gets no public address');
  // The API handler made its default security group (HTTPS out, the API's port) before this runs.
  const fallback = Stack.of(scope).node.tryFindChild('DynatraceActiveGateTokensSecurityGroup') as ec2.ISecurityGroup | undefined;
  return { vpc, vpcSubnets: { subnets: subnets.subnets }, securityGroups: groups ?? (fallback ? [fallback] : undefined) };
}
