import type { AnyOperation } from '../context.js';

export const ACCESS_KEY_OPERATIONS: AnyOperation[] = [];
