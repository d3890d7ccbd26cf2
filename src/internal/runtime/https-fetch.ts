/*
 * A fetch for vendor APIs whose certificate comes from a private CA, such as an Environment
 * ActiveGate (self-signed by default) or a Dynatrace Managed cluster behind a corporate CA.
 * Node's built-in fetch cannot be given extra CAs per call, so this is the subset of fetch the
 * HttpClient uses, over node:https with the system CAs plus the given PEM certificates. Host
 * names are still verified against the certificate.
 */
import * as http from 'http';
import * as https from 'https';
import * as tls from 'tls';

/** A fetch that trusts the system CAs and the given PEM certificates (one or more per string). */
export function fetchTrusting(pemCertificates: readonly string[]): typeof fetch {
  const agent = new https.Agent({ ca: [...tls.rootCertificates, ...pemCertificates], keepAlive: true });
  const fetchFn = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<Response>((resolve, reject) => {
      const signal = init.signal ?? undefined;
      if (signal?.aborted) return reject(signal.reason);
      const req = transport.request(url, {
        method: init.method ?? 'GET',
        headers: init.headers as Record<string, string> | undefined,
        ...(url.protocol === 'https:' ? { agent } : {}),
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const headers = new Headers();
          for (const [key, value] of Object.entries(res.headers)) {
            if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
          }
          const status = res.statusCode ?? 0;
          const body = [204, 205, 304].includes(status) ? null : Buffer.concat(chunks);
          resolve(new Response(body, { status, headers }));
        });
      });
      const onAbort = () => req.destroy(signal!.reason instanceof Error ? signal!.reason : new Error('aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('close', () => signal?.removeEventListener('abort', onAbort));
      req.on('error', (error: NodeJS.ErrnoException) => {
        // Shaped like fetch's errors, so the client can tell a refused connection from a reset.
        reject(Object.assign(new TypeError('fetch failed'), { cause: error }));
      });
      if (init.body !== undefined && init.body !== null) req.write(init.body as string);
      req.end();
    });
  };
  return fetchFn as typeof fetch;
}
