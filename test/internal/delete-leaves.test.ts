/*
 * What lets a Delete answer SUCCESS over a vendor side it cannot reach, and what must keep
 * failing so that CloudFormation's retried delete still cleans up.
 */
import { whyDeleteCannotAct } from '../../src/internal/runtime/delete-leaves';
import { HttpClient, HttpError } from '../../src/internal/runtime/http-client';
import { LocalServer } from '../support/local-server';

const noSleep = { sleep: async () => undefined, retry: { maxAttempts: 3 } };

function awsError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

describe('whyDeleteCannotAct', () => {
  test('a host name that does not resolve (a deleted tenant): the real resolver, through the client and its retries', async () => {
    // .invalid never resolves (RFC 6761), with or without a network.
    const error = await new HttpClient(noSleep).send({ method: 'DELETE', url: 'https://abc12345.invalid/api/v2/x' }).catch((e) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).networkCode).toBe('ENOTFOUND');
    expect(whyDeleteCannotAct(error)).toMatch(/no longer resolves \(ENOTFOUND\)/);
  });

  test.each([401, 403])('HTTP %i: the credential is refused', (status) => {
    expect(whyDeleteCannotAct(new HttpError('DELETE failed', status))).toMatch(new RegExp(`refused the credential \\(HTTP ${status}\\)`));
  });

  test.each([
    ['ResourceNotFoundException', 'Secrets Manager can\'t find the specified secret.', /no longer exists/],
    ['InvalidRequestException', 'You can\'t perform this operation on the secret because it was marked for deletion.', /scheduled for deletion/],
    ['DecryptionFailure', 'Secrets Manager can\'t decrypt the protected secret text using the provided KMS key.', /KMS key refuses/],
    ['AccessDeniedException', 'Access to KMS is not allowed', /access to its KMS key is denied/],
  ])('a secret that cannot be read (%s)', (name, message, reason) => {
    expect(whyDeleteCannotAct(awsError(name, message))).toMatch(reason);
  });

  describe('what may pass keeps failing', () => {
    let server: LocalServer;
    beforeAll(async () => { server = await LocalServer.start(() => ({ status: 200 })); });
    afterAll(async () => server.stop());

    test('5xx after the retries', async () => {
      server.route = () => ({ status: 503, body: { error: { message: 'unavailable' } } });
      const error = await new HttpClient(noSleep).send({ method: 'DELETE', url: `${server.url}/x` }).catch((e) => e);
      expect(error).toBeInstanceOf(HttpError);
      expect(whyDeleteCannotAct(error)).toBeUndefined();
    });

    test('a refused connection (the host resolves, nothing listens)', async () => {
      const closed = await LocalServer.start(() => ({ status: 200 }));
      const url = `${closed.url}/x`;
      await closed.stop();
      const error = await new HttpClient(noSleep).send({ method: 'DELETE', url }).catch((e) => e);
      expect((error as HttpError).networkCode).toBe('ECONNREFUSED');
      expect(whyDeleteCannotAct(error)).toBeUndefined();
    });

    test.each([
      new HttpError('DELETE failed with HTTP 404', 404),
      new HttpError('DELETE failed with HTTP 429', 429),
      new HttpError('failed after 6 attempts: network error: EAI_AGAIN', undefined, undefined, 'EAI_AGAIN'),
      awsError('InvalidRequestException', 'You provided a parameter value that is not valid for the current state of the resource.'),
      awsError('ThrottlingException', 'Rate exceeded'),
      new Error('anything else'),
      undefined,
    ])('%p', (error) => {
      expect(whyDeleteCannotAct(error)).toBeUndefined();
    });
  });
});
