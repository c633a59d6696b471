/** Every IAM operation the control plane implements. */
import type { AnyOperation } from '../context.js';
import { BOUNDARY_OPERATIONS } from './boundaries.js';
import { USER_OPERATIONS } from './users.js';

export const IAM_OPERATIONS: readonly AnyOperation[] = [...USER_OPERATIONS, ...BOUNDARY_OPERATIONS];
