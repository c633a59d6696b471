/**
 * Synthetic values for any model shape, for round-trip tests: every member set, lists of two,
 * maps of two, strings with characters that need escaping. `toModelNames` gives the same value
 * keyed by model member names, as the AWS SDKs see it.
 */
import { domainKey, type ServiceModelData } from '../../../src/protocol/index.js';
import type { MemberData } from '../../../src/protocol/models/index.js';

export const SAMPLE_DATE = new Date('2024-01-02T03:04:05Z');

const ref = (m: MemberData) => (typeof m === 'string' ? m : m.shape);

export interface SynthesizeOptions {
  /** Text put in every string (the member path is appended). */
  text: string;
}

export function synthesize(model: ServiceModelData, shapeName: string, path = 'v', options: SynthesizeOptions = { text: 'x&<>"\'ü✓😀 ' }, depth = 0): unknown {
  const shape = model.shapes[shapeName];
  if (!shape) throw new Error(`no shape ${shapeName}`);
  if (depth > 8) return undefined;
  switch (shape.type) {
    case 'structure': {
      const out: Record<string, unknown> = {};
      for (const [name, m] of Object.entries(shape.members)) {
        const v = synthesize(model, ref(m), `${path}.${name}`, options, depth + 1);
        if (v !== undefined) out[domainKey(name)] = v;
        if (shape.union) break;
      }
      return out;
    }
    case 'list':
      return [1, 2].map((i) => synthesize(model, shape.member, `${path}[${i}]`, options, depth + 1)).filter((v) => v !== undefined);
    case 'map':
      return Object.fromEntries(
        [1, 2].map((i) => [`key${i}`, synthesize(model, shape.value, `${path}{${i}}`, options, depth + 1)]).filter(([, v]) => v !== undefined),
      );
    case 'string':
      // Policy documents go out URL-encoded; unreserved characters only keep the round trip exact.
      if (shapeName === 'policyDocumentType') return `policy-document_${path.replace(/[^A-Za-z0-9]/g, '-')}`;
      return shape.enum ? shape.enum[shape.enum.length - 1] : `${options.text}${path}`;
    case 'integer':
    case 'long':
      return shape.max ?? shape.min ?? 7;
    case 'float':
    case 'double':
      return 1.5;
    case 'boolean':
      return true;
    case 'timestamp':
      return SAMPLE_DATE;
    case 'blob':
      return new Uint8Array([1, 2, 3, 250]);
  }
}

/** A domain value re-keyed with the model's member names (the SDK's view). */
export function toModelNames(model: ServiceModelData, shapeName: string, value: unknown): unknown {
  const shape = model.shapes[shapeName];
  if (!shape || value === undefined || value === null) return value;
  if (shape.type === 'structure') {
    const v = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [name, m] of Object.entries(shape.members)) {
      const key = domainKey(name);
      if (v[key] !== undefined) out[name] = toModelNames(model, ref(m), v[key]);
    }
    return out;
  }
  if (shape.type === 'list') return (value as unknown[]).map((item) => toModelNames(model, shape.member, item));
  if (shape.type === 'map') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toModelNames(model, shape.value, v)]));
  }
  return value;
}
