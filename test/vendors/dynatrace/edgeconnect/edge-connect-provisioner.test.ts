import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { EdgeConnect, EdgeConnectConfig, EdgeConnectOAuthClient, EdgeConnectProvisioner } from '../../../../src';

const PROVISIONER_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:provisioner-GhIjKl';

function setup() {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 1 });
  const provisionerClient = secretsmanager.Secret.fromSecretCompleteArn(stack, 'ProvisionerClient', PROVISIONER_ARN);
  return { stack, vpc, provisionerClient };
}

const config = (name = 'corporate-network') => new EdgeConnectConfig({ name, apiEndpointHost: 'abc12345.apps.dynatrace.com' });

function provisioned() {
  const s = setup();
  const construct = new EdgeConnect(s.stack, 'EdgeConnect', {
    vpc: s.vpc,
    config: config(),
    oauthClient: EdgeConnectOAuthClient.provision({
      provisionerClient: s.provisionerClient,
      hostPatterns: ['*.corp.example.com', 'legacy-erp'],
      hostMappings: [{ from: 'legacy-erp', to: 'erp.corp.example.com' }],
    }),
  });
  return { ...s, construct, template: Template.fromStack(s.stack) };
}

describe('EdgeConnect in provisioner mode', () => {
  test('a custom resource creates the configuration from the config and the options', () => {
    const { template } = provisioned();
    template.hasResourceProperties('Custom::DynatraceEdgeConnect', {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('DynatraceEdgeConnectProvisioner'), 'Arn'] },
      EdgeConnectsUrl: 'https://abc12345.apps.dynatrace.com/platform/app-engine/edge-connect/v1/edge-connects',
      OAuthEndpoint: 'https://sso.dynatrace.com/sso/oauth2/token',
      OAuthResource: 'urn:dtenvironment:abc12345',
      ProvisionerSecretArn: PROVISIONER_ARN,
      TargetSecretArn: { Ref: Match.stringLikeRegexp('EdgeConnectProvisionerOAuthClient') },
      Name: 'corporate-network',
      HostPatterns: ['*.corp.example.com', 'legacy-erp'],
      HostMappings: [{ from: 'legacy-erp', to: 'erp.corp.example.com' }],
    });
  });

  test('the new secret gets a placeholder only; no secret value is in the template', () => {
    const { template } = provisioned();
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      SecretString: Match.absent(),
      GenerateSecretString: { SecretStringTemplate: '{"clientId":"pending"}', GenerateStringKey: 'clientSecret', ExcludePunctuation: true },
    });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/"SecretString"/);
  });

  test('the service reads the client secret from the new secret and the client ID from the resource, so a new client rolls the tasks', () => {
    const { template } = provisioned();
    const [taskDefinition] = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
    const main = taskDefinition.Properties.ContainerDefinitions.find((c: any) => c.Name === 'EdgeConnect');
    expect(main.Environment).toContainEqual({
      Name: 'EDGE_CONNECT_OAUTH__CLIENT_ID',
      Value: { 'Fn::GetAtt': [expect.stringMatching(/^EdgeConnectProvisioner/), 'OAuthClientId'] },
    });
    expect(main.Secrets).toEqual([{
      Name: 'EDGE_CONNECT_OAUTH__CLIENT_SECRET',
      ValueFrom: { 'Fn::Join': ['', [{ Ref: expect.stringMatching(/^EdgeConnectProvisionerOAuthClient/) }, ':clientSecret::']] },
    }]);
  });

  test('the handler may read the provisioner secret, and read and write only the new secret', () => {
    const { template } = provisioned();
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('DynatraceEdgeConnectProvisionerRole') }],
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'] }),
          { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: PROVISIONER_ARN },
          {
            Effect: 'Allow',
            Action: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
            Resource: { Ref: Match.stringLikeRegexp('EdgeConnectProvisionerOAuthClient') },
          },
        ],
      },
    });
  });

  test('CloudFormation waits for the answer no longer than the handler\'s timeout and one minute', () => {
    const { template } = provisioned();
    template.hasResourceProperties('Custom::DynatraceEdgeConnect', { ServiceTimeout: '360' });
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 300, Description: Match.stringLikeRegexp('EdgeConnect') });
  });

  test('the resource depends on the handler\'s policy, so its Delete can still call the API', () => {
    const { template } = provisioned();
    const [resource] = Object.values(template.findResources('Custom::DynatraceEdgeConnect'));
    expect(resource.DependsOn).toEqual(expect.arrayContaining([
      expect.stringMatching(/^DynatraceEdgeConnectProvisionerRoleDefaultPolicy/),
      expect.stringMatching(/^DynatraceEdgeConnectProvisionerRole[0-9A-F]{8}$/),
    ]));
  });

  test('the secret acknowledges cdk-nag SMG4 and skips checkov CKV_AWS_149, with reasons', () => {
    const { construct, template } = provisioned();
    expect(JSON.stringify(construct.provisioner!.oauthClientSecret.node.metadata)).toContain('AwsSolutions-SMG4');
    template.hasResource('AWS::SecretsManager::Secret', {
      Metadata: { checkov: { skip: [{ id: 'CKV_AWS_149', comment: Match.stringLikeRegexp('AWS managed key') }] } },
    });
  });

  test('a stack has one provisioner handler however many EdgeConnects use it', () => {
    const s = setup();
    for (const name of ['network-a', 'network-b']) {
      new EdgeConnect(s.stack, name, {
        vpc: s.vpc,
        config: config(name),
        oauthClient: EdgeConnectOAuthClient.provision({ provisionerClient: s.provisionerClient, hostPatterns: [`*.${name}.example.com`] }),
      });
    }
    const template = Template.fromStack(s.stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('Custom::DynatraceEdgeConnect', 2);
    template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Timeout: 300 });
  });
});

describe('EdgeConnectProvisioner alone', () => {
  test('provisions for EdgeConnects that run elsewhere and exposes the IDs', () => {
    const s = setup();
    const provisioner = new EdgeConnectProvisioner(s.stack, 'Provisioner', {
      config: config(), provisionerClient: s.provisionerClient, hostPatterns: ['*.corp.example.com'],
    });
    expect(s.stack.resolve(provisioner.edgeConnectId)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Provisioner/), 'EdgeConnectId'] });
    expect(s.stack.resolve(provisioner.oauthClientId)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Provisioner/), 'OAuthClientId'] });
    const template = Template.fromStack(s.stack);
    template.resourceCountIs('AWS::ECS::Service', 0);
    template.hasResourceProperties('Custom::DynatraceEdgeConnect', { HostMappings: [] });
  });

  test('refuses bad options itself', () => {
    const s = setup();
    expect(() => new EdgeConnectProvisioner(s.stack, 'Provisioner', {
      config: config(), provisionerClient: s.provisionerClient, hostPatterns: [],
    })).toThrow('`hostPatterns` must name at least one host pattern, got: []');
  });
});
