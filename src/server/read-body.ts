import type { IncomingMessage } from 'node:http';

export class BodyTooLarge extends Error {}

/** Reads a request body, refusing (and dropping the connection) past `max` bytes. */
export function readBody(req: IncomingMessage, declaredLength: string | undefined, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(declaredLength);
    if (declared > max) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
