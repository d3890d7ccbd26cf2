import { execSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fc from 'fast-check';
import {
  describeToken, isActiveGateToken, isApiToken, isEdgeConnectSecretToken, tokenIdentifier,
} from '../../../src/vendors/dynatrace/tokens';

/** RFC 4648 base32, upper case, no padding: what `base32 | tr '[:lower:]' '[:upper:]'` prints for 15 and 40 bytes. */
function base32(bytes: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bits = [...bytes].map((b) => b.toString(2).padStart(8, '0')).join('');
  const groups = bits.match(/.{1,5}/g) ?? [];
  return groups.map((g) => alphabet[parseInt(g.padEnd(5, '0'), 2)]).join('');
}

const vendorStyleToken = (a: Buffer, b: Buffer) => `dt0e01.${base32(a)}.${base32(b)}`;

describe('EdgeConnect placeholder tokens', () => {
  test('every token the vendor\'s generator can make (15 and 40 random bytes, base32) is accepted', () => {
    fc.assert(fc.property(
      fc.uint8Array({ minLength: 15, maxLength: 15 }), fc.uint8Array({ minLength: 40, maxLength: 40 }),
      (a, b) => isEdgeConnectSecretToken(vendorStyleToken(Buffer.from(a), Buffer.from(b))),
    ));
  });

  test('a token made by the vendor\'s own openssl command is accepted', () => {
    const command = 'echo "dt0e01.`openssl rand -out /dev/stdout 15 | base32 | tr \'[:lower:]\' \'[:upper:]\'`.' +
      '`openssl rand -out /dev/stdout 40 | base32 | tr \'[:lower:]\' \'[:upper:]\'`"';
    const token = execSync(command, { shell: '/bin/bash' }).toString().trim();
    expect(token).toMatch(/^dt0e01\./);
    expect(isEdgeConnectSecretToken(token)).toBe(true);
  });

  test.each([
    ['the prose lengths 15 and 40', `dt0e01.${'A'.repeat(15)}.${'B'.repeat(40)}`],
    ['lower case', vendorStyleToken(randomBytes(15), randomBytes(40)).toLowerCase()],
    ['digits outside base32 (0, 1, 8, 9)', `dt0e01.${'0'.repeat(24)}.${'1'.repeat(64)}`],
    ['another prefix', `dt0c01.${'A'.repeat(24)}.${'B'.repeat(64)}`],
    ['the guide\'s illustration', 'dt0e01.some-token-name.some-token-secret'],
    ['padding', `dt0e01.${'A'.repeat(22)}==.${'B'.repeat(64)}`],
  ])('refuses %s', (_, token) => {
    expect(isEdgeConnectSecretToken(token)).toBe(false);
  });
});

describe('API and ActiveGate tokens', () => {
  const api = `dt0c01.${'ABCD2345EFGH6789IJKL0123'}.${'A1'.repeat(32)}`;
  const activeGate = `dt0g02.${'ABCD1234'}.${'Z9'.repeat(32)}`;

  test('well-formed tokens pass', () => {
    expect(isApiToken(api)).toBe(true);
    expect(isActiveGateToken(activeGate)).toBe(true);
  });

  test.each([
    [isApiToken, `dt0c01.${'A'.repeat(23)}.${'A'.repeat(64)}`],
    [isApiToken, `dt0c01.${'A'.repeat(24)}.${'A'.repeat(65)}`],
    [isApiToken, `dt0g02.${'A'.repeat(24)}.${'A'.repeat(64)}`],
    [isActiveGateToken, `dt0g02.${'A'.repeat(9)}.${'A'.repeat(64)}`],
    [isActiveGateToken, `dt0c01.${'A'.repeat(8)}.${'A'.repeat(64)}`],
  ])('%p refuses %s', (check, token) => {
    expect(check(token)).toBe(false);
  });
});

describe('token identifiers', () => {
  test('the identifier is the part before the last dot; the secret part is masked', () => {
    const token = `dt0c01.${'A'.repeat(24)}.${'S'.repeat(64)}`;
    expect(tokenIdentifier(token)).toBe(`dt0c01.${'A'.repeat(24)}`);
    expect(describeToken(token)).toBe(`dt0c01.${'A'.repeat(24)}.***`);
    expect(describeToken(token)).not.toContain('SSSS');
  });

  test('a value without a dot shows nothing of itself', () => {
    expect(tokenIdentifier('secretvalue')).toBe('');
    expect(describeToken('secretvalue')).toBe('***');
  });
});
