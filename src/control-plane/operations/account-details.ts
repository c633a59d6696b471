import type { AnyOperation } from '../context.js';

export const ACCOUNT_DETAIL_OPERATIONS: AnyOperation[] = [];
