/**
 * A follower node's id, kept in its data folder: the control plane lists the nodes polling its
 * feed by id (and `wait-propagated` waits for the slowest), so a restarted node must come back
 * under the same name rather than leave a stale entry behind.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const NODE_ID_FILE = 'node-id';
/** What the control plane keeps of an id (feed-http.ts): printable ASCII, 128 characters. */
const VALID = /^[\x21-\x7e]{1,128}$/;

/** A new id: the host name and a random suffix, e.g. `ip-10-0-1-7-3f2a9c1d`. */
export function newNodeId(kind?: string): string {
  return [hostname().replace(/[^\x21-\x7e]/g, '').slice(0, 80) || 'node', kind, randomUUID().slice(0, 8)].filter(Boolean).join('-');
}

/** The id in `<dataDir>/node-id`; on first use, a new one written there. The folder must exist. */
export function persistentNodeId(dataDir: string, kind?: string): string {
  const file = join(dataDir, NODE_ID_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      const saved = readFileSync(file, 'utf8').trim();
      if (VALID.test(saved)) return saved;
      // Empty or mangled (a crash while writing, a hand edit): replace it.
      const id = newNodeId(kind);
      writeFileSync(file, id + '\n', { mode: 0o644 });
      return id;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt > 0) throw err;
    }
    try {
      const id = newNodeId(kind);
      writeFileSync(file, id + '\n', { mode: 0o644, flag: 'wx' });
      return id;
    } catch (err) {
      // Another process of the same folder wrote it first: read theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}
