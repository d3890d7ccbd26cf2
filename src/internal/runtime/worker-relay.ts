/*
 * Runs inside the Lambda handlers (bundled by esbuild); no aws-cdk-lib imports here.
 *
 * A handler whose vendor calls must run in a VPC is split in two functions built from the same
 * bundle, because a function in isolated subnets can reach neither CloudFormation's pre-signed
 * response URL nor AWS APIs it has no endpoint for:
 * - the answering function (outside any VPC) receives CloudFormation's event, does the AWS-side
 *   part itself, invokes the worker synchronously for the vendor part, and always answers;
 * - the worker (in the VPC, HANDLER_MODE=work) runs the vendor part within the deadline it is
 *   handed, redacts what it read, and returns the outcome. It never answers CloudFormation.
 * Without a worker (no VPC placement) one function does both parts and answers, as before.
 */
import {
  CustomResourceEvent, CustomResourceResult, LambdaContext, MAX_REASON, redactAll, runCustomResource, RunOptions, withDeadline,
  WorkContext,
} from './custom-resource';
import { AmbiguousOutcomeError, HttpError } from './http-client';

/** Environment variable of an answering function: the name of its in-VPC worker. */
export const WORKER_FUNCTION_ENV = 'WORKER_FUNCTION_NAME';
/** Environment variable that makes a handler bundle a worker. */
export const HANDLER_MODE_ENV = 'HANDLER_MODE';
/** HANDLER_MODE of a worker. */
export const WORK_MODE = 'work';

/**
 * Time the answering function keeps after the worker's deadline: for the worker's outcome to come
 * back (RETURN_MARGIN_MS) and for the AWS-side part that follows it.
 */
export const RELAY_AFTER_WORK_MS = 20_000;
const RETURN_MARGIN_MS = 5_000;
/** A worker stops its work this long before its own Lambda timeout, so it still returns. */
const WORKER_RESERVE_MS = 2_000;
/** Pause between invokes while the worker's network interfaces are (re)created. */
const NOT_READY_PAUSE_MS = 5_000;

/** What the answering function sends the worker. */
export interface WorkerRequest {
  /** CloudFormation's event, without its ResponseURL: the worker cannot answer. */
  readonly Event: CustomResourceEvent;
  /** Epoch milliseconds after which the worker must not start another call. */
  readonly Deadline: number;
}

/** What the worker returns: its result, or why it failed (secrets redacted). */
export interface WorkerAnswer {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId?: string;
  readonly Data?: Record<string, string>;
  /**
   * What kind of error a FAILED was, so that the answering function can decide on it as if the
   * work had run there (a Delete over a vendor side that is gone; see delete-leaves.ts).
   */
  readonly Error?: WorkerError;
}

/** The parts of an error that decisions read: never its message's secrets, never a body. */
export interface WorkerError {
  /** The error's name: the SDK's (ResourceNotFoundException, DecryptionFailure, …) or HttpError. */
  readonly Name?: string;
  /** An HttpError's HTTP status. */
  readonly Status?: number;
  /** An HttpError's network code when no answer came (ENOTFOUND: the host does not resolve). */
  readonly NetworkCode?: string;
}

/** A synchronous (RequestResponse) Lambda invoke: the returned payload, and the function error if it failed. */
export interface WorkerInvoker {
  invoke(functionName: string, payload: string, signal: AbortSignal): Promise<{ payload?: string; functionError?: string }>;
}

/** A handler's work in two parts, so that each runs where its network is. */
export interface SplitWork {
  /** The calls to the vendor (and reading its token): in the worker when there is one. */
  readonly vendor: (ctx: WorkContext) => Promise<CustomResourceResult>;
  /** AWS-side calls after the vendor part: always in the answering function. */
  readonly aws?: (ctx: WorkContext, result: CustomResourceResult) => Promise<CustomResourceResult>;
}

export interface ServeOptions extends RunOptions {
  /** @default process.env */
  readonly env?: Record<string, string | undefined>;
  /** @default Lambda's InvokeCommand through the SDK the runtime provides */
  readonly invoker?: WorkerInvoker;
  /** Test seam for the relay's margins and pauses. */
  readonly relay?: RelayTiming;
}

export interface RelayTiming {
  /** @default RELAY_AFTER_WORK_MS */
  readonly afterWorkMs?: number;
  /** Time for the worker's outcome to travel back after its deadline. @default 5 s */
  readonly returnMarginMs?: number;
  /** Waits between invokes while the worker is not ready. */
  readonly pause?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * The handler's entry: a worker runs the vendor part and returns its outcome; an answering
 * function relays the vendor part to its worker if it has one, and answers CloudFormation.
 */
export async function serveCustomResource(
  event: unknown, context: LambdaContext, work: SplitWork, options: ServeOptions = {},
): Promise<WorkerAnswer | void> {
  const env = options.env ?? process.env;
  if (env[HANDLER_MODE_ENV] === WORK_MODE) {
    return runAsWorker(event as WorkerRequest, context, work.vendor, options);
  }
  const workerName = env[WORKER_FUNCTION_ENV];
  await runCustomResource(event as CustomResourceEvent, context, async (ctx) => {
    const result = workerName
      ? await relayToWorker(ctx, workerName, options.invoker ?? awsWorkerInvoker(), options.relay)
      : await work.vendor(ctx);
    return work.aws ? work.aws(ctx, result) : result;
  }, options);
}

/** The worker's side: the vendor part within the request's deadline; failures become a redacted FAILED. */
export async function runAsWorker(
  request: WorkerRequest, context: LambdaContext, work: SplitWork['vendor'], options: RunOptions = {},
): Promise<WorkerAnswer> {
  const secrets: string[] = [];
  const redact = (text: string) => redactAll(text, secrets);
  const log = (line: string) => (options.log ?? console.log)(redact(line));
  if (typeof request?.Event?.RequestType !== 'string' || typeof request.Deadline !== 'number') {
    return { Status: 'FAILED', Reason: 'not a worker request: this function is invoked only by its answering function, with an event and a deadline' };
  }
  const event = request.Event;
  const budget = Math.min(request.Deadline - Date.now(), context.getRemainingTimeInMillis() - WORKER_RESERVE_MS);
  log(`worker: ${event.RequestType} ${event.ResourceType} ${event.LogicalResourceId} (physical ID ${event.PhysicalResourceId ?? 'none yet'})`);
  if (budget < 1_000) {
    return { Status: 'FAILED', Reason: `the in-VPC function got the request with ${Math.max(0, Math.round(budget / 1000))} s left: nothing was called` };
  }
  const controller = new AbortController();
  try {
    const result = await withDeadline(
      work({ event, deadline: Date.now() + budget, signal: controller.signal, redact: (s) => { if (s) secrets.push(s); }, log }),
      budget,
      controller,
    );
    const data = result.data
      ? Object.fromEntries(Object.entries(result.data).map(([k, v]) => [k, redact(String(v))]))
      : undefined;
    log('worker: SUCCESS');
    return {
      Status: 'SUCCESS',
      PhysicalResourceId: result.physicalResourceId,
      ...(data ? { Data: data } : {}),
      ...(result.reason ? { Reason: redact(result.reason).slice(0, MAX_REASON) } : {}),
    };
  } catch (error) {
    const reason = redact(error instanceof Error ? error.message : String(error));
    log(`worker: FAILED: ${reason}`);
    const kind = kindOf(error);
    return { Status: 'FAILED', Reason: reason.slice(0, MAX_REASON), ...(kind ? { Error: kind } : {}) };
  }
}

/**
 * The answering function's side: invokes the worker with a deadline that leaves time to finish
 * and answer, and turns every way the invoke can go wrong into an error that says what to check.
 */
export async function relayToWorker(
  ctx: WorkContext, functionName: string, invoker: WorkerInvoker, timing: RelayTiming = {},
): Promise<CustomResourceResult> {
  const pause = timing.pause ?? pauseFor;
  const deadline = ctx.deadline - (timing.afterWorkMs ?? RELAY_AFTER_WORK_MS);
  if (deadline - Date.now() < 1_000) {
    throw new Error(`no time left to invoke the in-VPC function ${functionName}: the handler was started too close to its timeout`);
  }
  const waitMs = deadline - Date.now() + (timing.returnMarginMs ?? RETURN_MARGIN_MS);
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(waitMs)]);
  const request: WorkerRequest = { Event: { ...ctx.event, ResponseURL: '' }, Deadline: deadline };
  const who = `the in-VPC function ${functionName}`;
  let out: { payload?: string; functionError?: string };
  for (;;) {
    try {
      out = await invoker.invoke(functionName, JSON.stringify(request), signal);
      break;
    } catch (error) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const name = (error as { name?: string })?.name ?? '';
      if (signal.aborted || name === 'TimeoutError' || name === 'AbortError') {
        throw new Error(`${who} did not answer within ${Math.round(waitMs / 1000)} s: check that its subnets reach ` +
          'Secrets Manager (an interface endpoint or a NAT route) and the Dynatrace API (routes, DNS, its security group)');
      }
      // An idle VPC function loses its network interfaces and is Inactive until Lambda makes new ones.
      if ((name === 'ResourceNotReadyException' || name === 'ResourceConflictException') && deadline - Date.now() > NOT_READY_PAUSE_MS) {
        ctx.log(`${who} is not ready yet (${name}): invoking again in ${NOT_READY_PAUSE_MS / 1000} s`);
        await pause(NOT_READY_PAUSE_MS, signal);
        continue;
      }
      throw new Error(`could not invoke ${who}: ${name && name !== 'Error' ? `${name}: ` : ''}${messageOf(error)}`);
    }
  }
  let answer: any;
  try {
    answer = out.payload ? JSON.parse(out.payload) : undefined;
  } catch {
    answer = undefined;
  }
  if (out.functionError) {
    const detail = typeof answer?.errorMessage === 'string' ? `${answer.errorType ?? 'Error'}: ${answer.errorMessage.slice(0, 300)}` : 'no message';
    throw new Error(`${who} failed (${out.functionError}): ${detail}`);
  }
  if (answer?.Status === 'FAILED') {
    throw errorOf(typeof answer.Reason === 'string' && answer.Reason ? answer.Reason : `${who} failed without a reason`, answer.Error);
  }
  if (answer?.Status !== 'SUCCESS' || typeof answer.PhysicalResourceId !== 'string') {
    throw new Error(`${who} answered something that is not a worker outcome: ${String(out.payload).slice(0, 200)}`);
  }
  const result = answer as WorkerAnswer;
  return { physicalResourceId: result.PhysicalResourceId!, data: result.Data, reason: result.Reason };
}

/** Lambda's synchronous invoke through the SDK v3 client that the Lambda runtime provides. */
export function awsWorkerInvoker(): WorkerInvoker {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require('@aws-sdk/client-lambda');
  const client = new sdk.LambdaClient({ maxAttempts: 3 });
  return {
    async invoke(functionName, payload, signal) {
      const out = await client.send(new sdk.InvokeCommand({
        FunctionName: functionName, InvocationType: 'RequestResponse', Payload: Buffer.from(payload),
      }), { abortSignal: signal });
      return { payload: out.Payload ? Buffer.from(out.Payload).toString('utf8') : undefined, functionError: out.FunctionError };
    },
  };
}

function pauseFor(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}

/** What kind of error the worker's was; nothing for a plain Error, which no decision reads. */
function kindOf(error: unknown): WorkerError | undefined {
  if (!(error instanceof Error) || (error.name === 'Error' && !(error instanceof HttpError))) return undefined;
  const http = error instanceof HttpError ? error : undefined;
  return {
    Name: error.name,
    ...(typeof http?.status === 'number' ? { Status: http.status } : {}),
    ...(typeof http?.networkCode === 'string' ? { NetworkCode: http.networkCode } : {}),
  };
}

/** The worker's error again, in the answering function: the same class, name, status and code. */
function errorOf(reason: string, kind: unknown): Error {
  const k = (typeof kind === 'object' && kind !== null ? kind : {}) as WorkerError;
  const status = typeof k.Status === 'number' ? k.Status : undefined;
  const networkCode = typeof k.NetworkCode === 'string' ? k.NetworkCode : undefined;
  if (k.Name === 'AmbiguousOutcomeError') return new AmbiguousOutcomeError(reason, status);
  if (k.Name === 'HttpError') return new HttpError(reason, status, undefined, networkCode);
  const error = new Error(reason);
  if (typeof k.Name === 'string' && k.Name) error.name = k.Name;
  return error;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
