/*
 * Runs inside the Lambda handlers (bundled by esbuild); no aws-cdk-lib imports here.
 *
 * A CloudFormation custom resource is answered by a PUT to the pre-signed ResponseURL.
 * runCustomResource always answers: the work runs against a deadline kept well inside the
 * Lambda timeout, and any failure becomes a FAILED answer whose reason says what failed,
 * with every secret redacted. A stack therefore never waits an hour for a silent handler.
 */

export interface CustomResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, any>;
  readonly OldResourceProperties?: Record<string, any>;
}

export interface LambdaContext {
  readonly logStreamName?: string;
  getRemainingTimeInMillis(): number;
}

export interface CustomResourceResult {
  /** The physical ID; a new one on Update makes CloudFormation delete the old resource. */
  readonly physicalResourceId: string;
  /** Attributes for Fn::GetAtt. Never put a secret here. */
  readonly data?: Record<string, string>;
}

/** What the work function gets: the event and the time by which it must be done. */
export interface WorkContext {
  readonly event: CustomResourceEvent;
  /** Epoch milliseconds after which the work must not start another call. */
  readonly deadline: number;
  /** Registers a value (such as a token read from a secret) that must never be shown. */
  readonly redact: (secret: string) => void;
  readonly log: (line: string) => void;
}

export interface RunOptions {
  /** Time kept back to answer CloudFormation before the Lambda times out. */
  readonly reserveMs?: number;
  readonly fetchFn?: typeof fetch;
  readonly log?: (line: string) => void;
  /** Waits between attempts to reach the ResponseURL. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Physical ID given to a resource whose Create failed; its Delete needs no work. */
export const CREATE_FAILED_PREFIX = 'create-failed:';

/** CloudFormation rejects responses over 4,096 bytes; keep the reason well under it. */
const MAX_REASON = 3000;

export async function runCustomResource(
  event: CustomResourceEvent,
  context: LambdaContext,
  work: (ctx: WorkContext) => Promise<CustomResourceResult>,
  options: RunOptions = {},
): Promise<void> {
  const secrets: string[] = [];
  const redact = (text: string) => redactAll(text, secrets);
  const log = (line: string) => (options.log ?? console.log)(redact(line));
  const reserveMs = options.reserveMs ?? 10_000;
  const budget = Math.max(1_000, context.getRemainingTimeInMillis() - reserveMs);
  const deadline = Date.now() + budget;

  log(`${event.RequestType} ${event.ResourceType} ${event.LogicalResourceId} (physical ID ${event.PhysicalResourceId ?? 'none yet'})`);

  let response: Record<string, unknown>;
  if (event.RequestType === 'Delete' && event.PhysicalResourceId?.startsWith(CREATE_FAILED_PREFIX)) {
    response = answer(event, 'SUCCESS', 'Nothing to delete: the create had failed', event.PhysicalResourceId);
  } else {
    try {
      const result = await withDeadline(
        work({ event, deadline, redact: (s) => { if (s) secrets.push(s); }, log }),
        budget,
      );
      response = answer(event, 'SUCCESS', 'OK', result.physicalResourceId, result.data);
    } catch (error) {
      const reason = redact(error instanceof Error ? error.message : String(error));
      log(`FAILED: ${reason}`);
      const physicalId = event.PhysicalResourceId ?? `${CREATE_FAILED_PREFIX}${event.RequestId}`;
      response = answer(event, 'FAILED', reason.slice(0, MAX_REASON), physicalId);
    }
  }
  await sendResponse(event.ResponseURL, response, options);
  log(`answered ${String(response.Status)}`);
}

function answer(
  event: CustomResourceEvent,
  status: 'SUCCESS' | 'FAILED',
  reason: string,
  physicalResourceId: string,
  data?: Record<string, string>,
): Record<string, unknown> {
  return {
    Status: status,
    Reason: reason,
    PhysicalResourceId: physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    NoEcho: false,
    ...(data ? { Data: data } : {}),
  };
}

async function withDeadline<T>(promise: Promise<T>, budgetMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`gave up after ${Math.round(budgetMs / 1000)} s, before the Lambda timeout`)), budgetMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function sendResponse(url: string, body: Record<string, unknown>, options: RunOptions): Promise<void> {
  const fetchFn = options.fetchFn ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const payload = JSON.stringify(body);
  let lastError = '';
  for (let attempt = 1; attempt <= 4; attempt++) {
    try {
      const res = await fetchFn(url, {
        method: 'PUT',
        // The pre-signed URL is signed for an empty content type.
        headers: { 'content-type': '', 'content-length': String(Buffer.byteLength(payload)) },
        body: payload,
        signal: AbortSignal.timeout(10_000),
      });
      if (res.ok) return;
      lastError = `HTTP ${res.status}`;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (attempt < 4) await sleep(500 * 2 ** (attempt - 1));
  }
  throw new Error(`could not answer CloudFormation after 4 attempts: ${lastError}`);
}

/** Replaces every registered secret (and its URL-encoded form) in the text. */
export function redactAll(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      out = out.split(form).join('***');
    }
  }
  return out;
}
