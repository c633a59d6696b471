import type { AnyOperation } from '../context.js';

export const GROUP_OPERATIONS: AnyOperation[] = [];
