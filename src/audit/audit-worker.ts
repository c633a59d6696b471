/**
 * The audit log's writer thread (`AuditLog.open(..., { worker: true })`): owns a connection to
 * the log file and extends the chain with the events the server thread hands over, so that
 * hashing and inserts never hold up a request.
 *
 * Messages in (`WorkerRequest`): `write` (asynchronous: events to write; failures are reported
 * with an `error` message and the events kept for the next attempt) and `sync` / `close`
 * (answered on the reply port, after which the shared counter is bumped so the server thread,
 * blocked in Atomics.wait, wakes up and reads the answer with receiveMessageOnPort).
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { AuditLogError, ChainWriter, configureConnection } from './chain.js';

export interface WorkerData {
  file: string;
  key: Uint8Array;
  /**
   * [0]: bumped (and notified) after each answer posted on `replies`; [1]: set (and notified)
   * when the thread could not start, so a blocked caller need not wait for an answer.
   */
  signals: Int32Array;
  replies: MessagePort;
}

export type WorkerRequest = { type: 'write'; events: string[]; at: string } | { type: 'sync'; events: string[]; at: string } | { type: 'close' };

/** How many events the writer has written so far, in total; and why the last attempt failed. */
export interface WorkerReport {
  written: number;
  error?: SerializedError;
}

export interface SerializedError {
  message: string;
  code?: string;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof AuditLogError) return { message: err.message, code: err.code };
  return { message: err instanceof Error ? err.message : String(err) };
}

const data = workerData as WorkerData;
let db: Database.Database;
let writer: ChainWriter;
try {
  db = new Database(data.file, { fileMustExist: true });
  configureConnection(db);
  writer = new ChainWriter(db, Buffer.from(data.key));
} catch (err) {
  Atomics.store(data.signals, 1, 1);
  Atomics.notify(data.signals, 0);
  throw err;
}
/** Events handed over but not written yet (a failed attempt keeps them for the next one). */
let queue: string[] = [];
let written = 0;

function writeQueue(at: string): WorkerReport {
  try {
    writer.append(queue, at);
  } catch (err) {
    return { written, error: serializeError(err) };
  }
  written += queue.length;
  queue = [];
  return { written };
}

function answer(reply: unknown): void {
  data.replies.postMessage(reply);
  Atomics.add(data.signals, 0, 1);
  Atomics.notify(data.signals, 0);
}

parentPort!.on('message', (request: WorkerRequest) => {
  switch (request.type) {
    case 'write': {
      for (const event of request.events) queue.push(event);
      parentPort!.postMessage(writeQueue(request.at));
      break;
    }
    case 'sync': {
      for (const event of request.events) queue.push(event);
      answer(writeQueue(request.at));
      break;
    }
    case 'close': {
      db.close();
      answer({ written });
      parentPort!.close();
      break;
    }
  }
});
