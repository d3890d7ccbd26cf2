import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ActiveGateTokenExpiry, DynatraceActiveGateToken, DynatraceActiveGateTokenProps, DynatraceEnvironment, RootCertificate } from '../../../../src';

function synth(props: Partial<DynatraceActiveGateTokenProps> = {}) {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const apiToken = new secretsmanager.Secret(stack, 'ApiToken');
  const token = new DynatraceActiveGateToken(stack, 'Token', { environment: DynatraceEnvironment.saas('abc12345'), apiToken, ...props });
  return { stack, token, template: Template.fromStack(stack) };
}

describe('DynatraceActiveGateToken', () => {
  test('CloudFormation waits at most the handler\'s timeout and a minute more for an answer', () => {
    const { template } = synth();
    template.hasResourceProperties('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('ActiveGate tokens'), Timeout: 300 });
    template.hasResourceProperties('Custom::DynatraceActiveGateToken', { ServiceTimeout: '360' });
  });

  test('the environment is named apart from the URL that reaches it (so a new URL form keeps the token)', () => {
    synth().template.hasResourceProperties('Custom::DynatraceActiveGateToken', {
      ApiUrl: 'https://abc12345.live.dynatrace.com', EnvironmentId: 'abc12345',
    });
    synth({ environment: DynatraceEnvironment.throughActiveGate('activegate.internal', 'abc12345') }).template
      .hasResourceProperties('Custom::DynatraceActiveGateToken', { ApiUrl: 'https://activegate.internal:9999/e/abc12345', EnvironmentId: 'abc12345' });
  });

  test('an environment reached through an ActiveGate in a VPC, trusting a private CA: the handler is placed and told so', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 1 });
    const ca = secretsmanager.Secret.fromSecretNameV2(stack, 'Ca', 'corp/ca');
    new DynatraceActiveGateToken(stack, 'Token', {
      environment: DynatraceEnvironment.throughActiveGate('activegate.corp.internal', 'abc12345', { vpc, trustedCertificates: [RootCertificate.fromSecret(ca, 'pem')] }),
      apiToken: new secretsmanager.Secret(stack, 'ApiToken'),
    });
    const template = Template.fromStack(stack);
    const fn = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('ActiveGate tokens') } }))[0] as any;
    // CloudFormation's answer goes from outside the VPC; the worker in the VPC calls the ActiveGate.
    expect(fn.Properties.VpcConfig).toBeUndefined();
    const worker = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { HANDLER_MODE: 'work' } } } }))[0] as any;
    expect(worker.Properties.VpcConfig.SubnetIds).toHaveLength(2);
    const props = (Object.values(template.findResources('Custom::DynatraceActiveGateToken'))[0] as any).Properties;
    expect(props).toMatchObject({ ApiUrl: 'https://activegate.corp.internal:9999/e/abc12345', EnvironmentId: 'abc12345' });
    expect(JSON.stringify(stack.resolve(props.TrustedCertificateSecrets))).toMatch(/secret:corp\/ca.*#pem/);
  });

  test('the handler may read its target secret (to recognise a token it already stored) and write it', () => {
    const { template, stack, token } = synth();
    const secretId = stack.getLogicalId(token.secret.node.defaultChild as CfnResource);
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
      .filter((s: any) => JSON.stringify(s.Resource) === JSON.stringify({ Ref: secretId }));
    const actions = statements.flatMap((s: any) => [s.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue']));
  });

  test('no outputs by default', () => {
    expect(synth().template.findOutputs('*')).toEqual({});
  });

  test('outputs: true adds TokenId and ExpirationDate outputs, with IDs from the construct path', () => {
    const { template, stack, token } = synth({ outputs: true });
    const outputs = template.findOutputs('*');
    const resource = stack.getLogicalId(token.node.defaultChild as CfnResource);
    const [expiry, id] = Object.keys(outputs).sort();
    expect([expiry, id]).toEqual([expect.stringMatching(/^TokenExpirationDate/), expect.stringMatching(/^TokenTokenId/)]);
    expect(outputs[id].Value).toEqual({ 'Fn::GetAtt': [resource, 'TokenId'] });
    expect(outputs[expiry].Value).toEqual({ 'Fn::GetAtt': [resource, 'ExpirationDate'] });
    // Stable: the same app gives the same output IDs.
    expect(Object.keys(synth({ outputs: true }).template.findOutputs('*')).sort()).toEqual(Object.keys(outputs).sort());
  });

  test('an absolute expiry whose date has passed still synthesizes (the handler checks it at deploy time)', () => {
    const { template } = synth({ expiry: ActiveGateTokenExpiry.at('2020-01-01T00:00:00Z') });
    template.hasResourceProperties('Custom::DynatraceActiveGateToken', { ExpirationDate: '2020-01-01T00:00:00.000Z' });
  });
});
