import * as http from 'http';
import * as https from 'https';
import type { AddressInfo } from 'net';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly json: any;
}

export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Answer only after this many milliseconds (to test timeouts). */
  readonly delayMs?: number;
  /** Send the body as is, not as JSON. */
  readonly raw?: boolean;
  /** Reset the connection instead of answering (after the route has done its work). */
  readonly reset?: boolean;
  /** Never answer (the client's timeout or abort ends the request). */
  readonly hang?: boolean;
}

export type Route = (req: RecordedRequest) => Reply | Promise<Reply>;

/**
 * A stand-in for a vendor API (or the CloudFormation ResponseURL) on 127.0.0.1. Records every
 * request in order; `route` decides each answer.
 */
export class LocalServer {
  /** Starts the server; with `tls` (a PEM key and certificate) it speaks HTTPS. */
  public static async start(route: Route, tls?: { key: string; cert: string }): Promise<LocalServer> {
    const server = new LocalServer(route, tls);
    await new Promise<void>((resolve) => server.server.listen(0, '127.0.0.1', resolve));
    return server;
  }

  public readonly requests: RecordedRequest[] = [];
  private readonly server: http.Server;
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(public route: Route, private readonly tls?: { key: string; cert: string }) {
    const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: any;
        try {
          json = body ? JSON.parse(body) : undefined;
        } catch {
          json = undefined;
        }
        const recorded = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, json };
        this.requests.push(recorded);
        const reply = await this.route(recorded);
        if (reply.hang) return;
        const send = () => {
          if (res.destroyed) return;
          if (reply.reset) {
            req.socket.resetAndDestroy();
            return;
          }
          const payload = reply.body === undefined ? '' : reply.raw ? String(reply.body) : JSON.stringify(reply.body);
          res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
          res.end(payload);
        };
        if (reply.delayMs) {
          const t = setTimeout(() => { this.timers.delete(t); send(); }, reply.delayMs);
          this.timers.add(t);
        } else {
          send();
        }
      });
    };
    this.server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, handle) : http.createServer(handle);
  }

  public get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  }

  public async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
