import type { AnyOperation } from '../context.js';

export const LOGIN_PROFILE_OPERATIONS: AnyOperation[] = [];
