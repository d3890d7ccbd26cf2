/*
 * What the probe meets inside a VPC, on 127.0.0.1: a DNS server (dns-packet over node:dgram)
 * that answers what each test sets, a TLS server with a certificate made by openssl for this
 * run, a port where nothing listens, and a listener that never completes a TCP handshake.
 */
import { ChildProcessWithoutNullStreams, execFileSync, spawn } from 'child_process';
import * as dgram from 'dgram';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import * as tls from 'tls';
import * as dnsPacket from 'dns-packet';

/** What the DNS stand-in answers for a name: addresses, an error code, or nothing at all. */
export type DnsReply =
  | { readonly addresses: string[] }
  | { readonly rcode: 'NXDOMAIN' | 'SERVFAIL' }
  | { readonly silent: true };

/** RCODE values of the DNS header (RFC 1035 4.1.1), which dns-packet encodes from `flags`. */
const RCODES = { NXDOMAIN: 3, SERVFAIL: 2 } as const;

export class DnsStandIn {
  public static async start(): Promise<DnsStandIn> {
    const server = new DnsStandIn();
    await new Promise<void>((resolve) => server.socket.bind(0, '127.0.0.1', resolve));
    return server;
  }

  /** The answer per name; a name without one gets NOERROR with no records. */
  public readonly replies = new Map<string, DnsReply>();
  /** Every question received, as "TYPE name". */
  public readonly questions: string[] = [];
  private readonly socket = dgram.createSocket('udp4');

  private constructor() {
    this.socket.on('message', (message, from) => {
      const query = dnsPacket.decode(message);
      const question = query.questions?.[0];
      if (!question) return;
      this.questions.push(`${question.type} ${question.name}`);
      const reply = this.replies.get(question.name.toLowerCase()) ?? { addresses: [] };
      if ('silent' in reply) return;
      const rcode = 'rcode' in reply ? RCODES[reply.rcode] : 0;
      const answers: dnsPacket.Answer[] = 'addresses' in reply && question.type === 'A'
        ? reply.addresses.map((data) => ({ type: 'A' as const, name: question.name, ttl: 60, data }))
        : [];
      const response = dnsPacket.encode({
        type: 'response',
        id: query.id,
        // Distinct header bits, so their sum is the flags word; the RCODE is its low four bits.
        flags: dnsPacket.RECURSION_DESIRED + dnsPacket.RECURSION_AVAILABLE + rcode,
        questions: query.questions,
        answers,
      });
      this.socket.send(response, from.port, from.address);
    });
  }

  /** The server as the probe's `dnsServer` option takes it. */
  public get server(): string {
    return `127.0.0.1:${this.socket.address().port}`;
  }

  public async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}

/** A fresh self-signed certificate (a CA for itself) for one DNS name, made with openssl. */
export function certificateFor(dnsName: string): { key: string; cert: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-cert-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${dnsName}`,
      '-addext', `subjectAltName=DNS:${dnsName}`,
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    return { key: fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert: fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A TLS server on 127.0.0.1 that completes the handshake and closes. */
export class TlsStandIn {
  public static async start(certificate: { key: string; cert: string }): Promise<TlsStandIn> {
    const server = new TlsStandIn(certificate);
    await new Promise<void>((resolve) => server.server.listen(0, '127.0.0.1', resolve));
    return server;
  }

  /** The SNI names the clients sent. */
  public readonly serverNames: string[] = [];
  private readonly server: tls.Server;

  private constructor(certificate: { key: string; cert: string }) {
    this.server = tls.createServer({
      key: certificate.key,
      cert: certificate.cert,
      // Recorded during the handshake: the client may close before the server sees it complete.
      SNICallback: (servername, done) => {
        this.serverNames.push(servername);
        done(null, undefined);
      },
    }, (socket) => socket.end());
    this.server.on('tlsClientError', () => undefined);
  }

  public get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  public async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A port on 127.0.0.1 where nothing listens (a connection is refused). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A listener that never completes a TCP handshake: a python3 socket listening with a backlog
 * of 0 that never accepts, its accept queue filled by its own first connection, so the kernel
 * drops every later SYN and a connect waits until the client gives up.
 */
export class SilentListener {
  public static async start(): Promise<SilentListener> {
    const script = [
      'import socket, sys',
      's = socket.socket(socket.AF_INET, socket.SOCK_STREAM)',
      's.bind(("127.0.0.1", 0))',
      's.listen(0)',
      'fillers = []',
      'for _ in range(3):',
      '    f = socket.socket(socket.AF_INET, socket.SOCK_STREAM)',
      '    f.settimeout(0.3)',
      '    try:',
      '        f.connect(s.getsockname())',
      '    except OSError:',
      '        pass',
      '    fillers.append(f)',
      'print(s.getsockname()[1], flush=True)',
      'sys.stdin.read()',
    ].join('\n');
    const child = spawn('python3', ['-c', script]);
    const port = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.stdout.once('data', (data: Buffer) => resolve(Number(String(data).trim())));
    });
    return new SilentListener(child, port);
  }

  private constructor(private readonly child: ChildProcessWithoutNullStreams, public readonly port: number) {}

  public async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end();
    await exited;
  }
}
