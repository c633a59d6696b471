/** The policy engine's public API. */
export { compilePolicy, CompiledPolicy, type CompileOptions, type CompiledStatement } from './compile.js';
export { evaluate, type PolicySets } from './evaluate.js';
export { accessDeniedMessage, explainDecision, statementLabel } from './explain.js';
export { compileCase, simulateCase, type PolicyCase } from './policy-case.js';
export { validatePolicy, hasErrors } from './validate.js';
export type { AuthzRequest, ContextValue } from './request.js';
export * from './types.js';
