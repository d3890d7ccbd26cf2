import { readSecret, SecretsReader } from '../../src/internal/runtime/secrets';

const reader = (value: string | undefined): SecretsReader => ({ getSecretString: async () => value });

describe('readSecret', () => {
  test('reads the whole string, trimmed', async () => {
    expect(await readSecret(reader(' token\n'), 'arn:s')).toBe('token');
  });

  test('reads one field of a JSON secret', async () => {
    expect(await readSecret(reader('{"apiToken":"t","other":"o"}'), 'arn:s', 'apiToken')).toBe('t');
  });

  test.each([
    [undefined, undefined, 'secret arn:s has no string value'],
    ['', undefined, 'secret arn:s has no string value'],
    ['not json', 'apiToken', 'secret arn:s is not JSON, so its field "apiToken" cannot be read'],
    ['{"apiToken":""}', 'apiToken', 'secret arn:s has no non-empty string field "apiToken"'],
    ['{"other":"x"}', 'apiToken', 'secret arn:s has no non-empty string field "apiToken"'],
  ])('refuses %p (field %p) without showing the value', async (value, field, message) => {
    const error: Error = await readSecret(reader(value), 'arn:s', field).catch((e) => e);
    expect(error.message).toBe(message);
  });
});
