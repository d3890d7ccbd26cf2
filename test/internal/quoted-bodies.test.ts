/*
 * No vendor body that may hold a credential reaches a log line or CloudFormation's Reason: driven
 * through the real ActiveGate token handler against the Dynatrace stand-in (its harness also
 * checks, on stop, that no token value reached a log or an answer).
 */
import { Harness, TOKENS } from '../vendors/dynatrace/activegate/activegate-token-harness';

/** A credential-shaped value that only a vendor body holds: it must appear nowhere. */
const LEAK = `dt0g02.LEAKLEAK.${'L'.repeat(64)}`;

let h: Harness;
beforeEach(async () => { h = await Harness.start(); });
afterEach(async () => h.stop());

function expectNotQuoted(answer: { Reason: string }) {
  expect(answer.Reason).not.toContain('LEAKLEAK');
  expect(h.logs.join('\n')).not.toContain('LEAKLEAK');
}

test('a token list (GET) answered without its list is never quoted', async () => {
  const body = { items: [{ id: 'dt0g02.LEAKLEAK', token: LEAK }] };
  h.dynatrace.failures.push({ status: 200, body });
  const answer = await h.invoke(h.event('Create'));
  expect(answer.Status).toBe('FAILED');
  expect(answer.Reason).toMatch(new RegExp(`^GET ${TOKENS} answered HTTP 200 .*without an "activeGateTokens" list`));
  expectNotQuoted(answer);
});

test('a token list (GET) that is not JSON is retried, then described, never quoted', async () => {
  for (let i = 0; i < 6; i++) h.dynatrace.failures.push({ status: 200, body: `{"activeGateTokens":[{"token":"${LEAK}"`, raw: true });
  const answer = await h.invoke(h.event('Create'));
  expect(answer.Status).toBe('FAILED');
  expect(answer.Reason).toMatch(/failed after 6 attempts: HTTP 200 with \d+ bytes of application\/json \(not JSON\), not the JSON object expected \(a 2xx body is never quoted\)/);
  expectNotQuoted(answer);
});

test('a create (POST) answered 201 with a body that is not JSON: the token is looked up, and the body is never quoted', async () => {
  h.dynatrace.afterCreate.push({ status: 201, body: `{"id":"dt0g02.TOKEN001","token":"${LEAK}"`, raw: true });
  const answer = await h.invoke(h.event('Create'));
  expect(answer.Status).toBe('SUCCESS');
  expect(h.logs.some((l) => /POST .* answered HTTP 201 with \d+ bytes of application\/json \(not JSON\)/.test(l))).toBe(true);
  expectNotQuoted(answer);
});

test.each([400, 409])('a create (POST) refused with %i and a body without the error shape is described, never quoted', async (status) => {
  h.dynatrace.afterCreate.push({ status, body: { id: 'dt0g02.TOKEN001', token: LEAK } });
  const answer = await h.invoke(h.event('Create'));
  expect(answer.Status).toBe('FAILED');
  expect(answer.Reason).toMatch(new RegExp(`POST .* failed with HTTP ${status}: \\d+ bytes of application/json \\(a JSON object\\), ` +
    'not quoted \\(the answer to a POST may hold a credential\\)'));
  expectNotQuoted(answer);
});

test('a create (POST) refused with Dynatrace\'s error shape is quoted by its message', async () => {
  h.dynatrace.afterCreate.push({ status: 400, body: { error: { code: 400, message: 'Invalid expirationDate', constraintViolations: [{ path: 'expirationDate', message: 'must not be in the past' }] } } });
  const answer = await h.invoke(h.event('Create'));
  expect(answer.Reason).toMatch(/failed with HTTP 400: Invalid expirationDate \(expirationDate: must not be in the past\)/);
});
