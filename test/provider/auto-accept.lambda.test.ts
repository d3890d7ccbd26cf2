import {
  AcceptVpcEndpointConnectionsCommand, DescribeVpcEndpointConnectionsCommand, RejectVpcEndpointConnectionsCommand,
} from '@aws-sdk/client-ec2';
import {
  accountOf, configFromEnv, EndpointConnectionsApi, PendingConnection, sdkEndpointConnections, sweep, SweepConfig,
} from '../../src/provider/auto-accept.lambda';

const SERVICE = 'vpce-svc-0123456789abcdef0';
const RIVERY = '012922587834';
const STRANGER = '999999999999';
const quiet = () => undefined;

/*
 * moto does not implement DescribeVpcEndpointConnections, AcceptVpcEndpointConnections or
 * RejectVpcEndpointConnections, so the EC2 client is a typed fake that keeps connection states
 * the way EC2 does and answers with the SDK's own command shapes.
 */
class FakeEc2 {
  public readonly sent: any[] = [];
  public failNext?: Error;
  public unsuccessful: Record<string, string> = {};
  public pageSize = 2;
  constructor(public readonly connections: { id: string; owner: string; state: string }[]) {}

  async send(command: any): Promise<any> {
    this.sent.push(command);
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = undefined;
      throw error;
    }
    const input = command.input;
    if (command instanceof DescribeVpcEndpointConnectionsCommand) {
      const filter = (name: string) => input.Filters.find((f: any) => f.Name === name)?.Values ?? [];
      expect(filter('service-id')).toEqual([SERVICE]);
      const states = filter('vpc-endpoint-state');
      const matching = this.connections.filter((c) => states.length === 0 || states.includes(c.state));
      const start = Number(input.NextToken ?? 0);
      const page = matching.slice(start, start + this.pageSize);
      return {
        VpcEndpointConnections: page.map((c) => ({ ServiceId: SERVICE, VpcEndpointId: c.id, VpcEndpointOwner: c.owner, VpcEndpointState: c.state })),
        NextToken: start + this.pageSize < matching.length ? String(start + this.pageSize) : undefined,
      };
    }
    const next = command instanceof AcceptVpcEndpointConnectionsCommand ? 'available'
      : command instanceof RejectVpcEndpointConnectionsCommand ? 'rejected' : undefined;
    if (!next) throw new Error(`unexpected command ${command.constructor.name}`);
    expect(input.ServiceId).toBe(SERVICE);
    const failed = input.VpcEndpointIds.filter((id: string) => this.unsuccessful[id]);
    for (const c of this.connections) {
      if (input.VpcEndpointIds.includes(c.id) && !this.unsuccessful[c.id]) c.state = next;
    }
    return { Unsuccessful: failed.map((id: string) => ({ ResourceId: id, Error: { Code: 'InvalidState', Message: this.unsuccessful[id] } })) };
  }
}

function config(overrides: Partial<SweepConfig> = {}): SweepConfig {
  return { serviceId: SERVICE, allowedPrincipals: [`arn:aws:iam::${RIVERY}:root`], unlisted: 'leave', ...overrides };
}

function sampleConnections() {
  return [
    { id: 'vpce-1', owner: RIVERY, state: 'pendingAcceptance' },
    { id: 'vpce-2', owner: STRANGER, state: 'pendingAcceptance' },
    { id: 'vpce-3', owner: RIVERY, state: 'available' },
    { id: 'vpce-4', owner: RIVERY, state: 'pendingAcceptance' },
    { id: 'vpce-5', owner: RIVERY, state: 'rejected' },
  ];
}

const stateOf = (ec2: FakeEc2) => Object.fromEntries(ec2.connections.map((c) => [c.id, c.state]));

describe('auto-accept sweep', () => {
  test('accepts pending connections from allowed accounts and leaves the others pending', async () => {
    const ec2 = new FakeEc2(sampleConnections());
    const result = await sweep(config(), sdkEndpointConnections(ec2), quiet);
    expect(result).toEqual({ accepted: ['vpce-1', 'vpce-4'], rejected: [], leftPending: ['vpce-2'], failures: [] });
    expect(stateOf(ec2)).toEqual({
      'vpce-1': 'available', 'vpce-2': 'pendingAcceptance', 'vpce-3': 'available', 'vpce-4': 'available', 'vpce-5': 'rejected',
    });
    expect(ec2.sent.filter((c) => c instanceof RejectVpcEndpointConnectionsCommand)).toHaveLength(0);
  });

  test('rejects the others when configured to', async () => {
    const ec2 = new FakeEc2(sampleConnections());
    const result = await sweep(config({ unlisted: 'reject' }), sdkEndpointConnections(ec2), quiet);
    expect(result).toMatchObject({ accepted: ['vpce-1', 'vpce-4'], rejected: ['vpce-2'], leftPending: [] });
    expect(stateOf(ec2)['vpce-2']).toBe('rejected');
  });

  test('follows NextToken through every page of pending connections', async () => {
    const many = Array.from({ length: 7 }, (_, i) => ({ id: `vpce-p${i}`, owner: RIVERY, state: 'pendingAcceptance' }));
    const ec2 = new FakeEc2(many);
    const result = await sweep(config(), sdkEndpointConnections(ec2), quiet);
    expect(result.accepted).toHaveLength(7);
    expect(ec2.sent.filter((c) => c instanceof DescribeVpcEndpointConnectionsCommand)).toHaveLength(4);
  });

  test('nothing pending: no accept or reject call', async () => {
    const ec2 = new FakeEc2([{ id: 'vpce-3', owner: RIVERY, state: 'available' }]);
    await sweep(config({ unlisted: 'reject' }), sdkEndpointConnections(ec2), quiet);
    expect(ec2.sent.map((c) => c.constructor.name)).toEqual(['DescribeVpcEndpointConnectionsCommand']);
  });

  test('account IDs, role ARNs and the API\'s capitalised state are all understood', async () => {
    const ec2 = new FakeEc2([
      { id: 'vpce-a', owner: '111111111111', state: 'pendingAcceptance' },
      { id: 'vpce-b', owner: '222222222222', state: 'pendingAcceptance' },
    ]);
    const result = await sweep(config({ allowedPrincipals: ['111111111111', 'arn:aws-cn:iam::222222222222:role/vendor'] }), sdkEndpointConnections(ec2), quiet);
    expect(result.accepted).toEqual(['vpce-a', 'vpce-b']);

    const api = sdkEndpointConnections({
      send: async () => ({ VpcEndpointConnections: [{ VpcEndpointId: 'vpce-c', VpcEndpointOwner: RIVERY, VpcEndpointState: 'PendingAcceptance' }] }),
    } as any);
    expect(await api.pendingConnections(SERVICE)).toEqual([{ endpointId: 'vpce-c', owner: RIVERY }]);
  });

  test('an accept the API reports unsuccessful fails the run, after the rest is done', async () => {
    const ec2 = new FakeEc2(sampleConnections());
    ec2.unsuccessful = { 'vpce-1': 'The endpoint is not in pendingAcceptance state' };
    const error = await sweep(config({ unlisted: 'reject' }), sdkEndpointConnections(ec2), quiet).catch((e) => e);
    expect(error.message).toBe(`auto-accept for ${SERVICE} failed: accept vpce-1: InvalidState: The endpoint is not in pendingAcceptance state`);
    expect(stateOf(ec2)).toMatchObject({ 'vpce-4': 'available', 'vpce-2': 'rejected' });
  });

  test('a throttled accept fails the run but the reject still happens', async () => {
    const calls: string[] = [];
    const api: EndpointConnectionsApi = {
      pendingConnections: async (): Promise<PendingConnection[]> => [{ endpointId: 'vpce-1', owner: RIVERY }, { endpointId: 'vpce-2', owner: STRANGER }],
      accept: async () => { calls.push('accept'); throw Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded' }); },
      reject: async () => { calls.push('reject'); return {}; },
    };
    await expect(sweep(config({ unlisted: 'reject' }), api, quiet)).rejects.toThrow(/accept vpce-1: RequestLimitExceeded: Rate exceeded/);
    expect(calls).toEqual(['accept', 'reject']);
  });

  test('a failed describe fails the run without accepting anything', async () => {
    const ec2 = new FakeEc2(sampleConnections());
    ec2.failNext = Object.assign(new Error('not authorized'), { name: 'UnauthorizedOperation' });
    await expect(sweep(config(), sdkEndpointConnections(ec2), quiet)).rejects.toThrow(/not authorized/);
    expect(ec2.sent).toHaveLength(1);
  });

  test('a malformed allowed principal fails the run before any call', async () => {
    const ec2 = new FakeEc2(sampleConnections());
    await expect(sweep(config({ allowedPrincipals: ['rivery'] }), sdkEndpointConnections(ec2), quiet))
      .rejects.toThrow('allowed principal "rivery" is neither a 12-digit account ID nor an IAM ARN');
    expect(ec2.sent).toHaveLength(0);
  });

  test('logs one line with what it did and which unlisted owners it saw', async () => {
    const lines: string[] = [];
    await sweep(config(), sdkEndpointConnections(new FakeEc2(sampleConnections())), (l) => lines.push(l));
    expect(JSON.parse(lines[0])).toMatchObject({ serviceId: SERVICE, accepted: ['vpce-1', 'vpce-4'], unlistedOwners: [STRANGER] });
  });
});

describe('auto-accept configuration', () => {
  test('accountOf', () => {
    expect(accountOf('arn:aws:iam::012922587834:root')).toBe(RIVERY);
    expect(accountOf(' 012922587834 ')).toBe(RIVERY);
    expect(() => accountOf('arn:aws:iam::12:root')).toThrow(/neither a 12-digit account ID nor an IAM ARN/);
  });

  test('reads the environment and names a missing variable', () => {
    expect(configFromEnv({ SERVICE_ID: SERVICE, ALLOWED_PRINCIPALS: 'a,b', UNLISTED_CONNECTIONS: 'reject' }))
      .toEqual({ serviceId: SERVICE, allowedPrincipals: ['a', 'b'], unlisted: 'reject' });
    expect(configFromEnv({ SERVICE_ID: SERVICE, ALLOWED_PRINCIPALS: 'a' }).unlisted).toBe('leave');
    expect(() => configFromEnv({ ALLOWED_PRINCIPALS: 'a' })).toThrow('environment variable SERVICE_ID is not set');
    expect(() => configFromEnv({ SERVICE_ID: SERVICE })).toThrow('environment variable ALLOWED_PRINCIPALS is not set');
  });
});
