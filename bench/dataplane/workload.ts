/**
 * The seeded workload of ../shared/bench/workload.mjs (seed 20240601), read where the policy-engine
 * benchmark reads it. The project never needs it: without it the phases that use it say so and
 * are skipped (GATEHOUSE_BENCH_WORKLOAD=path points at another copy).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const SEED = 20240601;

export interface WorkloadPrincipal {
  arn: string;
  account: string;
  type: 'user' | 'assumed-role';
  name: string;
  roleArn?: string;
  tags: Record<string, string>;
  identityPolicyIds: string[];
  permissionsBoundaryId: string | null;
  sessionPolicyIds: string[];
}

export interface WorkloadRequest {
  principal: string;
  action: string;
  resource: string;
  context: Record<string, string | string[]>;
  resourceAccount: string;
}

export interface Workload {
  meta: { seed: number; principalCount: number; requestCount: number; counts: Record<string, number> };
  principals: WorkloadPrincipal[];
  policies: Record<string, { kind: 'identity' | 'boundary' | 'session' | 'scp' | 'resource'; document: unknown }>;
  requests: WorkloadRequest[];
}

export const workloadPath = process.env.GATEHOUSE_BENCH_WORKLOAD ?? fileURLToPath(new URL('../../../shared/bench/workload.mjs', import.meta.url));

/** The workload generator, or undefined when the file is not there. */
export async function loadWorkload(options: { principalCount: number; requestCount: number }): Promise<Workload | undefined> {
  if (!existsSync(workloadPath)) return undefined;
  const { generateWorkload } = (await import(pathToFileURL(workloadPath).href)) as { generateWorkload: (o: object) => Workload };
  return generateWorkload({ seed: SEED, ...options });
}
