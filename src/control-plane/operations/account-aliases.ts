import type { AnyOperation } from '../context.js';

export const ACCOUNT_ALIAS_OPERATIONS: AnyOperation[] = [];
