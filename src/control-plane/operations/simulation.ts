import type { AnyOperation } from '../context.js';

export const SIMULATION_OPERATIONS: AnyOperation[] = [];
