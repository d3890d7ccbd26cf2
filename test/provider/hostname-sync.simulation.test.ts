/*
 * Simulates an Aurora writer failover against moto and prints how the target group converges.
 * The figure it prints is the one in the README (section HostnameTargetSync).
 */
import { config, motoTargetGroup, PORT, quiet, ScriptedResolver } from './hostname-sync-fixtures';
import { syncTargets } from '../../src/provider/hostname-sync.lambda';
import { Moto, startMoto } from '../support/moto';

const OLD = '10.0.1.10';
const NEW = '10.0.2.20';
const INTERVAL_S = 60;

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
  readonly targets: string[];
}

/**
 * Failover at t=0: the RDS event invokes the sync at once, the schedule every minute after.
 * The writer's DNS name answers the new address from t=dnsDelay on.
 */
async function simulate(dnsDelay: number): Promise<Step[]> {
  const tg = await motoTargetGroup(moto);
  const resolver = new ScriptedResolver([OLD]);
  const deps = { targetGroup: tg.api, resolver, metrics: quiet, log: quiet };
  await syncTargets(config({ lookupsPerRun: 3 }), deps); // steady state before the failover

  const invocations = [{ t: 0, trigger: 'RDS event' }];
  for (let t = INTERVAL_S; t <= 5 * INTERVAL_S; t += INTERVAL_S) invocations.push({ t, trigger: 'schedule' });
  const steps: Step[] = [];
  for (const [i, { t, trigger }] of invocations.entries()) {
    const answer = t >= dnsDelay ? NEW : OLD;
    resolver.answer([answer]);
    const result = await syncTargets(config({ lookupsPerRun: 3 }), deps);
    const targets = (await tg.targets()).map((x) => x.replace(`:${PORT}`, ''));
    steps.push({ invocation: i + 1, t, trigger, answer, registered: result.registered, deregistered: result.deregistered, targets });
  }
  return steps;
}

function figure(title: string, steps: Step[]): string {
  const row = (cells: string[]) => cells.map((c, i) => c.padEnd([11, 7, 11, 11, 12, 14, 0][i])).join('').trimEnd();
  const lines = [title, row(['invocation', 't', 'trigger', 'DNS answer', 'registered', 'deregistered', 'targets'])];
  for (const s of steps) {
    lines.push(row([String(s.invocation), `${s.t} s`, s.trigger, s.answer,
      s.registered.join(', ') || '-', s.deregistered.join(', ') || '-', s.targets.join(', ')]));
  }
  return lines.join('\n');
}

function summary(steps: Step[], dnsDelay: number): string {
  const registeredAt = steps.find((s) => s.registered.includes(NEW))!;
  const deregisteredAt = steps.find((s) => s.deregistered.includes(OLD))!;
  return `failover at t=0 (DNS answers the new writer from t=${dnsDelay} s) → new IP registered at invocation ` +
    `${registeredAt.invocation} (t=${registeredAt.t} s), old IP deregistered at invocation ` +
    `${deregisteredAt.invocation} (t=${deregisteredAt.t} s); the target group was never empty`;
}

test('after a failover the new writer is registered by the next invocation and the old one leaves after the grace', async () => {
  const output: string[] = [];
  for (const dnsDelay of [0, 25]) {
    const steps = await simulate(dnsDelay);
    output.push(figure(`writer failover, DNS change ${dnsDelay} s after the RDS event:`, steps), summary(steps, dnsDelay), '');

    // The first invocation that sees the new answer registers it.
    const firstSeeing = steps.find((s) => s.answer === NEW)!;
    expect(firstSeeing.registered).toEqual([NEW]);
    expect(firstSeeing.t - dnsDelay).toBeLessThanOrEqual(INTERVAL_S);
    // The old writer leaves on the third complete run that misses it, not before.
    const missing = steps.filter((s) => s.answer === NEW);
    expect(missing.slice(0, 2).every((s) => s.deregistered.length === 0)).toBe(true);
    expect(missing[2].deregistered).toEqual([OLD]);
    // The target group always holds a target, and ends with the new writer only.
    expect(steps.every((s) => s.targets.length > 0)).toBe(true);
    expect(steps[steps.length - 1].targets).toEqual([NEW]);
  }
  process.stdout.write(`\n${output.join('\n')}\n`);
}, 60_000);
