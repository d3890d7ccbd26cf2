/*
 * The aws-cdk shape: I* interfaces are IResources with from*Attributes imports, and a
 * PrivateLinkEndpoint is an ec2.IInterfaceVpcEndpoint that aws-cdk-lib's own APIs accept.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  DnsTarget, PrivateDnsOverride, PrivateLinkEndpoint, PrivateLinkService, SpokePeering,
} from '../../src';

function setup() {
  const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { ipAddresses: ec2.IpAddresses.cidr('10.1.0.0/16'), availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 0 });
  return { stack, vpc };
}

test('a PrivateLinkEndpoint is an ec2.IInterfaceVpcEndpoint: SecretRotation takes it and calls Secrets Manager through it', () => {
  const { stack, vpc } = setup();
  const endpoint = new PrivateLinkEndpoint(stack, 'SecretsManager', { vpc, serviceName: 'com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0' });
  const asAwsType: ec2.IInterfaceVpcEndpoint = endpoint;
  new secretsmanager.SecretRotation(stack, 'Rotation', {
    application: secretsmanager.SecretRotationApplication.POSTGRES_ROTATION_SINGLE_USER,
    secret: new secretsmanager.Secret(stack, 'Secret'),
    target: new ec2.Connections({ securityGroups: [new ec2.SecurityGroup(stack, 'Db', { vpc })], defaultPort: ec2.Port.tcp(5432) }),
    vpc,
    endpoint: asAwsType,
  });
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::Serverless::Application', {
    Parameters: Match.objectLike({ endpoint: { 'Fn::Join': ['', Match.arrayWith([{ Ref: stack.getLogicalId(endpoint.node.defaultChild as ec2.CfnVPCEndpoint) }])] } }),
  });
  expect(stack.resolve(endpoint.vpcEndpointRef.vpcEndpointId)).toEqual(stack.resolve(endpoint.vpcEndpointId));
  expect(endpoint.stack).toBe(stack);
});

test('fromPrivateLinkEndpointAttributes: an imported endpoint gets a DNS override and a spoke, and opens its groups', () => {
  const { stack, vpc } = setup();
  const group = ec2.SecurityGroup.fromSecurityGroupId(stack, 'EndpointGroup', 'sg-0123456789abcdef0', { mutable: true });
  const endpoint = PrivateLinkEndpoint.fromPrivateLinkEndpointAttributes(stack, 'Imported', {
    vpcEndpointId: 'vpce-0aaaabbbbccccdddd',
    regionalDnsName: 'vpce-0aaaa.vpce-svc-1.eu-west-1.vpce.amazonaws.com',
    regionalHostedZoneId: 'Z7HUB22UULQXV',
    vpc,
    securityGroups: [group],
  });
  new PrivateDnsOverride(stack, 'Dns', { zoneName: 'abc12345.live.dynatrace.com', vpc, target: DnsTarget.fromEndpoint(endpoint) });
  const spoke = ec2.Vpc.fromVpcAttributes(stack, 'Spoke', {
    vpcId: 'vpc-0f1e2d3c4b5a69788',
    vpcCidrBlock: '10.2.0.0/16',
    availabilityZones: ['eu-west-1a'],
    privateSubnetIds: ['subnet-0aaa'],
    privateSubnetRouteTableIds: ['rtb-0aaa'],
  });
  new SpokePeering(stack, 'Peering', { endpoint, spokeVpc: spoke });
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::Route53::RecordSet', {
    Type: 'A', AliasTarget: { DNSName: 'vpce-0aaaa.vpce-svc-1.eu-west-1.vpce.amazonaws.com', HostedZoneId: 'Z7HUB22UULQXV' },
  });
  template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: 'sg-0123456789abcdef0', CidrIp: '10.2.0.0/16', FromPort: 443 });
  expect(endpoint.vpcEndpointRef).toEqual({ vpcEndpointId: 'vpce-0aaaabbbbccccdddd' });
  expect(endpoint.ports).toEqual([443]);
  const asAwsType: ec2.IInterfaceVpcEndpoint = endpoint;
  expect(asAwsType.connections.securityGroups).toEqual([group]);
});

test('fromPrivateLinkServiceAttributes: an IResource with the service name and ID, and connections to its groups', () => {
  const { stack, vpc } = setup();
  const group = ec2.SecurityGroup.fromSecurityGroupId(stack, 'NlbGroup', 'sg-0fedcba9876543210');
  const service = PrivateLinkService.fromPrivateLinkServiceAttributes(stack, 'Imported', {
    endpointServiceName: 'com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0', endpointServiceId: 'vpce-svc-0123456789abcdef0', securityGroups: [group],
  });
  expect(service.stack).toBe(stack);
  expect(service.endpointServiceId).toBe('vpce-svc-0123456789abcdef0');
  expect(service.connections.securityGroups).toEqual([group]);
  const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.h', code: lambda.Code.fromInline('exports.h=()=>1'), vpc });
  service.connections.allowFrom(fn, ec2.Port.tcp(5432));
  expect(PrivateLinkService.fromPrivateLinkServiceAttributes(stack, 'Bare', { endpointServiceName: 'n', endpointServiceId: 'i' }).connections.securityGroups).toEqual([]);
});
