'use strict';
/*
 * The network both reference apps build on, defined once so the library and the raw app can
 * only differ in what they are compared for: the app, the hub stack in Sydney with its VPC
 * (two AZs, one NAT gateway), the spoke stack in Tokyo, and the spoke VPCs, imported with
 * literal attributes as SpokePeering requires for another region. The spoke count is the
 * first numeric argument (default 50).
 */
const cdk = require('aws-cdk-lib');
const ec2 = require('aws-cdk-lib/aws-ec2');

const ACCOUNT = '111111111111';

function referenceNetwork(argv = process.argv) {
  const spokeCount = Number(argv.find((a) => /^\d+$/.test(a)) ?? 50);
  const app = new cdk.App();
  const hub = new cdk.Stack(app, 'Hub', { env: { account: ACCOUNT, region: 'ap-southeast-2' } });
  const spokes = new cdk.Stack(app, 'Spokes', { env: { account: ACCOUNT, region: 'ap-northeast-1' }, crossRegionReferences: true });
  const vpc = new ec2.Vpc(hub, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
    availabilityZones: ['ap-southeast-2a', 'ap-southeast-2b'],
    natGateways: 1,
  });
  /** Spoke i's VPC in the spoke stack, with a /20 of its own. */
  const spokeVpc = (i) => ec2.Vpc.fromVpcAttributes(spokes, `Vpc${i}`, {
    vpcId: `vpc-${String(i).padStart(17, '0')}`,
    vpcCidrBlock: `10.${1 + Math.floor(i / 16)}.${(i % 16) * 16}.0/20`,
    availabilityZones: ['ap-northeast-1a'],
    privateSubnetIds: [`subnet-${i}`],
    privateSubnetRouteTableIds: [`rtb-${i}`],
  });
  return { spokeCount, app, hub, spokes, vpc, spokeVpc };
}

module.exports = { referenceNetwork };
