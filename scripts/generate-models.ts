/**
 * Regenerates the compact service models and the model error table from the botocore models in
 * test/fixtures/conformance/models/botocore:
 *   src/protocol/models/generated/iam-model.ts, sts-model.ts  (what the AWS Query protocol needs)
 *   src/core/errors/generated/model-errors.ts                (every exception shape, by wire code)
 * Run with `npm run models:generate` after updating the fixture models; commit the result.
 * `npm run models:check` (scripts/check-models.ts) builds the same texts in memory and fails on a diff.
 *
 * The builder is strict: a model key it does not know fails the build, so a model update that
 * starts using, say, `flattened` or `xmlAttribute` is looked at rather than silently dropped.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { MemberData, ServiceModelData, ServiceName, ShapeData } from '../src/protocol/models/model-types.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

interface ServiceSource {
  service: ServiceName;
  constName: string;
  /** The botocore model, relative to the repository root. */
  model: string;
  /** The generated module, relative to the repository root. */
  output: string;
}

export const SERVICE_SOURCES: readonly ServiceSource[] = [
  {
    service: 'iam',
    constName: 'IAM_MODEL',
    model: 'test/fixtures/conformance/models/botocore/iam/2010-05-08/service-2.json',
    output: 'src/protocol/models/generated/iam-model.ts',
  },
  {
    service: 'sts',
    constName: 'STS_MODEL',
    model: 'test/fixtures/conformance/models/botocore/sts/2011-06-15/service-2.json',
    output: 'src/protocol/models/generated/sts-model.ts',
  },
];

export const ERRORS_OUTPUT = 'src/core/errors/generated/model-errors.ts';

// ---- botocore model shapes (only what is read) ----

interface BotoRef {
  shape: string;
  [key: string]: unknown;
}
interface BotoShape {
  type: string;
  members?: Record<string, BotoRef>;
  member?: BotoRef;
  key?: BotoRef;
  value?: BotoRef;
  required?: string[];
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  sensitive?: boolean;
  union?: boolean;
  flattened?: boolean;
  timestampFormat?: string;
  exception?: boolean;
  error?: { code?: string; httpStatusCode?: number; senderFault?: boolean };
  [key: string]: unknown;
}
interface BotoOperation {
  name: string;
  input?: BotoRef;
  output?: BotoRef & { resultWrapper?: string };
  [key: string]: unknown;
}
interface BotoModel {
  metadata: { apiVersion: string; protocol: string; xmlNamespace: string };
  operations: Record<string, BotoOperation>;
  shapes: Record<string, BotoShape>;
}

/** Keys that carry nothing the protocol needs (docs, Java boxing, exception markers handled apart). */
const IGNORED_SHAPE_KEYS = new Set(['documentation', 'box', 'deprecated', 'deprecatedMessage', 'exception', 'error']);
const SHAPE_KEYS: Record<string, readonly string[]> = {
  structure: ['type', 'members', 'required', 'union'],
  list: ['type', 'member', 'min', 'max', 'flattened'],
  map: ['type', 'key', 'value', 'min', 'max', 'flattened'],
  string: ['type', 'min', 'max', 'pattern', 'enum', 'sensitive'],
  integer: ['type', 'min', 'max'],
  long: ['type', 'min', 'max'],
  float: ['type', 'min', 'max'],
  double: ['type', 'min', 'max'],
  boolean: ['type'],
  timestamp: ['type', 'timestampFormat'],
  blob: ['type', 'min', 'max', 'sensitive'],
};
const MEMBER_KEYS = new Set(['shape', 'documentation', 'locationName', 'timestampFormat', 'deprecated', 'deprecatedMessage', 'box']);
const ELEMENT_KEYS = new Set(['shape', 'documentation', 'locationName']);
const OPERATION_KEYS = new Set(['name', 'http', 'input', 'output', 'errors', 'documentation', 'documentationUrl', 'auth', 'authtype', 'deprecated', 'deprecatedMessage', 'idempotent', 'endpoint', 'staticContextParams']);

function checkKeys(where: string, obj: object, allowed: ReadonlySet<string> | readonly string[], ignored: ReadonlySet<string> = new Set()): void {
  const ok = allowed instanceof Set ? allowed : new Set(allowed);
  for (const key of Object.keys(obj)) {
    if (!ok.has(key) && !ignored.has(key)) throw new Error(`${where}: unsupported model key "${key}"; teach scripts/generate-models.ts and the protocol about it`);
  }
}

function checkRef(where: string, ref: BotoRef, allowed: ReadonlySet<string>, shapes: Record<string, BotoShape>): void {
  checkKeys(where, ref, allowed);
  if (!shapes[ref.shape]) throw new Error(`${where}: unknown shape "${ref.shape}"`);
}

/** Case-insensitive order with a case-sensitive tie-break, independent of the machine's locale. */
function byName(a: string, b: string): number {
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  if (la !== lb) return la < lb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

const domainKey = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);

function compactShape(name: string, s: BotoShape, shapes: Record<string, BotoShape>): ShapeData {
  const where = `shape ${name}`;
  const allowed = SHAPE_KEYS[s.type];
  if (!allowed) throw new Error(`${where}: unsupported type "${s.type}"`);
  checkKeys(where, s, allowed, IGNORED_SHAPE_KEYS);
  const bounds = { ...(s.min !== undefined ? { min: s.min } : {}), ...(s.max !== undefined ? { max: s.max } : {}) };
  switch (s.type) {
    case 'structure': {
      const members: Record<string, MemberData> = {};
      const seen = new Set<string>();
      for (const [memberName, ref] of Object.entries(s.members ?? {})) {
        checkRef(`${where}.${memberName}`, ref, MEMBER_KEYS, shapes);
        // The domain side keys members by lcfirst(name); two members must not collide there.
        const key = domainKey(memberName);
        if (seen.has(key)) throw new Error(`${where}: members collide on domain key "${key}"`);
        seen.add(key);
        const extra = {
          ...(typeof ref.locationName === 'string' ? { locationName: ref.locationName } : {}),
          ...(typeof ref.timestampFormat === 'string' ? { timestampFormat: ref.timestampFormat } : {}),
        };
        members[memberName] = Object.keys(extra).length ? { shape: ref.shape, ...extra } : ref.shape;
      }
      for (const r of s.required ?? []) if (!(r in members)) throw new Error(`${where}: required member "${r}" is not a member`);
      return { type: 'structure', members, ...(s.required?.length ? { required: [...s.required] } : {}), ...(s.union ? { union: true } : {}) };
    }
    case 'list': {
      const ref = s.member as BotoRef;
      checkRef(`${where}.member`, ref, ELEMENT_KEYS, shapes);
      return {
        type: 'list',
        member: ref.shape,
        ...(typeof ref.locationName === 'string' ? { memberName: ref.locationName } : {}),
        ...(s.flattened ? { flattened: true } : {}),
        ...bounds,
      };
    }
    case 'map': {
      const key = s.key as BotoRef;
      const value = s.value as BotoRef;
      checkRef(`${where}.key`, key, ELEMENT_KEYS, shapes);
      checkRef(`${where}.value`, value, ELEMENT_KEYS, shapes);
      return {
        type: 'map',
        key: key.shape,
        value: value.shape,
        ...(typeof key.locationName === 'string' ? { keyName: key.locationName } : {}),
        ...(typeof value.locationName === 'string' ? { valueName: value.locationName } : {}),
        ...(s.flattened ? { flattened: true } : {}),
        ...bounds,
      };
    }
    case 'string':
      return {
        type: 'string',
        ...bounds,
        ...(s.pattern !== undefined ? { pattern: s.pattern } : {}),
        ...(s.enum ? { enum: [...s.enum] } : {}),
        ...(s.sensitive ? { sensitive: true } : {}),
      };
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      return { type: s.type, ...bounds };
    case 'boolean':
      return { type: 'boolean' };
    case 'timestamp':
      return { type: 'timestamp', ...(s.timestampFormat ? { timestampFormat: s.timestampFormat } : {}) };
    case 'blob':
      return { type: 'blob', ...bounds, ...(s.sensitive ? { sensitive: true } : {}) };
    default:
      throw new Error(`${where}: unsupported type "${s.type}"`);
  }
}

/** Names of the shapes reachable from `root` (members, list elements, map keys and values). */
function reach(root: string, shapes: Record<string, BotoShape>, into: Set<string>): void {
  const stack = [root];
  while (stack.length) {
    const name = stack.pop() as string;
    if (into.has(name)) continue;
    into.add(name);
    const s = shapes[name];
    if (!s) throw new Error(`unknown shape "${name}"`);
    for (const ref of Object.values(s.members ?? {})) stack.push(ref.shape);
    for (const ref of [s.member, s.key, s.value]) if (ref) stack.push(ref.shape);
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function compactModel(source: ServiceSource, model: BotoModel, sourceHash: string): ServiceModelData {
  if (model.metadata.protocol !== 'query') throw new Error(`${source.model}: protocol is "${model.metadata.protocol}", not "query"`);
  const { shapes } = model;
  const reachable = new Set<string>();
  const operations: ServiceModelData['operations'] = {};
  for (const name of Object.keys(model.operations).sort(byName)) {
    const op = model.operations[name] as BotoOperation;
    checkKeys(`operation ${name}`, op, OPERATION_KEYS);
    if (op.name !== name) throw new Error(`operation ${name}: name field says "${op.name}"`);
    const entry: ServiceModelData['operations'][string] = {};
    if (op.input) {
      reach(op.input.shape, shapes, reachable);
      entry.input = op.input.shape;
      // Action and Version are the protocol's own parameters; a member with either name would be shadowed.
      for (const member of Object.keys(shapes[op.input.shape]?.members ?? {})) {
        if (member === 'Action' || member === 'Version') throw new Error(`operation ${name}: input member "${member}" clashes with the protocol`);
      }
    }
    if (op.output) {
      reach(op.output.shape, shapes, reachable);
      entry.output = op.output.shape;
      entry.resultWrapper = op.output.resultWrapper ?? `${name}Result`;
    }
    operations[name] = entry;
  }
  const compact: Record<string, ShapeData> = {};
  for (const name of [...reachable].sort(byName)) {
    const shape = shapes[name] as BotoShape;
    if (shape.exception) throw new Error(`shape ${name}: an exception shape is used as data`);
    compact[name] = compactShape(name, shape, shapes);
  }
  return {
    service: source.service,
    apiVersion: model.metadata.apiVersion,
    xmlNamespace: model.metadata.xmlNamespace,
    source: `${source.model} (sha256 ${sourceHash.slice(0, 16)})`,
    operations,
    shapes: compact,
  };
}

const HEADER_NOTE = 'CI checks it is current with `npm run models:check` (scripts/check-models.ts).';

/** JSON is valid JS; U+2028/2029 are escaped so that no line ever breaks inside a literal. */
function lit(value: unknown): string {
  return JSON.stringify(value).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function modelModuleText(source: ServiceSource, data: ServiceModelData): string {
  const lines = [
    '// GENERATED FILE: DO NOT EDIT.',
    `// Generated from ${source.model} (botocore, Apache-2.0) by \`npm run models:generate\``,
    '// (scripts/generate-models.ts): operations and the shapes they reach, without documentation or',
    `// exception shapes (those are in src/core/errors/generated/model-errors.ts). ${HEADER_NOTE}`,
    "import type { ServiceModelData } from '../model-types.js';",
    '',
    `export const ${source.constName}: ServiceModelData = {`,
    `  service: ${lit(data.service)},`,
    `  apiVersion: ${lit(data.apiVersion)},`,
    `  xmlNamespace: ${lit(data.xmlNamespace)},`,
    `  source: ${lit(data.source)},`,
    '  operations: {',
    ...Object.entries(data.operations).map(([name, op]) => `    ${lit(name)}: ${lit(op)},`),
    '  },',
    '  shapes: {',
    ...Object.entries(data.shapes).map(([name, shape]) => `    ${lit(name)}: ${lit(shape)},`),
    '  },',
    '};',
    '',
  ];
  return lines.join('\n');
}

interface ErrorRow {
  code: string;
  httpStatus: number;
  senderFault: boolean;
  shapes: Partial<Record<ServiceName, string>>;
}

/**
 * One row per wire code across both services. An exception shape without an `error` trait answers
 * with its shape name as code, HTTP 400 and Sender, as botocore assumes and as the Smithy model
 * says (`smithy.api#error: client`, `httpError: 400`) for the five IAM shapes concerned.
 */
export function modelErrors(models: { service: ServiceName; model: BotoModel }[]): ErrorRow[] {
  const rows = new Map<string, ErrorRow>();
  for (const { service, model } of models) {
    for (const [name, shape] of Object.entries(model.shapes)) {
      if (!shape.exception) continue;
      const code = shape.error?.code ?? name;
      const httpStatus = shape.error?.httpStatusCode ?? 400;
      const senderFault = shape.error ? shape.error.senderFault === true : true;
      const row = rows.get(code);
      if (row) {
        if (row.httpStatus !== httpStatus || row.senderFault !== senderFault) {
          throw new Error(`error code ${code}: ${service} says ${httpStatus}/${senderFault}, another service ${row.httpStatus}/${row.senderFault}`);
        }
        row.shapes[service] = name;
      } else {
        rows.set(code, { code, httpStatus, senderFault, shapes: { [service]: name } });
      }
    }
  }
  return [...rows.values()].sort((a, b) => byName(a.code, b.code));
}

export function errorsModuleText(rows: ErrorRow[], sources: readonly ServiceSource[]): string {
  const lines = [
    '// GENERATED FILE: DO NOT EDIT.',
    `// Generated from the exception shapes of ${sources.map((s) => s.model).join(' and ')}`,
    '// (botocore, Apache-2.0) by `npm run models:generate` (scripts/generate-models.ts).',
    `// ${HEADER_NOTE}`,
    '',
    '/** Every exception of the IAM and STS models by wire code: HTTP status, fault, and shape name per service. */',
    'export const MODEL_ERRORS = {',
    ...rows.map(
      (r) => `  ${lit(r.code)}: { httpStatus: ${r.httpStatus}, senderFault: ${r.senderFault}, shapes: ${lit(r.shapes)} },`,
    ),
    '} as const;',
    '',
  ];
  return lines.join('\n');
}

export interface GeneratedFile {
  /** Relative to the repository root. */
  path: string;
  text: string;
}

/** Every generated file's text, from the fixture models; no side effects. */
export async function buildModelFiles(root = ROOT): Promise<GeneratedFile[]> {
  const files: GeneratedFile[] = [];
  const models: { service: ServiceName; model: BotoModel }[] = [];
  for (const source of SERVICE_SOURCES) {
    const text = await readFile(path.join(root, source.model), 'utf8');
    const model = JSON.parse(text) as BotoModel;
    models.push({ service: source.service, model });
    files.push({ path: source.output, text: modelModuleText(source, compactModel(source, model, sha256(text))) });
  }
  files.push({ path: ERRORS_OUTPUT, text: errorsModuleText(modelErrors(models), SERVICE_SOURCES) });
  return files;
}

async function main(): Promise<void> {
  for (const file of await buildModelFiles()) {
    const target = path.join(ROOT, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.text);
    console.log(`wrote ${file.path} (${(Buffer.byteLength(file.text) / 1024).toFixed(0)} KiB)`);
  }
}

// Run only as a script: check-models.ts and the tests import the builder.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main();
