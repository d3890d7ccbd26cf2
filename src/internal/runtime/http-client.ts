/*
 * A small JSON-over-HTTPS client for vendor APIs, run inside Lambda handlers (Node's fetch).
 *
 * - Idempotent calls (GET, PUT, DELETE, and POSTs marked idempotent) are retried on 429, 502,
 *   503, 504, network errors and per-request timeouts, with capped exponential backoff and
 *   full jitter. A usable Retry-After (seconds or an HTTP date) is honoured; a past or
 *   oversized one falls back to the backoff; one beyond the deadline fails at once.
 * - A call that creates something (a POST) is never retried blindly: once the request may
 *   have reached the server (a timeout, a reset, a 5xx), it fails with AmbiguousOutcomeError
 *   so the caller can look the object up and adopt or delete it. A 429, or a connection that
 *   was never made, proves nothing was created and is retried.
 * - A 2xx whose body must be JSON but is not is retried (bounded), then fails naming the call.
 * - Every attempt and every pause stops when the caller's AbortSignal fires.
 * Errors say which call failed, with the HTTP status and the vendor's message; they never
 * carry request headers. A body is quoted only in part and only when it cannot hold a credential:
 * the message fields of a non-2xx answer's error shape (Dynatrace's `error.message` and
 * `constraintViolations`, OAuth's `error` and `error_description`, a plain `message`, Atlas's
 * `errorCode` and `detail`), or the
 * first characters of a non-2xx answer to a GET, PUT or DELETE. A 2xx answer (it may be the
 * created object, or a list of tokens) and any answer to a POST (a create, an OAuth token
 * request) are described by status, byte length and content type only (`summary`).
 */

export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  readonly url: string;
  readonly headers?: Record<string, string>;
  /** Sent as JSON unless it is a string (then sent as is). */
  readonly body?: unknown;
  /**
   * Whether repeating the request is harmless.
   * @default - true for every method but POST
   */
  readonly idempotent?: boolean;
  /** A 2xx answer must carry a JSON object; anything else counts as a malformed answer. */
  readonly expectJson?: boolean;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON, or undefined for an empty or unparseable body. */
  readonly json: any;
  readonly text: string;
  /**
   * The answer described without its content (status, byte length, content type, whether it is
   * JSON): what a message may say about a body that could hold a credential.
   */
  readonly summary: string;
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  /** The longest pause between attempts; a longer Retry-After is not waited for. */
  readonly maxDelayMs: number;
  /** Each attempt is aborted after this long. */
  readonly requestTimeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  requestTimeoutMs: 15_000,
};

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
/** Network errors raised before a request could reach the server: nothing was created. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export interface ClientOptions {
  readonly retry?: Partial<RetryPolicy>;
  /** Epoch ms after which no new attempt starts. */
  readonly deadline?: number;
  /** Cancels the attempt under way and every later one. */
  readonly signal?: AbortSignal;
  readonly fetchFn?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => number;
  readonly log?: (line: string) => void;
}

/** A failed call: `status` is undefined when no HTTP answer came. */
export class HttpError extends Error {
  /**
   * @param networkCode when no HTTP answer came, the last network error's code (`ENOTFOUND`:
   * the host name does not resolve)
   */
  constructor(message: string, readonly status?: number, readonly body?: any, readonly networkCode?: string) {
    super(message);
    this.name = 'HttpError';
  }
}

/** A request that creates something may or may not have been carried out. */
export class AmbiguousOutcomeError extends HttpError {
  constructor(message: string, status?: number) {
    super(message, status);
    this.name = 'AmbiguousOutcomeError';
  }
}

export class HttpClient {
  private readonly retry: RetryPolicy;
  private readonly fetchFn: typeof fetch;
  private readonly sleepFn: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly log: (line: string) => void;

  constructor(private readonly options: ClientOptions = {}) {
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.fetchFn = options.fetchFn ?? fetch;
    this.sleepFn = options.sleep ?? ((ms) => abortableSleep(ms, options.signal));
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => undefined);
  }

  /**
   * Sends the request, retrying what is worth retrying. Resolves with any 2xx answer (and
   * with the statuses in `accept`); rejects with an HttpError otherwise.
   */
  public async send(request: HttpRequest, accept: number[] = []): Promise<HttpResponse> {
    const call = `${request.method} ${pathOf(request.url)}`;
    const idempotent = request.idempotent ?? request.method !== 'POST';
    let lastProblem = '';
    let lastNetworkCode: string | undefined;
    for (let attempt = 1; attempt <= this.retry.maxAttempts; attempt++) {
      this.throwIfCancelled(call);
      const remaining = this.remainingMs();
      if (remaining <= 0) {
        throw new HttpError(`${call} failed: no time left before the deadline after ${attempt - 1} attempts (last: ${lastProblem})`);
      }
      let waitMs: number;
      try {
        const res = await this.attempt(request, Math.min(this.retry.requestTimeoutMs, remaining));
        const ok = res.status >= 200 && res.status < 300;
        if (ok && request.expectJson && !isJsonObject(res.json)) {
          lastNetworkCode = undefined;
          lastProblem = `${res.summary}, not the JSON object expected (a 2xx body is never quoted)`;
          if (!idempotent) throw new AmbiguousOutcomeError(`${call} answered ${lastProblem}`, res.status);
          waitMs = this.backoff(attempt);
        } else if (ok || accept.includes(res.status)) {
          return res;
        } else if (!RETRYABLE_STATUS.has(res.status) && !(res.status >= 500 && !idempotent)) {
          throw new HttpError(`${call} failed with HTTP ${res.status}: ${describeBody(res, request)}`, res.status, res.json);
        } else if (!idempotent && res.status !== 429) {
          throw new AmbiguousOutcomeError(`${call} answered HTTP ${res.status} (${describeBody(res, request)}): the request may have been carried out`, res.status);
        } else {
          lastNetworkCode = undefined;
          lastProblem = `HTTP ${res.status}: ${describeBody(res, request)}`;
          const retryAfter = retryAfterMs(res.headers.get('retry-after'), this.now());
          if (retryAfter !== undefined && retryAfter > this.remainingMs()) {
            throw new HttpError(`${call} failed: ${lastProblem}, and the server asked to retry after ${Math.ceil(retryAfter / 1000)} s ` +
              `(Retry-After), past the deadline ${Math.max(0, Math.floor(this.remainingMs() / 1000))} s away`, res.status, res.json);
          }
          waitMs = this.backoff(attempt, retryAfter);
        }
      } catch (error) {
        if (error instanceof HttpError) throw error;
        this.throwIfCancelled(call);
        lastProblem = describeNetworkError(error, this.retry.requestTimeoutMs);
        lastNetworkCode = networkCodeOf(error);
        if (!idempotent && !wasNeverSent(error)) {
          throw new AmbiguousOutcomeError(`${call} failed: ${lastProblem}; the request may have been carried out`);
        }
        waitMs = this.backoff(attempt);
      }
      if (attempt === this.retry.maxAttempts) break;
      if (waitMs >= this.remainingMs()) {
        throw new HttpError(`${call} failed: the next retry (in ${Math.ceil(waitMs / 1000)} s) would pass the deadline; last: ${lastProblem}`,
          undefined, undefined, lastNetworkCode);
      }
      this.log(`${call}: ${lastProblem}; retry ${attempt + 1}/${this.retry.maxAttempts} in ${waitMs} ms`);
      await this.sleepFn(waitMs);
    }
    throw new HttpError(`${call} failed after ${this.retry.maxAttempts} attempts: ${lastProblem}`, undefined, undefined, lastNetworkCode);
  }

  private throwIfCancelled(call: string): void {
    const signal = this.options.signal;
    if (signal?.aborted) {
      const why = signal.reason instanceof Error ? signal.reason.message : 'cancelled';
      throw new HttpError(`${call} was not completed: ${why}`);
    }
  }

  private remainingMs(): number {
    return this.options.deadline === undefined ? Number.POSITIVE_INFINITY : this.options.deadline - this.now();
  }

  /** Retry-After when it is usable (in the future and no longer than the longest pause); else backoff. */
  private backoff(attempt: number, retryAfter?: number): number {
    if (retryAfter !== undefined && retryAfter > 0 && retryAfter <= this.retry.maxDelayMs) return retryAfter;
    const cap = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(cap / 2 + this.random() * (cap / 2));
  }

  private async attempt(request: HttpRequest, timeoutMs: number): Promise<HttpResponse> {
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    let body: string | undefined;
    if (request.body !== undefined) {
      body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
      if (typeof request.body !== 'string') headers['content-type'] = 'application/json';
    }
    const timeout = AbortSignal.timeout(timeoutMs);
    const res = await this.fetchFn(request.url, {
      method: request.method,
      headers,
      body,
      signal: this.options.signal ? AbortSignal.any([timeout, this.options.signal]) : timeout,
    });
    const text = await res.text();
    let json: any;
    if (text.trim().length > 0) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    return { status: res.status, headers: res.headers, json, text, summary: summarize(res.status, res.headers, text, json) };
  }
}

/**
 * Milliseconds to wait from a Retry-After header (seconds or an HTTP date); negative for a
 * date in the past; undefined if absent or unreadable.
 */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return date - now;
}

/** A pause that ends early, with the signal's reason, when the signal fires. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => { clearTimeout(timer); reject(signal!.reason); };
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function isJsonObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}

/** `HTTP 201 with 1,234 bytes of application/json (a JSON array)`: nothing of the content. */
function summarize(status: number, headers: Headers, text: string, json: unknown): string {
  return `HTTP ${status} with ${bodyShape(headers, text, json)}`;
}

function bodyShape(headers: Headers, text: string, json: unknown): string {
  const bytes = Buffer.byteLength(text);
  if (bytes === 0) return 'an empty body';
  const type = headers.get('content-type')?.split(';')[0].trim() || 'no content type';
  const kind = json === undefined ? 'not JSON' : Array.isArray(json) ? 'a JSON array' : json === null ? 'JSON null' : `a JSON ${typeof json}`;
  return `${bytes.toLocaleString('en-US')} bytes of ${type} (${kind})`;
}

/** The first `max` characters, never splitting a surrogate pair, with an ellipsis when cut. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text[max - 1]) ? max - 1 : max;
  return `${text.slice(0, end)}…`;
}

function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(malformed URL)';
  }
}

/** What an error says of a non-2xx answer's body (see the header: what may be quoted). */
function describeBody(res: HttpResponse, request: HttpRequest): string {
  const message = errorMessageOf(res.json);
  if (message !== undefined) return clip(message, 1_000);
  if (request.method === 'POST') return `${bodyShape(res.headers, res.text, res.json)}, not quoted (the answer to a POST may hold a credential)`;
  if (res.json === undefined && res.text.trim().length > 0) return `malformed JSON body: ${clip(res.text.trim(), 200)}`;
  return clip(res.text, 300) || 'empty body';
}

/** The message fields of the error shapes vendors document; undefined for any other body. */
function errorMessageOf(json: any): string | undefined {
  const error = json?.error;
  if (error && typeof error === 'object') {
    const violations = Array.isArray(error.constraintViolations)
      ? error.constraintViolations.map((v: any) => `${v?.path ?? v?.parameterLocation ?? '?'}: ${v?.message}`).join('; ')
      : '';
    return `${typeof error.message === 'string' ? error.message : 'no message'}${violations ? ` (${violations})` : ''}`;
  }
  if (typeof json?.message === 'string') return json.message;
  // MongoDB Atlas: {"detail": "...", "error": 409, "errorCode": "...", "reason": "Conflict"}.
  if (typeof json?.detail === 'string') return typeof json.errorCode === 'string' ? `${json.errorCode}: ${json.detail}` : json.detail;
  if (typeof json?.error_description === 'string') {
    return typeof error === 'string' ? `${error}: ${json.error_description}` : json.error_description;
  }
  if (typeof error === 'string') return error;
  return undefined;
}

function errorCause(error: unknown): { code?: string; message?: string; name?: string } | undefined {
  return (error as { cause?: { code?: string; message?: string; name?: string } })?.cause;
}

function networkCodeOf(error: unknown): string | undefined {
  return errorCause(error)?.code ?? (error as { code?: string })?.code;
}

function wasNeverSent(error: unknown): boolean {
  const code = networkCodeOf(error);
  return code !== undefined && NOT_SENT_CODES.has(code);
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  const cause = errorCause(error);
  const isTimeout = (name?: string) => name === 'TimeoutError' || name === 'AbortError';
  if (isTimeout((error as { name?: string })?.name) || isTimeout(cause?.name)) {
    return `no answer within ${timeoutMs} ms`;
  }
  return `network error: ${cause?.code ?? (error as { code?: string })?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error))}`;
}
