/**
 * A CLI IO for command tests: keeps what a command prints and writes; reads real files, and files
 * named `mem:NAME` from `files`.
 */
import { readFile } from 'node:fs/promises';
import type { AuditCliIo } from '../../src/cli/commands/audit-query.js';
import type { EscalationIo } from '../../src/cli/commands/escalation.js';

export interface FakeIo extends EscalationIo, AuditCliIo {
  out: string[];
  err: string[];
  /** What the command wrote, by path (nothing reaches the disk). */
  written: Map<string, string>;
}

export function fakeIo(options: { files?: Record<string, string>; env?: NodeJS.ProcessEnv; now?: () => Date } = {}): FakeIo {
  const out: string[] = [];
  const err: string[] = [];
  const written = new Map<string, string>();
  const files = options.files ?? {};
  return {
    out,
    err,
    written,
    ...(options.env ? { env: options.env } : {}),
    ...(options.now ? { now: options.now } : {}),
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    readFile: async (p) => {
      if (!p.startsWith('mem:')) return readFile(p, 'utf8');
      const text = files[p.slice(4)];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file, open '${p}'`), { code: 'ENOENT' });
      return text;
    },
    writeFile: async (p, t) => void written.set(p, t),
  };
}
