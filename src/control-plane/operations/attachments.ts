import type { AnyOperation } from '../context.js';

export const ATTACHMENT_OPERATIONS: AnyOperation[] = [];
