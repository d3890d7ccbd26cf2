/*
 * What every vendor API stand-in shares: a LocalServer on 127.0.0.1 that records each request and
 * lets the subclass's `answer` decide the reply, with the request log the tests read.
 */
import { LocalServer, RecordedRequest, Reply } from './local-server';

export abstract class VendorStandIn {
  /** Starts `standIn` on 127.0.0.1 (HTTPS with `tls`), answering with its `answer`. */
  protected static async listen<T extends VendorStandIn>(standIn: T, tls?: { key: string; cert: string }): Promise<T> {
    standIn.server = await LocalServer.start((req) => standIn.answer(req), tls);
    return standIn;
  }

  private server!: LocalServer;

  public get url(): string {
    return this.server.url;
  }

  /** Every request as "METHOD path", in order. */
  public get calls(): string[] {
    return this.server.requests.map((r) => `${r.method} ${r.path}`);
  }

  public get requests(): RecordedRequest[] {
    return this.server.requests;
  }

  public stop(): Promise<void> {
    return this.server.stop();
  }

  /** The reply to one request. */
  protected abstract answer(req: RecordedRequest): Reply | Promise<Reply>;
}
