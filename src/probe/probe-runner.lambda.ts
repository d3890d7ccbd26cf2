/*
 * The probe runner: runs outside every VPC, because a probe function in a VPC without egress
 * can reach neither CloudFormation's response URL nor CloudWatch. For one PrivateLinkProbe it
 * 1. reads the endpoint's addresses (DescribeVpcEndpoints, then DescribeNetworkInterfaces, in
 *    the endpoint's region), when an endpoint is given;
 * 2. invokes each VPC's probe function synchronously, in parallel;
 * 3. publishes the results as metrics (namespace SaasPrivateLink/Probe).
 *
 * It is invoked by the deploy-time custom resource (through runCustomResource, so it answers
 * CloudFormation within bounded retries) and by the canary's schedule. A failed check is data,
 * not an error: the custom resource fails only with FailDeployment on and only during a deploy,
 * never a rollback (see deploy-gate.ts), and the canary run fails only when its metrics cannot be
 * published. Every wait is bounded and takes the work's signal.
 */
import type { MetricDatum, PutMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { CloudFormationApi, gateDecision } from './deploy-gate';
import { endpointNotAvailable, endpointUnreadable, probeFunctionFailed } from './diagnoses';
import {
  failedResult, PROBE_NAMESPACE, ProbeRequest, ProbeResult, ProbeSettings, ProbeTarget, probeFunctionTimeoutMs, probePhysicalId,
} from './probe-contract';
import { diagnosisLines, fitLines, metricData, resultsJson } from './probe-results';
import { CustomResourceEvent, CustomResourceResult, LambdaContext, runCustomResource, WorkContext } from '../internal/runtime/custom-resource';

/** An endpoint as DescribeVpcEndpoints reports it. */
export interface EndpointInfo {
  readonly state: string;
  readonly networkInterfaceIds: string[];
}

/** The EC2 reads of the runner, in the endpoint's region (the AWS SDK in Lambda, a typed fake in tests). */
export interface Ec2Api {
  /** Undefined when no such endpoint exists. */
  describeVpcEndpoint(endpointId: string, region: string, signal: AbortSignal): Promise<EndpointInfo | undefined>;
  /** Every private IPv4 address of the network interfaces. */
  describeNetworkInterfaceAddresses(networkInterfaceIds: string[], region: string, signal: AbortSignal): Promise<string[]>;
}

/** A synchronous Lambda invoke: the answer's payload, and the function error when it failed. */
export interface LambdaApi {
  invoke(functionArn: string, payload: string, signal: AbortSignal): Promise<{ payload?: string; functionError?: string }>;
}

/** PutMetricData. */
export interface CloudWatchApi {
  putMetricData(input: PutMetricDataCommandInput, signal: AbortSignal): Promise<void>;
}

export interface RunnerDeps {
  readonly ec2: Ec2Api;
  readonly lambda: LambdaApi;
  readonly cloudWatch: CloudWatchApi;
  /** Read only when a failed check would fail the deploy, to tell a deploy from a rollback. */
  readonly cloudFormation: CloudFormationApi;
  /** How long each endpoint lookup, and each read of the stack's status, may take. */
  readonly lookupTimeoutMs?: number;
  /** How long to wait for a probe function's answer; by default its own timeout and 10 s. */
  readonly invokeTimeoutMs?: number;
  /** The first pause between reads of the stack's status. */
  readonly retryPauseMs?: number;
  readonly now?: () => Date;
  readonly log?: (line: string) => void;
}

/** The settings, with CloudFormation's strings read back into numbers and booleans. */
export interface RunnerSettings {
  readonly hostname: string;
  readonly port: number;
  readonly expectedCertificateName?: string;
  readonly endpointId?: string;
  readonly endpointRegion: string;
  readonly stepTimeoutMs: number;
  readonly failDeployment: boolean;
  readonly probes: ProbeTarget[];
}

export interface RunOutcome {
  /** True when every VPC reaches the vendor privately and the endpoint's addresses were checked. */
  readonly ok: boolean;
  readonly results: ProbeResult[];
  /** Why the answers could not be checked against the endpoint. */
  readonly endpointProblem?: string;
  /** The endpoint's problem, if any, then `vpc-…: diagnosis` per VPC. */
  readonly lines: string[];
}

const DEFAULT_LOOKUP_TIMEOUT_MS = 10_000;
/** Time for a probe function's own start on top of its timeout. */
const INVOKE_MARGIN_MS = 10_000;
/** Bytes of the diagnosis quoted in a rollback's Reason; the full one is in the `Diagnosis` attribute. */
const MAX_REASON_DIAGNOSIS_BYTES = 600;
/** PutMetricData takes at most 1,000 data per call. */
const METRICS_PER_CALL = 500;

export function parseSettings(raw: ProbeSettings | undefined, defaultRegion: string): RunnerSettings {
  if (!raw?.Hostname || !Array.isArray(raw.Probes) || raw.Probes.length === 0) {
    throw new Error('the probe settings name no Hostname or no Probes: the runner is invoked by PrivateLinkProbe only');
  }
  const port = Number(raw.Port);
  const stepTimeoutMs = Number(raw.StepTimeoutMs);
  if (!Number.isInteger(port) || port < 1 || port > 65535 || !(stepTimeoutMs > 0)) {
    throw new Error(`the probe settings hold an unusable Port (${raw.Port}) or StepTimeoutMs (${raw.StepTimeoutMs})`);
  }
  return {
    hostname: raw.Hostname,
    port,
    expectedCertificateName: raw.ExpectedCertificateName || undefined,
    endpointId: raw.EndpointId || undefined,
    endpointRegion: raw.EndpointRegion || defaultRegion,
    stepTimeoutMs,
    failDeployment: raw.FailDeployment === true || raw.FailDeployment === 'true',
    probes: raw.Probes,
  };
}

/** Probes every VPC; throws only when `signal` fires (the custom resource's deadline). */
export async function runProbes(settings: RunnerSettings, deps: RunnerDeps, signal: AbortSignal): Promise<RunOutcome> {
  const endpoint = await endpointAddresses(settings, deps, signal);
  const results = await Promise.all(settings.probes.map((target) => invokeProbe(target, {
    hostname: settings.hostname,
    port: settings.port,
    expectedCertificateName: settings.expectedCertificateName,
    vpcId: target.VpcId,
    vpcCidr: target.VpcCidr,
    endpointId: settings.endpointId,
    endpointAddresses: endpoint.addresses,
    stepTimeoutMs: settings.stepTimeoutMs,
  }, deps, signal)));
  const lines = diagnosisLines(results, endpoint.problem);
  const log = deps.log ?? ((line: string) => console.log(line));
  lines.forEach((line) => log(line));
  return { ok: !endpoint.problem && results.every((r) => r.ok), results, endpointProblem: endpoint.problem, lines };
}

async function endpointAddresses(
  settings: RunnerSettings, deps: RunnerDeps, signal: AbortSignal,
): Promise<{ addresses?: string[]; problem?: string }> {
  const { endpointId, endpointRegion: region } = settings;
  if (!endpointId) return {};
  const timeoutMs = deps.lookupTimeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS;
  try {
    const endpoint = await deps.ec2.describeVpcEndpoint(endpointId, region, bounded(signal, timeoutMs));
    if (!endpoint) return { problem: endpointUnreadable(endpointId, region, 'no such endpoint') };
    if (endpoint.state.toLowerCase() !== 'available' || endpoint.networkInterfaceIds.length === 0) {
      return { problem: endpointNotAvailable(endpointId, endpoint.state) };
    }
    const addresses = await deps.ec2.describeNetworkInterfaceAddresses(endpoint.networkInterfaceIds, region, bounded(signal, timeoutMs));
    if (addresses.length === 0) return { problem: endpointNotAvailable(endpointId, endpoint.state) };
    return { addresses };
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    return { problem: endpointUnreadable(endpointId, region, describeError(error, timeoutMs)) };
  }
}

async function invokeProbe(target: ProbeTarget, request: ProbeRequest, deps: RunnerDeps, signal: AbortSignal): Promise<ProbeResult> {
  const waitMs = deps.invokeTimeoutMs ?? probeFunctionTimeoutMs(request.stepTimeoutMs) + INVOKE_MARGIN_MS;
  const failed = (detail: string) => failedResult(target.VpcId, 'probe', probeFunctionFailed(detail));
  try {
    const out = await deps.lambda.invoke(target.FunctionArn, JSON.stringify(request), bounded(signal, waitMs));
    let answer: any;
    try {
      answer = out.payload ? JSON.parse(out.payload) : undefined;
    } catch {
      answer = undefined;
    }
    if (out.functionError) {
      return failed(`${out.functionError}: ${typeof answer?.errorMessage === 'string' ? answer.errorMessage.slice(0, 200) : 'no message'}`);
    }
    if (typeof answer?.ok !== 'boolean' || typeof answer?.diagnosis !== 'string' || !Array.isArray(answer?.addresses)) {
      return failed('its answer is not a probe result');
    }
    return { ...(answer as ProbeResult), vpcId: target.VpcId };
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    return failed(describeError(error, waitMs));
  }
}

/** Publishes the run's metrics; throws when CloudWatch refuses them. */
export async function publishMetrics(
  settings: RunnerSettings, results: readonly ProbeResult[], deps: RunnerDeps, signal: AbortSignal,
): Promise<void> {
  const data: MetricDatum[] = metricData(settings.hostname, results, (deps.now ?? (() => new Date()))());
  for (let i = 0; i < data.length; i += METRICS_PER_CALL) {
    await deps.cloudWatch.putMetricData({ Namespace: PROBE_NAMESPACE, MetricData: data.slice(i, i + METRICS_PER_CALL) }, signal);
  }
}

/**
 * The custom resource's work. Create and Update probe (an Update probes again, with the new
 * settings) and publish the metrics, which gives the canary's alarms their first data point;
 * Delete probes nothing and calls nothing. The physical ID names what is checked.
 */
export async function probeWork(ctx: WorkContext, deps: RunnerDeps): Promise<CustomResourceResult> {
  const { event } = ctx;
  const props = event.ResourceProperties as ProbeSettings;
  if (event.RequestType === 'Delete') {
    return {
      physicalResourceId: event.PhysicalResourceId ?? probePhysicalId(String(props.Hostname), String(props.Port)),
      reason: 'Nothing to undo: the probe changes nothing',
    };
  }
  const settings = parseSettings(props, process.env.AWS_REGION ?? '');
  const physicalResourceId = probePhysicalId(settings.hostname, settings.port);
  const outcome = await runProbes(settings, { ...deps, log: deps.log ?? ctx.log }, ctx.signal);
  try {
    await publishMetrics(settings, outcome.results, deps, ctx.signal);
  } catch (error) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    // The check's answer matters more than one data point; the canary publishes the next.
    ctx.log(`publishing the metrics failed: ${describeError(error, 0)}`);
  }
  const target = `${settings.hostname}:${settings.port}`;
  const diagnosis = fitLines(outcome.lines);
  const reachableCount = outcome.results.filter((r) => r.ok).length;
  const summary = `${reachableCount} of ${outcome.results.length} VPC(s) reach ${target} privately`;
  let reason = summary + (outcome.ok ? '' : ': see the Diagnosis attribute');
  if (!outcome.ok && settings.failDeployment) {
    const gate = await gateDecision(event.StackId, {
      cloudFormation: deps.cloudFormation,
      timeoutMs: deps.lookupTimeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS,
      retryPauseMs: deps.retryPauseMs,
    }, ctx.signal);
    if (gate.fail) {
      throw new Error(`PrivateLink probe of ${target} failed (failDeployment is on):\n${diagnosis}`);
    }
    reason = `${gate.why}. ${summary}:\n${fitLines(outcome.lines, MAX_REASON_DIAGNOSIS_BYTES)}`;
  }
  return {
    physicalResourceId,
    data: { Ok: String(outcome.ok), Diagnosis: diagnosis, Results: resultsJson(outcome.results) },
    reason,
  };
}

/** The schedule's event: the settings under `Probe`. */
export interface CanaryEvent {
  readonly Probe?: ProbeSettings;
}

/** One canary run: probe, publish, and answer with the outcome (a failed check is not an error). */
export async function canaryRun(event: CanaryEvent, deps: RunnerDeps, signal: AbortSignal): Promise<RunOutcome> {
  const settings = parseSettings(event.Probe, process.env.AWS_REGION ?? '');
  const outcome = await runProbes(settings, deps, signal);
  await publishMetrics(settings, outcome.results, deps, signal);
  return outcome;
}

function bounded(signal: AbortSignal, timeoutMs: number): AbortSignal {
  return AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
}

function describeError(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: string })?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${Math.round(timeoutMs / 100) / 10} s`;
  const message = error instanceof Error ? error.message : String(error);
  return name && name !== 'Error' ? `${name}: ${message}` : message;
}

/** The runner's AWS calls through the SDK v3 clients that the Lambda runtime provides. */
export function awsRunnerDeps(): RunnerDeps {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const ec2Sdk = require('@aws-sdk/client-ec2');
  const lambdaSdk = require('@aws-sdk/client-lambda');
  const cloudWatchSdk = require('@aws-sdk/client-cloudwatch');
  const cloudFormationSdk = require('@aws-sdk/client-cloudformation');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const ec2Clients = new Map<string, any>();
  const ec2 = (region: string) => {
    if (!ec2Clients.has(region)) ec2Clients.set(region, new ec2Sdk.EC2Client({ region: region || undefined, maxAttempts: 6 }));
    return ec2Clients.get(region);
  };
  const lambda = new lambdaSdk.LambdaClient({ maxAttempts: 3 });
  const cloudWatch = new cloudWatchSdk.CloudWatchClient({ maxAttempts: 6 });
  return {
    ec2: {
      async describeVpcEndpoint(endpointId, region, signal) {
        try {
          const out = await ec2(region).send(new ec2Sdk.DescribeVpcEndpointsCommand({ VpcEndpointIds: [endpointId] }), { abortSignal: signal });
          const found = (out.VpcEndpoints ?? []).find((e: any) => e.VpcEndpointId === endpointId);
          return found ? { state: String(found.State ?? 'unknown'), networkInterfaceIds: found.NetworkInterfaceIds ?? [] } : undefined;
        } catch (error) {
          if ((error as { name?: string }).name === 'InvalidVpcEndpointId.NotFound') return undefined;
          throw error;
        }
      },
      async describeNetworkInterfaceAddresses(networkInterfaceIds, region, signal) {
        const out = await ec2(region).send(new ec2Sdk.DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: networkInterfaceIds }),
          { abortSignal: signal });
        return (out.NetworkInterfaces ?? []).flatMap((n: any) => (n.PrivateIpAddresses ?? []).map((a: any) => a.PrivateIpAddress))
          .filter((a: unknown): a is string => typeof a === 'string');
      },
    },
    lambda: {
      async invoke(functionArn, payload, signal) {
        const out = await lambda.send(new lambdaSdk.InvokeCommand({
          FunctionName: functionArn, InvocationType: 'RequestResponse', Payload: Buffer.from(payload),
        }), { abortSignal: signal });
        return { payload: out.Payload ? Buffer.from(out.Payload).toString('utf8') : undefined, functionError: out.FunctionError };
      },
    },
    cloudWatch: {
      async putMetricData(input, signal) {
        await cloudWatch.send(new cloudWatchSdk.PutMetricDataCommand(input), { abortSignal: signal });
      },
    },
    cloudFormation: {
      async describeStackStatus(stackId, signal) {
        // The stack's own region, from its ARN; the gate retries, so the client does not.
        const client = new cloudFormationSdk.CloudFormationClient({ region: stackId.split(':')[3] || undefined, maxAttempts: 1 });
        const out = await client.send(new cloudFormationSdk.DescribeStacksCommand({ StackName: stackId }), { abortSignal: signal });
        const status = out.Stacks?.[0]?.StackStatus;
        if (typeof status !== 'string') throw new Error(`DescribeStacks named no status for ${stackId}`);
        return status;
      },
    },
  };
}

function isCustomResourceEvent(event: unknown): event is CustomResourceEvent {
  return typeof event === 'object' && event !== null && 'RequestType' in event && 'ResponseURL' in event;
}

export async function handler(event: CustomResourceEvent | CanaryEvent, context: LambdaContext): Promise<unknown> {
  const deps = awsRunnerDeps();
  if (isCustomResourceEvent(event)) {
    return runCustomResource(event, context, (ctx) => probeWork(ctx, deps));
  }
  // The run stops a few seconds before the Lambda timeout, so its end is logged, not cut off.
  const signal = AbortSignal.timeout(Math.max(1_000, context.getRemainingTimeInMillis() - 5_000));
  const outcome = await canaryRun(event, deps, signal);
  return { ok: outcome.ok, lines: outcome.lines };
}
