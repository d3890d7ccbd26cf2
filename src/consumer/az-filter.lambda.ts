/*
 * Custom resource: which of the candidate subnets lie in Availability Zones the endpoint
 * service supports, one per AZ. Creating an interface endpoint in an unsupported AZ, or in two
 * subnets of one AZ, fails the deploy, and the supported AZs (and the AZs of imported subnets)
 * are only known at deploy time (no synth-time lookups), so the endpoint takes its subnets from
 * this resource.
 */
import { CustomResourceEvent, LambdaContext, runCustomResource, WorkContext } from '../internal/runtime/custom-resource';
import { abortableSleep } from '../internal/runtime/http-client';

export interface SubnetInfo {
  readonly subnetId: string;
  readonly availabilityZone: string;
  readonly availabilityZoneId?: string;
}

export interface ServiceInfo {
  readonly availabilityZones: string[];
  readonly availabilityZoneIds: string[];
}

/** The two EC2 calls the filter makes (the AWS SDK in Lambda, moto or a typed fake in tests). */
export interface Ec2Reader {
  describeSubnets(subnetIds: string[], signal?: AbortSignal): Promise<SubnetInfo[]>;
  /** Undefined when the service is not visible to this account. */
  describeService(serviceName: string, serviceRegion?: string, signal?: AbortSignal): Promise<ServiceInfo | undefined>;
}

export interface FilterInput {
  readonly serviceName: string;
  /** The service's region when it is not the endpoint's (native cross-region). */
  readonly serviceRegion?: string;
  readonly subnetIds: string[];
}

export interface FilterResult {
  /** At most one per AZ, in the order given. */
  readonly subnetIds: string[];
  /** Candidates in a supported AZ left out because an earlier candidate is in the same AZ. */
  readonly sameAzSubnetIds: string[];
  /** Human-readable summary for logs and the resource's attributes. */
  readonly summary: string;
}

const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException']);

/** Retries EC2 throttling with capped exponential backoff and jitter until the deadline. */
export async function withThrottleRetry<T>(
  call: () => Promise<T>,
  deadline: number,
  sleep: (ms: number) => Promise<void> = (ms) => abortableSleep(ms),
  random: () => number = Math.random,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const name = (error as { name?: string; Code?: string })?.name ?? '';
      const waitMs = Math.round(Math.min(10_000, 250 * 2 ** (attempt - 1)) * (0.5 + random() / 2));
      if (!THROTTLING.has(name) || attempt >= 8 || Date.now() + waitMs >= deadline) throw error;
      await sleep(waitMs);
    }
  }
}

function describeAz(subnet: SubnetInfo): string {
  return subnet.availabilityZoneId ? `${subnet.availabilityZone} (${subnet.availabilityZoneId})` : subnet.availabilityZone;
}

const describeSubnet = (s: SubnetInfo) => `${s.subnetId} in ${describeAz(s)}`;

/**
 * At most `max` items, then how many more: the summary travels in the answer to CloudFormation,
 * which refuses answers over 4,096 bytes, and a selection may hold dozens of subnets.
 */
function listOf(items: string[], max = 8): string {
  const rest = items.length - max;
  return items.slice(0, max).join(', ') + (rest > 0 ? `, and ${rest} more` : '');
}

/**
 * The first subnet of each AZ, in the order given: EC2 creates an interface endpoint in at most
 * one subnet per AZ. Keyed by AZ ID (the physical zone), by name when EC2 gives no ID.
 */
function onePerAz(subnets: SubnetInfo[]): { kept: SubnetInfo[]; sameAz: SubnetInfo[] } {
  const seen = new Set<string>();
  const kept: SubnetInfo[] = [];
  const sameAz: SubnetInfo[] = [];
  for (const subnet of subnets) {
    const key = subnet.availabilityZoneId ?? subnet.availabilityZone;
    (seen.has(key) ? sameAz : kept).push(subnet);
    seen.add(key);
  }
  return { kept, sameAz };
}

function leftOut(sameAz: SubnetInfo[]): string {
  return sameAz.length > 0 ? `; left out ${listOf(sameAz.map(describeSubnet))} (one subnet per AZ: an earlier candidate is in that AZ)` : '';
}

/**
 * Keeps the candidate subnets in AZs the service supports, matching by AZ ID when the
 * service reports IDs (AZ names differ between accounts) and by name otherwise, and of those
 * the first in each AZ.
 */
export async function filterSubnets(ec2: Ec2Reader, input: FilterInput, deadline: number, signal?: AbortSignal): Promise<FilterResult> {
  if (input.subnetIds.length === 0) {
    throw new Error('no candidate subnets were given');
  }
  const sleep = (ms: number) => abortableSleep(ms, signal);
  const service = await withThrottleRetry(() => ec2.describeService(input.serviceName, input.serviceRegion, signal), deadline, sleep);
  if (!service) {
    throw new Error(`endpoint service ${input.serviceName}${input.serviceRegion ? ` in ${input.serviceRegion}` : ''} ` +
      'was not found: check the service name, and that the provider allows this account (principal) to connect');
  }
  const described = await withThrottleRetry(() => ec2.describeSubnets(input.subnetIds, signal), deadline, sleep);
  // EC2 answers in its own order; "the first in each AZ" means the first the user gave.
  const order = (s: SubnetInfo) => input.subnetIds.indexOf(s.subnetId);
  const subnets = [...described].sort((a, b) => order(a) - order(b));
  const subnetRegion = regionOfAz(subnets[0]?.availabilityZone);
  const serviceRegion = regionOfAz(service.availabilityZones[0]);

  // A remote service reports the AZs of its own region; the endpoint's interfaces live in
  // this region, where every AZ can reach it.
  if (input.serviceRegion && serviceRegion && subnetRegion && serviceRegion !== subnetRegion) {
    const { kept, sameAz } = onePerAz(subnets);
    return {
      subnetIds: kept.map((s) => s.subnetId),
      sameAzSubnetIds: sameAz.map((s) => s.subnetId),
      summary: `remote service in ${serviceRegion}: kept ${sameAz.length > 0 ? `${kept.length} of` : 'all'} ${subnets.length} subnets ` +
        `(${listOf(kept.map(describeAz))})${leftOut(sameAz)}`,
    };
  }

  const byId = service.availabilityZoneIds.length > 0 && subnets.every((s) => s.availabilityZoneId);
  const supported = new Set(byId ? service.availabilityZoneIds : service.availabilityZones);
  const inSupported = subnets.filter((s) => supported.has(byId ? s.availabilityZoneId! : s.availabilityZone));
  const serviceAzs = byId
    ? service.availabilityZoneIds.map((id, i) => (service.availabilityZones[i] ? `${service.availabilityZones[i]} (${id})` : id))
    : service.availabilityZones;
  if (inSupported.length === 0) {
    throw new Error(`endpoint service ${input.serviceName} supports AZs [${listOf(serviceAzs, 12)}], ` +
      `but the candidate subnets are in [${listOf(subnets.map(describeSubnet), 12)}]: ` +
      'give subnets in a supported AZ');
  }
  const unsupported = subnets.filter((s) => !inSupported.includes(s));
  const { kept, sameAz } = onePerAz(inSupported);
  return {
    subnetIds: kept.map((s) => s.subnetId),
    sameAzSubnetIds: sameAz.map((s) => s.subnetId),
    summary: `kept ${kept.length} of ${subnets.length} subnets in supported AZs [${listOf(kept.map(describeAz))}]` +
      (unsupported.length > 0 ? `; left out ${listOf(unsupported.map(describeSubnet))} (AZ not supported)` : '') +
      leftOut(sameAz),
  };
}

function regionOfAz(az?: string): string | undefined {
  return az?.match(/^([a-z]{2}(-[a-z]+)+-\d)[a-z]$/)?.[1];
}

/**
 * The custom resource's work: Create and Update filter (the physical ID stays that of the
 * Create: the answer is data, not a thing that exists); Delete has nothing to undo and calls
 * nothing.
 */
export async function azFilterWork(ec2: Ec2Reader, ctx: WorkContext) {
  const props = ctx.event.ResourceProperties;
  const physicalResourceId = ctx.event.PhysicalResourceId ?? `az-filter-${ctx.event.RequestId}`;
  if (ctx.event.RequestType === 'Delete') {
    return { physicalResourceId };
  }
  // A service region that is this function's own (the handler's ARN names it) is a local service.
  const ownRegion = String(ctx.event.ServiceToken ?? '').split(':')[3];
  const serviceRegion = props.ServiceRegion && props.ServiceRegion !== ownRegion ? props.ServiceRegion : undefined;
  const result = await filterSubnets(ec2, {
    serviceName: props.ServiceName,
    serviceRegion,
    subnetIds: props.SubnetIds ?? [],
  }, ctx.deadline, ctx.signal);
  ctx.log(result.summary);
  if (result.sameAzSubnetIds.length > 0) ctx.log(`left out for sharing an AZ: ${result.sameAzSubnetIds.join(', ')}`);
  // The answer stays small: at most one subnet per AZ, and a summary that lists a few of the rest.
  // Summary is for people (the console, the logs): no template reads it, so it is the first to go when the answer would pass 4,096 bytes.
  return { physicalResourceId, data: { SubnetIds: result.subnetIds.join(','), Summary: result.summary }, optionalData: ['Summary'] };
}

/** An Ec2Reader over the AWS SDK v3 EC2 client that the Lambda runtime provides. */
export function sdkEc2Reader(clientConfig: Record<string, unknown> = {}): Ec2Reader {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require('@aws-sdk/client-ec2');
  const client = new sdk.EC2Client(clientConfig);
  return {
    async describeSubnets(subnetIds, signal) {
      const out = await client.send(new sdk.DescribeSubnetsCommand({ SubnetIds: subnetIds }), { abortSignal: signal });
      return (out.Subnets ?? []).map((s: any) => ({
        subnetId: s.SubnetId, availabilityZone: s.AvailabilityZone, availabilityZoneId: s.AvailabilityZoneId,
      }));
    },
    async describeService(serviceName, serviceRegion, signal) {
      try {
        const out = await client.send(new sdk.DescribeVpcEndpointServicesCommand({
          ServiceNames: [serviceName],
          ...(serviceRegion ? { ServiceRegions: [serviceRegion] } : {}),
        }), { abortSignal: signal });
        const detail = (out.ServiceDetails ?? []).find((d: any) => d.ServiceName === serviceName);
        if (!detail) return undefined;
        return { availabilityZones: detail.AvailabilityZones ?? [], availabilityZoneIds: detail.AvailabilityZoneIds ?? [] };
      } catch (error) {
        if ((error as { name?: string }).name === 'InvalidServiceName') return undefined;
        throw error;
      }
    },
  };
}

export async function handler(event: CustomResourceEvent, context: LambdaContext): Promise<void> {
  const ec2 = sdkEc2Reader({ maxAttempts: 6 });
  await runCustomResource(event, context, (ctx) => azFilterWork(ec2, ctx));
}
