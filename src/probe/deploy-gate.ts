/*
 * Whether a failed deploy-time check may fail the custom resource. CloudFormation sends the
 * same Update during a rollback (back to the old properties) as during a deploy, so the event
 * alone cannot tell them apart; the stack's status can. Failing a rollback leaves the stack in
 * UPDATE_ROLLBACK_FAILED, which only a person can clear, so the gate fails only while the stack
 * is being created, updated or imported, and answers SUCCESS in every other status. When the
 * status cannot be read it does not fail either: one deploy that went through ungated (whose
 * canary alarm still fires) is better than a stack stuck in a failed rollback.
 * No aws-cdk-lib import: this runs in the probe runner.
 */

/** DescribeStacks on the runner's own stack (the AWS SDK in Lambda, a typed fake in tests). */
export interface CloudFormationApi {
  /** The stack's `StackStatus`, such as `UPDATE_ROLLBACK_IN_PROGRESS`. */
  describeStackStatus(stackId: string, signal: AbortSignal): Promise<string>;
}

export interface GateOptions {
  readonly cloudFormation: CloudFormationApi;
  /** How long each DescribeStacks call may take. */
  readonly timeoutMs: number;
  /** The pause before the second attempt; it doubles before the third. */
  readonly retryPauseMs?: number;
}

/** What the gate decided: fail the deploy, or answer SUCCESS and say why in the Reason. */
export type GateDecision =
  | { readonly fail: true; readonly stackStatus: string }
  | { readonly fail: false; readonly why: string };

/** The statuses of a deploy, in which the gate may fail; every rollback or cleanup status is not one. */
export const DEPLOY_STATUSES: readonly string[] = ['CREATE_IN_PROGRESS', 'UPDATE_IN_PROGRESS', 'IMPORT_IN_PROGRESS'];

const ATTEMPTS = 3;
const DEFAULT_PAUSE_MS = 500;
/** Errors that another attempt cannot change: no permission, or no such stack. */
const FINAL_ERRORS = /^(AccessDenied|AccessDeniedException|ValidationError)$/;

/**
 * Reads the stack's status, with bounded retries, and decides. Throws only when `signal` fires.
 *
 * @param stackId the event's StackId
 */
export async function gateDecision(stackId: string, options: GateOptions, signal: AbortSignal): Promise<GateDecision> {
  let lastError = '';
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      const stackStatus = await options.cloudFormation.describeStackStatus(stackId,
        AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs)]));
      if (DEPLOY_STATUSES.includes(stackStatus)) return { fail: true, stackStatus };
      return {
        fail: false,
        why: `the stack is ${stackStatus}: failDeployment fails a deploy, never a rollback (failing it would leave the ` +
          'stack in UPDATE_ROLLBACK_FAILED), so this answer is SUCCESS',
      };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      lastError = describe(error, options.timeoutMs);
      if (FINAL_ERRORS.test(errorName(error)) || attempt === ATTEMPTS) break;
      await pause((options.retryPauseMs ?? DEFAULT_PAUSE_MS) * 2 ** (attempt - 1), signal);
    }
  }
  return {
    fail: false,
    why: `could not tell whether the stack is rolling back (cloudformation:DescribeStacks: ${lastError}), so failDeployment ` +
      'did not fail it: a stack stuck in UPDATE_ROLLBACK_FAILED is worse than one deploy that went on; the canary\'s alarm still fires',
  };
}

function errorName(error: unknown): string {
  return String((error as { name?: string } | undefined)?.name ?? '');
}

function describe(error: unknown, timeoutMs: number): string {
  const name = errorName(error);
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${Math.round(timeoutMs / 100) / 10} s`;
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 200);
  return name && name !== 'Error' ? `${name}: ${message}` : message;
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(timer); reject(signal.reason); };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
