import type { AnyOperation } from '../context.js';

export const INLINE_POLICY_OPERATIONS: AnyOperation[] = [];
