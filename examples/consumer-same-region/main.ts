/**
 * Consumer side, one region: reach a vendor's endpoint service privately, with the vendor's
 * public hostname resolving to the endpoint inside the VPC.
 *
 * Shows: an interface endpoint created only in subnets whose Availability Zones the service
 * supports (found at deploy time, no synth-time lookups), a security group that opens 443 to
 * the VPC only, a private hosted zone whose apex is an alias to the endpoint, and a
 * PrivateLinkProbe that checks from inside the VPC, at deploy time and every 5 minutes, that the
 * hostname resolves to the endpoint and answers TLS (its verdict and diagnosis as stack outputs),
 * and a PrivateLinkDashboard that shows the link end to end: the state of the probe's alarm and
 * the endpoint's recommended alarms, the probe's verdict and connect time, then the endpoint's
 * connections, bytes, dropped packets and resets.
 *
 * Replace before deploying:
 * - SERVICE_NAME: the endpoint service name the vendor gives you.
 * - HOSTNAME: the vendor hostname your workloads call.
 * - the VPC: in a real app, pass your existing VPC.
 * - the alarms notify no one: pass `alarmTopic` to `addRecommendedAlarms` and the probe.
 */
import { App, AppProps, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import {
  AwsCdkLibFunctions, DnsTarget, PrivateDnsOverride, PrivateLinkDashboard, PrivateLinkEndpoint, PrivateLinkProbe,
} from 'cdk-saas-privatelink';

const SERVICE_NAME = 'com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0';
const HOSTNAME = 'tenant1.api.vendor.example';

export class ConsumerStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // No customer-managed key: the reason goes into the template, where anyone's checkov run reads it.
    (flowLogs.node.defaultChild as logs.CfnLogGroup).addMetadata('checkov', {
      skip: [{
        id: 'CKV_AWS_158',
        comment: 'Flow-log records hold addresses and ports, no secret values; CloudWatch Logs encrypts them at rest. '
          + 'Adding a customer-managed KMS key (and its key policy) is left to the deployer.',
      }],
    });
    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.30.0.0/16'),
      maxAzs: 3,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) } },
    });

    const endpoint = new PrivateLinkEndpoint(this, 'Vendor', { vpc, serviceName: SERVICE_NAME, outputs: true });

    const dns = new PrivateDnsOverride(this, 'VendorDns', {
      zoneName: HOSTNAME,
      vpc,
      target: DnsTarget.fromEndpoint(endpoint),
    });

    // Checks after the zone exists; outputs VendorProbeOk ("true"/"false") and VendorProbeDiagnosis.
    const probe = new PrivateLinkProbe(this, 'VendorProbe', { hostname: HOSTNAME, vpcs: [vpc], endpoint, outputs: true });
    probe.node.addDependency(dns);

    // The probe's verdict first: when it fails while the endpoint's own metrics look healthy,
    // the fault is in DNS or the security group rather than in the vendor's service.
    new PrivateLinkDashboard(this, 'LinkDashboard', {
      dashboardName: 'vendor-link',
      endpoint,
      alarms: [...probe.alarms, ...endpoint.addRecommendedAlarms()],
      probeMetrics: [probe.metricReachable(vpc), probe.metricTcpConnectTime(vpc)],
    });
  }
}

export function createApp(props?: AppProps): App {
  const app = new App(props);
  // Under cdk init's flags each VPC brings aws-cdk-lib's default-security-group function: its checkov reasons.
  AwsCdkLibFunctions.addCheckovReasons(app);
  new ConsumerStack(app, 'ConsumerSameRegion', {
    description: 'cdk-saas-privatelink example: a vendor endpoint with a private DNS override, one region',
  });
  return app;
}

if (require.main === module) {
  createApp().synth();
}
