/**
 * Per operation, the compiled input reader and output writer, built on first use and kept: the
 * request path never walks the model again.
 */
import { serviceModel, type OperationData, type ServiceModelData, type ServiceName } from '../models/index.js';
import { compileInputReader, type InputReader } from './input-reader.js';
import { compileOutputWriter, type OutputWriter } from './output-writer.js';

export interface OperationCodec {
  service: ServiceName;
  model: ServiceModelData;
  name: string;
  data: OperationData;
  /** Absent for operations without input: their input is `{}`. */
  readInput?: InputReader;
  /** Absent for operations without output: their response has no Result element. */
  writeOutput?: OutputWriter;
}

const codecs = new Map<string, OperationCodec>();

/** The operation's codec, or undefined when the service has no such operation (names are case-sensitive). */
export function operationCodec(service: ServiceName, operation: string): OperationCodec | undefined {
  const cacheKey = `${service}:${operation}`;
  const cached = codecs.get(cacheKey);
  if (cached) return cached;
  const model = serviceModel(service);
  // Object.hasOwn: `toString` or `__proto__` as Action must not find Object.prototype.
  if (!Object.hasOwn(model.operations, operation)) return undefined;
  const data = model.operations[operation] as OperationData;
  const codec: OperationCodec = { service, model, name: operation, data };
  if (data.input) codec.readInput = compileInputReader(model, data.input);
  if (data.output) codec.writeOutput = compileOutputWriter(model, data.output);
  codecs.set(cacheKey, codec);
  return codec;
}
