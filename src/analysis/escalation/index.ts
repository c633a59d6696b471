/** Privilege escalation: the method catalogue and the escalation graph of an account. */
export { ESCALATION_METHODS, escalationMethod, type EscalationCategory, type EscalationMethod } from './methods.js';
export { ADMIN_PROBES, adminStatus, type AdminProbe, type AdminStatus } from './admin-probes.js';
export { buildEscalationGraph, EscalationGraph, EVALUATED_METHODS, type EscalationOptions } from './escalation-graph.js';
export { ADMIN_NODE, type EscalationEdge, type EscalationGraphJson, type EscalationNode, type EscalationPath, type EscalationStep } from './escalation-types.js';
export { describeEdge, formatPath, formatPathLine, principalName, statementLabel } from './escalation-format.js';
export { renderEscalationSvg, type SvgOptions } from './escalation-svg.js';
