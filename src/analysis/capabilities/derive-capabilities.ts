/**
 * The heuristic that puts every action of the catalog into zero or more capabilities, from its
 * access level and the words of its name. It is deliberately simple and ordered: the first rule
 * that matches decides, and its id is kept so a reviewer can see why an action landed where it
 * did. `overrides.ts` corrects it for the services people use most.
 */
import type { ActionInfo } from '../../core/catalog/index.js';
import type { Capability } from './capability.js';

export interface Derivation {
  readonly capabilities: readonly Capability[];
  /** Id of the rule that decided (`fallback-*` when no specific rule matched). */
  readonly rule: string;
}

interface NameParts {
  /** The verb, lower case, with `Batch`, `Re` and `PartiQL` prefixes removed (`BatchGetItem` → `get`). */
  readonly verb: string;
  /** The words after the verb, lower case, with a trailing `Batch` dropped. */
  readonly nouns: readonly string[];
  /** `PartiQLSelect`: a statement language that always runs on the data. */
  readonly statement: boolean;
  /** `ESHttpGet`: an HTTP method on the service's data plane. */
  readonly http: boolean;
}

const WORD = /[A-Z]+(?![a-z])|[A-Z][a-z0-9]*|[a-z0-9]+/g;

export function splitName(name: string): NameParts {
  let words = (name.match(WORD) ?? [name]).map((w) => w.toLowerCase());
  let statement = false;
  let http = false;
  if (words[0] === 'parti' && words[1] === 'ql') {
    statement = true;
    words = words.slice(2);
  }
  const httpAt = words.indexOf('http');
  if (httpAt >= 0 && httpAt + 1 < words.length) {
    http = true;
    words = words.slice(httpAt + 1);
  }
  // `BatchGetItem` gets items; `ReEncryptFrom` encrypts again.
  if ((words[0] === 'batch' || words[0] === 're') && words.length > 1) words = words.slice(1);
  if (words.length > 2 && words[words.length - 1] === 'batch') words = words.slice(0, -1);
  return { verb: words[0] ?? '', nouns: words.slice(1), statement, http };
}

/** Last words that name configuration or metadata of a thing, never its content. */
const CONFIG_WORDS = new Set([
  'acl', 'acls', 'attribute', 'attributes', 'config', 'configs', 'configuration', 'configurations', 'cors',
  'encryption', 'hold', 'lifecycle', 'location', 'logging', 'metadata', 'notification', 'notifications',
  'option', 'options', 'permission', 'permissions', 'policies', 'policy', 'preferences', 'properties',
  'property', 'retention', 'setting', 'settings', 'status', 'tag', 'tagging', 'tags', 'versioning', 'website',
]);

/** Nouns that name what a resource holds: objects, items, messages, records, values... */
const DATA_WORDS = new Set([
  'blob', 'blobs', 'block', 'blocks', 'chunk', 'chunks', 'content', 'contents', 'data', 'events', 'file',
  'files', 'item', 'items', 'message', 'messages', 'object', 'objects', 'parameter', 'parameters', 'record',
  'records', 'row', 'rows', 'value', 'values', 'vector', 'vectors',
]);

/** Nouns that only a read can return and that are as sensitive as data: credentials, results. */
const READ_ONLY_DATA_WORDS = new Set(['credential', 'credentials', 'download', 'password', 'plaintext', 'results']);

/** Words after a data noun that keep the data as the subject (`GetObjectVersion`, `GetParametersByPath`). */
const QUALIFIER_WORDS = new Set([
  'annotation', 'annotations', 'by', 'for', 'from', 'in', 'to', 'torrent', 'version', 'versions', 'via', 'with',
]);

/**
 * Whether the name's subject is data: its last noun is a data word, or its first noun is one
 * that only a qualifier follows; and its last noun is not configuration. `GetObjectAcl` is
 * about the ACL, `GetObjectVersion` about the object, `CreateDataSet` about a data set (a
 * resource, not its content).
 */
function namesData(nouns: readonly string[], words: ReadonlySet<string>, extra?: ReadonlySet<string>): boolean {
  if (nouns.length === 0) return false;
  const last = nouns[nouns.length - 1];
  if (CONFIG_WORDS.has(last)) return false;
  // `PublicAccessBlock` is a setting, not a block of data.
  if (last === 'block' && nouns[nouns.length - 2] === 'access') return false;
  const isData = (w: string): boolean => words.has(w) || (extra?.has(w) ?? false);
  return isData(last) || (isData(nouns[0]) && (nouns.length === 1 || QUALIFIER_WORDS.has(nouns[1])));
}

const READ_CONFIG_VERBS = new Set(['decode', 'describe', 'get', 'head', 'list', 'search', 'view']);
const READ_DATA_VERBS = new Set([
  'consume', 'decrypt', 'download', 'export', 'fetch', 'poll', 'query', 'read', 'receive', 'retrieve',
  'scan', 'select', 'stream',
]);
/** Verbs of services that compute on the caller's input (Comprehend, Translate, Rekognition...). */
const COMPUTE_VERBS = new Set([
  'analyze', 'calculate', 'chat', 'classify', 'converse', 'detect', 'infer', 'optimize', 'predict', 'recognize',
  'rerank', 'synthesize', 'translate',
]);
/** Verbs that use the resource for what it is for, at any access level. */
const USE_VERBS = new Set(['assume', 'call', 'connect', 'encrypt', 'execute', 'invoke', 'pass', 'sign', 'use', 'verify']);
/** Verbs that use the resource when they are writes; as reads they only report (`GenerateCredentialReport`). */
const WRITE_USE_VERBS = new Set([
  'authenticate', 'check', 'estimate', 'evaluate', 'generate', 'preview', 'render', 'simulate', 'test',
  'validate',
]);
/** Last nouns that are credentials or keys: uploading them changes who can authenticate. */
const CREDENTIAL_WORDS = new Set([
  'certificate', 'certificates', 'credential', 'credentials', 'key', 'keys', 'password', 'token', 'tokens',
]);
/** Running or stopping a job, build, execution, transaction or instance operates it without changing what it is. */
const RUN_CONTROL_VERBS = new Set([
  'begin', 'cancel', 'commit', 'open', 'pause', 'reboot', 'restart', 'resume', 'retry', 'rollback', 'run', 'signal',
  'start', 'stop', 'suspend', 'trigger',
]);
const EMPTYING_VERBS = new Set(['clear', 'empty', 'erase', 'flush', 'purge', 'truncate', 'wipe']);
const DELETE_VERBS = new Set(['delete', 'discard', 'drop', 'expire', 'remove']);
/** Verbs that always put data into the resource, whatever the noun (SendMessage, WriteRecords, UploadArchive). */
const DATA_WRITE_VERBS = new Set(['append', 'ingest', 'insert', 'post', 'push', 'send', 'upload', 'write']);
/** Verbs that create or change something: data when the noun is data, else the resource itself. */
const CHANGE_VERBS = new Set([
  'add', 'change', 'copy', 'create', 'import', 'modify', 'patch', 'put', 'replace', 'replicate', 'restore', 'save',
  'set', 'store', 'update',
]);
/** Verbs that bring a resource into being or end it. */
const LIFECYCLE_VERBS = new Set([
  'allocate', 'build', 'clone', 'close', 'copy', 'create', 'delete', 'deploy', 'deprovision', 'deregister',
  'discard', 'drop', 'expire', 'import', 'install', 'launch', 'provision', 'publish', 'purchase', 'register',
  'release', 'remove', 'restore', 'terminate', 'uninstall',
]);
/** Verbs that change a resource's configuration, state or relationships. */
const CONFIGURE_VERBS = new Set([
  'accept', 'activate', 'add', 'allow', 'apply', 'approve', 'assign', 'associate', 'attach', 'authorize', 'change',
  'configure', 'confirm', 'deactivate', 'decline', 'deny', 'detach', 'disable', 'disassociate', 'disconnect',
  'enable', 'failover', 'grant', 'invalidate', 'join', 'leave', 'link', 'lock', 'modify', 'move', 'promote', 'put',
  'reject', 'rename', 'replace', 'replicate', 'reset', 'resize', 'resync', 'revoke', 'rotate', 'schedule', 'set',
  'share', 'subscribe', 'sync', 'synchronize', 'unassign', 'unlink', 'unlock', 'unshare', 'unsubscribe', 'update',
  'upgrade',
]);

interface Rule {
  readonly id: string;
  readonly match: (info: ActionInfo, parts: NameParts) => readonly Capability[] | undefined;
}

const has = (info: ActionInfo, level: ActionInfo['accessLevels'][number]): boolean => info.accessLevels.includes(level);
const isRead = (info: ActionInfo): boolean => has(info, 'Read') || has(info, 'List');

const ADMIN: readonly Capability[] = Object.freeze(['administer-resource']);
const READ_CONFIG: readonly Capability[] = Object.freeze(['read-config']);
const READ_DATA: readonly Capability[] = Object.freeze(['read-data']);
const WRITE_DATA: readonly Capability[] = Object.freeze(['write-data']);
const DELETE_DATA: readonly Capability[] = Object.freeze(['delete-data']);
const USE: readonly Capability[] = Object.freeze(['use-resource']);

/** Ordered: the first rule that returns capabilities decides. */
const RULES: readonly Rule[] = [
  // Permissions management changes who can access the resource (policies, ACLs, grants).
  { id: 'permissions-management', match: (info) => (has(info, 'Permissions management') ? ADMIN : undefined) },
  // Tags drive attribute-based access control, so changing them changes who can access.
  { id: 'tagging', match: (info) => (has(info, 'Tagging') ? ADMIN : undefined) },
  // Data-plane HTTP methods (`es:ESHttpGet`): GET/HEAD read, DELETE deletes, the rest write.
  {
    id: 'http-method',
    match: (_info, p) => {
      if (!p.http) return undefined;
      if (p.verb === 'get' || p.verb === 'head') return READ_DATA;
      return p.verb === 'delete' ? DELETE_DATA : WRITE_DATA;
    },
  },
  // PartiQL statements always run on the items: SELECT reads, DELETE deletes, others write.
  {
    id: 'statement-language',
    match: (_info, p) => {
      if (!p.statement) return undefined;
      if (p.verb === 'select') return READ_DATA;
      return p.verb === 'delete' ? DELETE_DATA : WRITE_DATA;
    },
  },
  // Detect, Translate, Classify...: a service computing on the caller's input uses the service.
  { id: 'compute-verb', match: (_info, p) => (COMPUTE_VERBS.has(p.verb) ? USE : undefined) },
  // Describe*/List* (whatever their level) only ever return configuration and names.
  { id: 'describe-list', match: (_info, p) => (p.verb === 'describe' || p.verb === 'list' ? READ_CONFIG : undefined) },
  // A read whose subject is data (GetObject, GetItem, GetSecretValue, GetRecords, GetQueryResults).
  {
    id: 'read-of-data',
    match: (info, p) =>
      (isRead(info) || READ_CONFIG_VERBS.has(p.verb)) && namesData(p.nouns, DATA_WORDS, READ_ONLY_DATA_WORDS) ? READ_DATA : undefined,
  },
  // Get/Search/View of anything else reads configuration or metadata.
  { id: 'read-of-config', match: (_info, p) => (READ_CONFIG_VERBS.has(p.verb) ? READ_CONFIG : undefined) },
  // Query, Scan, Select, Receive, Download, Export, Decrypt... return the content itself.
  { id: 'data-read-verb', match: (_info, p) => (READ_DATA_VERBS.has(p.verb) ? READ_DATA : undefined) },
  // Purge, Truncate, Clear... empty the resource of its data and keep the resource.
  { id: 'emptying-verb', match: (_info, p) => (EMPTYING_VERBS.has(p.verb) ? DELETE_DATA : undefined) },
  // Delete/Remove of data (DeleteObject, DeleteItem, DeleteMessage); of anything else: below.
  {
    id: 'delete-of-data',
    match: (_info, p) => (DELETE_VERBS.has(p.verb) && namesData(p.nouns, DATA_WORDS) ? DELETE_DATA : undefined),
  },
  // `Publish` alone (sns:Publish, iot:Publish) sends through the resource; `PublishVersion`
  // creates a version (the lifecycle rule below).
  { id: 'publish', match: (_info, p) => (p.verb === 'publish' && p.nouns.length === 0 ? USE : undefined) },
  // Invoke, Execute, Encrypt, Sign, Assume, Pass...: use it for what it is for.
  { id: 'use-verb', match: (_info, p) => (USE_VERBS.has(p.verb) ? USE : undefined) },
  // Generate, Test, Validate... as writes run the resource (GenerateDataKey, TestInvokeMethod).
  { id: 'write-use-verb', match: (info, p) => (has(info, 'Write') && WRITE_USE_VERBS.has(p.verb) ? USE : undefined) },
  // Start, Stop, Cancel, Run...: operate a job, build or instance.
  { id: 'run-control-verb', match: (_info, p) => (RUN_CONTROL_VERBS.has(p.verb) ? USE : undefined) },
  // Uploading or sending a certificate, key, password or token changes who can authenticate.
  {
    id: 'credential-material',
    match: (_info, p) => (DATA_WRITE_VERBS.has(p.verb) && CREDENTIAL_WORDS.has(p.nouns[p.nouns.length - 1]) ? ADMIN : undefined),
  },
  // Send, Write, Upload, Insert...: put data into it.
  { id: 'data-write-verb', match: (_info, p) => (DATA_WRITE_VERBS.has(p.verb) ? WRITE_DATA : undefined) },
  // Put/Update/Create/Copy... of data (PutObject, UpdateItem, PutSecretValue, PutRecord).
  {
    id: 'change-of-data',
    match: (_info, p) => (CHANGE_VERBS.has(p.verb) && namesData(p.nouns, DATA_WORDS) ? WRITE_DATA : undefined),
  },
  // Create/Delete/Register/Restore... of anything but data: the resource's own lifecycle.
  { id: 'lifecycle-verb', match: (_info, p) => (LIFECYCLE_VERBS.has(p.verb) ? ADMIN : undefined) },
  // Update/Put/Set/Associate/Enable... of anything but data: its configuration or relationships
  // (a data writer must not turn off encryption, versioning or logging).
  { id: 'configure-verb', match: (info, p) => (has(info, 'Write') && CONFIGURE_VERBS.has(p.verb) ? ADMIN : undefined) },
  // Any other read (Check, Is, Count...) reads configuration.
  { id: 'fallback-read', match: (info) => (isRead(info) ? READ_CONFIG : undefined) },
  // Any other write changes the resource in a way no rule above recognizes: administration is the
  // safe reading (a data writer does not get it by accident).
  { id: 'fallback-write', match: (info) => (has(info, 'Write') ? ADMIN : undefined) },
];

/** The heuristic's answer for one action (overrides not applied). */
export function deriveCapabilities(info: ActionInfo): Derivation {
  const parts = splitName(info.name);
  for (const rule of RULES) {
    const capabilities = rule.match(info, parts);
    if (capabilities) return { capabilities, rule: rule.id };
  }
  return { capabilities: [], rule: 'none' };
}
