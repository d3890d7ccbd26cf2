/*
 * The README's "Lifecycle" tables, one block per custom resource, are data that the handler
 * tests assert: each block lives in a `*.lifecycle.ts` file next to its handler's tests, and
 * each of its rows is a test that drives the real handler against the local stand-in and
 * checks the calls made and what CloudFormation was told. `npx projen lifecycle` renders
 * the blocks into README.md; a test fails when the README's copy drifts.
 */

/** The events every custom resource is driven through, in the README's order. */
export const LIFECYCLE_EVENTS = [
  'create',
  'create delivered twice',
  'update that changes nothing',
  'update that changes something',
  'replacement',
  'delete',
  'delete delivered twice',
  'delete with a revoked token',
  'vendor down during delete',
  'vendor never answering',
  'update rolled back after an in-place update',
  'update rolled back after a replacement',
  'create cancelled',
  'delete when the vendor\'s host does not resolve',
  'delete when the credential secret is deleted, pending deletion, or its key refuses',
] as const;

export type LifecycleEvent = typeof LIFECYCLE_EVENTS[number];

export interface LifecycleRow {
  readonly event: LifecycleEvent;
  /**
   * The calls the handler makes, as "METHOD path" (paths without query strings), in order.
   * A call repeated back to back is written once with " (retried)" after it (see collapse()).
   */
  readonly calls: string[];
  /** What CloudFormation is told. */
  readonly status: 'SUCCESS' | 'FAILED';
  /** The answer in words, for the README (the reason, the physical ID, what is left behind). */
  readonly told: string;
}

export interface LifecycleBlock {
  /** The custom resource type, and the operation where one type does several things. */
  readonly resource: string;
  /** The construct that creates it. */
  readonly construct: string;
  readonly rows: LifecycleRow[];
}

/** Consecutive repeats of a call become one entry with " (retried)". */
export function collapse(calls: readonly string[]): string[] {
  const out: string[] = [];
  for (const call of calls) {
    const last = out[out.length - 1];
    if (last === call || last === `${call} (retried)`) {
      out[out.length - 1] = `${call} (retried)`;
    } else {
      out.push(call);
    }
  }
  return out;
}

/** The row of a block for an event (a block must have every event). */
export function row(block: LifecycleBlock, event: LifecycleEvent): LifecycleRow {
  const found = block.rows.find((r) => r.event === event);
  if (!found) throw new Error(`${block.resource} has no lifecycle row "${event}"`);
  return found;
}
