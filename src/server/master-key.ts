/**
 * The master key: 32 random bytes kept outside the database, in `GATEHOUSE_MASTER_KEY`
 * (base64) or in `<data dir>/master.key` (base64, mode 0600). Every at-rest key is derived from
 * it (core/crypto `deriveKey`).
 */
import { randomBytes } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export class MasterKeyError extends Error {
  override name = 'MasterKeyError';
}

export const MASTER_KEY_FILE = 'master.key';

function decode(text: string, where: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new MasterKeyError(`${where} must hold 32 bytes in base64 (got ${key.length} bytes)`);
  return key;
}

/** Reads the master key; with `create`, makes one when neither the variable nor the file exists. */
export async function loadMasterKey(dataDir: string, options: { create?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<{ key: Buffer; created: boolean; source: string }> {
  const env = options.env ?? process.env;
  if (env.GATEHOUSE_MASTER_KEY) return { key: decode(env.GATEHOUSE_MASTER_KEY, 'GATEHOUSE_MASTER_KEY'), created: false, source: 'GATEHOUSE_MASTER_KEY' };
  const file = join(dataDir, MASTER_KEY_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new MasterKeyError(`cannot read the master key ${file}: ${(err as Error).message}`);
    if (!options.create) throw new MasterKeyError(`no master key: set GATEHOUSE_MASTER_KEY or provide ${file}`);
    const key = randomBytes(32);
    await writeFile(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
    return { key, created: true, source: file };
  }
  return { key: decode(text, file), created: false, source: file };
}
