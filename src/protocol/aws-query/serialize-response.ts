/**
 * The XML bodies of Query responses:
 *   <OpResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><OpResult>…</OpResult>
 *   <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></OpResponse>
 * and
 *   <ErrorResponse xmlns="…"><Error><Type>Sender</Type><Code>…</Code><Message>…</Message></Error>
 *   <RequestId>…</RequestId></ErrorResponse>
 * Send the request id in the `x-amzn-RequestId` header too: the JS SDK reads only the header,
 * botocore only the body.
 */
import { toAwsError, type AwsError } from '../../core/errors/index.js';
import { serviceModel, type ServiceName } from '../models/index.js';
import { operationCodec } from './operation-codec.js';
import { unknownKeysOfShape } from './output-writer.js';
import { escapeXmlText } from './xml-text.js';

/**
 * The success body of `operation`. `output` is the domain result (see output-writer.ts); an
 * operation without an output shape gets no Result element, whatever `output` holds.
 */
export function serializeResult(service: ServiceName, operation: string, output: Record<string, unknown> | undefined, requestId: string): string {
  const codec = operationCodec(service, operation);
  if (!codec) throw new Error(`${service} has no operation ${operation}`);
  const result = codec.writeOutput ? codec.writeOutput(output ?? {}, codec.data.resultWrapper ?? `${operation}Result`) : '';
  return (
    `<${operation}Response xmlns="${codec.model.xmlNamespace}">${result}` +
    `<ResponseMetadata><RequestId>${escapeXmlText(requestId)}</RequestId></ResponseMetadata></${operation}Response>`
  );
}

export interface WireError {
  code: string;
  message: string;
  senderFault: boolean;
}

/** The error body; the HTTP status is the error's own (`AwsError.httpStatus`), never 200. */
export function serializeError(service: ServiceName, error: WireError, requestId: string): string {
  return (
    `<ErrorResponse xmlns="${serviceModel(service).xmlNamespace}"><Error>` +
    `<Type>${error.senderFault ? 'Sender' : 'Receiver'}</Type>` +
    `<Code>${escapeXmlText(error.code)}</Code>` +
    `<Message>${escapeXmlText(error.message)}</Message>` +
    `</Error><RequestId>${escapeXmlText(requestId)}</RequestId></ErrorResponse>`
  );
}

export interface ErrorResponse {
  status: number;
  body: string;
  /** What was sent; InternalFailure for anything that was not an AwsError (log the original). */
  error: AwsError;
}

/** The edge mapper: any thrown value to status and body, with no internal text leaked. */
export function errorResponse(service: ServiceName, thrown: unknown, requestId: string): ErrorResponse {
  const error = toAwsError(thrown);
  return { status: error.httpStatus, body: serializeError(service, error, requestId), error };
}

/**
 * Domain keys of `output` that the operation's output shape doesn't have (so serializeResult
 * drops them), as paths like `user.tagz`. For tests of use cases; not used on the request path.
 */
export function unknownOutputKeys(service: ServiceName, operation: string, output: unknown): string[] {
  const codec = operationCodec(service, operation);
  if (!codec) throw new Error(`${service} has no operation ${operation}`);
  return codec.data.output ? unknownKeysOfShape(codec.model, codec.data.output, output) : [];
}
