/*
 * A small JSON-over-HTTPS client for vendor APIs, run inside Lambda handlers (Node's fetch).
 *
 * Retries 429, 502, 503, 504, network errors and per-request timeouts with capped
 * exponential backoff and full jitter, honours Retry-After (seconds or an HTTP date),
 * and never starts an attempt it cannot finish before the deadline. Errors say which call
 * failed, with the HTTP status and the vendor's message; they never carry request headers.
 */

export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  readonly url: string;
  readonly headers?: Record<string, string>;
  /** Sent as JSON unless it is a string (then sent as is). */
  readonly body?: unknown;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON, or undefined for an empty body. */
  readonly json: any;
  readonly text: string;
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
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

export interface ClientOptions {
  readonly retry?: Partial<RetryPolicy>;
  /** Epoch ms after which no new attempt starts. */
  readonly deadline?: number;
  readonly fetchFn?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => number;
  readonly log?: (line: string) => void;
}

/** A failed call: `status` is undefined when no HTTP answer came. */
export class HttpError extends Error {
  constructor(message: string, readonly status?: number, readonly body?: any) {
    super(message);
    this.name = 'HttpError';
  }
}

export class HttpClient {
  private readonly retry: RetryPolicy;
  private readonly fetchFn: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly log: (line: string) => void;

  constructor(private readonly options: ClientOptions = {}) {
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.fetchFn = options.fetchFn ?? fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
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
    let lastProblem = '';
    for (let attempt = 1; attempt <= this.retry.maxAttempts; attempt++) {
      const remaining = this.remainingMs();
      if (remaining <= 0) {
        throw new HttpError(`${call} failed: no time left before the deadline after ${attempt - 1} attempts (last: ${lastProblem})`);
      }
      let waitMs: number;
      try {
        const res = await this.attempt(request, Math.min(this.retry.requestTimeoutMs, remaining));
        if ((res.status >= 200 && res.status < 300) || accept.includes(res.status)) return res;
        if (!RETRYABLE_STATUS.has(res.status)) {
          throw new HttpError(`${call} failed with HTTP ${res.status}: ${describeBody(res)}`, res.status, res.json);
        }
        lastProblem = `HTTP ${res.status}: ${describeBody(res)}`;
        waitMs = this.backoff(attempt, retryAfterMs(res.headers.get('retry-after'), this.now()));
      } catch (error) {
        if (error instanceof HttpError) throw error;
        lastProblem = describeNetworkError(error, this.retry.requestTimeoutMs);
        waitMs = this.backoff(attempt);
      }
      if (attempt === this.retry.maxAttempts) break;
      if (waitMs >= this.remainingMs()) {
        throw new HttpError(`${call} failed: the next retry (in ${Math.ceil(waitMs / 1000)} s) would pass the deadline; last: ${lastProblem}`);
      }
      this.log(`${call}: ${lastProblem}; retry ${attempt + 1}/${this.retry.maxAttempts} in ${waitMs} ms`);
      await this.sleep(waitMs);
    }
    throw new HttpError(`${call} failed after ${this.retry.maxAttempts} attempts: ${lastProblem}`);
  }

  private remainingMs(): number {
    return this.options.deadline === undefined ? Number.POSITIVE_INFINITY : this.options.deadline - this.now();
  }

  private backoff(attempt: number, retryAfter?: number): number {
    if (retryAfter !== undefined) return Math.min(retryAfter, this.retry.maxDelayMs * 3);
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
    const res = await this.fetchFn(request.url, {
      method: request.method,
      headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
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
    return { status: res.status, headers: res.headers, json, text };
  }
}

/** Milliseconds to wait from a Retry-After header (seconds or an HTTP date); undefined if absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(malformed URL)';
  }
}

function describeBody(res: HttpResponse): string {
  const error = res.json?.error;
  if (error && typeof error === 'object') {
    const violations = Array.isArray(error.constraintViolations)
      ? error.constraintViolations.map((v: any) => `${v.path ?? v.parameterLocation ?? '?'}: ${v.message}`).join('; ')
      : '';
    return `${error.message ?? 'no message'}${violations ? ` (${violations})` : ''}`;
  }
  if (typeof res.json?.message === 'string') return res.json.message;
  if (typeof res.json?.error_description === 'string') return res.json.error_description;
  if (res.json === undefined && res.text.trim().length > 0) return `malformed JSON body: ${res.text.slice(0, 200)}`;
  return res.text.slice(0, 300) || 'empty body';
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  const cause = (error as { cause?: { code?: string; message?: string; name?: string } })?.cause;
  const isTimeout = (name?: string) => name === 'TimeoutError' || name === 'AbortError';
  if (isTimeout((error as { name?: string })?.name) || isTimeout(cause?.name)) {
    return `no answer within ${timeoutMs} ms`;
  }
  return `network error: ${cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error))}`;
}
