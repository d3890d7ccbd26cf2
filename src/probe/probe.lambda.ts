// Runs inside one VPC: resolves, connects and handshakes, and returns what it saw.
export async function handler(): Promise<unknown> {
  throw new Error('not implemented yet');
}
