import assert from 'node:assert/strict';
import { it } from 'node:test';
import { deriveSigV4aKeyPair, sigV4aPublicKeyFromXY } from '../../src/core/sigv4/index.js';
import { sigV4aPublicKeyBase64 } from '../../src/replication/sigv4a-public-key.js';
import { seededRandom } from './fixture.js';

it("derives the same SigV4a public key as core's key pair, as the uncompressed point", () => {
  const random = seededRandom('sigv4a');
  for (let i = 0; i < 200; i++) {
    const akid = `AKIA${random(10).toString('hex').toUpperCase().slice(0, 16)}`;
    const secret = random(30).toString('base64').slice(0, 40);
    const point = Buffer.from(sigV4aPublicKeyBase64(akid, secret), 'base64');
    const { x, y } = deriveSigV4aKeyPair(akid, secret).publicKeyXY;
    assert.equal(point.length, 65);
    assert.equal(point[0], 4);
    assert.deepEqual({ x: point.subarray(1, 33).toString('hex'), y: point.subarray(33).toString('hex') }, { x, y });
    // What a data plane does with it.
    assert.ok(sigV4aPublicKeyFromXY({ x: point.subarray(1, 33).toString('hex'), y: point.subarray(33).toString('hex') }));
  }
});
