/*
 * Simulates an Aurora writer failover against moto and prints how the target group converges.
 * The figure it prints is the one in the README (section HostnameTargetSync).
 *
 * One failover sends several RDS events within seconds (failover, availability, …); the schedule
 * runs every minute. The function's reserved concurrency of 1 serializes the runs, so they are
 * simulated one after another, each with the clock at its trigger time and the default grace:
 * 3 missed runs and 180 s since the first miss.
 */
import { config, motoTargetGroup, PORT, quiet, ScriptedResolver, TestClock } from './hostname-sync-fixtures';
import { syncTargets } from '../../src/provider/hostname-sync.lambda';
import { Moto, startMoto } from '../support/moto';

const OLD = '10.0.1.10';
const NEW = '10.0.2.20';
const INTERVAL_S = 60;
const EVENTS_S = [0, 2, 4, 6];
const GRACE = { missedRunsBeforeDeregistration: 3, missingSecondsBeforeDeregistration: 180 };

let moto: Moto;
beforeAll(async () => {
  moto = await startMoto();
}, 60_000);
afterAll(async () => moto?.stop());

interface Step {
  readonly invocation: number;
  readonly t: number;
  readonly trigger: string;
  readonly answer: string;
  readonly registered: string[];
  readonly deregistered: string[];
  /** The old address's grace as the run left it: runs that missed it and seconds since the first. */
  readonly oldMissing?: { runs: number; seconds: number };
  readonly targets: string[];
}

/**
 * Failover at t=0: RDS events invoke the sync at 0, 2, 4 and 6 s, the schedule every minute
 * after. The writer's DNS name answers the new address from t=dnsDelay on.
 */
async function simulate(dnsDelay: number): Promise<Step[]> {
  const tg = await motoTargetGroup(moto);
  const resolver = new ScriptedResolver([OLD]);
  const clock = new TestClock();
  const settings = config({ lookupsPerRun: 3, ...GRACE });
  const deps = { targetGroup: tg.api, resolver, metrics: quiet, log: quiet, now: clock.now };
  const start = clock.seconds;
  clock.seconds = start - INTERVAL_S;
  await syncTargets(settings, deps); // steady state before the failover

  const invocations = EVENTS_S.map((t) => ({ t, trigger: 'RDS event' }));
  for (let t = INTERVAL_S; t <= 5 * INTERVAL_S; t += INTERVAL_S) invocations.push({ t, trigger: 'schedule' });
  const steps: Step[] = [];
  for (const [i, { t, trigger }] of invocations.entries()) {
    clock.seconds = start + t;
    const answer = t >= dnsDelay ? NEW : OLD;
    resolver.answer([answer]);
    const result = await syncTargets(settings, deps);
    const targets = (await tg.targets()).map((x) => x.replace(`:${PORT}`, ''));
    const old = result.missing[OLD];
    steps.push({
      invocation: i + 1,
      t,
      trigger,
      answer,
      registered: result.registered,
      deregistered: result.deregistered,
      oldMissing: old && { runs: old.runs, seconds: clock.seconds - old.since },
      targets,
    });
  }
  return steps;
}

function figure(title: string, steps: Step[]): string {
  const row = (cells: string[]) => cells.map((c, i) => c.padEnd([11, 7, 11, 11, 12, 14, 16, 0][i])).join('').trimEnd();
  const lines = [title, row(['invocation', 't', 'trigger', 'DNS answer', 'registered', 'deregistered', 'old IP missing', 'targets'])];
  for (const s of steps) {
    const missing = s.oldMissing ? `${s.oldMissing.runs} run${s.oldMissing.runs > 1 ? 's' : ''}, ${s.oldMissing.seconds} s` : '-';
    lines.push(row([String(s.invocation), `${s.t} s`, s.trigger, s.answer,
      s.registered.join(', ') || '-', s.deregistered.join(', ') || '-', missing, s.targets.join(', ')]));
  }
  return lines.join('\n');
}

function summary(steps: Step[], dnsDelay: number): string {
  const registeredAt = steps.find((s) => s.registered.includes(NEW))!;
  const firstMiss = steps.find((s) => s.answer === NEW)!;
  const deregisteredAt = steps.find((s) => s.deregistered.includes(OLD))!;
  const misses = steps.filter((s) => s.answer === NEW && s.invocation <= deregisteredAt.invocation).length;
  return `failover at t=0 (RDS events at ${EVENTS_S.join(', ')} s, DNS answers the new writer from t=${dnsDelay} s) → ` +
    `new IP registered at invocation ${registeredAt.invocation} (t=${registeredAt.t} s), old IP deregistered at ` +
    `invocation ${deregisteredAt.invocation} (t=${deregisteredAt.t} s), missed by ${misses} runs over ` +
    `${deregisteredAt.t - firstMiss.t} s; the target group was never empty`;
}

test('a burst of RDS events cannot use up the grace: the old writer leaves only after 3 missed runs and 180 s', async () => {
  const output: string[] = [];
  for (const dnsDelay of [0, 25]) {
    const steps = await simulate(dnsDelay);
    output.push(figure(`writer failover, DNS change ${dnsDelay} s after the first RDS event:`, steps), summary(steps, dnsDelay), '');

    // Every step: the target group holds a target, including the address the name resolves to.
    for (const s of steps) expect(s.targets).toContain(s.answer);
    // The first invocation that sees the new answer registers it.
    const firstMiss = steps.find((s) => s.answer === NEW)!;
    expect(firstMiss.registered).toEqual([NEW]);
    expect(firstMiss.t - dnsDelay).toBeLessThanOrEqual(INTERVAL_S);
    // The old writer leaves at the first run by which it was missed by 3 runs and for 180 s, not before.
    const misses = steps.filter((s) => s.answer === NEW);
    const due = misses.findIndex((s, i) => i + 1 >= 3 && s.t - firstMiss.t >= 180);
    expect(due).toBeGreaterThan(-1);
    expect(misses.slice(0, due).every((s) => s.deregistered.length === 0)).toBe(true);
    expect(misses[due].deregistered).toEqual([OLD]);
    expect(steps.filter((s) => s.deregistered.length > 0)).toHaveLength(1);
    expect(steps[steps.length - 1].targets).toEqual([NEW]);
    if (dnsDelay === 0) {
      // The burst alone misses the old writer 3 times within 4 s, which a run count alone would act on.
      expect(misses[2]).toMatchObject({ t: 4, trigger: 'RDS event', deregistered: [] });
    }
  }
  process.stdout.write(`\n${output.join('\n')}\n`);
}, 60_000);
