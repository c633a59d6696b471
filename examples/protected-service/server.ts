/**
 * Runs the reports service: embeds a replica of one Gatehouse region (following the control
 * plane's replication feed over HTTP with that region's replication token) and serves on a port.
 *
 *   GATEHOUSE_URL=http://127.0.0.1:8380 GATEHOUSE_REPLICATION_TOKEN=... REPORTS_ACCOUNT=123456789012 \
 *   AWS_REGION=eu-west-1 PORT=8443 npx tsx examples/protected-service/server.ts
 *
 * Optional: REPORTS_DATA_DIR keeps the replica on disk, so a restart while the control plane is
 * unreachable still serves from it; GATEHOUSE_REPLICATION_TOKEN_FILE instead of the token itself.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuthorizer } from '../../src/data-plane/create-authorizer.js';
import { createApp } from './reports-app.js';

function required(name: string, value: string | undefined): string {
  if (!value) {
    process.stderr.write(`reports: set ${name} (see examples/protected-service/README.md)\n`);
    process.exit(2);
  }
  return value;
}

const env = process.env;
const controlPlaneUrl = required('GATEHOUSE_URL', env.GATEHOUSE_URL);
const token = required('GATEHOUSE_REPLICATION_TOKEN', env.GATEHOUSE_REPLICATION_TOKEN ?? (env.GATEHOUSE_REPLICATION_TOKEN_FILE ? readFileSync(env.GATEHOUSE_REPLICATION_TOKEN_FILE, 'utf8').trim() : undefined));
const account = required('REPORTS_ACCOUNT', env.REPORTS_ACCOUNT);
const region = env.AWS_REGION ?? 'us-east-1';

const authorizer = await createAuthorizer({ controlPlaneUrl, token, region, dataDir: env.REPORTS_DATA_DIR, log: (line) => process.stderr.write(line + '\n') });
const server = createServer(createApp({ authorizer, region, account }));
server.listen(Number(env.PORT ?? 8443), env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address() as AddressInfo;
  process.stdout.write(`reports: listening on http://${address}:${port} (region ${region}, replica at revision ${authorizer.revision})\n`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    void authorizer.close().then(() => process.exit(0));
  });
}
