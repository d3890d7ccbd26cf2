/*
 * What the hostname sync remembers between runs: for each registered address the name no
 * longer resolves to, how many complete runs have missed it and when a run first missed it.
 * It lives in one tag on the target group, `ip=runs@since ip=runs@since` (since in epoch
 * seconds), because tag values allow no JSON punctuation and at most 256 characters.
 *
 * An address is deregistered only when both graces are over: enough runs (one failover can set
 * off several runs within seconds) and enough time (a run that was delayed or skipped must not
 * shorten it). Losing an entry, or reading one that makes no sense, only restarts its grace.
 */

/** The target-group tag that holds the state. Its key predates the time grace and is kept so deployed target groups upgrade. */
export const STATE_TAG = 'saas-privatelink:missing-runs';

/** ELBv2 tag values allow at most 256 characters. */
const MAX_TAG_VALUE = 256;

/** How long an address has been missing from the answers. */
export interface MissingAddress {
  /** Complete runs in a row that missed it. */
  readonly runs: number;
  /** When a run first missed it, in epoch seconds. */
  readonly since: number;
}

export type MissingState = Record<string, MissingAddress>;

/** What an address must reach, both at once, before it is deregistered. */
export interface Grace {
  readonly runs: number;
  readonly seconds: number;
}

/**
 * Parses the tag. The format before the time grace, `ip=runs`, is read as missing since `now`:
 * its time grace starts with the upgrade, so an upgrade never deregisters sooner than before.
 * A time in the future (a clock that went back) is read as `now` too. Malformed entries are
 * dropped, which only restarts their grace.
 */
export function parseState(value: string | undefined, now: number): MissingState {
  const state: MissingState = {};
  for (const entry of (value ?? '').split(' ')) {
    const match = /^(.+)=(\d+)(?:@(\d+))?$/.exec(entry);
    if (!match) continue;
    const runs = Number(match[2]);
    const since = match[3] === undefined ? now : Number(match[3]);
    if (runs > 0 && since > 0) state[match[1]] = { runs, since: Math.min(since, now) };
  }
  return state;
}

/**
 * Formats the state for the tag. When it does not fit, the entries furthest from deregistration
 * (fewest runs, then most recently missed) are dropped: restarting a grace only delays a
 * deregistration.
 */
export function formatState(state: MissingState, log?: (line: string) => void): string {
  const entries = Object.entries(state).sort(([a, x], [b, y]) =>
    y.runs - x.runs || x.since - y.since || (a < b ? -1 : a > b ? 1 : 0));
  const render = () => entries.map(([ip, m]) => `${ip}=${m.runs}@${m.since}`).join(' ');
  let value = render();
  while (value.length > MAX_TAG_VALUE) {
    const [dropped] = entries.pop()!;
    log?.(`the deregistration state exceeds the tag size; restarting the grace of ${dropped}`);
    value = render();
  }
  return value;
}

/**
 * The state after a complete run, and the addresses whose grace is over. Only registered
 * addresses the run did not find are tracked; any other entry is forgotten.
 */
export function advanceState(
  before: MissingState, registered: Iterable<string>, found: ReadonlySet<string>, now: number, grace: Grace,
): { missing: MissingState; expired: string[] } {
  const missing: MissingState = {};
  const expired: string[] = [];
  for (const ip of registered) {
    if (found.has(ip)) continue;
    const previous = before[ip];
    const entry = { runs: (previous?.runs ?? 0) + 1, since: previous?.since ?? now };
    missing[ip] = entry;
    if (entry.runs >= grace.runs && now - entry.since >= grace.seconds) expired.push(ip);
  }
  return { missing, expired };
}
