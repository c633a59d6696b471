import type { AnyOperation } from '../context.js';

export const PASSWORD_POLICY_OPERATIONS: AnyOperation[] = [];
