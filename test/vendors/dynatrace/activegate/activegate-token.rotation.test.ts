import { App, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ActiveGateTokenExpiry, DynatraceActiveGateToken, DynatraceActiveGateTokenProps, DynatraceEnvironment } from '../../../../src';

function setup() {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  return { stack, apiToken: new secretsmanager.Secret(stack, 'ApiToken') };
}

function synth(props: Partial<DynatraceActiveGateTokenProps> = {}) {
  const { stack, apiToken } = setup();
  const token = new DynatraceActiveGateToken(stack, 'Token', { environment: DynatraceEnvironment.saas('abc12345'), apiToken, ...props });
  return { stack, token, template: Template.fromStack(stack) };
}

const rotationFunction = (template: Template) =>
  Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('rotates a Dynatrace') } })) as any[];

describe('DynatraceActiveGateToken rotation', () => {
  test('on by default: Secrets Manager rotates the token every lifetime less 30 days, not at deploy, after the token exists', () => {
    const { template, stack, token } = synth();
    const schedules = template.findResources('AWS::SecretsManager::RotationSchedule');
    const [schedule] = Object.values(schedules) as any[];
    // now+6M is 182.6 days (months of 365.25 / 12 days); 30 days before: every 152 days.
    expect(schedule.Properties).toMatchObject({ RotationRules: { ScheduleExpression: 'rate(152 days)' }, RotateImmediatelyOnUpdate: false });
    expect(schedule.DependsOn).toContain(stack.getLogicalId(token.node.defaultChild as CfnResource));
    const [fn] = rotationFunction(template);
    expect(schedule.Properties.RotationLambdaARN).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
    expect(fn.Properties.Handler).toBe('index.handler');
    const config = JSON.parse(JSON.stringify(stack.resolve(fn.Properties.Environment.Variables.ROTATION_CONFIG)));
    expect(JSON.stringify(config)).toContain('\\"ExpirationDate\\":\\"now+6M\\"');
    expect(JSON.stringify(config)).toContain('\\"DeleteReplaced\\":\\"false\\"');
    expect(JSON.stringify(config)).toContain(`\\"LogicalResourceId\\":\\"${stack.getLogicalId(token.node.defaultChild as CfnResource)}\\"`);
  });

  test('the expiry check runs every 6 hours; alarms on days to expiry (no data: INSUFFICIENT_DATA, not a false alarm at deploy) and on failed runs', () => {
    const { template, token } = synth();
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(6 hours)', Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 2 } })] });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'cdk-saas-privatelink/ActiveGateToken',
      MetricName: 'DaysToExpiry',
      Statistic: 'Minimum',
      Period: 86400,
      Threshold: 14,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: 'missing',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors', Namespace: 'AWS/Lambda', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
    });
    expect(token.expiryAlarm).toBeDefined();
    expect(token.rotationFailedAlarm).toBeDefined();
    expect(token.metricDaysToExpiry().metricName).toBe('DaysToExpiry');
  });

  test('the rotation function may stage its secret, read the API token and publish only its own namespace', () => {
    const { template } = synth();
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual(expect.objectContaining({
      Action: 'cloudwatch:PutMetricData', Condition: { StringEquals: { 'cloudwatch:namespace': 'cdk-saas-privatelink/ActiveGateToken' } },
    }));
    expect(statements).toContainEqual(expect.objectContaining({ Action: expect.arrayContaining(['secretsmanager:UpdateSecretVersionStage']) }));
  });

  test('rotateBefore, alarmBeforeExpiry and deleteReplacedTokens are passed on', () => {
    const { template, stack } = synth({
      expiry: ActiveGateTokenExpiry.months(12), rotateBefore: Duration.days(60), alarmBeforeExpiry: Duration.days(20), deleteReplacedTokens: true,
    });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'rate(305 days)' } });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'DaysToExpiry', Threshold: 20 });
    const [fn] = rotationFunction(template);
    expect(JSON.stringify(stack.resolve(fn.Properties.Environment.Variables.ROTATION_CONFIG))).toContain('\\"DeleteReplaced\\":\\"true\\"');
  });

  test('rotation: false and an absolute expiry make no rotation (AwsSolutions-SMG4 is then acknowledged with why)', () => {
    for (const props of [{ rotation: false }, { expiry: ActiveGateTokenExpiry.at('2027-05-01T00:00:00Z') }]) {
      const { template, token } = synth(props);
      template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
      template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
      expect(rotationFunction(template)).toHaveLength(0);
      expect(token.expiryAlarm).toBeUndefined();
      expect(() => token.metricDaysToExpiry()).toThrow('`metricDaysToExpiry()` needs the rotation');
    }
  });

  test('in a VPC the rotation function is placed like the API handler\'s worker', () => {
    const { stack, apiToken } = setup();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    new DynatraceActiveGateToken(stack, 'Token', { environment: DynatraceEnvironment.throughActiveGate('activegate.internal', 'abc12345', { vpc }), apiToken });
    const template = Template.fromStack(stack);
    const [fn] = rotationFunction(template);
    const [worker] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { HANDLER_MODE: 'work' } } } })) as any[];
    expect(fn.Properties.VpcConfig).toEqual(worker.Properties.VpcConfig);
  });

  test('cdk-nag AwsSolutions: no finding in the construct, AwsSolutions-SMG4 satisfied by the rotation (not acknowledged)', () => {
    const { stack, token } = synth();
    const ours = (v: { violatingResources: readonly { constructPath?: string }[] }) =>
      v.violatingResources.some((r) => (r.constructPath ?? '').startsWith('Stack/Token') || /DynatraceActiveGateTokens/.test(r.constructPath ?? ''));
    const result = new AwsSolutionsChecks().validateScope(stack);
    expect(result.violations.filter(ours).map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    const secretMetadata = JSON.stringify((token.secret.node.defaultChild as CfnResource).getMetadata('cdk_nag') ?? {});
    expect(secretMetadata).not.toContain('SMG4');
  });
});

describe('DynatraceActiveGateToken rotation refuses', () => {
  test.each<[Partial<DynatraceActiveGateTokenProps>, string]>([
    [{ rotateBefore: Duration.days(200) },
      '`rotateBefore` must leave at least 1 day between a token\'s creation and its rotation (the token lives 182.63 days, from `expiry`; ' +
      'Secrets Manager rotates every 1 to 1000 days), got: 200 days'],
    [{ expiry: ActiveGateTokenExpiry.relative('now+20d') }, '(the token lives 20 days, from `expiry`'],
    [{ rotateBefore: Duration.hours(12) }, '`rotateBefore` must be at least 1 day, got: 12 hours'],
    [{ alarmBeforeExpiry: Duration.days(30) }, '`alarmBeforeExpiry` must be at least 1 day and shorter than `rotateBefore` (30 days), so that the alarm means a rotation did not happen, got: 30 days'],
    [{ alarmBeforeExpiry: Duration.hours(2) }, '`alarmBeforeExpiry` must be at least 1 day'],
    [{ rotation: true, expiry: ActiveGateTokenExpiry.at('2027-05-01T00:00:00Z') },
      '`rotation` needs a relative `expiry` such as ActiveGateTokenExpiry.months(6), got the absolute date "2027-05-01T00:00:00.000Z"'],
  ])('%j', (props, message) => {
    expect(() => synth(props)).toThrow(message);
  });
});
