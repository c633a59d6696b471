/**
 * The bearer token a region's data planes present to read that region's feed:
 * base64url(HMAC-SHA256(replicationKey, region)), with replicationKey = deriveKey(masterKey,
 * 'replication'). The control plane recomputes it instead of storing it, and one region's token
 * says nothing about another's.
 */
import { createHmac } from 'node:crypto';

export function replicationToken(replicationKey: Buffer, region: string): string {
  return createHmac('sha256', replicationKey).update(region, 'utf8').digest('base64url');
}
