import type { Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as sns from 'aws-cdk-lib/aws-sns';

/**
 * Options for one VPC a `PrivateLinkProbe` checks from.
 */
export interface ProbeVpcOptions {
  /**
   * The subnets of the VPC's probe function. Public subnets are refused: a Lambda function in
   * a VPC never gets a public address. The probe needs no internet access: isolated subnets do.
   *
   * @default - the VPC's private subnets (with egress, else isolated)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
}

/**
 * Properties of a `PrivateLinkProbe`.
 */
export interface PrivateLinkProbeProps {
  /**
   * The host name the VPCs must reach privately, such as `abc12345.live.dynatrace.com` or
   * `artemis.privatelink.getmontecarlo.com`.
   */
  readonly hostname: string;

  /**
   * The TCP port of the TLS service behind the name.
   *
   * @default 443
   */
  readonly port?: number;

  /**
   * The VPCs to check from, each with a probe function of its own. Add more with `addVpc()`.
   * They must be in the stack's region: a VPC in another region gets a probe in a stack of
   * its own region.
   *
   * @default - none; add them with `addVpc()` (at least one is needed)
   */
  readonly vpcs?: ec2.IVpc[];

  /**
   * The interface endpoint the name must resolve to. With it, every answer must be one of
   * the endpoint's private addresses, read at run time (DescribeVpcEndpoints and
   * DescribeNetworkInterfaces); without it, every answer must be a private address.
   *
   * @default - answers are checked for being private only
   */
  readonly endpoint?: ec2.IInterfaceVpcEndpoint;

  /**
   * The region of `endpoint`, when it is not the stack's (a hub in another region, imported
   * with `InterfaceVpcEndpoint.fromInterfaceVpcEndpointAttributes`).
   *
   * @default - the stack's region
   */
  readonly endpointRegion?: string;

  /**
   * Where the service's addresses are, such as the endpoint VPC's CIDR block: the probe
   * functions may connect only there on `port`. A name that resolves elsewhere is still
   * diagnosed, since the answers are checked before any connection.
   *
   * @default - any IPv4 address (the addresses are not known at synth)
   */
  readonly destination?: ec2.IPeer;

  /**
   * The name the service's certificate must be valid for (a wildcard certificate covers it).
   *
   * @default - the hostname
   */
  readonly expectedCertificateName?: string;

  /**
   * Check at deploy time, with a custom resource that runs after the probe functions and
   * whatever the probe depends on (`probe.node.addDependency(dnsRecords)`). Its diagnosis is
   * exposed as `ok`, `diagnosis` and `results`, and as stack outputs with `outputs`.
   *
   * @default true
   */
  readonly deployTimeCheck?: boolean;

  /**
   * Fail the deployment when a VPC cannot reach the service privately; the failure's reason
   * is the diagnosis. Needs `deployTimeCheck`. Only a create or update fails: while the stack
   * rolls back, the check answers success with its diagnosis, so it never blocks a rollback.
   *
   * @default false
   */
  readonly failDeployment?: boolean;

  /**
   * Check on a schedule and publish metrics (namespace `SaasPrivateLink/Probe`, dimensions
   * `Hostname` and `VpcId`), with an alarm per VPC.
   *
   * @default true
   */
  readonly canary?: boolean;

  /**
   * How often the canary checks, in whole minutes from 1 to 60.
   *
   * @default Duration.minutes(5)
   */
  readonly interval?: Duration;

  /**
   * An SNS topic told when a VPC's alarm changes state. Needs `canary`.
   *
   * @default - the alarms have no action
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * The timeout of each step (DNS, TCP connect, TLS handshake), in whole seconds from 1 to 20.
   *
   * @default Duration.seconds(5)
   */
  readonly timeout?: Duration;

  /**
   * Add stack outputs, with logical IDs of this construct's ID and the output's name (see the
   * README, "Stack outputs"): `Ok` and `Diagnosis` of the deploy-time check. Needs
   * `deployTimeCheck`.
   *
   * @default false
   */
  readonly outputs?: boolean;
}

/**
 * The `PrivateLinkProbe` a preset (`DynatracePrivateLink`, `MonteCarloPrivateLink`, a spoke of
 * `SpokePeering` or `TransitGatewaySpoke` with `probeHostname`) adds after its DNS override: a
 * deploy-time check and a canary with an alarm per VPC, both on by default, and no stack outputs
 * unless `outputs` is true.
 */
export interface LinkProbeOptions {
  /**
   * Add the probe.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * Fail the deployment when a VPC cannot reach the vendor privately. Only a create or
   * update fails: while the stack rolls back, the check answers success with its diagnosis.
   * Off, the deploy goes on and the diagnosis is the probe's `diagnosis`.
   *
   * @default false
   */
  readonly failDeployment?: boolean;

  /**
   * Check on a schedule, with an alarm per VPC.
   *
   * @default true
   */
  readonly canary?: boolean;

  /**
   * How often the canary checks, in whole minutes from 1 to 60.
   *
   * @default Duration.minutes(5)
   */
  readonly interval?: Duration;

  /**
   * An SNS topic told when a VPC's alarm changes state.
   *
   * @default - the alarms have no action
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Add stack outputs, with logical IDs of the preset's construct ID and the output's name (see
   * the README, "Stack outputs"): `ProbeOk` and `ProbeDiagnosis` of the deploy-time check, in
   * the probe's stack. A spoke's probe has the spoke's ID (`SydneyProbeOk` for a spoke with ID
   * `Sydney`); a `DynatracePrivateLink` passes its `probe` options to its spokes.
   *
   * @default false
   */
  readonly outputs?: boolean;
}
