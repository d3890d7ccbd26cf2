/*
 * The state the hostname sync keeps in one target-group tag, and the grace decision made from it.
 * How the sync uses them against a target group is tested in hostname-sync.lambda.test.ts.
 */
import { advanceState, formatState, parseState } from '../../src/provider/hostname-sync-state';

const NOW = 1_764_370_000;

test('state round-trips; malformed entries are dropped', () => {
  const state = { '10.0.1.10': { runs: 2, since: NOW - 60 }, '2001:db8::1': { runs: 1, since: NOW } };
  expect(formatState(state)).toBe(`10.0.1.10=2@${NOW - 60} 2001:db8::1=1@${NOW}`);
  expect(parseState(formatState(state), NOW)).toEqual(state);
  expect(parseState('junk =3 10.0.0.1=x 10.0.0.2=0 10.0.0.3=-1 10.0.0.4=1@ 10.0.0.5=1@x 10.0.0.6=1@0', NOW)).toEqual({});
  expect(parseState(undefined, NOW)).toEqual({});
});

test('the format before the time grace (ip=count) is read as missing since now', () => {
  expect(parseState('10.0.1.10=2 10.0.1.11=1', NOW)).toEqual({
    '10.0.1.10': { runs: 2, since: NOW }, '10.0.1.11': { runs: 1, since: NOW },
  });
});

test('a first-miss time in the future (a clock that went back) restarts the time grace now', () => {
  expect(parseState(`10.0.1.10=2@${NOW + 600}`, NOW)).toEqual({ '10.0.1.10': { runs: 2, since: NOW } });
});

test('advanceState counts the registered addresses not found and expires those past both graces', () => {
  const grace = { runs: 2, seconds: 60 };
  const before = {
    a: { runs: 2, since: NOW - 60 },
    b: { runs: 2, since: NOW - 59 },
    c: { runs: 1, since: NOW - 600 },
    gone: { runs: 1, since: NOW },
  };
  const { missing, expired } = advanceState(before, ['a', 'b', 'c', 'd', 'found'], new Set(['found']), NOW, grace);
  expect(missing).toEqual({
    a: { runs: 3, since: NOW - 60 },
    b: { runs: 3, since: NOW - 59 },
    c: { runs: 2, since: NOW - 600 },
    d: { runs: 1, since: NOW },
  });
  expect(expired).toEqual(['a', 'c']);
});

test('state that overflows the 256-character tag drops the entries furthest from deregistration', () => {
  const state: Record<string, { runs: number; since: number }> = {};
  for (let i = 0; i < 30; i++) state[`10.0.${i}.200`] = { runs: i < 2 ? 3 : 1, since: NOW - 1000 + i };
  state['2001:db8:ffff:ffff:ffff:ffff:ffff:ffff'] = { runs: 2, since: NOW };
  const lines: string[] = [];
  const value = formatState(state, (l) => lines.push(l));
  expect(value.length).toBeLessThanOrEqual(256);
  expect(value.startsWith(`10.0.0.200=3@${NOW - 1000} 10.0.1.200=3@${NOW - 999} 2001:db8:ffff:ffff:ffff:ffff:ffff:ffff=2@${NOW} `)).toBe(true);
  // Of the entries with one run, the oldest misses are kept.
  const kept = Object.keys(parseState(value, NOW));
  expect(kept).toContain('10.0.2.200');
  expect(kept).not.toContain('10.0.29.200');
  expect(lines[0]).toMatch(/exceeds the tag size; restarting the grace of 10\.0\.29\.200/);
  expect(value).toMatch(/^[\w.:/=+\-@ ]*$/); // what ELBv2 tag values allow
});
