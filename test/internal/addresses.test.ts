import { cidrRange, cidrsOverlap, compareAddresses, inCidr, isCidr, parseAddress } from '../../src/internal/addresses';

test('CIDR containment for IPv4 and IPv6', () => {
  expect(inCidr('10.0.255.1', '10.0.0.0/16')).toBe(true);
  expect(inCidr('10.1.0.1', '10.0.0.0/16')).toBe(false);
  expect(inCidr('10.1.0.1', '0.0.0.0/0')).toBe(true);
  expect(inCidr('2001:db8::1', '2001:db8::/32')).toBe(true);
  expect(inCidr('2001:db9::1', '2001:db8::/32')).toBe(false);
  expect(inCidr('10.0.0.1', '2001:db8::/32')).toBe(false);
  expect(inCidr('not-an-ip', '10.0.0.0/8')).toBe(false);
  expect(inCidr('10.0.0.1', '10.0.0.0')).toBe(false);
});

test('CIDR blocks are recognised in both families, malformed ones refused', () => {
  for (const ok of ['10.0.0.0/16', '0.0.0.0/0', '192.168.1.1/32', '2001:db8::/32', '::/0', 'fd00::1/128']) expect([ok, isCidr(ok)]).toEqual([ok, true]);
  for (const bad of ['10.0.0.0', '10.0.0.0/33', '10.0.0/16', '256.0.0.0/8', '2001:db8::/129', '1::2::3/64', 'x/8', '10.0.0.0/16/1', '']) {
    expect([bad, isCidr(bad)]).toEqual([bad, false]);
  }
});

test('addresses parse to numbers of their width', () => {
  expect(parseAddress('10.0.0.1')).toEqual({ value: 167772161n, width: 32 });
  expect(parseAddress('::1')).toEqual({ value: 1n, width: 128 });
  expect(parseAddress('1:2:3:4:5:6:7:8:9')).toBeUndefined();
});

test('IPv4 ranges and overlaps; IPv6 has no range here', () => {
  expect(cidrRange('10.0.1.0/24')).toEqual([167772416, 167772671]);
  expect(cidrRange('10.0.1.7/24')).toEqual([167772416, 167772671]);
  expect(cidrRange('2001:db8::/32')).toBeUndefined();
  expect(cidrsOverlap('10.0.0.0/16', '10.0.128.0/17')).toBe(true);
  expect(cidrsOverlap('10.0.0.0/16', '10.1.0.0/16')).toBe(false);
});

test('addresses sort numerically, not as text', () => {
  expect(['10.0.0.10', '10.0.0.9', '9.0.0.1'].sort(compareAddresses)).toEqual(['9.0.0.1', '10.0.0.9', '10.0.0.10']);
});
