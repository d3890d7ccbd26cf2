/*
 * Property-based tests (fast-check) for the validators behind the synth-time refusals:
 * account IDs, IAM principal ARNs, DNS zone names, EdgeConnect host patterns, Dynatrace
 * tokens and CIDR overlaps. Each property states what must be accepted and what refused.
 */
import * as fc from 'fast-check';
import { cidrRange, cidrsOverlap } from '../../src/internal/addresses';
import { isHostPattern, isZoneName } from '../../src/internal/dns-names';
import { isAccountId, isIamPrincipalArn, isRegionName, partitionOf } from '../../src/internal/validation';
import { isActiveGateToken, isApiToken, isEdgeConnectSecretToken, tokenIdentifier } from '../../src/vendors/dynatrace/tokens';

const digits = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });
const chars = (alphabet: string, min: number, max: number) => fc.string({ unit: fc.constantFrom(...alphabet), minLength: min, maxLength: max });
const lower = 'abcdefghijklmnopqrstuvwxyz';
const label = fc.tuple(chars(lower + '0123456789', 1, 1), chars(lower + '0123456789-', 0, 20), chars(lower + '0123456789', 0, 1))
  .map(([a, b, c]) => (b.endsWith('-') && c === '' ? `${a}${b}x` : `${a}${b}${c}`));
const base32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

describe('account IDs', () => {
  test('exactly 12 digits are accepted', () => fc.assert(fc.property(digits(12), (id) => isAccountId(id))));
  test('any other length of digits is refused', () => fc.assert(fc.property(
    fc.integer({ min: 0, max: 30 }).filter((n) => n !== 12).chain(digits), (id) => !isAccountId(id))));
  test('a non-digit anywhere is refused', () => fc.assert(fc.property(
    digits(12), fc.integer({ min: 0, max: 11 }), fc.constantFrom('a', ' ', '-', '*', 'O'),
    (id, at, c) => !isAccountId(id.slice(0, at) + c + id.slice(at + 1)))));
});

describe('IAM principal ARNs', () => {
  const partition = fc.constantFrom('aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b');
  const path = fc.array(chars(lower + 'ABC0123456789+=,.@_-', 1, 12), { minLength: 1, maxLength: 3 }).map((p) => p.join('/'));
  test('account roots, roles and users in any partition are accepted', () => fc.assert(fc.property(
    partition, digits(12), fc.oneof(fc.constant('root'), path.map((p) => `role/${p}`), path.map((p) => `user/${p}`)),
    (p, account, resource) => isIamPrincipalArn(`arn:${p}:iam::${account}:${resource}`))));
  test('other services, account IDs of the wrong length, groups and wildcards are refused', () => fc.assert(fc.property(
    partition, fc.oneof(digits(11), digits(13)), digits(12), fc.constantFrom('s3', 'sts', 'ec2'),
    (p, badAccount, account, service) => !isIamPrincipalArn(`arn:${p}:iam::${badAccount}:root`)
      && !isIamPrincipalArn(`arn:${p}:${service}::${account}:root`)
      && !isIamPrincipalArn(`arn:${p}:iam::${account}:group/admins`)
      && !isIamPrincipalArn('*')
      && !isIamPrincipalArn(`arn:${p}:iam::${account}:*`))));
});

describe('DNS zone names', () => {
  test('two or more lowercase labels are accepted', () => fc.assert(fc.property(
    fc.array(label, { minLength: 2, maxLength: 6 }), (labels) => isZoneName(labels.join('.')))));
  test('one label, uppercase, an underscore, an empty label or a trailing dot is refused', () => fc.assert(fc.property(
    fc.array(label, { minLength: 2, maxLength: 5 }), label,
    (labels, one) => !isZoneName(one)
      && !isZoneName(labels.join('.').toUpperCase() + 'X')
      && !isZoneName(`${labels.join('.')}_x.com`)
      && !isZoneName(`${labels[0]}..${labels[1]}`)
      && !isZoneName(`${labels.join('.')}.`))));
  test('a label over 63 characters is refused', () => fc.assert(fc.property(
    chars(lower, 64, 80), label, (long, rest) => !isZoneName(`${long}.${rest}`))));
});

describe('EdgeConnect host patterns', () => {
  test('leading wildcard labels are accepted', () => fc.assert(fc.property(
    fc.integer({ min: 0, max: 3 }), fc.array(label, { minLength: 1, maxLength: 4 }),
    (stars, labels) => isHostPattern([...Array(stars).fill('*'), ...labels].join('.')))));
  test('a wildcard after a normal label, or inside a label, is refused', () => fc.assert(fc.property(
    fc.array(label, { minLength: 1, maxLength: 3 }), label,
    (labels, last) => !isHostPattern([...labels, '*', last].join('.')) && !isHostPattern(`a*b.${last}`))));
});

describe('Dynatrace tokens', () => {
  test('EdgeConnect placeholders made the way the vendor\'s openssl command makes them are accepted', () => fc.assert(fc.property(
    fc.uint8Array({ minLength: 15, maxLength: 15 }), fc.uint8Array({ minLength: 40, maxLength: 40 }),
    (name, secret) => isEdgeConnectSecretToken(`dt0e01.${toBase32(name)}.${toBase32(secret)}`))));
  test('API and ActiveGate tokens of the documented lengths are accepted, others refused', () => fc.assert(fc.property(
    chars(base32, 24, 24), chars(base32, 8, 8), chars(base32, 64, 64), fc.integer({ min: 1, max: 70 }).filter((n) => n !== 64),
    (id24, id8, secret, badLength) => isApiToken(`dt0c01.${id24}.${secret}`)
      && isActiveGateToken(`dt0g02.${id8}.${secret}`)
      && !isApiToken(`dt0c01.${id24}.${secret.slice(0, 1).repeat(badLength)}`)
      && !isApiToken(`dt0g02.${id24}.${secret}`)
      && !isActiveGateToken(`dt0g02.${id24}.${secret}`))));
  test('a token\'s identifier never contains its secret part', () => fc.assert(fc.property(
    chars(base32, 24, 24), chars(base32, 64, 64), (id, secret) => {
      const shown = tokenIdentifier(`dt0c01.${id}.${secret}`);
      return shown === `dt0c01.${id}` && !shown.includes(secret);
    })));
});

describe('regions and CIDR blocks', () => {
  test('region names map to their partition by prefix', () => fc.assert(fc.property(
    fc.constantFrom('us', 'eu', 'ap', 'sa', 'ca', 'me', 'af', 'il', 'mx'), fc.constantFrom('east', 'west', 'south', 'north', 'central', 'southeast'),
    fc.integer({ min: 1, max: 9 }), (geo, dir, n) => isRegionName(`${geo}-${dir}-${n}`) && partitionOf(`${geo}-${dir}-${n}`) === 'aws'
      && partitionOf(`cn-${dir}-${n}`) === 'aws-cn' && partitionOf(`us-gov-${dir}-${n}`) === 'aws-us-gov')));
  const dotted = (ip: number) => [2 ** 24, 2 ** 16, 2 ** 8, 1].map((d) => Math.floor(ip / d) % 256).join('.');
  const cidr = fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 8, max: 28 }))
    .map(([ip, bits]) => `${dotted(ip)}/${bits}`);
  test('overlap is symmetric and a block overlaps itself and what it contains', () => fc.assert(fc.property(cidr, cidr, (a, b) => {
    const [first, last] = cidrRange(a)!;
    const inner = `${dotted(first)}/32`;
    return cidrsOverlap(a, b) === cidrsOverlap(b, a) && cidrsOverlap(a, a) && cidrsOverlap(a, inner) && last >= first;
  })));
  test('adjacent blocks do not overlap', () => fc.assert(fc.property(fc.integer({ min: 0, max: 254 }), (n) =>
    !cidrsOverlap(`10.${n}.0.0/16`, `10.${n + 1}.0.0/16`))));
});

/** RFC 4648 base32 without padding, as `openssl rand N | base32` then stripping '='. */
function toBase32(bytes: Uint8Array): string {
  let bits = '';
  for (const b of bytes) bits += b.toString(2).padStart(8, '0');
  let out = '';
  for (let i = 0; i < bits.length; i += 5) out += base32[parseInt(bits.slice(i, i + 5).padEnd(5, '0'), 2)];
  return out;
}
