/*
 * CloudFormation refuses a custom-resource answer over 4,096 bytes. These tests drive
 * runCustomResource and read the answer the way CloudFormation would: the PUT body received by a
 * local server, measured in UTF-8 bytes.
 */
import { CustomResourceEvent, CustomResourceResult, fitAnswer, MAX_ANSWER_BYTES, runCustomResource } from '../../src/internal/runtime/custom-resource';
import { LocalServer, RecordedRequest } from '../support/local-server';

const STACK_ID = 'arn:aws:cloudformation:eu-west-1:111111111111:stack/a-stack-with-a-rather-long-name/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';

describe('every answer fits 4,096 bytes', () => {
  let server: LocalServer;
  let lines: string[];
  beforeEach(async () => {
    server = await LocalServer.start(() => ({ status: 200 }));
    lines = [];
  });
  afterEach(() => server.stop());

  function event(overrides: Partial<CustomResourceEvent> = {}): CustomResourceEvent {
    return {
      RequestType: 'Create',
      ResponseURL: `${server.url}/cfn-response?X-Amz-Signature=abc`,
      StackId: STACK_ID,
      RequestId: '5f0e6a5e-1111-2222-3333-444455556666',
      LogicalResourceId: 'AzFilter0A1B2C3D',
      ResourceType: 'Custom::Thing',
      ResourceProperties: {},
      ...overrides,
    };
  }

  /** Runs the handler and returns the answer as CloudFormation received it. */
  async function run(work: () => Promise<CustomResourceResult>, overrides: Partial<CustomResourceEvent> = {}): Promise<RecordedRequest> {
    await runCustomResource(event(overrides), { getRemainingTimeInMillis: () => 60_000 }, work,
      { log: (l) => lines.push(l), sleep: async () => undefined });
    expect(server.requests).toHaveLength(1);
    const [put] = server.requests;
    expect(Buffer.byteLength(put.body)).toBeLessThanOrEqual(MAX_ANSWER_BYTES);
    expect(put.json).toBeDefined();
    return put;
  }

  test('a small answer is sent as it is', async () => {
    const put = await run(async () => ({ physicalResourceId: 'p', reason: 'left x behind', data: { A: 'a' } }));
    expect(put.json).toMatchObject({ Status: 'SUCCESS', Reason: 'left x behind', Data: { A: 'a' } });
  });

  test('a huge FAILED reason is cut by bytes, and the cut is said', async () => {
    const put = await run(async () => { throw new Error(`GET /x failed: ${'e'.repeat(50_000)}`); });
    expect(put.json.Status).toBe('FAILED');
    const reason: string = put.json.Reason;
    expect(reason.startsWith('GET /x failed: eee')).toBe(true);
    const cut = Number(/\(cut: ([\d,]+) bytes of reason, to fit CloudFormation's 4,096-byte answer\)$/.exec(reason)![1].replace(/,/g, ''));
    const kept = reason.slice(0, reason.indexOf(' … (cut:'));
    expect(Buffer.byteLength(kept) + cut).toBe(Buffer.byteLength(`GET /x failed: ${'e'.repeat(50_000)}`));
    // Cut no more than needed: the answer is close to the limit.
    expect(Buffer.byteLength(put.body)).toBeGreaterThan(MAX_ANSWER_BYTES - 10);
  });

  test.each([
    ['"…" (3 bytes each)', '…'],
    ['non-ASCII vendor text (2 bytes each)', 'é'],
    ['emoji (4 bytes, two UTF-16 units each)', '😀'],
    ['CJK (3 bytes each)', '漢'],
  ])('a reason of %s is cut on a character boundary', async (_, char) => {
    const put = await run(async () => { throw new Error(char.repeat(5_000)); });
    // The body is valid UTF-8 (no replacement character from a split sequence) and the cut is said.
    expect(put.body).not.toContain('\uFFFD');
    const reason: string = put.json.Reason;
    expect(reason).toMatch(/ … \(cut: [\d,]+ bytes of reason, to fit CloudFormation's 4,096-byte answer\)$/);
    const kept = reason.slice(0, reason.indexOf(' … (cut:'));
    expect(Array.from(kept).every((c) => c === char)).toBe(true);
    expect(Buffer.byteLength(kept)).toBeGreaterThan(3_000);
  });

  test('characters JSON escapes (quotes, backslashes, newlines, control characters) are counted as sent', async () => {
    const put = await run(async () => { throw new Error('"\\\n\u0001'.repeat(3_000)); });
    expect(put.json.Reason).toMatch(/cut: [\d,]+ bytes of reason/);
    expect(Buffer.byteLength(put.body)).toBeGreaterThan(MAX_ANSWER_BYTES - 10);
  });

  test('a SUCCESS reason is cut first, and every attribute is kept', async () => {
    const data = { SubnetIds: Array.from({ length: 40 }, (_, i) => `subnet-${String(i).padStart(17, '0')}`).join(','), Summary: 's'.repeat(500) };
    const put = await run(async () => ({ physicalResourceId: 'p', reason: `note ${'n'.repeat(5_000)}`, data }));
    expect(put.json.Status).toBe('SUCCESS');
    expect(put.json.Data).toEqual(data);
    expect(put.json.Reason).toMatch(/^note n+ … \(cut: [\d,]+ bytes of reason, to fit CloudFormation's 4,096-byte answer\)$/);
  });

  test('huge Data: optional attributes are dropped, largest first, the others kept, and the drop is said', async () => {
    const subnetIds = 'subnet-0123456789abcdef0,subnet-0123456789abcdef1';
    const put = await run(async () => ({
      physicalResourceId: 'p',
      data: { SubnetIds: subnetIds, Summary: 'z'.repeat(3_000), Diagnosis: 'd'.repeat(1_000), Small: 'ok' },
      optionalData: ['Summary', 'Diagnosis', 'Small'],
    }));
    expect(put.json.Status).toBe('SUCCESS');
    expect(put.json.Data).toEqual({ SubnetIds: subnetIds, Diagnosis: 'd'.repeat(1_000), Small: 'ok' });
    expect(put.json.Reason).toBe('OK … (Data attributes Summary dropped, to fit CloudFormation\'s 4,096-byte answer)');
  });

  test('huge Data that must be kept: a Create answers FAILED, naming each attribute\'s size, with the physical ID of what it made', async () => {
    const put = await run(async () => ({ physicalResourceId: 'made-1', data: { SubnetIds: 'x'.repeat(5_000), Summary: 'é'.repeat(100) }, optionalData: ['Summary'] }));
    expect(put.json).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'made-1' });
    expect(put.json.Data).toBeUndefined();
    expect(put.json.Reason).toBe('the answer does not fit CloudFormation\'s 4,096-byte limit: its Data attributes SubnetIds (5,000 bytes), ' +
      'Summary (200 bytes, optional) leave no room, even without the optional ones; the handler must return less');
    expect(lines.some((l) => l.startsWith('FAILED: the answer does not fit'))).toBe(true);
  });

  test('huge Data on an Update answers FAILED and keeps the current physical ID; the work\'s own reason follows, cut', async () => {
    const put = await run(async () => ({ physicalResourceId: 'new-2', reason: 'r'.repeat(9_000), data: { Big: 'b'.repeat(4_000) } }),
      { RequestType: 'Update', PhysicalResourceId: 'old-1' });
    expect(put.json).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'old-1' });
    expect(put.json.Reason).toMatch(/^the answer does not fit .*Big \(4,000 bytes\).*; the work's reason: r+ … \(cut: [\d,]+ bytes of reason, to fit/);
  });

  test('huge Data on a Delete answers SUCCESS without Data (nothing reads a deleted resource\'s attributes), and says so', async () => {
    const put = await run(async () => ({ physicalResourceId: 'p', data: { Big: 'b'.repeat(4_000), Other: 'o' } }),
      { RequestType: 'Delete', PhysicalResourceId: 'p' });
    expect(put.json.Status).toBe('SUCCESS');
    expect(put.json.Data).toEqual({});
    expect(put.json.Reason).toBe('OK … (Data attributes Big, Other dropped, to fit CloudFormation\'s 4,096-byte answer)');
  });

  test('multi-byte Data values are measured in bytes, not characters', async () => {
    // 1,500 characters, 4,500 bytes: fits by characters, not by bytes.
    const put = await run(async () => ({ physicalResourceId: 'p', data: { Name: '漢'.repeat(1_500) } }));
    expect(put.json.Status).toBe('FAILED');
    expect(put.json.Reason).toContain('Name (4,500 bytes)');
  });

  test('a long physical ID and stack ID leave less room, and the answer still fits', async () => {
    const put = await run(async () => { throw new Error('q'.repeat(10_000)); },
      { RequestType: 'Update', PhysicalResourceId: 'p'.repeat(1_000), LogicalResourceId: 'L'.repeat(255) });
    expect(put.json.PhysicalResourceId).toBe('p'.repeat(1_000));
    expect(put.json.Reason).toMatch(/^q+ … \(cut: /);
  });
});

test('fitAnswer returns an answer that already fits unchanged', () => {
  const answer = { Status: 'SUCCESS' as const, Reason: 'OK', PhysicalResourceId: 'p', StackId: 's', RequestId: 'r', LogicalResourceId: 'l', NoEcho: false, Data: { A: 'a' } };
  expect(fitAnswer({ RequestType: 'Create' }, answer)).toBe(answer);
});
