import * as ec2 from '@aws-sdk/client-ec2';
import * as elb from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  azFilterWork, Ec2Reader, filterSubnets, sdkEc2Reader, ServiceInfo, SubnetInfo, withThrottleRetry,
} from '../../src/consumer/az-filter.lambda';
import { runCustomResource } from '../../src/internal/runtime/custom-resource';
import { LocalServer } from '../support/local-server';
import { Moto, MOTO_CREDENTIALS, startMoto } from '../support/moto';

const REGION = 'eu-west-1';
const far = () => Date.now() + 60_000;

describe('AZ filter against moto (EC2 and ELBv2 on 127.0.0.1)', () => {
  let moto: Moto;
  let client: ec2.EC2Client;
  let subnets: Record<'a' | 'b' | 'c' | 'a2' | 'b2', string>;

  beforeAll(async () => {
    moto = await startMoto();
  }, 60_000);
  afterAll(() => moto.stop());

  beforeEach(async () => {
    await moto.reset();
    const cfg = { endpoint: moto.endpoint, region: REGION, credentials: MOTO_CREDENTIALS };
    client = new ec2.EC2Client(cfg);
    const vpc = await client.send(new ec2.CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }));
    const make = async (cidr: string, az: string) =>
      (await client.send(new ec2.CreateSubnetCommand({ VpcId: vpc.Vpc!.VpcId, CidrBlock: cidr, AvailabilityZone: az }))).Subnet!.SubnetId!;
    subnets = {
      a: await make('10.9.1.0/24', 'eu-west-1a'),
      b: await make('10.9.2.0/24', 'eu-west-1b'),
      c: await make('10.9.3.0/24', 'eu-west-1c'),
      // A second subnet group (app and data) puts a second subnet in each AZ.
      a2: await make('10.9.11.0/24', 'eu-west-1a'),
      b2: await make('10.9.12.0/24', 'eu-west-1b'),
    };
    // moto's first calls are slow on a busy machine.
  }, 30_000);

  /** A provider's endpoint service whose NLB sits in the given subnets. */
  async function endpointService(...providerSubnets: string[]): Promise<string> {
    const lbs = new elb.ElasticLoadBalancingV2Client({ endpoint: moto.endpoint, region: REGION, credentials: MOTO_CREDENTIALS });
    const lb = await lbs.send(new elb.CreateLoadBalancerCommand({ Name: `nlb${Date.now()}`, Type: 'network', Scheme: 'internal', Subnets: providerSubnets }));
    const lbArn = lb.LoadBalancers![0].LoadBalancerArn!;
    const svc = await client.send(new ec2.CreateVpcEndpointServiceConfigurationCommand({ NetworkLoadBalancerArns: [lbArn] }));
    return svc.ServiceConfiguration!.ServiceName!;
  }

  const reader = () => sdkEc2Reader({ endpoint: moto.endpoint, region: REGION, credentials: MOTO_CREDENTIALS });

  test('all candidate AZs supported: keeps every subnet', async () => {
    const serviceName = await endpointService(subnets.a, subnets.b, subnets.c);
    const result = await filterSubnets(reader(), { serviceName, subnetIds: [subnets.a, subnets.b] }, far());
    expect(result.subnetIds).toEqual([subnets.a, subnets.b]);
    expect(result.summary).toMatch(/^kept 2 of 2 subnets/);
  });

  test('some AZs supported: keeps only the subnets in them', async () => {
    const serviceName = await endpointService(subnets.a);
    const result = await filterSubnets(reader(), { serviceName, subnetIds: [subnets.a, subnets.b, subnets.c] }, far());
    expect(result.subnetIds).toEqual([subnets.a]);
    expect(result.summary).toContain(`left out ${subnets.b} in eu-west-1b`);
  });

  test('two subnet groups: keeps one subnet per AZ, the first given, and says which it left out', async () => {
    const serviceName = await endpointService(subnets.a, subnets.b, subnets.c);
    const result = await filterSubnets(reader(), { serviceName, subnetIds: [subnets.a, subnets.b, subnets.a2, subnets.b2] }, far());
    expect(result.subnetIds).toEqual([subnets.a, subnets.b]);
    expect(result.sameAzSubnetIds).toEqual([subnets.a2, subnets.b2]);
    expect(result.summary).toBe('kept 2 of 4 subnets in supported AZs [eu-west-1a (euw1-az3), eu-west-1b (euw1-az1)]; ' +
      `left out ${subnets.a2} in eu-west-1a (euw1-az3), ${subnets.b2} in eu-west-1b (euw1-az1) (one subnet per AZ: an earlier candidate is in that AZ)`);
    // The order given decides, not the subnet groups.
    const reversed = await filterSubnets(reader(), { serviceName, subnetIds: [subnets.b2, subnets.a2, subnets.b, subnets.a] }, far());
    expect(reversed.subnetIds).toEqual([subnets.b2, subnets.a2]);
  });

  test('one per AZ among the supported only: an unsupported AZ does not take the place', async () => {
    const serviceName = await endpointService(subnets.b);
    const result = await filterSubnets(reader(), { serviceName, subnetIds: [subnets.a, subnets.b2, subnets.a2, subnets.b] }, far());
    expect(result.subnetIds).toEqual([subnets.b2]);
    expect(result.summary).toContain(`; left out ${subnets.a} in eu-west-1a (euw1-az3), ${subnets.a2} in eu-west-1a (euw1-az3) (AZ not supported); ` +
      `left out ${subnets.b} in eu-west-1b (euw1-az1) (one subnet per AZ`);
  });

  test('no AZ supported: fails naming the service, its AZs and the subnets\' AZs', async () => {
    const serviceName = await endpointService(subnets.a);
    await expect(filterSubnets(reader(), { serviceName, subnetIds: [subnets.b, subnets.c] }, far())).rejects.toThrow(
      `endpoint service ${serviceName} supports AZs [eu-west-1a], but the candidate subnets are in ` +
      `[${subnets.b} in eu-west-1b (euw1-az1), ${subnets.c} in eu-west-1c (euw1-az2)]: give subnets in a supported AZ`,
    );
  });

  test('an unknown service fails with what to check', async () => {
    await expect(filterSubnets(reader(), { serviceName: 'com.amazonaws.vpce.eu-west-1.vpce-svc-00000000000000000', subnetIds: [subnets.a] }, far()))
      .rejects.toThrow(/vpce-svc-00000000000000000 was not found: check the service name, and that the provider allows this account/);
  });

  test('the real handler answers CloudFormation with the kept subnets', async () => {
    const serviceName = await endpointService(subnets.b);
    const cfn = await LocalServer.start(() => ({ status: 200 }));
    try {
      await runCustomResource({
        RequestType: 'Create',
        ResponseURL: `${cfn.url}/r`,
        StackId: 's',
        RequestId: 'r1',
        LogicalResourceId: 'AzFilter',
        ResourceType: 'Custom::PrivateLinkAzFilter',
        ResourceProperties: { ServiceName: serviceName, SubnetIds: [subnets.a, subnets.b] },
      }, { getRemainingTimeInMillis: () => 60_000 }, (ctx) => azFilterWork(reader(), ctx), { log: () => undefined });
      expect(cfn.requests[0].json).toMatchObject({ Status: 'SUCCESS', Data: { SubnetIds: subnets.b } });
    } finally {
      await cfn.stop();
    }
  });
});

class FakeEc2 implements Ec2Reader {
  public readonly calls: string[] = [];
  constructor(private readonly subnets: SubnetInfo[], private readonly service: ServiceInfo | undefined, private failures: Error[] = []) {}
  async describeSubnets(ids: string[]) {
    this.calls.push(`DescribeSubnets ${ids.join(',')}`);
    return this.subnets.filter((s) => ids.includes(s.subnetId));
  }
  async describeService(name: string, region?: string) {
    this.calls.push(`DescribeVpcEndpointServices ${name}${region ? ` ServiceRegions=${region}` : ''}`);
    const failure = this.failures.shift();
    if (failure) throw failure;
    return this.service;
  }
}

const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded' });
const local: SubnetInfo[] = [
  { subnetId: 'subnet-a', availabilityZone: 'ap-northeast-1a', availabilityZoneId: 'apne1-az4' },
  { subnetId: 'subnet-c', availabilityZone: 'ap-northeast-1c', availabilityZoneId: 'apne1-az1' },
];

describe('AZ filter with a typed fake of EC2', () => {
  test('a remote service region is passed on, and all local subnets are kept', async () => {
    const fake = new FakeEc2(local, { availabilityZones: ['ap-southeast-2a'], availabilityZoneIds: ['apse2-az1'] });
    const result = await filterSubnets(fake, { serviceName: 'com.amazonaws.vpce.ap-southeast-2.vpce-svc-1', serviceRegion: 'ap-southeast-2', subnetIds: ['subnet-a', 'subnet-c'] }, far());
    expect(fake.calls[0]).toBe('DescribeVpcEndpointServices com.amazonaws.vpce.ap-southeast-2.vpce-svc-1 ServiceRegions=ap-southeast-2');
    expect(result.subnetIds).toEqual(['subnet-a', 'subnet-c']);
    expect(result.summary).toMatch(/^remote service in ap-southeast-2: kept all 2 subnets/);
  });

  test('matches by AZ ID when the service reports IDs (names differ between accounts)', async () => {
    // The provider's "ap-northeast-1a" is another physical zone than ours.
    const fake = new FakeEc2(local, { availabilityZones: ['ap-northeast-1a'], availabilityZoneIds: ['apne1-az1'] });
    const result = await filterSubnets(fake, { serviceName: 'svc', subnetIds: ['subnet-a', 'subnet-c'] }, far());
    expect(result.subnetIds).toEqual(['subnet-c']);
  });

  const twoGroups: SubnetInfo[] = [
    ...local,
    { subnetId: 'subnet-a2', availabilityZone: 'ap-northeast-1a', availabilityZoneId: 'apne1-az4' },
    { subnetId: 'subnet-c2', availabilityZone: 'ap-northeast-1c', availabilityZoneId: 'apne1-az1' },
  ];
  const bothAzs = { availabilityZones: ['ap-northeast-1a', 'ap-northeast-1c'], availabilityZoneIds: ['apne1-az4', 'apne1-az1'] };

  test('one subnet per AZ ID, the first in the order given whatever order EC2 answers in', async () => {
    const fake = new FakeEc2(twoGroups, bothAzs);
    const result = await filterSubnets(fake, { serviceName: 'svc', subnetIds: ['subnet-c2', 'subnet-a', 'subnet-c', 'subnet-a2'] }, far());
    expect(result.subnetIds).toEqual(['subnet-c2', 'subnet-a']);
    expect(result.sameAzSubnetIds).toEqual(['subnet-c', 'subnet-a2']);
  });

  test('one subnet per AZ name when EC2 gives no AZ IDs', async () => {
    const withoutIds = twoGroups.map(({ subnetId, availabilityZone }) => ({ subnetId, availabilityZone }));
    const fake = new FakeEc2(withoutIds, { ...bothAzs, availabilityZoneIds: [] });
    const result = await filterSubnets(fake, { serviceName: 'svc', subnetIds: ['subnet-a', 'subnet-a2', 'subnet-c', 'subnet-c2'] }, far());
    expect(result.subnetIds).toEqual(['subnet-a', 'subnet-c']);
    expect(result.summary).toContain('left out subnet-a2 in ap-northeast-1a, subnet-c2 in ap-northeast-1c (one subnet per AZ');
  });

  test('a remote service keeps every local AZ, still one subnet per AZ', async () => {
    const fake = new FakeEc2(twoGroups, { availabilityZones: ['ap-southeast-2a'], availabilityZoneIds: ['apse2-az1'] });
    const result = await filterSubnets(fake, { serviceName: 'svc', serviceRegion: 'ap-southeast-2', subnetIds: ['subnet-a', 'subnet-c', 'subnet-a2', 'subnet-c2'] }, far());
    expect(result.subnetIds).toEqual(['subnet-a', 'subnet-c']);
    expect(result.summary).toBe('remote service in ap-southeast-2: kept 2 of 4 subnets (ap-northeast-1a (apne1-az4), ap-northeast-1c (apne1-az1)); ' +
      'left out subnet-a2 in ap-northeast-1a (apne1-az4), subnet-c2 in ap-northeast-1c (apne1-az1) (one subnet per AZ: an earlier candidate is in that AZ)');
  });

  test('the answer to CloudFormation names what was left out and stays small with many candidates', async () => {
    // 20 subnet groups over 3 AZs, and one AZ the service does not offer.
    const many: SubnetInfo[] = [];
    for (let i = 0; i < 80; i++) {
      const az = 'abcd'[i % 4];
      many.push({ subnetId: `subnet-${String(i).padStart(17, '0')}`, availabilityZone: `ap-northeast-1${az}`, availabilityZoneId: `apne1-az${i % 4 + 1}` });
    }
    const fake = new FakeEc2(many, { availabilityZones: ['ap-northeast-1a', 'ap-northeast-1b', 'ap-northeast-1c'], availabilityZoneIds: ['apne1-az1', 'apne1-az2', 'apne1-az3'] });
    const cfn = await LocalServer.start(() => ({ status: 200 }));
    try {
      await runCustomResource({
        RequestType: 'Create',
        ResponseURL: `${cfn.url}/r`,
        StackId: 'arn:aws:cloudformation:ap-northeast-1:111111111111:stack/a-long-stack-name-for-a-platform-team/00000000-0000-0000-0000-000000000000',
        RequestId: '00000000-0000-0000-0000-000000000000',
        LogicalResourceId: 'HubDynatraceEndpointSupportedSubnets0123ABCD',
        ResourceType: 'Custom::PrivateLinkAzFilter',
        ResourceProperties: { ServiceName: 'svc', SubnetIds: many.map((s) => s.subnetId) },
      }, { getRemainingTimeInMillis: () => 60_000 }, (ctx) => azFilterWork(fake, ctx), { log: () => undefined });
      const answer = cfn.requests[0].json;
      expect(answer.Status).toBe('SUCCESS');
      expect(answer.Data.SubnetIds).toBe('subnet-00000000000000000,subnet-00000000000000001,subnet-00000000000000002');
      expect(answer.Data.Summary).toMatch(/^kept 3 of 80 subnets in supported AZs \[.*\]; left out subnet-00000000000000003 in ap-northeast-1d \(apne1-az4\), .*, and 12 more \(AZ not supported\); left out subnet-00000000000000004 in ap-northeast-1a \(apne1-az1\), .*, and 49 more \(one subnet per AZ/);
      expect(Buffer.byteLength(cfn.requests[0].body)).toBeLessThan(2_048);
    } finally {
      await cfn.stop();
    }
  });

  test('retries throttling, then succeeds', async () => {
    const fake = new FakeEc2(local, { availabilityZones: ['ap-northeast-1a'], availabilityZoneIds: [] }, [throttled(), throttled()]);
    const result = await filterSubnets(fake, { serviceName: 'svc', subnetIds: ['subnet-a'] }, far());
    expect(result.subnetIds).toEqual(['subnet-a']);
    expect(fake.calls.filter((c) => c.startsWith('DescribeVpcEndpointServices'))).toHaveLength(3);
  }, 20_000);

  test('gives up on throttling that outlasts the deadline, with the error', async () => {
    const sleeps: number[] = [];
    const call = jest.fn(async () => { throw throttled(); });
    await expect(withThrottleRetry(call, Date.now() + 2_000, async (ms) => { sleeps.push(ms); }, () => 1)).rejects.toThrow('Rate exceeded');
    // Capped exponential backoff; the 2 s wait would end past the deadline, so it stops there.
    expect(sleeps).toEqual([250, 500, 1000]);
    expect(call).toHaveBeenCalledTimes(4);
  });

  test('does not retry other errors', async () => {
    const call = jest.fn(async () => { throw Object.assign(new Error('denied'), { name: 'UnauthorizedOperation' }); });
    await expect(withThrottleRetry(call, far(), async () => undefined)).rejects.toThrow('denied');
    expect(call).toHaveBeenCalledTimes(1);
  });

  test('no candidate subnets is an error', async () => {
    await expect(filterSubnets(new FakeEc2([], undefined), { serviceName: 'svc', subnetIds: [] }, far())).rejects.toThrow('no candidate subnets were given');
  });

  test('a service region that is the function\'s own is a local service (Dynatrace\'s same-region case): no ServiceRegions', async () => {
    const work = (serviceRegion: string) => {
      const fake = new FakeEc2(local, { availabilityZones: ['ap-northeast-1a'], availabilityZoneIds: ['apne1-az4'] });
      return azFilterWork(fake, {
        event: {
          RequestType: 'Create',
          RequestId: 'r',
          ServiceToken: 'arn:aws:lambda:ap-northeast-1:111111111111:function:f',
          ResourceProperties: { ServiceName: 'svc', ServiceRegion: serviceRegion, SubnetIds: ['subnet-a', 'subnet-c'] },
        } as any,
        deadline: far(),
        signal: new AbortController().signal,
        redact: () => undefined,
        log: () => undefined,
      }).then((out) => ({ out, calls: fake.calls }));
    };
    const own = await work('ap-northeast-1');
    expect(own.calls[0]).toBe('DescribeVpcEndpointServices svc');
    expect(own.out.data?.SubnetIds).toBe('subnet-a');
    const remote = await work('ap-southeast-2');
    expect(remote.calls[0]).toBe('DescribeVpcEndpointServices svc ServiceRegions=ap-southeast-2');
  });

  test('delete makes no EC2 call', async () => {
    const fake = new FakeEc2(local, undefined);
    const out = await azFilterWork(fake, {
      event: { RequestType: 'Delete', PhysicalResourceId: 'az-filter-1', ResourceProperties: {} } as any,
      deadline: far(),
      signal: new AbortController().signal,
      redact: () => undefined,
      log: () => undefined,
    });
    expect(out).toEqual({ physicalResourceId: 'az-filter-1' });
    expect(fake.calls).toEqual([]);
  });

  test('a failure reaches CloudFormation as FAILED with the reason', async () => {
    const cfn = await LocalServer.start(() => ({ status: 200 }));
    try {
      const fake = new FakeEc2(local, { availabilityZones: ['ap-northeast-1d'], availabilityZoneIds: [] });
      await runCustomResource({
        RequestType: 'Create',
        ResponseURL: `${cfn.url}/r`,
        StackId: 's',
        RequestId: 'r1',
        LogicalResourceId: 'AzFilter',
        ResourceType: 'Custom::PrivateLinkAzFilter',
        ResourceProperties: { ServiceName: 'svc', SubnetIds: ['subnet-a'] },
      }, { getRemainingTimeInMillis: () => 60_000 }, (ctx) => azFilterWork(fake, ctx), { log: () => undefined });
      expect(cfn.requests[0].json).toMatchObject({
        Status: 'FAILED', Reason: 'endpoint service svc supports AZs [ap-northeast-1d], but the candidate subnets are in [subnet-a in ap-northeast-1a (apne1-az4)]: give subnets in a supported AZ',
      });
    } finally {
      await cfn.stop();
    }
  });
});
