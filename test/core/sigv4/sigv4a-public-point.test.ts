import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createHash } from 'node:crypto';
import { deriveSigV4aKeyPair, deriveSigV4aPublicPoint, sigV4aPublicKeyFromXY } from '../../../src/core/sigv4/index.js';

/** Deterministic bytes: SHA-256 of a counter. */
function seededRandom(seed: string): (n: number) => Buffer {
  let i = 0;
  return (n) => createHash('sha256').update(`${seed}:${i++}`).digest().subarray(0, n);
}

it("derives the public point alone exactly as the key pair does, as the uncompressed point", () => {
  const random = seededRandom('sigv4a');
  for (let i = 0; i < 200; i++) {
    const akid = `AKIA${random(10).toString('hex').toUpperCase().slice(0, 16)}`;
    const secret = random(30).toString('base64').slice(0, 40);
    const point = deriveSigV4aPublicPoint(akid, secret);
    const { x, y } = deriveSigV4aKeyPair(akid, secret).publicKeyXY;
    assert.equal(point.length, 65);
    assert.equal(point[0], 4);
    assert.deepEqual({ x: point.subarray(1, 33).toString('hex'), y: point.subarray(33).toString('hex') }, { x, y });
    // What a data plane does with it.
    assert.ok(sigV4aPublicKeyFromXY({ x: point.subarray(1, 33).toString('hex'), y: point.subarray(33).toString('hex') }));
  }
});
