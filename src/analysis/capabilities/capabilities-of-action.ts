/**
 * The capabilities of one action: the override when `overrides.ts` has one, else the heuristic.
 * Answers are cached per action, since reviews ask about the same actions again and again.
 */
import { actionsOfService, getAction, listServices } from '../../core/catalog/index.js';
import type { Capability } from './capability.js';
import { deriveCapabilities } from './derive-capabilities.js';
import { CAPABILITY_OVERRIDES, type CapabilityOverride } from './overrides.js';

export interface CapabilityExplanation {
  /** `s3:GetObject` in the catalog's case. */
  readonly action: string;
  readonly capabilities: readonly Capability[];
  /** `override`: from overrides.ts (with its reason); `heuristic`: from a rule of derive-capabilities.ts. */
  readonly source: 'override' | 'heuristic';
  /** The heuristic's rule id, or `override`. */
  readonly rule: string;
  /** For an override, why the heuristic was wrong. */
  readonly why?: string;
}

const NONE: readonly Capability[] = Object.freeze([]);

let overrideIndex: Map<string, CapabilityOverride> | undefined;
/** `s3:listbucket` → its override entry. */
function overrideFor(lowerAction: string): CapabilityOverride | undefined {
  if (!overrideIndex) {
    overrideIndex = new Map();
    for (const [service, entry] of Object.entries(CAPABILITY_OVERRIDES)) {
      for (const o of entry.overrides) for (const name of o.actions) overrideIndex.set(`${service}:${name}`.toLowerCase(), o);
    }
  }
  return overrideIndex.get(lowerAction);
}

const cache = new Map<string, CapabilityExplanation | null>();

/** How an action's capabilities were decided; undefined for an action the catalog does not know. */
export function explainCapabilities(action: string): CapabilityExplanation | undefined {
  if (typeof action !== 'string') return undefined;
  const key = action.toLowerCase();
  const cached = cache.get(key);
  if (cached !== undefined) return cached ?? undefined;
  const info = getAction(action);
  let result: CapabilityExplanation | null = null;
  if (info) {
    const override = overrideFor(info.action.toLowerCase());
    if (override) {
      result = { action: info.action, capabilities: Object.freeze([...override.capabilities]), source: 'override', rule: 'override', why: override.why };
    } else {
      const d = deriveCapabilities(info);
      result = { action: info.action, capabilities: d.capabilities, source: 'heuristic', rule: d.rule };
    }
  }
  cache.set(key, result);
  return result ?? undefined;
}

/** `capabilitiesOfAction('s3:GetObject')` → `['read-data']`; empty for unknown actions and patterns. */
export function capabilitiesOfAction(action: string): readonly Capability[] {
  return explainCapabilities(action)?.capabilities ?? NONE;
}

export interface ServiceCoverage {
  readonly service: string;
  readonly actions: number;
  /** Actions with at least one capability. */
  readonly classified: number;
  /** Actions decided by a specific rule or an override, not by a `fallback-*` rule. */
  readonly specific: number;
  /** Actions with no capability (overrides that say none). */
  readonly unclassified: readonly string[];
}

/** Per service of the catalog, how many of its actions have a capability (docs and tests report it). */
export function capabilityCoverage(): ServiceCoverage[] {
  return listServices().map(({ key }) => {
    const actions = actionsOfService(key);
    let classified = 0;
    let specific = 0;
    const unclassified: string[] = [];
    for (const a of actions) {
      const e = explainCapabilities(a.action);
      if (e && e.capabilities.length > 0) classified++;
      else unclassified.push(a.action);
      if (e && !e.rule.startsWith('fallback')) specific++;
    }
    return { service: key, actions: actions.length, classified, specific, unclassified };
  });
}
