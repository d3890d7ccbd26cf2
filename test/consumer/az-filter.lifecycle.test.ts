/*
 * Each row of the README's Lifecycle table for Custom::PrivateLinkAzFilter, driven through the
 * real handler work with a typed fake of the EC2 API that records its calls.
 */
import { AZ_FILTER_LIFECYCLE } from './az-filter.lifecycle';
import { azFilterWork, Ec2Reader, SubnetInfo } from '../../src/consumer/az-filter.lambda';
import { CustomResourceEvent, runCustomResource } from '../../src/internal/runtime/custom-resource';
import { collapse, LifecycleEvent, row } from '../lifecycle/lifecycle';
import { LocalServer } from '../support/local-server';

const SUBNETS: SubnetInfo[] = [
  { subnetId: 'subnet-a', availabilityZone: 'eu-west-1a', availabilityZoneId: 'euw1-az1' },
  { subnetId: 'subnet-b', availabilityZone: 'eu-west-1b', availabilityZoneId: 'euw1-az2' },
  // A second subnet group's subnet in the supported AZ.
  { subnetId: 'subnet-a2', availabilityZone: 'eu-west-1a', availabilityZoneId: 'euw1-az1' },
];

/** EC2 as the handler sees it; `hang` makes every call wait until its signal aborts it. */
class RecordingEc2 implements Ec2Reader {
  public readonly calls: string[] = [];
  public hang = false;
  public denied = false;

  public async describeSubnets(ids: string[], signal?: AbortSignal) {
    this.calls.push('ec2:DescribeSubnets');
    await this.answer(signal);
    return SUBNETS.filter((s) => ids.includes(s.subnetId));
  }

  public async describeService(_name: string, _region?: string, signal?: AbortSignal) {
    this.calls.push('ec2:DescribeVpcEndpointServices');
    await this.answer(signal);
    return { availabilityZones: ['eu-west-1a'], availabilityZoneIds: ['euw1-az1'] };
  }

  private async answer(signal?: AbortSignal): Promise<void> {
    if (this.denied) throw Object.assign(new Error('not authorized'), { name: 'UnauthorizedOperation' });
    if (this.hang) await new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));
  }
}

let cfn: LocalServer;
let ec2: RecordingEc2;
let requests = 0;
beforeEach(async () => {
  cfn = await LocalServer.start(() => ({ status: 200 }));
  ec2 = new RecordingEc2();
});
afterEach(() => cfn.stop());

function event(type: CustomResourceEvent['RequestType'], subnetIds: string[], extra: Partial<CustomResourceEvent> = {}): CustomResourceEvent {
  return {
    RequestType: type,
    ResponseURL: `${cfn.url}/r`,
    StackId: 's',
    RequestId: `req-${++requests}`,
    LogicalResourceId: 'SupportedSubnets',
    ResourceType: 'Custom::PrivateLinkAzFilter',
    ResourceProperties: { ServiceName: 'com.amazonaws.vpce.eu-west-1.vpce-svc-1', SubnetIds: subnetIds },
    ...extra,
  };
}

async function invoke(e: CustomResourceEvent, remainingMs = 60_000): Promise<any> {
  await runCustomResource(e, { getRemainingTimeInMillis: () => remainingMs }, (ctx) => azFilterWork(ec2, ctx),
    { log: () => undefined, reserveMs: 500, sleep: async () => undefined });
  return cfn.requests[cfn.requests.length - 1].json;
}

const both = ['subnet-a', 'subnet-b'];
const scenarios: Record<LifecycleEvent, (mark: () => void) => Promise<any>> = {
  'create': async (mark) => {
    mark();
    const answer = await invoke(event('Create', ['subnet-a2', 'subnet-b', 'subnet-a']));
    expect(answer).toMatchObject({ PhysicalResourceId: `az-filter-req-${requests}`, Data: { SubnetIds: 'subnet-a2' } });
    expect(answer.Data.Summary).toBe('kept 1 of 3 subnets in supported AZs [eu-west-1a (euw1-az1)]; left out subnet-b in eu-west-1b (euw1-az2) ' +
      '(AZ not supported); left out subnet-a in eu-west-1a (euw1-az1) (one subnet per AZ: an earlier candidate is in that AZ)');
    return answer;
  },
  'create delivered twice': async (mark) => {
    const e = event('Create', both);
    const first = await invoke(e);
    mark();
    const second = await invoke(e);
    expect(second.PhysicalResourceId).toBe(first.PhysicalResourceId);
    expect(second.Data).toEqual(first.Data);
    return second;
  },
  'update that changes nothing': async (mark) => {
    mark();
    const answer = await invoke(event('Update', both, { PhysicalResourceId: 'az-filter-req-0', OldResourceProperties: event('Create', both).ResourceProperties }));
    expect(answer).toMatchObject({ PhysicalResourceId: 'az-filter-req-0', Data: { SubnetIds: 'subnet-a' } });
    return answer;
  },
  'update that changes something': async (mark) => {
    mark();
    const answer = await invoke(event('Update', ['subnet-a'], { PhysicalResourceId: 'az-filter-req-0', OldResourceProperties: event('Create', both).ResourceProperties }));
    expect(answer).toMatchObject({ PhysicalResourceId: 'az-filter-req-0', Data: { SubnetIds: 'subnet-a' } });
    return answer;
  },
  'replacement': async (mark) => {
    const old = { ...event('Create', both).ResourceProperties, ServiceName: 'com.amazonaws.vpce.eu-west-1.vpce-svc-0' };
    mark();
    const answer = await invoke(event('Update', both, { PhysicalResourceId: 'az-filter-req-0', OldResourceProperties: old }));
    expect(answer.PhysicalResourceId).toBe('az-filter-req-0');
    return answer;
  },
  'delete': async (mark) => { mark(); return invoke(event('Delete', both, { PhysicalResourceId: 'az-filter-req-0' })); },
  'delete delivered twice': async (mark) => {
    mark();
    const e = event('Delete', both, { PhysicalResourceId: 'az-filter-req-0' });
    expect((await invoke(e)).Status).toBe('SUCCESS');
    return invoke(e);
  },
  'delete with a revoked token': async (mark) => {
    ec2.denied = true;
    mark();
    return invoke(event('Delete', both, { PhysicalResourceId: 'az-filter-req-0' }));
  },
  'vendor down during delete': async (mark) => {
    ec2.hang = true;
    mark();
    return invoke(event('Delete', both, { PhysicalResourceId: 'az-filter-req-0' }), 2_000);
  },
  'vendor never answering': async (mark) => {
    ec2.hang = true;
    mark();
    const answer = await invoke(event('Create', both), 1_600);
    expect(answer.Reason).toMatch(/^gave up after 1 s, before the Lambda timeout: the work was cancelled$/);
    return answer;
  },
  'update rolled back after an in-place update': async (mark) => {
    const before = ['subnet-a2', 'subnet-b'];
    const created = await invoke(event('Create', before));
    const id = created.PhysicalResourceId;
    const updated = await invoke(event('Update', ['subnet-a'], { PhysicalResourceId: id, OldResourceProperties: event('Create', before).ResourceProperties }));
    expect(updated.Data.SubnetIds).toBe('subnet-a');
    mark();
    const answer = await invoke(event('Update', before, { PhysicalResourceId: id, OldResourceProperties: event('Create', ['subnet-a']).ResourceProperties }));
    expect(answer).toMatchObject({ PhysicalResourceId: id, Data: { SubnetIds: 'subnet-a2', Summary: created.Data.Summary } });
    return answer;
  },
  'update rolled back after a replacement': async (mark) => {
    // Nothing replaces the filter; were a Delete of a newer physical ID sent, EC2 is not even asked.
    ec2.denied = true;
    mark();
    const answer = await invoke(event('Delete', ['subnet-a'], { PhysicalResourceId: 'az-filter-req-new' }));
    expect(answer.PhysicalResourceId).toBe('az-filter-req-new');
    return answer;
  },
  'create cancelled': async (mark) => {
    expect((await invoke(event('Create', both))).Status).toBe('SUCCESS');
    mark();
    const answer = await invoke(event('Delete', both, { PhysicalResourceId: 'Stack-SupportedSubnets-1A2B3C4D5E6F' }));
    expect(answer.PhysicalResourceId).toBe('Stack-SupportedSubnets-1A2B3C4D5E6F');
    return answer;
  },
  'delete when the vendor\'s host does not resolve': async (mark) => {
    ec2.hang = true;
    mark();
    return invoke(event('Delete', both, { PhysicalResourceId: 'az-filter-req-0' }), 2_000);
  },
  'delete when the credential secret is deleted, pending deletion, or its key refuses': async (mark) => {
    ec2.denied = true;
    mark();
    const answer = await invoke(event('Delete', both, { PhysicalResourceId: 'az-filter-req-0' }));
    expect(answer.Reason ?? '').not.toMatch(/secret/i);
    return answer;
  },
};

describe(AZ_FILTER_LIFECYCLE.resource, () => {
  test.each(AZ_FILTER_LIFECYCLE.rows.map((r) => [r.event]))('%s', async (name) => {
    const expected = row(AZ_FILTER_LIFECYCLE, name as LifecycleEvent);
    let from = 0;
    const answer = await scenarios[name as LifecycleEvent](() => { from = ec2.calls.length; });
    expect(collapse(ec2.calls.slice(from))).toEqual(expected.calls);
    expect(answer.Status).toBe(expected.status);
  });
});
