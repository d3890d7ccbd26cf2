/*
 * Typed fakes of the runner's AWS calls. They record every call, in order, in one shared list,
 * and the Lambda fake runs the real probe handler, so a test drives runner and probe together.
 */
import type { PutMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import type { CloudFormationApi } from '../../src/probe/deploy-gate';
import type { CloudWatchApi, Ec2Api, EndpointInfo, LambdaApi, RunnerDeps } from '../../src/probe/probe-runner.lambda';
import { createHandler, ProbeOptions } from '../../src/probe/probe.lambda';

/** Waits until the signal fires, then rejects with its reason (a call that never answers). */
function hang(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

function denied(action: string): Error {
  return Object.assign(new Error(`You are not authorized to perform: ${action}`), { name: 'AccessDenied' });
}

export class FakeEc2 implements Ec2Api {
  public readonly endpoints = new Map<string, EndpointInfo>();
  public readonly interfaces = new Map<string, string[]>();
  /** The regions asked, in order. */
  public readonly regions: string[] = [];
  public hang = false;
  public denied = false;

  constructor(private readonly calls: string[]) {}

  public async describeVpcEndpoint(endpointId: string, region: string, signal: AbortSignal) {
    this.calls.push('ec2:DescribeVpcEndpoints');
    this.regions.push(region);
    if (this.hang) return hang(signal);
    if (this.denied) throw denied('ec2:DescribeVpcEndpoints');
    return this.endpoints.get(endpointId);
  }

  public async describeNetworkInterfaceAddresses(ids: string[], region: string, signal: AbortSignal) {
    this.calls.push('ec2:DescribeNetworkInterfaces');
    this.regions.push(region);
    if (this.hang) return hang(signal);
    return ids.flatMap((id) => this.interfaces.get(id) ?? []);
  }
}

/** How a probe function behaves: the real handler, a crash, or no answer. */
export type ProbeBehaviour = 'real' | 'crash' | 'hang';

export class ProbeInvoker implements LambdaApi {
  /** Per function ARN; a function not named here runs the real handler. */
  public readonly behaviour = new Map<string, ProbeBehaviour>();
  /** The payloads sent, parsed. */
  public readonly requests: any[] = [];
  public denied = false;
  private readonly handler: ReturnType<typeof createHandler>;

  constructor(private readonly calls: string[], options: ProbeOptions) {
    this.handler = createHandler({ log: () => undefined, ...options });
  }

  public async invoke(functionArn: string, payload: string, signal: AbortSignal) {
    this.calls.push('lambda:InvokeFunction');
    if (this.denied) throw denied('lambda:InvokeFunction');
    const request = JSON.parse(payload);
    this.requests.push(request);
    switch (this.behaviour.get(functionArn) ?? 'real') {
      case 'hang':
        return hang(signal);
      case 'crash':
        return { functionError: 'Unhandled', payload: JSON.stringify({ errorType: 'Error', errorMessage: 'Task timed out after 20.00 seconds' }) };
      default:
        // Through JSON both ways, as Lambda carries it.
        return { payload: JSON.stringify(await this.handler(request)) };
    }
  }
}

export class FakeCloudWatch implements CloudWatchApi {
  public readonly inputs: PutMetricDataCommandInput[] = [];
  public fail = false;

  constructor(private readonly calls: string[]) {}

  public async putMetricData(input: PutMetricDataCommandInput) {
    this.calls.push('cloudwatch:PutMetricData');
    if (this.fail) throw denied('cloudwatch:PutMetricData');
    this.inputs.push(input);
  }

  /** The values published per VPC, by metric name. */
  public valuesByVpc(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const datum of this.inputs.flatMap((i) => i.MetricData ?? [])) {
      const vpc = datum.Dimensions!.find((d) => d.Name === 'VpcId')!.Value!;
      (out[vpc] ??= {})[datum.MetricName!] = datum.Value!;
    }
    return out;
  }
}

/**
 * DescribeStacks: the status CloudFormation would report for the stack, or a scripted failure
 * per attempt (`failures` is consumed in order, then `status` is answered).
 */
export class FakeCloudFormation implements CloudFormationApi {
  public status = 'CREATE_IN_PROGRESS';
  public failures: ('throttled' | 'denied' | 'hang')[] = [];
  /** The stack IDs asked, in order. */
  public readonly stackIds: string[] = [];

  constructor(private readonly calls: string[]) {}

  public async describeStackStatus(stackId: string, signal: AbortSignal) {
    this.calls.push('cloudformation:DescribeStacks');
    this.stackIds.push(stackId);
    switch (this.failures.shift()) {
      case 'throttled':
        throw Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
      case 'denied':
        throw denied('cloudformation:DescribeStacks');
      case 'hang':
        return hang(signal);
      default:
        return this.status;
    }
  }
}

/** The fakes together, sharing one call list. */
export function runnerFakes(probeOptions: ProbeOptions, extra: Partial<RunnerDeps> = {}) {
  const calls: string[] = [];
  const ec2 = new FakeEc2(calls);
  const lambda = new ProbeInvoker(calls, probeOptions);
  const cloudWatch = new FakeCloudWatch(calls);
  const cloudFormation = new FakeCloudFormation(calls);
  const deps: RunnerDeps = { ec2, lambda, cloudWatch, cloudFormation, retryPauseMs: 1, log: () => undefined, now: () => new Date('2026-01-01T00:00:00Z'), ...extra };
  return { calls, ec2, lambda, cloudWatch, cloudFormation, deps };
}
