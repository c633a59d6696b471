import type { AnyOperation } from '../context.js';

export const MFA_DEVICE_OPERATIONS: AnyOperation[] = [];
