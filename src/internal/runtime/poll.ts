/*
 * Waiting for a vendor's asynchronous work inside a custom resource (an endpoint service being
 * built, an endpoint being accepted): a status poll that stops before the work's deadline with a
 * message naming what was awaited and the last state seen. Handler code: no aws-cdk-lib imports.
 */
import type { WorkContext } from './custom-resource';
import { abortableSleep } from './http-client';

/** A pause between polls that ends early when the signal fires (a test's returns at once). */
export type Pause = (ms: number, signal: AbortSignal) => Promise<void>;

/** How long to wait between polls, and the least time kept back for the answer's own work. */
export const POLL_INTERVAL_MS = 10_000;

export interface Poll<T> {
  /** The value once done, or undefined to poll again. */
  readonly value?: T;
  /** What the vendor reports now, for the message when time runs out. */
  readonly state: string;
}

/**
 * Polls until `check` returns a value, pausing `POLL_INTERVAL_MS` between checks, and gives up
 * (an error naming what was awaited and the last state) once another pause would pass
 * `stopAt` (epoch ms; default the work's deadline less one interval).
 */
export async function pollUntil<T>(
  ctx: WorkContext, pause: Pause | undefined, what: string, check: () => Promise<Poll<T>>, stopAt?: number,
): Promise<T> {
  const end = stopAt ?? ctx.deadline - POLL_INTERVAL_MS;
  const started = Date.now();
  let paused = 0;
  // Never earlier than the pauses taken add up to (a test's pause returns at once).
  const now = () => Math.max(Date.now(), started + paused);
  for (let polls = 1; ; polls++) {
    const poll = await check();
    if (poll.value !== undefined) return poll.value;
    if (now() + POLL_INTERVAL_MS > end) {
      throw new Error(`gave up waiting for ${what} after ${Math.round((now() - started) / 1000)} s and ${polls} checks: ` +
        `the vendor still reports ${poll.state}`);
    }
    ctx.log(`waiting for ${what}: ${poll.state}`);
    await (pause ?? abortableSleep)(POLL_INTERVAL_MS, ctx.signal);
    paused += POLL_INTERVAL_MS;
  }
}
