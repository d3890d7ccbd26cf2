import { AmbiguousOutcomeError, HttpClient, HttpError, retryAfterMs } from '../../src/internal/runtime/http-client';
import { LocalServer, Reply } from '../support/local-server';

const noSleep = { sleep: async () => undefined, random: () => 0.5 };
/** A credential-shaped value that must never reach an error message or a log line. */
const SECRET = `dt0g02.ABCDEFGH.${'S'.repeat(64)}`;

async function withServer(replies: Reply[], run: (server: LocalServer) => Promise<void>) {
  let i = 0;
  const server = await LocalServer.start(() => replies[Math.min(i++, replies.length - 1)]);
  try {
    await run(server);
  } finally {
    await server.stop();
  }
}

describe('HttpClient', () => {
  test('returns a 2xx answer with its parsed JSON, sending JSON bodies', () => withServer([{ status: 201, body: { id: 'x' } }], async (server) => {
    const res = await new HttpClient(noSleep).send({ method: 'PUT', url: `${server.url}/a`, body: { enabled: true }, headers: { authorization: 'Api-Token t' } });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({ id: 'x' });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ method: 'PUT', path: '/a', json: { enabled: true } });
    expect(server.requests[0].headers['content-type']).toBe('application/json');
    expect(server.requests[0].headers.authorization).toBe('Api-Token t');
  }));

  test('treats 204 with an empty body as success', () => withServer([{ status: 204 }], async (server) => {
    const res = await new HttpClient(noSleep).send({ method: 'DELETE', url: `${server.url}/a` });
    expect(res).toMatchObject({ status: 204, json: undefined });
  }));

  test.each([429, 502, 503, 504])('retries %s, then succeeds', (status) => withServer([{ status }, { status }, { status: 200, body: {} }], async (server) => {
    const sleeps: number[] = [];
    const res = await new HttpClient({ ...noSleep, sleep: async (ms) => { sleeps.push(ms); } }).send({ method: 'GET', url: server.url });
    expect(res.status).toBe(200);
    expect(server.requests).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  }));

  test('honours Retry-After in seconds', () => withServer([{ status: 429, headers: { 'retry-after': '7' } }, { status: 200, body: {} }], async (server) => {
    const sleeps: number[] = [];
    await new HttpClient({ ...noSleep, sleep: async (ms) => { sleeps.push(ms); } }).send({ method: 'GET', url: server.url });
    expect(sleeps).toEqual([7000]);
  }));

  test('honours Retry-After as an HTTP date', () => {
    const now = Date.parse('2026-11-21T10:00:00Z');
    expect(retryAfterMs('Sat, 21 Nov 2026 10:00:12 GMT', now)).toBe(12_000);
    expect(retryAfterMs('Sat, 21 Nov 2026 09:00:00 GMT', now)).toBe(-3_600_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });

  test('backs off exponentially with jitter, capped', () => withServer([{ status: 503 }], async (server) => {
    const sleeps: number[] = [];
    const client = new HttpClient({
      sleep: async (ms) => { sleeps.push(ms); }, random: () => 1, retry: { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 500 },
    });
    await expect(client.send({ method: 'GET', url: `${server.url}/x` })).rejects.toThrow(/GET http:\/\/127\.0\.0\.1:\d+\/x failed after 6 attempts: HTTP 503/);
    expect(sleeps).toEqual([100, 200, 400, 500, 500]);
    expect(server.requests).toHaveLength(6);
  }));

  test('does not retry a 400 and reports Dynatrace\'s message and constraint violations', () => withServer([{
    status: 400,
    body: { error: { code: 400, message: 'Constraints violated.', constraintViolations: [{ path: 'id', message: 'must be 12 digits', parameterLocation: 'PATH', location: null }] } },
  }], async (server) => {
    const error = await new HttpClient(noSleep).send({ method: 'PUT', url: `${server.url}/aws/privateLink/allowlistedAccounts/12` }).catch((e) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/PUT .*\/aws\/privateLink\/allowlistedAccounts\/12 failed with HTTP 400: Constraints violated\. \(id: must be 12 digits\)/);
    expect(server.requests).toHaveLength(1);
  }));

  test('reports a malformed JSON body', () => withServer([{ status: 500, body: '<html>oops', raw: true }], async (server) => {
    await expect(new HttpClient(noSleep).send({ method: 'GET', url: server.url })).rejects.toThrow(/HTTP 500: malformed JSON body: <html>oops/);
  }));

  test('a slow answer times out and is retried', () => withServer([{ status: 200, body: {}, delayMs: 2000 }, { status: 200, body: { ok: true } }], async (server) => {
    const res = await new HttpClient({ ...noSleep, retry: { requestTimeoutMs: 100 } }).send({ method: 'GET', url: server.url });
    expect(res.json).toEqual({ ok: true });
    expect(server.requests).toHaveLength(2);
  }));

  test('gives up on repeated timeouts with a message that says so', () => withServer([{ status: 200, delayMs: 2000 }], async (server) => {
    await expect(new HttpClient({ ...noSleep, retry: { requestTimeoutMs: 50, maxAttempts: 2 } }).send({ method: 'GET', url: server.url }))
      .rejects.toThrow(/failed after 2 attempts: no answer within 50 ms/);
  }));

  test('network errors are retried and reported', async () => {
    const server = await LocalServer.start(() => ({ status: 200 }));
    const url = server.url;
    await server.stop();
    await expect(new HttpClient({ ...noSleep, retry: { maxAttempts: 3 } }).send({ method: 'GET', url }))
      .rejects.toThrow(/failed after 3 attempts: network error: ECONNREFUSED/);
  });

  test('a Retry-After beyond the deadline fails at once, naming both', () => withServer([{ status: 429, headers: { 'retry-after': '120' } }], async (server) => {
    const client = new HttpClient({ ...noSleep, deadline: Date.now() + 30_000 });
    await expect(client.send({ method: 'GET', url: server.url })).rejects.toThrow(/HTTP 429: .*asked to retry after 120 s \(Retry-After\), past the deadline (29|30) s away$/);
    expect(server.requests).toHaveLength(1);
  }));

  test('never sleeps past the deadline', () => withServer([{ status: 503 }], async (server) => {
    const client = new HttpClient({ ...noSleep, deadline: Date.now() + 1_000, retry: { baseDelayMs: 5_000 } });
    await expect(client.send({ method: 'GET', url: server.url })).rejects.toThrow(/the next retry \(in 4 s\) would pass the deadline; last: HTTP 503/);
    expect(server.requests).toHaveLength(1);
  }));

  test('an oversized Retry-After within the deadline falls back to capped backoff with jitter', () => withServer([{ status: 429, headers: { 'retry-after': '90' } }, { status: 200, body: {} }], async (server) => {
    const sleeps: number[] = [];
    const client = new HttpClient({ sleep: async (ms) => { sleeps.push(ms); }, random: () => 0.5, deadline: Date.now() + 600_000 });
    await client.send({ method: 'GET', url: server.url });
    expect(sleeps).toEqual([375]);
  }));

  test('does not start when the deadline has passed', async () => {
    await expect(new HttpClient({ ...noSleep, deadline: Date.now() - 1 }).send({ method: 'GET', url: 'http://127.0.0.1:9/' }))
      .rejects.toThrow(/no time left before the deadline after 0 attempts/);
  });

  test('accepts listed non-2xx statuses', () => withServer([{ status: 404, body: { error: { message: 'gone' } } }], async (server) => {
    expect((await new HttpClient(noSleep).send({ method: 'DELETE', url: server.url }, [404])).status).toBe(404);
  }));

  describe('a request that creates something (POST) is never retried blindly', () => {
    test('a 503 after sending is ambiguous: no retry, AmbiguousOutcomeError', () => withServer([{ status: 503 }, { status: 201, body: {} }], async (server) => {
      const error = await new HttpClient(noSleep).send({ method: 'POST', url: server.url, body: {} }).catch((e) => e);
      expect(error).toBeInstanceOf(AmbiguousOutcomeError);
      expect(error.message).toMatch(/^POST .* answered HTTP 503 .*the request may have been carried out$/);
      expect(server.requests).toHaveLength(1);
    }));

    test('a 500 is ambiguous too', () => withServer([{ status: 500 }], async (server) => {
      await expect(new HttpClient(noSleep).send({ method: 'POST', url: server.url })).rejects.toBeInstanceOf(AmbiguousOutcomeError);
    }));

    test('a timeout is ambiguous', () => withServer([{ status: 200, hang: true }], async (server) => {
      const error = await new HttpClient({ ...noSleep, retry: { requestTimeoutMs: 150 } }).send({ method: 'POST', url: server.url }).catch((e) => e);
      expect(error).toBeInstanceOf(AmbiguousOutcomeError);
      expect(error.message).toMatch(/no answer within 150 ms; the request may have been carried out$/);
      expect(server.requests).toHaveLength(1);
    }));

    test('a reset connection is ambiguous', () => withServer([{ status: 0, reset: true }], async (server) => {
      const error = await new HttpClient(noSleep).send({ method: 'POST', url: server.url }).catch((e) => e);
      expect(error).toBeInstanceOf(AmbiguousOutcomeError);
      expect(server.requests).toHaveLength(1);
    }));

    test('a 2xx with a malformed body is ambiguous when JSON was expected, and is described, not quoted', () => withServer([{
      status: 201, body: `token=${SECRET}`, raw: true, headers: { 'content-type': 'text/plain; charset=utf-8' },
    }], async (server) => {
      const error = await new HttpClient(noSleep).send({ method: 'POST', url: server.url, expectJson: true }).catch((e) => e);
      expect(error).toBeInstanceOf(AmbiguousOutcomeError);
      expect(error.message).toMatch(/answered HTTP 201 with 86 bytes of text\/plain \(not JSON\), not the JSON object expected \(a 2xx body is never quoted\)$/);
      expect(error.message).not.toContain('dt0g02');
    }));

    test('a 429 proves nothing was done: it is retried', () => withServer([{ status: 429 }, { status: 201, body: { id: 'x' } }], async (server) => {
      const res = await new HttpClient(noSleep).send({ method: 'POST', url: server.url });
      expect(res.json).toEqual({ id: 'x' });
      expect(server.requests).toHaveLength(2);
    }));

    test('a refused connection proves nothing was sent: it is retried', async () => {
      const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
      let calls = 0;
      const fetchFn = (async () => {
        if (++calls === 1) throw refused;
        return new Response('{"id":"y"}', { status: 201 });
      }) as unknown as typeof fetch;
      const res = await new HttpClient({ ...noSleep, fetchFn }).send({ method: 'POST', url: 'http://127.0.0.1:9/x' });
      expect(res.json).toEqual({ id: 'y' });
      expect(calls).toBe(2);
    });

    test('a POST marked idempotent (an OAuth token request) is retried like a GET', () => withServer([{ status: 503 }, { status: 200, body: {} }], async (server) => {
      await new HttpClient(noSleep).send({ method: 'POST', url: server.url, idempotent: true });
      expect(server.requests).toHaveLength(2);
    }));
  });

  describe('cancelling', () => {
    test('an abort stops the attempt under way and starts no other', () => withServer([{ status: 200, hang: true }], async (server) => {
      const controller = new AbortController();
      const client = new HttpClient({ signal: controller.signal, retry: { requestTimeoutMs: 10_000 } });
      setTimeout(() => controller.abort(new Error('the deadline passed')), 100);
      const started = Date.now();
      await expect(client.send({ method: 'GET', url: server.url })).rejects.toThrow(/^GET .* was not completed: the deadline passed$/);
      expect(Date.now() - started).toBeLessThan(2_000);
      await new Promise((r) => setTimeout(r, 200));
      expect(server.requests).toHaveLength(1);
    }));

    test('an abort ends a pause between attempts at once', () => withServer([{ status: 503 }], async (server) => {
      const controller = new AbortController();
      const client = new HttpClient({ signal: controller.signal, retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 } });
      setTimeout(() => controller.abort(new Error('stop')), 100);
      const started = Date.now();
      await expect(client.send({ method: 'GET', url: server.url })).rejects.toThrow('stop');
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(server.requests).toHaveLength(1);
    }));
  });

  describe('a body that may hold a credential is never quoted', () => {
    test('a 2xx JSON object without the expected shape is still returned whole to the caller', () => withServer([{ status: 201, body: { token: SECRET } }], async (server) => {
      const res = await new HttpClient(noSleep).send({ method: 'POST', url: server.url, expectJson: true });
      expect(res.json.token).toBe(SECRET);
      expect(res.summary).toBe('HTTP 201 with 92 bytes of application/json (a JSON object)');
    }));

    test('a 2xx GET answer that is not JSON (a token list, say) is retried, then described, not quoted, in the error and the log', () => withServer([
      { status: 200, body: `[{"token":"${SECRET}"`, raw: true },
    ], async (server) => {
      const lines: string[] = [];
      const error = await new HttpClient({ ...noSleep, log: (l) => lines.push(l), retry: { maxAttempts: 2 } })
        .send({ method: 'GET', url: `${server.url}/api/v2/activeGateTokens`, expectJson: true }).catch((e) => e);
      expect(error.message).toMatch(/failed after 2 attempts: HTTP 200 with 92 bytes of application\/json \(not JSON\), not the JSON object expected/);
      expect(`${error.message}\n${lines.join('\n')}`).not.toContain('dt0g02');
      expect(lines).toHaveLength(1);
      expect(server.requests).toHaveLength(2);
    }));

    test.each([400, 409, 500])('a %s answer to a POST whose body has no error shape is described by status, length and content type', (status) => withServer([{
      status, body: { id: 'x', token: SECRET },
    }], async (server) => {
      const error = await new HttpClient(noSleep).send({ method: 'POST', url: server.url, body: {} }).catch((e) => e);
      expect(error).toBeInstanceOf(HttpError);
      expect(error.message).toContain(`HTTP ${status}${status === 500 ? ' (' : ': '}101 bytes of application/json (a JSON object), not quoted (the answer to a POST may hold a credential)`);
      expect(error.message).not.toContain('dt0g02');
    }));

    test('an HTML error page in answer to a POST is not quoted either', () => withServer([{ status: 502, body: `<html>${SECRET}</html>`, raw: true, headers: { 'content-type': 'text/html' } }], async (server) => {
      const error = await new HttpClient(noSleep).send({ method: 'POST', url: server.url }).catch((e) => e);
      expect(error).toBeInstanceOf(AmbiguousOutcomeError);
      expect(error.message).toMatch(/answered HTTP 502 \(93 bytes of text\/html \(not JSON\), not quoted \(the answer to a POST may hold a credential\)\): the request may/);
      expect(error.message).not.toContain('dt0g02');
    }));

    test('an OAuth token request (a POST marked idempotent) is not quoted when its error body has no error shape', () => withServer([{ status: 401, body: `access_token=${SECRET}`, raw: true }], async (server) => {
      const error = await new HttpClient(noSleep).send({ method: 'POST', url: server.url, idempotent: true }).catch((e) => e);
      expect(error.message).toMatch(/failed with HTTP 401: 93 bytes of application\/json \(not JSON\), not quoted \(the answer to a POST may hold a credential\)$/);
    }));

    test('Dynatrace\'s error shape in answer to a POST is still quoted by its message fields', () => withServer([{
      status: 400, body: { error: { code: 400, message: 'Invalid expiration date', constraintViolations: [{ path: 'expirationDate', message: 'must be in the future' }] } },
    }], async (server) => {
      const error = await new HttpClient(noSleep).send({ method: 'POST', url: `${server.url}/api/v2/activeGateTokens`, body: {} }).catch((e) => e);
      expect(error.message).toMatch(/failed with HTTP 400: Invalid expiration date \(expirationDate: must be in the future\)$/);
    }));

    test('OAuth\'s error shape is quoted by its error code and description', () => withServer([{ status: 400, body: { error: 'invalid_client', error_description: 'Client authentication failed' } }], async (server) => {
      const error = await new HttpClient(noSleep).send({ method: 'POST', url: server.url, idempotent: true }).catch((e) => e);
      expect(error.message).toMatch(/failed with HTTP 400: invalid_client: Client authentication failed$/);
      expect(error.body).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed' });
    }));

    test('a quoted GET error body is cut on a character boundary, never inside a surrogate pair', () => withServer([{
      status: 500, body: `${'a'.repeat(199)}😀${'b'.repeat(50)}`, raw: true,
    }], async (server) => {
      const error = await new HttpClient({ ...noSleep, retry: { maxAttempts: 1 } }).send({ method: 'GET', url: server.url }).catch((e) => e);
      expect(error.message).toMatch(new RegExp('malformed JSON body: a{199}…$'));
      expect(error.message).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    }));

    test('an empty 2xx answer is summarized as such', () => withServer([{ status: 204 }], async (server) => {
      expect((await new HttpClient(noSleep).send({ method: 'DELETE', url: server.url })).summary).toBe('HTTP 204 with an empty body');
    }));
  });
});
