/**
 * How a snapshot travels over HTTP: ordinary JSON, laid out one record per line, so that neither
 * side has to hold the whole document as one string (a large region's snapshot can pass V8's
 * string limit) and the reader parses records as they arrive:
 *
 *   {"version":1,"region":"…",…,"tokenKeys":[…],"records":[
 *   {"kind":"user",…}
 *   ,{"kind":"role",…}
 *   ]}
 *
 * JSON.stringify escapes every newline inside strings, so a raw newline only ever ends a line.
 */
import type { FeedSnapshot, ReplicaRecord } from './feed-types.js';

const RECORDS_OPEN = '"records":[';

/** The snapshot as lines of text (each ending in a newline), in chunks of about `chunkChars`. */
export function* snapshotChunks(snapshot: FeedSnapshot, chunkChars = 64 * 1024): Generator<string> {
  const { records, ...head } = snapshot;
  // records last, so the header is everything up to its opening bracket.
  const header = JSON.stringify({ ...head, records: [] });
  let chunk = header.slice(0, -2) + '\n';
  for (let i = 0; i < records.length; i++) {
    chunk += (i === 0 ? '' : ',') + JSON.stringify(records[i]) + '\n';
    if (chunk.length >= chunkChars) {
      yield chunk;
      chunk = '';
    }
  }
  yield chunk + ']}\n';
}

/**
 * Reads a snapshot line by line (`push` each line without its newline, then `finish`). Accepts
 * the compact form too (the whole document on one line, or spread over lines some other way).
 */
export class SnapshotLineParser {
  #header: Omit<FeedSnapshot, 'records'> | undefined;
  #records: ReplicaRecord[] = [];
  #ended = false;
  /** Lines of a document not in the one-record-per-line layout, parsed whole at the end. */
  #other: string[] | undefined;
  #first = true;

  push(line: string): void {
    if (this.#other) {
      this.#other.push(line);
      return;
    }
    if (this.#first) {
      this.#first = false;
      if (line.endsWith(RECORDS_OPEN)) {
        this.#header = JSON.parse(line + ']}') as Omit<FeedSnapshot, 'records'>;
      } else {
        this.#other = [line];
      }
      return;
    }
    if (this.#ended) {
      if (line.trim() !== '') throw new SyntaxError('text after the end of the snapshot');
      return;
    }
    if (line === ']}') {
      this.#ended = true;
      return;
    }
    this.#records.push(JSON.parse(line.startsWith(',') ? line.slice(1) : line) as ReplicaRecord);
  }

  finish(): FeedSnapshot {
    if (this.#other) return JSON.parse(this.#other.join('\n')) as FeedSnapshot;
    if (!this.#header || !this.#ended) throw new SyntaxError('the snapshot ended early');
    return { ...this.#header, records: this.#records };
  }
}
