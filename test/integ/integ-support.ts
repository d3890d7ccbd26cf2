/*
 * What the integ.*.ts apps share: a small VPC, and how they read the settings that only someone
 * deploying them has (Dynatrace tenant, secret names). Not an integ test itself (no `integ.` prefix).
 */
import type { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';

/**
 * A two-AZ VPC. `natGateways: 0` keeps it isolated (what PrivateLink is for); EdgeConnect needs a
 * NAT gateway to pull its image and reach Dynatrace.
 */
export function testVpc(scope: Construct, id: string, cidr: string, natGateways = 0): ec2.Vpc {
  return new ec2.Vpc(scope, id, {
    ipAddresses: ec2.IpAddresses.cidr(cidr),
    maxAzs: 2,
    natGateways,
    subnetConfiguration: natGateways === 0
      ? [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }]
      : [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
      ],
  });
}

/** Waits (up to `total`) until `describeVpcEndpoints` says the endpoint is `available`. */
export function expectEndpointAvailable(integ: IntegTest, vpcEndpointId: string, total = Duration.minutes(10)): void {
  integ.assertions.awsApiCall('EC2', 'describeVpcEndpoints', { VpcEndpointIds: [vpcEndpointId] })
    .expect(ExpectedResult.objectLike({ VpcEndpoints: [Match.objectLike({ VpcEndpointId: vpcEndpointId, State: 'available' })] }))
    .waitForAssertions({ totalTimeout: total, interval: Duration.seconds(30) });
}

/**
 * Invokes a PrivateLinkProbe's function in `vpc` (`probe.functionFor(vpc)`) as the probe runner
 * does, and expects what a working link answers: the name resolves through the VPC's resolver to
 * private addresses only, and a TLS handshake with each succeeds with a certificate valid for it.
 */
export function expectProbeOk(integ: IntegTest, stack: Stack, fn: lambda.IFunction, request: {
  hostname: string; port: number; vpc: ec2.IVpc; endpointId?: string;
}): void {
  integ.assertions.invokeFunction({
    functionName: fn.functionName,
    payload: stack.toJsonString({
      hostname: request.hostname,
      port: request.port,
      vpcId: request.vpc.vpcId,
      vpcCidr: request.vpc.vpcCidrBlock,
      endpointId: request.endpointId,
      stepTimeoutMs: 5000,
    }),
  }).expect(ExpectedResult.objectLike({
    Payload: Match.serializedJson(Match.objectLike({ ok: true, resolved: true, private: true, tlsOk: true })),
  })).waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(30) });
}

/**
 * A setting only the person deploying has (a tenant, a secret's name): from the environment
 * variable `name` at synth, else `fallback`, which the committed snapshot is made with.
 */
export function deploySetting(name: string, fallback: string): string {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
}

/** The SaaS environment ID's pattern, for a parameter that takes one. */
export const ENVIRONMENT_ID_PATTERN = '^[a-z0-9]{8}$';

/**
 * A tenant setting as a CloudFormation parameter of `stack` (no default, so never in a template),
 * and its value for `npx projen integ:deploy`: the environment variable `variable`, recorded in
 * `values` (the IntegTest's deploy parameters) when it is set.
 */
export function tenantParameter(stack: Stack, values: Record<string, string>, name: string, variable: string,
  description: string, allowedPattern?: string): string {
  const parameter = new CfnParameter(stack, name, { description: `${description} (integ:deploy: ${variable})`, allowedPattern });
  const value = process.env[variable];
  if (value) values[`${stack.stackName}:${name}`] = value;
  return parameter.valueAsString;
}
