import { Duration, Stack, Tags, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PROBE_NAMESPACE, probeFunctionTimeoutMs } from './probe-contract';
import { ProbeFunction } from './probe-function';
import { ProbeRunnerFunction } from './probe-runner-function';
import { stateOf } from '../internal/construct-state';
import { grantVpcNetworkInterfacesWithReasons, handlerFunction, handlerRoleAndLogs, singletonHandler } from '../internal/handler-function';
import { isLiteral, partitionOf } from '../internal/validation';

/** The runner's Lambda timeout: endpoint lookups, the slowest probe (65 s at most), metrics, and the answer's reserve. */
export const RUNNER_TIMEOUT = Duration.minutes(3);

const RUNNER_ID = 'SaasPrivateLinkProbeRunner';

/**
 * The stack's one probe runner (outside any VPC), created on first use with the permissions
 * every probe needs; each probe adds the right to invoke its own probe functions.
 */
export function probeRunner(scope: Construct): lambda.Function {
  const existing = Stack.of(scope).node.tryFindChild(RUNNER_ID) as lambda.Function | undefined;
  if (existing) return existing;
  const fn = singletonHandler(scope, RUNNER_ID, ProbeRunnerFunction, {
    description: 'cdk-saas-privatelink: runs the PrivateLink probes of this stack (deploy-time checks and canaries)',
    timeout: RUNNER_TIMEOUT,
  });
  fn.addToRolePolicy(new iam.PolicyStatement({
    actions: ['ec2:DescribeVpcEndpoints', 'ec2:DescribeNetworkInterfaces'],
    resources: ['*'],
  }));
  fn.addToRolePolicy(new iam.PolicyStatement({
    actions: ['cloudwatch:PutMetricData'],
    resources: ['*'],
    conditions: { StringEquals: { 'cloudwatch:namespace': PROBE_NAMESPACE } },
  }));
  Validations.of(fn.role!).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'ec2:DescribeVpcEndpoints and ec2:DescribeNetworkInterfaces support no resource-level permissions; ' +
      `cloudwatch:PutMetricData supports none either and is limited to the namespace ${PROBE_NAMESPACE} by a condition.`,
  });
  return fn;
}

/** The tag that says which runner may invoke a probe function; its value is the runner's stack name. */
export const RUNNER_TAG = 'cdk-saas-privatelink:probe-runner';

/**
 * Lets the runner invoke one probe function: the function carries the runner's tag, and the
 * runner may invoke the functions of its account and region that carry it. One statement
 * however many VPCs the stack probes: a statement per function ARN would pass IAM's 10,240
 * characters of inline policy per role at about 90 VPCs.
 */
export function allowRunnerToInvoke(runner: lambda.IFunction, probeFn: lambda.IFunction): void {
  const stack = Stack.of(runner);
  Tags.of(probeFn).add(RUNNER_TAG, stack.stackName);
  stateOf(runner, 'SaasPrivateLinkInvokeByTag', () => {
    // Literal where the stack names its region and account (an acknowledgement ID cannot hold a
    // pseudo parameter such as <AWS::Partition>); the tag condition is what narrows it.
    const literal = (value: string) => (isLiteral(value) ? value : '*');
    const arn = `arn:${isLiteral(stack.region) ? partitionOf(stack.region) : '*'}:lambda:${literal(stack.region)}:${literal(stack.account)}:function:*`;
    runner.addToRolePolicy(new iam.PolicyStatement({
      actions: ['lambda:InvokeFunction'],
      resources: [arn],
      conditions: { StringEquals: { [`aws:ResourceTag/${RUNNER_TAG}`]: stack.stackName } },
    }));
    Validations.of(runner.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${arn}]`,
      reason: `lambda:InvokeFunction only on the functions of this account and region tagged ${RUNNER_TAG}=${stack.stackName}: ` +
        'the probe functions of this stack, one per VPC (attribute-based access control keeps the policy one statement long).',
    });
    return true;
  });
}

/**
 * The role and log group of every probe function in the stack (created on first use): the
 * functions differ only in their VPC, and the role may do nothing but write their logs and
 * manage the network interfaces a function in a VPC needs.
 */
function probeFunctionsShared(scope: Construct): { role: iam.IRole; logGroup: logs.ILogGroup } {
  const stack = Stack.of(scope);
  return stateOf(stack, 'SaasPrivateLinkProbeFunctionsShared', () => {
    const shared = handlerRoleAndLogs(new Construct(stack, 'SaasPrivateLinkProbeFunctions'), 'Probe',
      'cdk-saas-privatelink: the PrivateLink probe functions of this stack (one per VPC)');
    grantVpcNetworkInterfacesWithReasons(shared.role, {
      checkov: 'The only writes are the EC2 network-interface actions a Lambda function in a VPC needs, ' +
        'which support no resource-level permissions.',
      nag: 'The EC2 network-interface actions a Lambda function in a VPC needs support no resource-level permissions; ' +
        'the probe functions have no other permission.',
    });
    return shared;
  });
}

export interface VpcProbeFunctionOptions {
  readonly vpc: ec2.IVpc;
  readonly vpcCidr: string;
  readonly subnets: ec2.ISubnet[];
  readonly port: number;
  readonly stepTimeout: Duration;
  /** What the function checks, for its description. */
  readonly target: string;
  /** Where the service's addresses are (the egress rule's peer); any IPv4 address when unknown. */
  readonly destination?: ec2.IPeer;
}

/**
 * One VPC's probe function, with a security group that opens only what the probe needs: DNS
 * to the VPC's resolver, and the service port to any IPv4 address (the vendor's addresses are
 * not known at synth, and are checked to be private before any connection is made).
 */
export function vpcProbeFunction(scope: Construct, options: VpcProbeFunctionOptions): { fn: lambda.Function; securityGroup: ec2.SecurityGroup } {
  const securityGroup = new ec2.SecurityGroup(scope, 'SecurityGroup', {
    vpc: options.vpc,
    description: `PrivateLink probe ${scope.node.path}: DNS to the VPC resolver, TCP ${options.port} to ${options.target}`,
    allowAllOutbound: false,
  });
  const vpcPeer = ec2.Peer.ipv4(options.vpcCidr);
  securityGroup.addEgressRule(vpcPeer, ec2.Port.udp(53), 'DNS to the VPC resolver');
  securityGroup.addEgressRule(vpcPeer, ec2.Port.tcp(53), 'DNS over TCP to the VPC resolver (large answers)');
  securityGroup.addEgressRule(options.destination ?? ec2.Peer.anyIpv4(), ec2.Port.tcp(options.port),
    options.destination
      ? 'The endpoint\'s network, where the service\'s addresses are'
      : 'The service\'s private addresses (checked to be private before connecting)');

  const fn = handlerFunction(scope, 'Function', ProbeFunction, {
    description: `Checks from inside the VPC that ${options.target} is reachable privately (${scope.node.path})`,
    timeout: Duration.millis(probeFunctionTimeoutMs(options.stepTimeout.toMilliseconds())),
    functionOptions: {
      vpc: options.vpc,
      vpcSubnets: { subnets: options.subnets },
      securityGroups: [securityGroup],
    },
    shared: probeFunctionsShared(scope),
  });
  return { fn, securityGroup };
}
