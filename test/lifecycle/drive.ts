/*
 * Runs each row of a Lifecycle block as a test: the row's scenario drives the real handler, and
 * the calls it made between `mark()` and `stop()` (to the end when it never stops), collapsed,
 * must be the row's calls, and CloudFormation's answer the row's status.
 */
import { collapse, LifecycleBlock, LifecycleEvent, row } from './lifecycle';

/** Drives one event and returns CloudFormation's answer to it. */
export type Scenario = (mark: () => void, stop: () => void) => Promise<any>;

export interface CallLog {
  /** How many calls the vendor's stand-in has seen so far. */
  count(): number;
  /** The calls since `from`, as the rows write them ("METHOD path"). */
  since(from: number): string[];
}

export function lifecycleTests(block: LifecycleBlock, calls: CallLog, scenarios: Record<LifecycleEvent, Scenario>): void {
  describe(block.resource, () => {
    test.each(block.rows.map((r) => [r.event]))('%s', async (event) => {
      const expected = row(block, event as LifecycleEvent);
      let from = 0;
      let to: number | undefined;
      const answer = await scenarios[event as LifecycleEvent](() => { from = calls.count(); }, () => { to = calls.count(); });
      expect(collapse(calls.since(from).slice(0, to === undefined ? undefined : to - from))).toEqual(expected.calls);
      expect(answer.Status).toBe(expected.status);
    });
  });
}
