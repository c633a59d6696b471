import type { IAMClient } from '@aws-sdk/client-iam';

/** Calls `seen` with the `x-gatehouse-revision` of every answer the client gets that carries one. */
export function onRevisionHeader(client: IAMClient, seen: (revision: number) => void): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const out = await next(args);
      const header = (out.response as { headers?: Record<string, string> }).headers?.['x-gatehouse-revision'];
      if (header !== undefined) seen(Number(header));
      return out;
    },
    { step: 'deserialize', name: 'gatehouseRevision' },
  );
}
