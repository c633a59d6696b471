/**
 * Compiles an output shape into a writer: domain object in, XML elements out, in the model's
 * member order and with the model's exact member names (domain keys per domain-key.ts). Members
 * that are undefined or null are left out; domain keys the shape doesn't have are ignored
 * (`unknownOutputKeys` in serialize-response.ts finds them for tests).
 *
 * Values: strings as text, numbers and booleans as their text, timestamps (Date, ISO string or
 * epoch milliseconds) as `2024-01-02T03:04:05Z`, blobs (Uint8Array, or a string taken as UTF-8)
 * as base64, lists as `<Name><member>…</member></Name>`, maps as
 * `<Name><entry><key>…</key><value>…</value></entry></Name>`. A value of the wrong kind (an object
 * where a string belongs) is a bug in the use case and throws.
 */
import type { ListShape, MapShape, MemberData, ServiceModelData, ShapeData, StructureShape } from '../models/index.js';
import { domainKey } from './domain-key.js';
import { encodePolicyDocument } from './policy-document.js';
import { escapeXmlText } from './xml-text.js';

/** Writes `value` as the element(s) named `name`. */
type WriteFn = (value: unknown, name: string, path: string) => string;

function fail(path: string, expected: string, value: unknown): never {
  const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  throw new TypeError(`output ${path || '(root)'}: expected ${expected}, got ${kind}`);
}

function scalarText(value: unknown, path: string): string {
  switch (typeof value) {
    case 'string':
      return escapeXmlText(value);
    case 'number':
    case 'bigint':
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return fail(path, 'a string', value);
  }
}

/** `2024-01-02T03:04:05Z`: ISO 8601 in UTC, whole seconds, as IAM and STS write timestamps. */
export function formatTimestamp(value: unknown, path = ''): string {
  const date = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) return fail(path, 'a Date, an ISO 8601 string or epoch milliseconds', value);
  return `${date.toISOString().slice(0, 19)}Z`;
}

function timestampText(value: unknown, format: string | undefined, path: string): string {
  if (format === 'unixTimestamp') return String(Math.floor(new Date(formatTimestamp(value, path)).getTime() / 1000));
  if (format === 'rfc822') return new Date(formatTimestamp(value, path)).toUTCString();
  return formatTimestamp(value, path);
}

function memberRef(member: MemberData): { shape: string; locationName?: string; timestampFormat?: string } {
  return typeof member === 'string' ? { shape: member } : member;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date) && !(value instanceof Uint8Array);
}

function mapEntries(value: unknown, path: string): [string, unknown][] {
  if (value instanceof Map) return [...(value as Map<unknown, unknown>)].map(([k, v]) => [String(k), v]);
  if (isRecord(value)) return Object.entries(value);
  return fail(path, 'a map (object or Map)', value);
}

/**
 * AWS-COMPAT: IAM returns policy documents URL-encoded (see policy-document.ts); use cases hand
 * over the JSON text and the writer encodes it, for every member of these shapes.
 */
const POLICY_DOCUMENT_SHAPES: ReadonlySet<string> = new Set(['policyDocumentType']);

const writePolicyDocument: WriteFn = (value, name, path) => `<${name}>${scalarText(encodePolicyDocument(String(typeof value === 'string' ? value : fail(path, 'a policy document string', value))), path)}</${name}>`;

class WriterCompiler {
  private readonly cache = new Map<string, WriteFn>();

  constructor(private readonly model: ServiceModelData) {}

  writer(shapeName: string, timestampFormat?: string): WriteFn {
    const cacheKey = timestampFormat ? `${shapeName}\u0000${timestampFormat}` : shapeName;
    const cached = this.cache.get(cacheKey);
    if (cached) return cached;
    const slot: { impl?: WriteFn } = {};
    this.cache.set(cacheKey, (value, name, path) => (slot.impl as WriteFn)(value, name, path));
    const shape = this.model.shapes[shapeName];
    if (!shape) throw new Error(`${this.model.service} model has no shape ${shapeName}`);
    slot.impl = POLICY_DOCUMENT_SHAPES.has(shapeName) ? writePolicyDocument : this.compile(shape, timestampFormat);
    this.cache.set(cacheKey, slot.impl);
    return slot.impl;
  }

  private compile(shape: ShapeData, memberTimestampFormat: string | undefined): WriteFn {
    switch (shape.type) {
      case 'structure':
        return this.structure(shape);
      case 'list':
        return this.list(shape);
      case 'map':
        return this.map(shape);
      case 'timestamp': {
        const format = memberTimestampFormat ?? shape.timestampFormat;
        return (value, name, path) => `<${name}>${timestampText(value, format, path)}</${name}>`;
      }
      case 'blob':
        return (value, name, path) => {
          const bytes = value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : typeof value === 'string' ? Buffer.from(value, 'utf8') : fail(path, 'bytes', value);
          return `<${name}>${bytes.toString('base64')}</${name}>`;
        };
      case 'boolean':
        return (value, name, path) => {
          if (value === true || value === 'true') return `<${name}>true</${name}>`;
          if (value === false || value === 'false') return `<${name}>false</${name}>`;
          return fail(path, 'a boolean', value);
        };
      default:
        return (value, name, path) => `<${name}>${scalarText(value, path)}</${name}>`;
    }
  }

  structure(shape: StructureShape): WriteFn {
    const members = Object.entries(shape.members).map(([name, member]) => {
      const ref = memberRef(member);
      return { key: domainKey(name), name: ref.locationName ?? name, write: this.writer(ref.shape, ref.timestampFormat) };
    });
    return (value, name, path) => {
      if (!isRecord(value)) return fail(path, 'an object', value);
      let xml = `<${name}>`;
      for (const m of members) {
        const v = value[m.key];
        if (v !== undefined && v !== null) xml += m.write(v, m.name, path ? `${path}.${m.key}` : m.key);
      }
      return `${xml}</${name}>`;
    };
  }

  private list(shape: ListShape): WriteFn {
    const element = this.writer(shape.member);
    const itemName = shape.memberName ?? 'member';
    const flattened = shape.flattened === true;
    return (value, name, path) => {
      if (!Array.isArray(value)) return fail(path, 'an array', value);
      let xml = flattened ? '' : `<${name}>`;
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (item === undefined || item === null) continue;
        xml += element(item, flattened ? name : itemName, `${path}[${i}]`);
      }
      return flattened ? xml : `${xml}</${name}>`;
    };
  }

  private map(shape: MapShape): WriteFn {
    const writeKey = this.writer(shape.key);
    const writeValue = this.writer(shape.value);
    const keyName = shape.keyName ?? 'key';
    const valueName = shape.valueName ?? 'value';
    const flattened = shape.flattened === true;
    return (value, name, path) => {
      let xml = flattened ? '' : `<${name}>`;
      for (const [k, v] of mapEntries(value, path)) {
        if (v === undefined || v === null) continue;
        const inner = writeKey(k, keyName, `${path}.${k}`) + writeValue(v, valueName, `${path}.${k}`);
        xml += flattened ? `<${name}>${inner}</${name}>` : `<entry>${inner}</entry>`;
      }
      return flattened ? xml : `${xml}</${name}>`;
    };
  }
}

const compilers = new WeakMap<ServiceModelData, WriterCompiler>();

/** Writes an output structure as `<wrapper>…members…</wrapper>`. */
export type OutputWriter = (output: Record<string, unknown>, wrapper: string) => string;

export function compileOutputWriter(model: ServiceModelData, outputShape: string): OutputWriter {
  let compiler = compilers.get(model);
  if (!compiler) compilers.set(model, (compiler = new WriterCompiler(model)));
  const shape = model.shapes[outputShape];
  if (shape?.type !== 'structure') throw new Error(`${model.service} output shape ${outputShape} is not a structure`);
  const write = compiler.structure(shape);
  return (output, wrapper) => write(output, wrapper, '');
}

/**
 * Domain keys in `output` that its shape doesn't have (paths like `user.tagz`), which the writer
 * silently drops: a check for tests of use cases, not for the request path.
 */
export function unknownKeysOfShape(model: ServiceModelData, outputShape: string, output: unknown): string[] {
  const found: string[] = [];
  const walk = (shapeName: string, value: unknown, path: string): void => {
    const shape = model.shapes[shapeName];
    if (!shape || value === undefined || value === null) return;
    if (shape.type === 'structure' && isRecord(value)) {
      const byKey = new Map(Object.entries(shape.members).map(([name, m]) => [domainKey(name), memberRef(m).shape]));
      for (const [key, v] of Object.entries(value)) {
        const memberPath = path ? `${path}.${key}` : key;
        const member = byKey.get(key);
        if (member === undefined) found.push(memberPath);
        else walk(member, v, memberPath);
      }
    } else if (shape.type === 'list' && Array.isArray(value)) {
      value.forEach((item, i) => walk(shape.member, item, `${path}[${i}]`));
    } else if (shape.type === 'map' && (isRecord(value) || value instanceof Map)) {
      for (const [k, v] of mapEntries(value, path)) walk(shape.value, v, `${path}.${k}`);
    }
  };
  walk(outputShape, output, '');
  return found;
}
