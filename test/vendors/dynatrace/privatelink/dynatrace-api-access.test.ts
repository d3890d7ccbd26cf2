import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DynatraceApiAccess, DynatraceEnvironment, DynatracePrivateLink, RootCertificate } from '../../../../src';
import { selfSignedCertificate } from '../../../support/test-certificate';

const pemFile = (() => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ag-')), 'activegate.pem');
  fs.writeFileSync(file, selfSignedCertificate().cert);
  return file;
})();

function setup() {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { ipAddresses: ec2.IpAddresses.cidr('10.80.0.0/16'), availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 1 });
  const apiToken = new secretsmanager.Secret(stack, 'ApiToken');
  return { app, stack, vpc, apiToken };
}

function throughActiveGate(access: (s: ReturnType<typeof setup>) => DynatraceApiAccess) {
  const s = setup();
  const environment = DynatraceEnvironment.throughActiveGate('activegate.corp.internal', 'abc12345', access(s));
  new DynatracePrivateLink(s.stack, 'Dynatrace', { environment, apiToken: s.apiToken, vpc: s.vpc });
  return { ...s, template: Template.fromStack(s.stack) };
}

/** The API handler's worker in the VPC (the function CloudFormation invokes stays outside it). */
const workerFunction = (template: Template) => {
  const fns = template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { HANDLER_MODE: 'work' } } } });
  expect(Object.keys(fns)).toHaveLength(1);
  return Object.values(fns)[0] as any;
};

const apiFunction = (template: Template) => {
  const fns = template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('Dynatrace AWS PrivateLink API') } });
  expect(Object.keys(fns)).toHaveLength(1);
  return Object.values(fns)[0] as any;
};

describe('DynatraceEnvironment access: the API handler in a VPC, trusting a private certificate', () => {
  test('every Dynatrace custom resource sets ServiceTimeout (Lambda timeout + 1 minute) and names its environment', () => {
    const { template } = throughActiveGate(() => ({}));
    const resources = Object.values(template.findResources('Custom::DynatracePrivateLink')) as any[];
    expect(resources).toHaveLength(2);
    for (const r of resources) {
      expect(r.Properties).toMatchObject({ ServiceTimeout: '360', EnvironmentId: 'abc12345', ApiUrl: 'https://activegate.corp.internal:9999/e/abc12345' });
    }
    expect(apiFunction(template).Properties.Timeout).toBe(300);
  });

  test('without a VPC the handler runs outside any VPC, as before', () => {
    const { template } = throughActiveGate(() => ({}));
    expect(apiFunction(template).Properties.VpcConfig).toBeUndefined();
  });

  test('with a VPC the handler\'s worker runs in its private subnets, with a security group open only for HTTPS and the ActiveGate port', () => {
    const { template, stack, vpc } = throughActiveGate((s) => ({ vpc: s.vpc }));
    expect(apiFunction(template).Properties.VpcConfig).toBeUndefined();
    const fn = workerFunction(template);
    expect(fn.Properties.VpcConfig.SubnetIds).toEqual(vpc.privateSubnets.map((sn) => ({ Ref: stack.getLogicalId(sn.node.defaultChild as any) })));
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('HTTPS to Secrets Manager and the Dynatrace API'),
      SecurityGroupEgress: [
        Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }),
        Match.objectLike({ CidrIp: { 'Fn::GetAtt': [Match.anyValue(), 'CidrBlock'] }, FromPort: 9999, ToPort: 9999, IpProtocol: 'tcp' }),
      ],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface']), Resource: '*' })]) },
    });
  });

  test('given security groups are used instead of a new one', () => {
    const { template } = throughActiveGate((s) => ({ vpc: s.vpc, securityGroups: [new ec2.SecurityGroup(s.stack, 'Mine', { vpc: s.vpc })] }));
    expect(workerFunction(template).Properties.VpcConfig.SecurityGroupIds).toHaveLength(1);
    template.resourcePropertiesCountIs('AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('HTTPS to Secrets Manager') }, 0);
  });

  test('a certificate file goes into the properties as PEM; a secret certificate is read at deploy time with a grant', () => {
    const { template, stack } = throughActiveGate((s) => ({
      vpc: s.vpc,
      trustedCertificates: [
        RootCertificate.fromFile(pemFile),
        RootCertificate.fromSecret(secretsmanager.Secret.fromSecretNameV2(s.stack, 'Ca', 'corp/ca'), 'pem'),
      ],
    }));
    const props = (Object.values(template.findResources('Custom::DynatracePrivateLink')) as any[])[0].Properties;
    expect(props.TrustedCertificates).toEqual([fs.readFileSync(pemFile, 'utf8')]);
    expect(JSON.stringify(stack.resolve(props.TrustedCertificateSecrets))).toMatch(/secret:corp\/ca.*#pem/);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: Match.objectLike({ 'Fn::Join': Match.anyValue() }) })]) },
    });
  });

  test('a DER certificate file is turned into PEM for the handler', () => {
    const pem = fs.readFileSync(pemFile, 'utf8');
    const der = Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
    const derFile = path.join(path.dirname(pemFile), 'activegate.der');
    fs.writeFileSync(derFile, der);
    const { template } = throughActiveGate(() => ({ trustedCertificates: [RootCertificate.fromFile(derFile)] }));
    const props = (Object.values(template.findResources('Custom::DynatracePrivateLink')) as any[])[0].Properties;
    expect(props.TrustedCertificates[0].replace(/\s/g, '')).toBe(pem.replace(/\s/g, ''));
  });

  test('an SSM parameter certificate is refused for the API handler, naming the alternatives', () => {
    expect(() => throughActiveGate((s) => ({
      trustedCertificates: [RootCertificate.fromSsmParameter(ssm.StringParameter.fromStringParameterName(s.stack, 'P', '/corp/ca'))],
    }))).toThrow('`trustedCertificates` entries must be `RootCertificate.fromFile` or `RootCertificate.fromSecret`: the API handler does not read SSM parameters, got: RootCertificate.fromSsmParameter("/corp/ca")');
  });

  test('a second construct in the same stack that reaches the API differently is refused', () => {
    const s = setup();
    new DynatracePrivateLink(s.stack, 'One', { environment: DynatraceEnvironment.throughActiveGate('ag.internal', 'abc12345', { vpc: s.vpc }), apiToken: s.apiToken, vpc: s.vpc });
    expect(() => new DynatracePrivateLink(s.stack, 'Two', { environment: DynatraceEnvironment.saas('def67890'), apiToken: s.apiToken, vpc: s.vpc }))
      .toThrow(/`environment` must be reached the same way by every Dynatrace construct in stack Stack: one DynatracePrivateLinkApi handler serves them all/);
  });

  test('switching SaaS to an ActiveGate keeps the handler (the ServiceToken cannot change) and the environment ID', () => {
    const saas = setup();
    new DynatracePrivateLink(saas.stack, 'Dynatrace', { environment: DynatraceEnvironment.saas('abc12345'), apiToken: saas.apiToken, vpc: saas.vpc });
    const ag = throughActiveGate((s) => ({ vpc: s.vpc }));
    const token = (t: Template) => (Object.values(t.findResources('Custom::DynatracePrivateLink')) as any[]).map((r) => [r.Properties.ServiceToken, r.Properties.EnvironmentId]);
    expect(token(ag.template)).toEqual(token(Template.fromStack(saas.stack)));
  });

  test('cdk-nag AwsSolutions finds nothing unacknowledged with the handler in a VPC', () => {
    const s = setup();
    new DynatracePrivateLink(s.stack, 'Dynatrace', {
      environment: DynatraceEnvironment.managed('https://dynatrace.corp.example.com/e/0a1b2c3d-4e5f', { vpc: s.vpc, trustedCertificates: [RootCertificate.fromFile(pemFile)] }),
      apiToken: s.apiToken,
      vpc: s.vpc,
    });
    const violations = new AwsSolutionsChecks().validateScope(s.stack).violations;
    // The VPC without flow logs is the test's own, so nag did run and report.
    expect(violations.some((v) => v.ruleName === 'AwsSolutions-VPC7')).toBe(true);
    const ours = violations.filter((v) => v.violatingResources.some((r) => /DynatracePrivateLinkApi|\/Dynatrace\//.test(r.constructPath ?? '')));
    expect(ours).toEqual([]);
  });
});

test('DynatracePrivateLink is IConnectable: its connections are the endpoint\'s, on port 443', () => {
  const s = setup();
  const dynatrace = new DynatracePrivateLink(s.stack, 'Dynatrace', { environment: DynatraceEnvironment.saas('abc12345'), apiToken: s.apiToken, vpc: s.vpc });
  const client = new ec2.SecurityGroup(s.stack, 'Client', { vpc: s.vpc });
  dynatrace.connections.allowDefaultPortFrom(client);
  expect(dynatrace.connections.securityGroups).toEqual(dynatrace.endpoint.connections.securityGroups);
  Template.fromStack(s.stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
    FromPort: 443, ToPort: 443, SourceSecurityGroupId: { 'Fn::GetAtt': [s.stack.getLogicalId(client.node.defaultChild as ec2.CfnSecurityGroup), 'GroupId'] },
  });
});
