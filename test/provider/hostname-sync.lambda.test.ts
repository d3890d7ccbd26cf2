import {
  config, dnsError, motoTargetGroup, MotoTargetGroup, PORT, quiet, recordingMetrics, ScriptedResolver, TestClock,
} from './hostname-sync-fixtures';
import { parseState } from '../../src/provider/hostname-sync-state';
import {
  configFromEnv, embeddedMetrics, sdkTargetGroup, STATE_TAG, SyncError, syncTargets, TargetGroupApi,
} from '../../src/provider/hostname-sync.lambda';
import { Moto, startMoto } from '../support/moto';

const OLD = '10.0.1.10';
const NEW = '10.0.2.20';

let moto: Moto;
let tg: MotoTargetGroup;
let clock: TestClock;
/** The clock when the test began: the time a first miss is recorded with unless the test moves the clock. */
let T0: number;

beforeAll(async () => {
  moto = await startMoto();
  // moto loads its EC2 and ELBv2 models on first use, which takes seconds: not in a test's time.
  await motoTargetGroup(moto);
}, 60_000);
afterAll(async () => moto?.stop());
beforeEach(async () => {
  tg = await motoTargetGroup(moto);
  clock = new TestClock();
  T0 = clock.seconds;
}, 30_000);

async function run(resolver: ScriptedResolver, overrides = {}, api: TargetGroupApi = tg.api) {
  const metrics = recordingMetrics();
  const result = await syncTargets(config(overrides), { targetGroup: api, resolver, metrics: metrics.sink, log: quiet, now: clock.now });
  return { result, metrics: metrics.published };
}

async function runExpectingFailure(resolver: ScriptedResolver, overrides = {}, api: TargetGroupApi = tg.api) {
  const metrics = recordingMetrics();
  const deps = { targetGroup: api, resolver, metrics: metrics.sink, log: quiet, now: clock.now };
  const error = await syncTargets(config(overrides), deps).then(() => undefined, (e) => e);
  expect(error).toBeInstanceOf(SyncError);
  return { error: error as SyncError, metrics: metrics.published };
}

describe('against moto (ELBv2)', () => {
  test('a new address is registered at once, with the target port', async () => {
    const { result, metrics } = await run(new ScriptedResolver([OLD]));
    expect(result.registered).toEqual([OLD]);
    expect(await tg.targets()).toEqual([`${OLD}:${PORT}`]);
    expect(metrics).toEqual([{ ipCount: 1, registrations: 1, deregistrations: 0, failures: 0 }]);
  });

  test('a run that finds nothing to change makes no write and publishes zero changes', async () => {
    await run(new ScriptedResolver([OLD]));
    const { result, metrics } = await run(new ScriptedResolver([OLD]));
    expect(result).toMatchObject({ registered: [], deregistered: [], missing: {} });
    expect(metrics[0]).toEqual({ ipCount: 1, registrations: 0, deregistrations: 0, failures: 0 });
    expect(await tg.stateTag()).toBeUndefined();
  });

  test('a removed address stays registered for two missed runs and is deregistered on the third', async () => {
    const resolver = new ScriptedResolver([OLD]);
    await run(resolver);
    resolver.answer([NEW]);

    const first = await run(resolver);
    expect(first.result.registered).toEqual([NEW]);
    expect(await tg.targets()).toEqual([`${OLD}:${PORT}`, `${NEW}:${PORT}`]);
    expect(await tg.stateTag()).toBe(`${OLD}=1@${T0}`);

    await run(resolver);
    expect(await tg.stateTag()).toBe(`${OLD}=2@${T0}`);
    expect(await tg.targets()).toContain(`${OLD}:${PORT}`);

    const third = await run(resolver);
    expect(third.result.deregistered).toEqual([OLD]);
    expect(third.metrics[0]).toEqual({ ipCount: 1, registrations: 0, deregistrations: 1, failures: 0 });
    expect(await tg.targets()).toEqual([`${NEW}:${PORT}`]);
    expect(await tg.stateTag()).toBeUndefined();
  });

  test('the grace period is configurable: 1 deregisters on the first miss', async () => {
    const resolver = new ScriptedResolver([OLD]);
    await run(resolver);
    resolver.answer([NEW]);
    const { result } = await run(resolver, { missedRunsBeforeDeregistration: 1 });
    expect(result).toMatchObject({ registered: [NEW], deregistered: [OLD] });
    expect(await tg.targets()).toEqual([`${NEW}:${PORT}`]);
  });

  test('a flapping answer never reaches the threshold, so the address is never deregistered', async () => {
    const resolver = new ScriptedResolver([OLD, NEW]);
    await run(resolver);
    for (const answer of [[NEW], [OLD, NEW], [NEW], [NEW], [OLD, NEW], [NEW], [NEW], [OLD, NEW]]) {
      resolver.answer(answer);
      const { result } = await run(resolver);
      expect(result.deregistered).toEqual([]);
    }
    expect(await tg.targets()).toEqual([`${OLD}:${PORT}`, `${NEW}:${PORT}`]);
    expect(await tg.stateTag()).toBeUndefined();
  });

  test('a resolver failure deregisters nothing, moves no counter, and fails the run', async () => {
    const resolver = new ScriptedResolver([OLD]);
    await run(resolver);
    resolver.answer([NEW]);
    await run(resolver); // OLD=1
    for (const code of ['ETIMEOUT', 'ESERVFAIL', 'ENOTFOUND']) {
      resolver.answer(dnsError(code));
      const { error, metrics } = await runExpectingFailure(resolver);
      expect(error.message).toMatch(new RegExp(`resolving db\\.cluster-abc.* failed \\(lookup 1: .*${code}.*\\); no target was deregistered`));
      expect(error.result.deregistered).toEqual([]);
      expect(metrics[0]).toEqual({ ipCount: 0, registrations: 0, deregistrations: 0, failures: 1 });
    }
    expect(await tg.targets()).toEqual([`${OLD}:${PORT}`, `${NEW}:${PORT}`]);
    expect(await tg.stateTag()).toBe(`${OLD}=1@${T0}`);
  });

  test('one failed lookup among several still registers what the others found, but deregisters nothing', async () => {
    const resolver = new ScriptedResolver([OLD]);
    await run(resolver, { missedRunsBeforeDeregistration: 1 });
    resolver.answer([NEW], dnsError('ETIMEOUT'), [NEW]);
    const { error } = await runExpectingFailure(resolver, { lookupsPerRun: 3, missedRunsBeforeDeregistration: 1 });
    expect(error.message).toMatch(/lookup 2: .*ETIMEOUT/);
    expect(error.result).toMatchObject({ registered: [NEW], deregistered: [] });
    expect(await tg.targets()).toEqual([`${OLD}:${PORT}`, `${NEW}:${PORT}`]);
  });

  test('an empty answer counts as a failure, not as "every address is gone"', async () => {
    const resolver = new ScriptedResolver([OLD]);
    await run(resolver, { missedRunsBeforeDeregistration: 1 });
    resolver.answer([]);
    const { error } = await runExpectingFailure(resolver, { missedRunsBeforeDeregistration: 1 });
    expect(error.message).toMatch(/no addresses in the answer/);
    expect(await tg.targets()).toEqual([`${OLD}:${PORT}`]);
  });

  test('Aurora reader endpoint: the union of several round-robin lookups registers every reader', async () => {
    const readers = ['10.0.1.31', '10.0.1.32', '10.0.2.33'];
    const resolver = new ScriptedResolver([readers[0]], [readers[1]], [readers[2]], [readers[0]], [readers[1]]);
    const { result } = await run(resolver, { lookupsPerRun: 5 });
    expect(resolver.lookups).toBe(5);
    expect(result.registered).toEqual(readers);
    expect(await tg.targets()).toEqual(readers.map((ip) => `${ip}:${PORT}`));
  });

  test('Aurora reader endpoint: a reader the lookups happen to miss in one run is not deregistered', async () => {
    const readers = ['10.0.1.31', '10.0.1.32', '10.0.2.33'];
    await run(new ScriptedResolver([readers[0]], [readers[1]], [readers[2]]), { lookupsPerRun: 3 });
    // An unlucky run sees only two of the three readers.
    const unlucky = await run(new ScriptedResolver([readers[0]], [readers[1]], [readers[0]]), { lookupsPerRun: 3 });
    expect(unlucky.result.deregistered).toEqual([]);
    expect(await tg.stateTag()).toBe(`${readers[2]}=1@${T0}`);
    // The next run sees it again: its count restarts.
    await run(new ScriptedResolver([readers[2]], [readers[1]], [readers[0]]), { lookupsPerRun: 3 });
    expect(await tg.stateTag()).toBeUndefined();
    expect(await tg.targets()).toHaveLength(3);
  });

  test('Aurora writer endpoint: after a failover the new writer is registered and the old one deregistered after the grace', async () => {
    const writer = new ScriptedResolver(['10.0.1.40']);
    await run(writer, { lookupsPerRun: 3 });
    writer.answer(['10.0.2.41']);
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push((await run(writer, { lookupsPerRun: 3 })).result);
    expect(runs.map((r) => [r.registered, r.deregistered])).toEqual([
      [['10.0.2.41'], []], [[], []], [[], ['10.0.1.40']],
    ]);
    expect(await tg.targets()).toEqual([`10.0.2.41:${PORT}`]);
  });

  test('a target on another port (an earlier port setting) is deregistered at once', async () => {
    await tg.api.registerTargets([{ id: '10.0.1.50', port: 3306 }]);
    const { result } = await run(new ScriptedResolver([OLD]));
    expect(result.deregistered).toEqual(['10.0.1.50:3306']);
    expect(await tg.targets()).toEqual([`${OLD}:${PORT}`]);
  });

  test('reading the target group fails against a target group that does not exist', async () => {
    const api = sdkTargetGroup(tg.client, tg.arn.replace(/sync-test-\d+/, 'nope'));
    const { error, metrics } = await runExpectingFailure(new ScriptedResolver([OLD]), {}, api);
    expect(error.message).toMatch(/reading the target group failed: TargetGroupNotFound/);
    expect(metrics[0].failures).toBe(1);
  });
});

describe('the grace is counted in runs and in time (against moto)', () => {
  const GRACE = { missedRunsBeforeDeregistration: 3, missingSecondsBeforeDeregistration: 180 };

  /** OLD registered, then the name moves to NEW. */
  async function failover(): Promise<ScriptedResolver> {
    const resolver = new ScriptedResolver([OLD]);
    await run(resolver, GRACE);
    resolver.answer([NEW]);
    return resolver;
  }

  test('a burst of 5 runs within 10 seconds meets the run grace but not the time: nothing is deregistered', async () => {
    const resolver = await failover();
    for (const t of [0, 2, 5, 7, 10]) {
      clock.seconds = T0 + t;
      const { result } = await run(resolver, GRACE);
      expect(result.deregistered).toEqual([]);
    }
    expect(await tg.targets()).toEqual([`${OLD}:${PORT}`, `${NEW}:${PORT}`]);
    // Five runs missed OLD; the time is that of the first of them.
    expect(await tg.stateTag()).toBe(`${OLD}=5@${T0}`);
  });

  test('the time has passed but too few runs missed the address: nothing is deregistered', async () => {
    const resolver = await failover();
    await run(resolver, GRACE);
    clock.advance(3600);
    const { result } = await run(resolver, GRACE);
    expect(result.deregistered).toEqual([]);
    expect(await tg.stateTag()).toBe(`${OLD}=2@${T0}`);
    expect(await tg.targets()).toContain(`${OLD}:${PORT}`);
  });

  test('both met: deregistered by the first run at least 180 s after the first miss, and not one second earlier', async () => {
    const resolver = await failover();
    for (const t of [0, 60, 120, 179]) {
      clock.seconds = T0 + t;
      expect((await run(resolver, GRACE)).result.deregistered).toEqual([]);
    }
    clock.seconds = T0 + 180;
    const { result, metrics } = await run(resolver, GRACE);
    expect(result.deregistered).toEqual([OLD]);
    expect(metrics[0].deregistrations).toBe(1);
    expect(await tg.targets()).toEqual([`${NEW}:${PORT}`]);
    expect(await tg.stateTag()).toBeUndefined();
  });

  test('an address that comes back loses its entry: a later miss starts both graces again', async () => {
    const resolver = await failover();
    await run(resolver, GRACE);
    clock.advance(60);
    await run(resolver, GRACE);
    expect(await tg.stateTag()).toBe(`${OLD}=2@${T0}`);

    clock.advance(60);
    resolver.answer([OLD, NEW]);
    await run(resolver, GRACE);
    expect(await tg.stateTag()).toBeUndefined();

    clock.advance(60);
    resolver.answer([NEW]);
    const missedAgain = clock.seconds;
    await run(resolver, GRACE);
    clock.advance(60);
    await run(resolver, GRACE);
    clock.advance(60);
    // 300 s after the first miss and 5 misses in all, but only 3 and 120 s since OLD came back: kept.
    const { result } = await run(resolver, GRACE);
    expect(result.deregistered).toEqual([]);
    expect(await tg.stateTag()).toBe(`${OLD}=3@${missedAgain}`);
  });

  test('a tag in the format before the time grace (ip=count) keeps its count and starts the time grace at the upgrade', async () => {
    const resolver = await failover();
    await tg.api.writeState(`${OLD}=2`);
    clock.advance(600);
    const upgraded = clock.seconds;
    const first = await run(resolver, GRACE);
    expect(first.result).toMatchObject({ registered: [NEW], deregistered: [] });
    expect(await tg.stateTag()).toBe(`${OLD}=3@${upgraded}`);

    clock.advance(179);
    expect((await run(resolver, GRACE)).result.deregistered).toEqual([]);
    clock.advance(1);
    expect((await run(resolver, GRACE)).result.deregistered).toEqual([OLD]);
  });

  test('many missing addresses: the tag, timestamps included, stays within 256 characters and reads back', async () => {
    const gone = Array.from({ length: 12 }, (_, i) => `10.0.${100 + i}.${200 + i}`);
    await run(new ScriptedResolver(gone), GRACE);
    await run(new ScriptedResolver([NEW]), GRACE);
    const tag = (await tg.stateTag())!;
    expect(tag.length).toBeLessThanOrEqual(256);
    expect(tag).toMatch(/^[\w.:/=+\-@ ]*$/); // what ELBv2 tag values allow
    // 9 entries of 25 characters fit; the 3 dropped restart their grace, which only delays them.
    const kept = parseState(tag, clock.seconds);
    expect(Object.keys(kept)).toHaveLength(9);
    expect(Object.values(kept).every((m) => m.runs === 1 && m.since === T0)).toBe(true);
    expect(await tg.targets()).toHaveLength(13);
  });
});

/** Wraps a real (moto) target group and makes chosen calls fail, as a throttled API does. */
function failing(api: TargetGroupApi, calls: Partial<Record<keyof TargetGroupApi, Error>>): TargetGroupApi & { calls: string[] } {
  const log: string[] = [];
  const wrapped = {} as TargetGroupApi & { calls: string[] };
  for (const name of Object.keys(api) as (keyof TargetGroupApi)[]) {
    (wrapped as any)[name] = async (...args: any[]) => {
      log.push(name);
      if (calls[name]) throw calls[name];
      return (api[name] as any)(...args);
    };
  }
  wrapped.calls = log;
  return wrapped;
}

function throttled(): Error {
  return Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
}

describe('throttling and API failures (a typed fake around moto)', () => {
  test('throttled registration: nothing is deregistered, no counter moves, the run fails', async () => {
    const resolver = new ScriptedResolver([OLD]);
    await run(resolver);
    resolver.answer([NEW]);
    await run(resolver);
    await run(resolver); // OLD=2: the next complete run would deregister it
    const api = failing(tg.api, { registerTargets: throttled() });
    resolver.answer(['10.0.2.99']);
    const { error } = await runExpectingFailure(resolver, {}, api);
    expect(error.message).toMatch(/registering 10\.0\.2\.99 failed: ThrottlingException: Rate exceeded; no target was deregistered/);
    expect(api.calls).not.toContain('deregisterTargets');
    expect(await tg.targets()).toEqual([`${OLD}:${PORT}`, `${NEW}:${PORT}`]);
    expect(await tg.stateTag()).toBe(`${OLD}=2@${T0}`);
  });

  test('throttled deregistration: the counter stays at the threshold and the next run retries', async () => {
    const resolver = new ScriptedResolver([OLD]);
    await run(resolver, { missedRunsBeforeDeregistration: 1 });
    resolver.answer([NEW]);
    const api = failing(tg.api, { deregisterTargets: throttled() });
    const { error } = await runExpectingFailure(resolver, { missedRunsBeforeDeregistration: 1 }, api);
    expect(error.message).toMatch(/deregistering 10\.0\.1\.10 failed: ThrottlingException/);
    expect(error.result.registered).toEqual([NEW]);
    expect(await tg.stateTag()).toBe(`${OLD}=1@${T0}`);
    const retry = await run(resolver, { missedRunsBeforeDeregistration: 1 });
    expect(retry.result.deregistered).toEqual([OLD]);
  });

  test('throttled tag write: the changes stand, the run fails, and the old counters stay', async () => {
    const resolver = new ScriptedResolver([OLD]);
    await run(resolver);
    resolver.answer([NEW]);
    const api = failing(tg.api, { writeState: throttled() });
    const { error } = await runExpectingFailure(resolver, {}, api);
    expect(error.message).toMatch(/saving the deregistration state failed: ThrottlingException/);
    expect(error.result.registered).toEqual([NEW]);
    expect(await tg.stateTag()).toBeUndefined();
  });

  test('throttled describe: the run does nothing and fails', async () => {
    const api = failing(tg.api, { describeTargets: throttled() });
    const resolver = new ScriptedResolver([OLD]);
    const { error, metrics } = await runExpectingFailure(resolver, {}, api);
    expect(error.message).toMatch(/reading the target group failed: ThrottlingException/);
    expect(api.calls).toEqual(['describeTargets']);
    expect(resolver.lookups).toBe(0);
    expect(metrics[0]).toEqual({ ipCount: 0, registrations: 0, deregistrations: 0, failures: 1 });
  });
});

describe('registration details (a typed fake records the calls moto does not keep)', () => {
  function recorder(existing: { id: string; port: number; state?: string }[] = []) {
    const registered: any[] = [];
    const api: TargetGroupApi = {
      describeTargets: async () => existing,
      registerTargets: async (t) => { registered.push(...t); },
      deregisterTargets: async () => undefined,
      readState: async () => undefined,
      writeState: async () => undefined,
    };
    return { api, registered };
  }

  test('an address outside the VPC is registered with AvailabilityZone "all"; one inside, without', async () => {
    const { api, registered } = recorder();
    await syncTargets(config({ vpcCidrBlocks: ['10.0.0.0/16', '100.64.0.0/16'] }), {
      targetGroup: api, resolver: new ScriptedResolver(['10.0.1.10', '100.64.3.3', '172.16.0.5']), metrics: quiet, log: quiet,
    });
    expect(registered).toEqual([
      { id: '10.0.1.10', port: PORT },
      { id: '100.64.3.3', port: PORT },
      { id: '172.16.0.5', port: PORT, availabilityZone: 'all' },
    ]);
  });

  test('IPv6 addresses are compared with IPv6 blocks', async () => {
    const { api, registered } = recorder();
    await syncTargets(config({ vpcCidrBlocks: ['2001:db8:1::/56'] }), {
      targetGroup: api, resolver: new ScriptedResolver(['2001:db8:1:2::10', '2001:db8:2::10']), metrics: quiet, log: quiet,
    });
    expect(registered).toEqual([
      { id: '2001:db8:1:2::10', port: PORT },
      { id: '2001:db8:2::10', port: PORT, availabilityZone: 'all' },
    ]);
  });

  test('a draining target whose address comes back is registered again', async () => {
    const { api, registered } = recorder([{ id: OLD, port: PORT, state: 'draining' }]);
    await syncTargets(config(), { targetGroup: api, resolver: new ScriptedResolver([OLD]), metrics: quiet, log: quiet });
    expect(registered).toEqual([{ id: OLD, port: PORT }]);
  });
});

describe('metrics and configuration helpers', () => {
  test('metrics are one Embedded Metric Format line', () => {
    const lines: string[] = [];
    embeddedMetrics('NS', { TargetGroup: 'targetgroup/x/1' }, (l) => lines.push(l))(
      { ipCount: 2, registrations: 1, deregistrations: 0, failures: 0 });
    const line = JSON.parse(lines[0]);
    expect(line._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'NS', Dimensions: [['TargetGroup']] });
    expect(line._aws.CloudWatchMetrics[0].Metrics.map((m: any) => m.Name)).toEqual(['IpCount', 'Registrations', 'Deregistrations', 'Failures']);
    expect(line).toMatchObject({ TargetGroup: 'targetgroup/x/1', IpCount: 2, Registrations: 1, Deregistrations: 0, Failures: 0 });
  });

  test('configuration comes from the environment, and a missing variable is named', () => {
    expect(configFromEnv({
      HOSTNAME_TO_SYNC: 'db.example.com',
      TARGET_GROUP_ARN: 'arn',
      TARGET_PORT: '5432',
      MISSED_RUNS_BEFORE_DEREGISTRATION: '4',
      MISSING_SECONDS_BEFORE_DEREGISTRATION: '600',
      LOOKUPS_PER_RUN: '2',
      VPC_CIDR_BLOCKS: '10.0.0.0/16,10.1.0.0/16',
      IP_ADDRESS_TYPE: 'ipv6',
    })).toMatchObject({
      hostname: 'db.example.com',
      port: 5432,
      missedRunsBeforeDeregistration: 4,
      missingSecondsBeforeDeregistration: 600,
      lookupsPerRun: 2,
      vpcCidrBlocks: ['10.0.0.0/16', '10.1.0.0/16'],
      family: 'IPV6',
    });
    expect(configFromEnv({ HOSTNAME_TO_SYNC: 'h', TARGET_GROUP_ARN: 'arn', TARGET_PORT: '1' })).toMatchObject({
      missedRunsBeforeDeregistration: 3, missingSecondsBeforeDeregistration: 180,
    });
    expect(() => configFromEnv({ TARGET_GROUP_ARN: 'arn', TARGET_PORT: '1' })).toThrow(/HOSTNAME_TO_SYNC is not set/);
  });

  test('the state tag key is what the construct grants tagging for', () => {
    expect(STATE_TAG).toBe('saas-privatelink:missing-runs');
  });
});
