/*
 * Runs inside the Lambda handlers (bundled by esbuild); no aws-cdk-lib imports here.
 *
 * A CloudFormation custom resource is answered by a PUT to the pre-signed ResponseURL.
 * runCustomResource always answers, and in time:
 * - the Lambda's remaining time is split into the work's budget and a reserve that covers
 *   every attempt to deliver the answer (ANSWER_RESERVE_MS), so a slow vendor can never eat
 *   the time needed to tell CloudFormation;
 * - when the work's budget runs out, its AbortSignal fires: every HTTP call, sleep and SDK call
 *   that was handed the signal stops at once, and nothing of it resumes in a later (warm)
 *   invocation of the same Lambda;
 * - any failure becomes a FAILED answer whose reason says what failed, with every secret redacted;
 * - the answer always fits CloudFormation's 4,096 bytes (see fitAnswer), and says what was cut.
 */

export interface CustomResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  /** The handler's ARN (CloudFormation always sends it; older test events may not). */
  readonly ServiceToken?: string;
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
  /** What CloudFormation shows with SUCCESS, such as what a Delete left behind. */
  readonly reason?: string;
  /**
   * Attributes of `data` that no template needs (summaries, diagnostics): when the answer would
   * not fit 4,096 bytes, these are dropped, largest first, before the answer becomes FAILED.
   */
  readonly optionalData?: string[];
}

/** What the work function gets: the event, its deadline and a signal that fires at the deadline. */
export interface WorkContext {
  readonly event: CustomResourceEvent;
  /** Epoch milliseconds after which the work must not start another call. */
  readonly deadline: number;
  /** Aborted when the deadline passes: hand it to every call that can take long. */
  readonly signal: AbortSignal;
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
  /**
   * A Delete of a failed create (physical ID `create-failed:…`) runs the work too, for handlers
   * that find what a create made by its name: a create cut off at its deadline, or failed after
   * the vendor made something, may have left it behind. Without it such a Delete does nothing.
   */
  readonly findFailedCreates?: boolean;
}

/**
 * A failure after the work made something at the vendor (a Create that created an object and
 * then failed waiting for it): the FAILED answer carries this physical ID instead of
 * `create-failed:…`, so that the rollback's Delete removes what was made.
 */
export class FailedAfterMaking extends Error {
  constructor(message: string, readonly physicalResourceId: string) {
    super(message);
    this.name = 'FailedAfterMaking';
  }
}

/** Physical ID given to a resource whose Create failed; its Delete needs no work unless `findFailedCreates`. */
export const CREATE_FAILED_PREFIX = 'create-failed:';

/** Attempts to deliver the answer, each bounded, with pauses of 0.5, 1 and 2 s between them. */
const ANSWER_ATTEMPTS = 4;
const ANSWER_ATTEMPT_TIMEOUT_MS = 6_000;
/** Covers every attempt and pause: 4 × 6 s + 3.5 s, rounded up. */
export const ANSWER_RESERVE_MS = 30_000;

/** A first cut of reasons by characters (the worker's); fitAnswer bounds the whole answer in bytes. */
export const MAX_REASON = 3000;
/** CloudFormation refuses a custom-resource answer (the whole JSON body) over 4,096 bytes. */
export const MAX_ANSWER_BYTES = 4096;
/** Bytes of reason kept before an attribute is given up: enough to say what happened. */
const MIN_REASON_BYTES = 256;

export async function runCustomResource(
  event: CustomResourceEvent,
  context: LambdaContext,
  work: (ctx: WorkContext) => Promise<CustomResourceResult>,
  options: RunOptions = {},
): Promise<void> {
  const secrets: string[] = [];
  const redact = (text: string) => redactAll(text, secrets);
  const log = (line: string) => (options.log ?? console.log)(redact(line));
  const reserveMs = options.reserveMs ?? ANSWER_RESERVE_MS;
  const budget = Math.max(1_000, context.getRemainingTimeInMillis() - reserveMs);
  const deadline = Date.now() + budget;

  log(`${event.RequestType} ${event.ResourceType} ${event.LogicalResourceId} (physical ID ${event.PhysicalResourceId ?? 'none yet'})`);

  let response: Answer;
  const failedCreate = event.RequestType === 'Delete' && event.PhysicalResourceId?.startsWith(CREATE_FAILED_PREFIX) === true;
  if (failedCreate && !options.findFailedCreates) {
    response = answer(event, 'SUCCESS', 'Nothing to delete: the create had failed', event.PhysicalResourceId);
  } else {
    const controller = new AbortController();
    try {
      const result = await withDeadline(
        work({ event, deadline, signal: controller.signal, redact: (s) => { if (s) secrets.push(s); }, log }),
        budget,
        controller,
      );
      const reason = result.reason ? redact(result.reason) : 'OK';
      if (result.reason) log(reason);
      const data = result.data
        ? Object.fromEntries(Object.entries(result.data).map(([k, v]) => [k, redact(String(v))]))
        : undefined;
      response = fitAnswer(event, answer(event, 'SUCCESS', reason, result.physicalResourceId, data), result.optionalData);
      if (response.Status === 'FAILED') log(`FAILED: ${response.Reason}`);
    } catch (error) {
      const reason = redact(error instanceof Error ? error.message : String(error));
      if (failedCreate) {
        // The search is a courtesy: a create that failed because the vendor was down must not
        // then strand the rollback on the same outage.
        const said = `the create had failed, and looking for what it may have left failed too (${reason}): check the vendor by hand`;
        log(said);
        response = fitAnswer(event, answer(event, 'SUCCESS', said, event.PhysicalResourceId!));
      } else {
        log(`FAILED: ${reason}`);
        const made = error instanceof FailedAfterMaking ? error.physicalResourceId : undefined;
        const physicalId = event.PhysicalResourceId ?? made ?? `${CREATE_FAILED_PREFIX}${event.RequestId}`;
        response = fitAnswer(event, answer(event, 'FAILED', reason, physicalId));
      }
    }
  }
  await sendResponse(event.ResponseURL, response, Math.min(reserveMs, context.getRemainingTimeInMillis()), options);
  log(`answered ${response.Status}`);
}

/** The JSON body sent to the ResponseURL. */
export interface Answer {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly NoEcho: boolean;
  readonly Data?: Record<string, string>;
}

function answer(
  event: CustomResourceEvent,
  status: 'SUCCESS' | 'FAILED',
  reason: string,
  physicalResourceId: string,
  data?: Record<string, string>,
): Answer {
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

/**
 * Bounds the whole answer to MAX_ANSWER_BYTES of JSON (UTF-8), cutting on character boundaries:
 * 1. the reason is cut first, down to MIN_REASON_BYTES;
 * 2. then the attributes listed in `optional` are dropped, largest first;
 * 3. if Data still does not fit: a Delete answers without Data (nothing reads a deleted
 *    resource's attributes); a Create or Update answers FAILED with a reason naming each
 *    attribute's size, because a SUCCESS missing an attribute the template reads fails later
 *    with an error that names neither the handler nor the size. A Create keeps the physical ID
 *    of what it made, so the rollback's Delete removes it.
 * Whatever was cut or dropped is said at the end of the reason.
 */
export function fitAnswer(event: Pick<CustomResourceEvent, 'RequestType' | 'PhysicalResourceId'>, full: Answer,
  optional: readonly string[] = [], limit = MAX_ANSWER_BYTES): Answer {
  if (jsonBytes(full) <= limit) return full;
  let out = full;
  const data: Record<string, string> = { ...full.Data };
  const dropped: string[] = [];
  const room = () => limit - jsonBytes({ ...out, Reason: '', ...(full.Data ? { Data: data } : {}) });
  const floor = Math.min(MIN_REASON_BYTES, jsonBytes(full.Reason) - 2);
  const droppable = Object.keys(data).filter((k) => optional.includes(k)).sort((a, b) => jsonBytes(data[b]) - jsonBytes(data[a]));
  for (const key of droppable) {
    if (room() >= floor + NOTE_BYTES) break;
    delete data[key];
    dropped.push(key);
  }
  if (room() < floor + NOTE_BYTES && Object.keys(data).length > 0) {
    if (event.RequestType === 'Delete') {
      dropped.push(...Object.keys(data));
      for (const key of Object.keys(data)) delete data[key];
    } else {
      const all = full.Data ?? {};
      const sizes = Object.keys(all).map((k) => `${k} (${count(jsonBytes(all[k]) - 2)} bytes${optional.includes(k) ? ', optional' : ''})`).join(', ');
      const why = `the answer does not fit CloudFormation's ${count(limit)}-byte limit: its Data attributes ${sizes} ` +
        'leave no room, even without the optional ones; the handler must return less';
      const physicalId = event.RequestType === 'Create' ? full.PhysicalResourceId : event.PhysicalResourceId ?? full.PhysicalResourceId;
      out = { ...full, Status: 'FAILED', PhysicalResourceId: physicalId, Reason: full.Reason === 'OK' ? why : `${why}; the work's reason: ${full.Reason}` };
      delete (out as { Data?: unknown }).Data;
      return cutReason(out, limit, []);
    }
  }
  if (full.Data) out = { ...out, Data: data };
  return cutReason(out, limit, dropped);
}

/** Room kept for the note that says what was cut. */
const NOTE_BYTES = 200;

/** Cuts the reason (by JSON bytes, on a code point boundary) so the answer fits, and says what was cut. */
function cutReason(answerIn: Answer, limit: number, dropped: readonly string[]): Answer {
  const reason = answerIn.Reason;
  const fits = (r: string) => jsonBytes({ ...answerIn, Reason: r }) <= limit;
  const droppedNote = dropped.length > 0 ? `Data attributes ${dropped.join(', ')} dropped` : '';
  if (fits(reason) && !droppedNote) return answerIn;
  const tail = (cutBytes: number) => {
    const parts = [...(cutBytes > 0 ? [`cut: ${count(cutBytes)} bytes of reason`] : []), ...(droppedNote ? [droppedNote] : [])];
    return ` … (${parts.join('; ')}, to fit CloudFormation's ${count(MAX_ANSWER_BYTES)}-byte answer)`;
  };
  if (fits(reason + tail(0))) return { ...answerIn, Reason: reason + tail(0) };
  const points = Array.from(reason);
  const totalBytes = Buffer.byteLength(reason);
  // The longest prefix (in code points) that fits with its note: binary search.
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const kept = points.slice(0, mid).join('');
    if (fits(kept + tail(totalBytes - Buffer.byteLength(kept)))) lo = mid; else hi = mid - 1;
  }
  const kept = points.slice(0, lo).join('');
  return { ...answerIn, Reason: kept + tail(totalBytes - Buffer.byteLength(kept)) };
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** Races the work against its budget; at the budget's end the work's signal is aborted. */
export async function withDeadline<T>(promise: Promise<T>, budgetMs: number, controller: AbortController): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const message = `gave up after ${Math.round(budgetMs / 1000)} s, before the Lambda timeout: the work was cancelled`;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(message);
      controller.abort(error);
      reject(error);
    }, budgetMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } catch (error) {
    // Work that failed because the signal fired reports the deadline, not its own abort error.
    if (controller.signal.aborted) throw controller.signal.reason;
    throw error;
  } finally {
    clearTimeout(timer);
    // Nothing the work started may go on after the answer (or in the next warm invocation).
    if (!controller.signal.aborted) controller.abort(new Error('the custom resource has answered'));
  }
}

async function sendResponse(url: string, body: Answer, budgetMs: number, options: RunOptions): Promise<void> {
  const fetchFn = options.fetchFn ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const payload = JSON.stringify(body);
  const end = Date.now() + budgetMs;
  let lastError = '';
  let attempt = 1;
  for (; attempt <= ANSWER_ATTEMPTS; attempt++) {
    const remaining = end - Date.now();
    if (remaining <= 0) break;
    try {
      const res = await fetchFn(url, {
        method: 'PUT',
        // The pre-signed URL is signed for an empty content type.
        headers: { 'content-type': '', 'content-length': String(Buffer.byteLength(payload)) },
        body: payload,
        signal: AbortSignal.timeout(Math.min(ANSWER_ATTEMPT_TIMEOUT_MS, remaining)),
      });
      if (res.ok) return;
      lastError = `HTTP ${res.status}`;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (attempt < ANSWER_ATTEMPTS) await sleep(500 * 2 ** (attempt - 1));
  }
  throw new Error(`could not answer CloudFormation after ${Math.min(attempt, ANSWER_ATTEMPTS)} attempts: ${lastError}`);
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
