import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cidrContains, parseCidr, parseIp } from '../../../src/core/policy/ip.js';

/**
 * "IP address condition operators" (IAM User Guide): "The value must be in the standard CIDR
 * format (for example, 203.0.113.0/24 or 2001:DB8:1234:5678::/64). If you specify an IP address
 * without the associated routing prefix, IAM uses the default prefix value of /32."
 */

function contains(cidr: string, ip: string): boolean {
  const c = parseCidr(cidr);
  const a = parseIp(ip);
  assert.ok(c, `CIDR ${cidr} should parse`);
  assert.ok(a, `address ${ip} should parse`);
  return cidrContains(c, a.words);
}

describe('parseIp', () => {
  test('IPv4 dotted quads', () => {
    assert.deepEqual(parseIp('203.0.113.7'), { words: Uint32Array.of(0, 0, 0xffff, 0xcb007107), v4: true });
    assert.ok(parseIp('0.0.0.0'));
    assert.ok(parseIp('255.255.255.255'));
  });

  test('rejects malformed IPv4', () => {
    for (const bad of ['256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.4 ', 'a.b.c.d', '', '1..2.3', '-1.2.3.4']) {
      assert.equal(parseIp(bad), undefined, bad);
    }
  });

  test('IPv6 full, compressed and with an embedded IPv4 tail', () => {
    assert.deepEqual(parseIp('2001:db8:0:0:0:0:0:1')?.words, Uint32Array.of(0x20010db8, 0, 0, 1));
    assert.deepEqual(parseIp('2001:DB8::1')?.words, Uint32Array.of(0x20010db8, 0, 0, 1));
    assert.deepEqual(parseIp('::')?.words, Uint32Array.of(0, 0, 0, 0));
    assert.deepEqual(parseIp('::1')?.words, Uint32Array.of(0, 0, 0, 1));
    assert.deepEqual(parseIp('fe80::')?.words, Uint32Array.of(0xfe800000, 0, 0, 0));
    assert.deepEqual(parseIp('::ffff:192.0.2.1')?.words, Uint32Array.of(0, 0, 0xffff, 0xc0000201));
    assert.equal(parseIp('2001:db8::1')?.v4, false);
  });

  test('rejects malformed IPv6', () => {
    for (const bad of [':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', 'g::1', '1:2:3:4:5:6:7::8', '::ffff:300.0.0.1', 'fe80::1%eth0']) {
      assert.equal(parseIp(bad), undefined, bad);
    }
  });
});

describe('parseCidr / cidrContains', () => {
  test('an IPv4 block contains exactly its addresses', () => {
    assert.equal(contains('203.0.113.0/24', '203.0.113.0'), true);
    assert.equal(contains('203.0.113.0/24', '203.0.113.255'), true);
    assert.equal(contains('203.0.113.0/24', '203.0.114.0'), false);
    assert.equal(contains('203.0.113.0/24', '203.0.112.255'), false);
    assert.equal(contains('10.0.0.0/8', '10.255.1.2'), true);
    assert.equal(contains('10.0.0.0/8', '11.0.0.1'), false);
    assert.equal(contains('192.0.2.128/25', '192.0.2.127'), false);
    assert.equal(contains('192.0.2.128/25', '192.0.2.200'), true);
  });

  test('a bare IPv4 address is a /32', () => {
    assert.equal(contains('203.0.113.5', '203.0.113.5'), true);
    assert.equal(contains('203.0.113.5', '203.0.113.6'), false);
    assert.equal(contains('203.0.113.5/32', '203.0.113.5'), true);
  });

  test('host bits in the block are ignored', () => {
    assert.equal(contains('203.0.113.77/24', '203.0.113.1'), true);
  });

  test('0.0.0.0/0 contains every IPv4 address', () => {
    assert.equal(contains('0.0.0.0/0', '1.2.3.4'), true);
    assert.equal(contains('0.0.0.0/0', '255.255.255.255'), true);
  });

  test('an IPv6 block contains exactly its addresses', () => {
    assert.equal(contains('2001:DB8:1234:5678::/64', '2001:db8:1234:5678:abcd::1'), true);
    assert.equal(contains('2001:DB8:1234:5678::/64', '2001:db8:1234:5678:ffff:ffff:ffff:ffff'), true);
    assert.equal(contains('2001:DB8:1234:5678::/64', '2001:db8:1234:5679::1'), false);
    assert.equal(contains('2001:db8::/32', '2001:db8:ffff::1'), true);
    assert.equal(contains('2001:db8::/32', '2001:db9::1'), false);
    assert.equal(contains('2001:db8::/33', '2001:db8:7fff::1'), true);
    assert.equal(contains('2001:db8::/33', '2001:db8:8000::1'), false);
  });

  test('a bare IPv6 address is a /128', () => {
    assert.equal(contains('2001:db8::1', '2001:db8::1'), true);
    assert.equal(contains('2001:db8::1', '2001:db8::2'), false);
  });

  test('IPv4 blocks never contain IPv6 addresses and vice versa', () => {
    assert.equal(contains('0.0.0.0/0', '2001:db8::1'), false);
    assert.equal(contains('203.0.113.0/24', '2001:db8::1'), false);
    assert.equal(contains('2001:db8::/32', '203.0.113.1'), false);
  });

  test('rejects malformed blocks', () => {
    for (const bad of ['203.0.113.0/33', '2001:db8::/129', '203.0.113.0/', '203.0.113.0/abc', '203.0.113.0/-1', '/24', '203.0.113.0/24/1', 'example.com']) {
      assert.equal(parseCidr(bad), undefined, bad);
    }
  });
});
