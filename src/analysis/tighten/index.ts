/** Fixes proven safe: tighter policies from observed use, and the proof that they grant no more. */
export { proposeTightening, type PolicyProposal, type Removal, type TightenInput, type TighteningProof, type TighteningResult } from './propose-tightening.js';
export {
  conditionClauses,
  proveNoWidening,
  satisfyingContext,
  statementKey,
  UNKNOWN_ACTION,
  type Counterexample,
  type CounterexampleKind,
  type NoWideningProof,
  type ProveOptions,
} from './prove-no-widening.js';
export { formatRemovals, policyDiff, policyLabel, prettyJson, unifiedDiff, type DiffOptions } from './diff.js';
