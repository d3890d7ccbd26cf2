/*
 * PrivateLinkService end to end in one account: an SSH host (sshd answers on 22) behind the
 * service's NLB, and a consumer VPC whose interface endpoint connects to the service and is
 * accepted by the service's auto-accept function (the account is one of `allowedPrincipals`).
 *
 * Asserts, after deploy: the target group's target is `healthy` (the NLB subnets reach the host
 * through the rule the service opened), and the consumer's endpoint is `available` (the request
 * was accepted).
 *
 * Snapshot: `npx projen integ` (no deploy). Deploy and verify: README, "Integration tests".
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Aws, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { expectEndpointAvailable, testVpc } from './integ-support';
import { PrivateLinkEndpoint, PrivateLinkService, ServiceTarget } from 'cdk-saas-privatelink';

const app = new App();
const stack = new Stack(app, 'IntegPrivateLinkService', {
  description: 'cdk-saas-privatelink integ test: PrivateLinkService with auto-accept and a consumer endpoint',
});

const providerVpc = testVpc(stack, 'ProviderVpc', '10.90.0.0/16');
const host = new ec2.Instance(stack, 'SshHost', {
  vpc: providerVpc,
  vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
  instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO),
  machineImage: ec2.MachineImage.latestAmazonLinux2023(),
  requireImdsv2: true,
  blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(8, { encrypted: true }) }],
});

const service = new PrivateLinkService(stack, 'Service', {
  vpc: providerVpc,
  allowedPrincipals: [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:root`],
  ports: [{ port: 22, targets: [ServiceTarget.instance(host)], deregistrationDelay: Duration.seconds(0) }],
  autoAccept: {},
});

const consumerVpc = testVpc(stack, 'ConsumerVpc', '10.91.0.0/16');
const endpoint = new PrivateLinkEndpoint(stack, 'Endpoint', {
  vpc: consumerVpc,
  serviceName: service.endpointServiceName,
  ports: [22],
});
// The endpoint's connection request must reach the service after its auto-accept function exists.
endpoint.node.addDependency(service);

const integ = new IntegTest(app, 'PrivateLinkServiceTest', {
  testCases: [stack],
  diffAssets: false,
});

integ.assertions.awsApiCall('ElasticLoadBalancingV2', 'describeTargetHealth', {
  TargetGroupArn: service.targetGroupFor(22).targetGroupArn,
}).expect(ExpectedResult.objectLike({
  TargetHealthDescriptions: [Match.objectLike({ Target: Match.objectLike({ Id: host.instanceId }), TargetHealth: { State: 'healthy' } })],
})).waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) });

expectEndpointAvailable(integ, endpoint.vpcEndpointId);
