/*
 * Shared fixtures for the hostname sync handler tests: an IP target group in moto (the local
 * ELBv2 stand-in), a scriptable resolver, a clock the test moves, and a recording metrics sink.
 */
import { CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateTargetGroupCommand, DescribeTagsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  HostResolver, STATE_TAG, SyncConfig, SyncMetrics, sdkTargetGroup, TargetGroupApi,
} from '../../src/provider/hostname-sync.lambda';
import { MOTO_CREDENTIALS, Moto } from '../support/moto';

export const REGION = 'eu-west-1';
export const PORT = 5432;

/**
 * The sync's settings for tests. The time grace is 0 unless a test sets it, so tests about the
 * run count need no clock; tests about time set both graces.
 */
export function config(overrides: Partial<SyncConfig> = {}): SyncConfig {
  return {
    hostname: 'db.cluster-abc.eu-west-1.rds.amazonaws.com',
    port: PORT,
    missedRunsBeforeDeregistration: 3,
    missingSecondsBeforeDeregistration: 0,
    lookupsPerRun: 1,
    lookupIntervalMs: 0,
    vpcCidrBlocks: ['10.0.0.0/16'],
    ...overrides,
  };
}

export interface MotoTargetGroup {
  readonly api: TargetGroupApi;
  readonly client: ElasticLoadBalancingV2Client;
  readonly arn: string;
  /** Registered `ip:port` pairs, sorted. */
  targets(): Promise<string[]>;
  stateTag(): Promise<string | undefined>;
}

let counter = 0;

/** A fresh VPC and IP target group in moto, and a TargetGroupApi over the real SDK client. */
export async function motoTargetGroup(moto: Moto): Promise<MotoTargetGroup> {
  const clientConfig = { endpoint: moto.endpoint, region: REGION, credentials: MOTO_CREDENTIALS };
  const ec2 = new EC2Client(clientConfig);
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
  await ec2.send(new CreateSubnetCommand({ VpcId: vpc.Vpc!.VpcId, CidrBlock: '10.0.1.0/24', AvailabilityZone: `${REGION}a` }));
  await ec2.send(new CreateSubnetCommand({ VpcId: vpc.Vpc!.VpcId, CidrBlock: '10.0.2.0/24', AvailabilityZone: `${REGION}b` }));
  const client = new ElasticLoadBalancingV2Client(clientConfig);
  const created = await client.send(new CreateTargetGroupCommand({
    Name: `sync-test-${++counter}`, Protocol: 'TCP', Port: PORT, VpcId: vpc.Vpc!.VpcId, TargetType: 'ip',
  }));
  const arn = created.TargetGroups![0].TargetGroupArn!;
  return {
    api: sdkTargetGroup(client, arn),
    client,
    arn,
    async targets() {
      const out = await client.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
      return (out.TargetHealthDescriptions ?? []).map((d) => `${d.Target!.Id}:${d.Target!.Port}`).sort();
    },
    async stateTag() {
      const out = await client.send(new DescribeTagsCommand({ ResourceArns: [arn] }));
      return out.TagDescriptions?.[0]?.Tags?.find((t) => t.Key === STATE_TAG)?.Value;
    },
  };
}

/**
 * A resolver that answers from a script: each lookup takes the next answer (the last one
 * repeats). An Error in the script is thrown, as Node's resolver throws ETIMEOUT or SERVFAIL.
 */
export class ScriptedResolver implements HostResolver {
  public lookups = 0;
  private readonly script: (string[] | Error)[];

  constructor(...script: (string[] | Error)[]) {
    this.script = script;
  }

  /** Replaces what the following lookups answer. */
  public answer(...script: (string[] | Error)[]): void {
    this.script.splice(0, this.script.length, ...script);
  }

  public async resolve(): Promise<string[]> {
    const next = this.script.length > 1 ? this.script.shift()! : this.script[0];
    this.lookups++;
    if (next instanceof Error) throw next;
    return next;
  }
}

/** A clock that moves only when the test moves it; `now` is the SyncDeps clock (milliseconds). */
export class TestClock {
  /** Seconds since the epoch (a fixed day in 2025). */
  public seconds = 1_764_370_000;

  public readonly now = () => this.seconds * 1000;

  public advance(seconds: number): void {
    this.seconds += seconds;
  }
}

export function dnsError(code: string): Error {
  return Object.assign(new Error(`query${code} db.cluster-abc.eu-west-1.rds.amazonaws.com`), { code });
}

export function recordingMetrics(): { sink: (m: SyncMetrics) => void; published: SyncMetrics[] } {
  const published: SyncMetrics[] = [];
  return { sink: (m) => published.push(m), published };
}

export const quiet = () => undefined;
