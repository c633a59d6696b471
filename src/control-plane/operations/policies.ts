import type { AnyOperation } from '../context.js';

export const MANAGED_POLICY_OPERATIONS: AnyOperation[] = [];
