import type { CliIo } from '../io.js';

// Placeholder until validation lands (being written in parallel).
export async function runPolicyValidate(_argv: string[], io: CliIo): Promise<number> {
  io.stderr('gatehouse: policy validate is not available yet\n');
  return 2;
}
