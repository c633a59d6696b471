import type { AnyOperation } from '../context.js';

export const ROLE_OPERATIONS: AnyOperation[] = [];
