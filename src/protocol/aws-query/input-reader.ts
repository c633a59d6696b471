/**
 * Compiles an operation's input shape into a reader: form tree in, domain input out (keys per
 * domain-key.ts), with the model's constraints checked on the way. Readers are built once per
 * shape and reused; patterns are compiled once.
 *
 * Constraint violations are collected in AWS's wording (core/errors/validation-message.ts), for
 * the caller to answer as one ValidationError. A value that cannot be read as its type at all
 * (`MaxItems=ten`) throws InvalidParameterValue at once.
 */
import { AwsError, constraint, violation, type ShownValue } from '../../core/errors/index.js';
import type { ListShape, MapShape, MemberData, ServiceModelData, ShapeData, StringShape, StructureShape } from '../models/index.js';
import { domainKey } from './domain-key.js';
import { indexedChildren, type FormNode } from './form-tree.js';
import { javaPatternToRegExp } from './java-pattern.js';

/** Reads one node as a value of its shape; undefined when the node carries no value. */
type ReadFn = (node: FormNode, path: string, errors: string[]) => unknown;

export interface ReadInput {
  input: Record<string, unknown>;
  /** Constraint violations in AWS's wording (core/errors/validation-message.ts); empty when valid. */
  violations: string[];
}

export type InputReader = (root: FormNode) => ReadInput;

function memberRef(member: MemberData): { shape: string; locationName?: string; timestampFormat?: string } {
  return typeof member === 'string' ? { shape: member } : member;
}

function invalidValue(node: FormNode, expected: string): AwsError {
  // DIVERGENCE: AWS's wording for a value that isn't even of the member's type is not documented;
  // this follows the common "Value (x) for parameter P is invalid." form of other Query services.
  const raw = node.value ?? '';
  return new AwsError('InvalidParameterValue', `Value (${raw.length > 64 ? `${raw.slice(0, 64)}...` : raw}) for parameter ${node.key} is invalid. ${expected}`);
}

/**
 * How a read value appears in a violation message: lists like `[a, b]`, structures like
 * `{Key=k, Value=v}` (model names; AWS prints its Java objects, which we can only approximate).
 */
function show(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return `(${value.length} bytes)`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${k.charAt(0).toUpperCase()}${k.slice(1)}=${show(v)}`).join(', ')}}`;
  }
  return String(value);
}

const INT = /^[+-]?\d{1,20}$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;
const EPOCH = /^\d{1,12}(?:\.\d{1,9})?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

class ReaderCompiler {
  private readonly cache = new Map<string, ReadFn>();

  constructor(private readonly model: ServiceModelData) {}

  reader(shapeName: string): ReadFn {
    const cached = this.cache.get(shapeName);
    if (cached) return cached;
    // A placeholder first, so a shape that (indirectly) contains itself compiles.
    const slot: { impl?: ReadFn } = {};
    this.cache.set(shapeName, (node, path, errors) => (slot.impl as ReadFn)(node, path, errors));
    const shape = this.model.shapes[shapeName];
    if (!shape) throw new Error(`${this.model.service} model has no shape ${shapeName}`);
    slot.impl = this.compile(shape);
    this.cache.set(shapeName, slot.impl);
    return slot.impl;
  }

  /** The fields of a structure; always an object (the operation input itself). */
  fields(shape: StructureShape): (node: FormNode, path: string, errors: string[]) => Record<string, unknown> {
    const required = new Set(shape.required ?? []);
    const members = Object.entries(shape.members).map(([name, member]) => {
      const ref = memberRef(member);
      return { wire: ref.locationName ?? name, key: domainKey(name), required: required.has(name), read: this.reader(ref.shape) };
    });
    return (node, path, errors) => {
      const out: Record<string, unknown> = {};
      for (const m of members) {
        const memberPath = path ? `${path}.${m.key}` : m.key;
        const child = node.children?.get(m.wire);
        const value = child === undefined ? undefined : m.read(child, memberPath, errors);
        if (value === undefined) {
          if (m.required) errors.push(violation(memberPath, null, constraint.notNull()));
        } else {
          out[m.key] = value;
        }
      }
      return out;
    };
  }

  private compile(shape: ShapeData): ReadFn {
    switch (shape.type) {
      case 'structure': {
        const fields = this.fields(shape);
        // A structure without any nested parameter was not sent.
        return (node, path, errors) => (node.children ? fields(node, path, errors) : undefined);
      }
      case 'list':
        return this.list(shape);
      case 'map':
        return this.map(shape);
      case 'string':
        return this.string(shape);
      case 'integer':
      case 'long':
      case 'float':
      case 'double': {
        const integral = shape.type === 'integer' || shape.type === 'long';
        const limit = shape.type === 'integer' ? 2 ** 31 : Number.MAX_SAFE_INTEGER;
        const { min, max } = shape;
        return (node, path, errors) => {
          const raw = node.value;
          if (raw === undefined) return undefined;
          const text = raw.trim();
          const n = Number(text);
          if (integral ? !INT.test(text) || n >= limit || n < -limit : !DECIMAL.test(text) || !Number.isFinite(n)) {
            throw invalidValue(node, integral ? 'Expected an integer.' : 'Expected a number.');
          }
          if (min !== undefined && n < min) errors.push(violation(path, { text: String(n) }, constraint.minValue(min)));
          if (max !== undefined && n > max) errors.push(violation(path, { text: String(n) }, constraint.maxValue(max)));
          return n;
        };
      }
      case 'boolean':
        return (node) => {
          const raw = node.value;
          if (raw === undefined) return undefined;
          const text = raw.trim().toLowerCase();
          if (text === 'true') return true;
          if (text === 'false') return false;
          throw invalidValue(node, 'Expected true or false.');
        };
      case 'timestamp':
        return (node) => {
          const raw = node.value;
          if (raw === undefined) return undefined;
          const text = raw.trim();
          // Clients send ISO 8601 (the Query default); epoch seconds are accepted too.
          const ms = ISO_8601.test(text) ? Date.parse(text) : EPOCH.test(text) ? Number(text) * 1000 : NaN;
          if (!Number.isFinite(ms)) throw invalidValue(node, 'Expected an ISO 8601 timestamp.');
          return new Date(ms);
        };
      case 'blob': {
        const { min, max } = shape;
        return (node, path, errors) => {
          const raw = node.value;
          if (raw === undefined) return undefined;
          if (!BASE64.test(raw)) throw invalidValue(node, 'Expected base64.');
          const bytes = new Uint8Array(Buffer.from(raw, 'base64'));
          const shown: ShownValue = shape.sensitive ? 'hidden' : { text: show(bytes) };
          if (min !== undefined && bytes.length < min) errors.push(violation(path, shown, constraint.minLength(min)));
          if (max !== undefined && bytes.length > max) errors.push(violation(path, shown, constraint.maxLength(max)));
          return bytes;
        };
      }
    }
  }

  private string(shape: StringShape): ReadFn {
    const { min, max, pattern } = shape;
    const regex = pattern === undefined ? undefined : javaPatternToRegExp(pattern);
    const allowed = shape.enum ? new Set(shape.enum) : undefined;
    const enumText = shape.enum ? constraint.enumValues(shape.enum) : '';
    const patternText = pattern === undefined ? '' : constraint.pattern(pattern);
    const sensitive = shape.sensitive === true;
    return (node, path, errors) => {
      const value = node.value;
      if (value === undefined) return undefined;
      // AWS's order for one value: length, then pattern, then enum.
      let shown: ShownValue | undefined;
      const fail = (text: string) => errors.push(violation(path, (shown ??= sensitive ? 'hidden' : { text: value }), text));
      if (min !== undefined && value.length < min) fail(constraint.minLength(min));
      if (max !== undefined && value.length > max) fail(constraint.maxLength(max));
      if (regex && !regex.test(value)) fail(patternText);
      if (allowed && !allowed.has(value)) fail(enumText);
      return value;
    };
  }

  private list(shape: ListShape): ReadFn {
    const element = this.reader(shape.member);
    const wrapper = shape.memberName ?? 'member';
    const { min, max } = shape;
    return (node, path, errors) => {
      // `Tags=` with no elements is an empty list: the JS SDK sends empty lists that way.
      const items = indexedChildren(shape.flattened ? node : node.children?.get(wrapper));
      const out: unknown[] = [];
      const inner: string[] = [];
      items.forEach((item, i) => {
        const itemPath = `${path}.${i + 1}.member`;
        const value = element(item, itemPath, inner);
        if (value === undefined) inner.push(violation(itemPath, null, constraint.notNull()));
        out.push(value ?? null);
      });
      if (min !== undefined && out.length < min) errors.push(violation(path, { text: show(out) }, constraint.minLength(min)));
      if (max !== undefined && out.length > max) errors.push(violation(path, { text: show(out) }, constraint.maxLength(max)));
      errors.push(...inner);
      return out;
    };
  }

  private map(shape: MapShape): ReadFn {
    const readKey = this.reader(shape.key);
    const readValue = this.reader(shape.value);
    const keyName = shape.keyName ?? 'key';
    const valueName = shape.valueName ?? 'value';
    const { min, max } = shape;
    return (node, path, errors) => {
      const entries: [string, unknown][] = [];
      const inner: string[] = [];
      indexedChildren(shape.flattened ? node : node.children?.get('entry')).forEach((entry, i) => {
        const entryPath = `${path}.${i + 1}`;
        const keyNode = entry.children?.get(keyName);
        const valueNode = entry.children?.get(valueName);
        const key = keyNode === undefined ? undefined : readKey(keyNode, `${entryPath}.key`, inner);
        const value = valueNode === undefined ? undefined : readValue(valueNode, `${entryPath}.value`, inner);
        if (key === undefined) inner.push(violation(`${entryPath}.key`, null, constraint.notNull()));
        else entries.push([String(key), value ?? null]);
      });
      const shown = () => ({ text: `{${entries.map(([k, v]) => `${k}=${show(v)}`).join(', ')}}` });
      if (min !== undefined && entries.length < min) errors.push(violation(path, shown(), constraint.minLength(min)));
      if (max !== undefined && entries.length > max) errors.push(violation(path, shown(), constraint.maxLength(max)));
      errors.push(...inner);
      // fromEntries defines own properties, so a `__proto__` key stays data.
      return Object.fromEntries(entries);
    };
  }
}

const compilers = new WeakMap<ServiceModelData, ReaderCompiler>();

/** The reader of an input structure (it throws only InvalidParameterValue). */
export function compileInputReader(model: ServiceModelData, inputShape: string): InputReader {
  let compiler = compilers.get(model);
  if (!compiler) compilers.set(model, (compiler = new ReaderCompiler(model)));
  const shape = model.shapes[inputShape];
  if (shape?.type !== 'structure') throw new Error(`${model.service} input shape ${inputShape} is not a structure`);
  const fields = compiler.fields(shape);
  return (root) => {
    const violations: string[] = [];
    const input = fields(root, '', violations);
    return { input, violations };
  };
}
