#!/usr/bin/env bash
# STS in two regions with the real AWS CLI against a running Gatehouse: create a role, assume it
# in eu-west-1, use the session in us-east-1 (STS) and against IAM, chain, get AccessDenied where
# the session policy forbids, and decode the message a /v1/authorize denial carries.
# Needs: GATEHOUSE_URL, the administrator's AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, and
# GATEHOUSE_CLI (the path of src/cli/run.ts; run from the repository root so tsx and
# @smithy/signature-v4 resolve). Uses aws and node only (no jq or curl).
set -euo pipefail
export AWS_MAX_ATTEMPTS=1 AWS_PAGER="" AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_DEFAULT_REGION=eu-west-1
unset AWS_SESSION_TOKEN AWS_REGION AWS_PROFILE
eu() { aws --region eu-west-1 --endpoint-url "$GATEHOUSE_URL" "$@"; }
us() { aws --region us-east-1 --endpoint-url "$GATEHOUSE_URL" "$@"; }
gatehouse() { node --import tsx "$GATEHOUSE_CLI" "$@"; }
# Prints an expression of the JSON on stdin (`j` is the document); node instead of jq.
json() { node -e 'const j = JSON.parse(require("fs").readFileSync(0, "utf8")); const v = new Function("j", "return " + process.argv[1])(j); process.stdout.write((typeof v === "string" ? v : JSON.stringify(v)) + "\n");' "$1"; }
# http GET URL | http POST URL JSON: prints the body, fails on a non-2xx status (node instead of curl).
http() { node -e 'const [method, url, body] = process.argv.slice(1); fetch(url, { method, body, headers: body ? { "content-type": "application/json" } : {} }).then(async (r) => { process.stdout.write(await r.text()); if (!r.ok) process.exitCode = 1; });' "$@"; }
# Runs a command with the session credentials in $session (key, secret, token).
as_session() { AWS_ACCESS_KEY_ID=${session[0]} AWS_SECRET_ACCESS_KEY=${session[1]} AWS_SESSION_TOKEN=${session[2]} "$@"; }
# Runs a command that must fail; prints its error output.
must_fail() {
  local out status
  set +e
  out=$("$@" 2>&1)
  status=$?
  set -e
  echo "$out"
  if [ "$status" -eq 0 ]; then echo "expected a failure: $*" >&2; exit 1; fi
}
# Waits until both regions applied every write made so far (IAM answers from the control plane,
# STS from each region's replica).
propagated() {
  local revision
  revision=$(http GET "$GATEHOUSE_URL/health" | json j.revision)
  gatehouse wait-propagated --revision "$revision" --endpoint "$GATEHOUSE_URL" --timeout 10s > /dev/null
}

account=$(eu sts get-caller-identity --query Account --output text)
export ACCOUNT=$account
trust='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::'$account':root"},"Action":"sts:AssumeRole"}]}'
us iam create-role --role-name cli-reader --max-session-duration 7200 --assume-role-policy-document "$trust" --query Role.Arn --output text
us iam put-role-policy --role-name cli-reader --policy-name read \
  --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ListRoles","iam:GetRole","sts:DecodeAuthorizationMessage"],"Resource":"*"},{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::'$account':role/cli-reader"}]}'
propagated

# Assumed in eu-west-1, used in us-east-1 and against IAM.
read -r -a session < <(eu sts assume-role --role-arn "arn:aws:iam::$account:role/cli-reader" --role-session-name cli-eu \
  --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
as_session us sts get-caller-identity --query Arn --output text
as_session eu iam list-roles --query 'Roles[].RoleName' --output text

# Role chaining: at most one hour.
must_fail as_session us sts assume-role --role-arn "arn:aws:iam::$account:role/cli-reader" --role-session-name cli-chain --duration-seconds 7200
as_session us sts assume-role --role-arn "arn:aws:iam::$account:role/cli-reader" --role-session-name cli-chain --duration-seconds 3600 --query AssumedRoleUser.Arn --output text

# A session policy that allows GetRole only: ListRoles is denied.
read -r -a limited < <(us sts assume-role --role-arn "arn:aws:iam::$account:role/cli-reader" --role-session-name cli-limited \
  --policy '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"*"}]}' \
  --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
AWS_ACCESS_KEY_ID=${limited[0]} AWS_SECRET_ACCESS_KEY=${limited[1]} AWS_SESSION_TOKEN=${limited[2]} eu iam get-role --role-name cli-reader --query Role.RoleName --output text
must_fail env AWS_ACCESS_KEY_ID="${limited[0]}" AWS_SECRET_ACCESS_KEY="${limited[1]}" AWS_SESSION_TOKEN="${limited[2]}" \
  aws --region eu-west-1 --endpoint-url "$GATEHOUSE_URL" iam list-roles

# /v1/authorize denies the session reports:GetReport; the encoded message decodes with the CLI.
body=$(as_session node --input-type=module <<'JS'
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
class Sha256 {
  constructor(secret) { this.secret = secret; this.reset(); }
  update(data) { this.h.update(typeof data === 'string' ? data : Buffer.from(data)); }
  digest() { return Promise.resolve(new Uint8Array(this.h.digest())); }
  reset() { this.h = this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret); }
}
const credentials = { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY, sessionToken: process.env.AWS_SESSION_TOKEN };
const signer = new SignatureV4({ service: 'reports', region: 'eu-west-1', credentials, sha256: Sha256 });
const empty = createHash('sha256').update('').digest('hex');
const signed = await signer.sign({ method: 'GET', protocol: 'https:', hostname: 'reports.internal', path: '/reports/2026', query: {}, headers: { host: 'reports.internal', 'x-amz-content-sha256': empty } });
const account = process.env.ACCOUNT;
process.stdout.write(JSON.stringify({ request: { method: 'GET', path: '/reports/2026', headers: signed.headers }, action: 'reports:GetReport', resource: `arn:aws:reports:eu-west-1:${account}:report/2026`, encodeMessage: true }));
JS
)
answer=$(http POST "$GATEHOUSE_URL/v1/authorize" "$body")
echo "$answer" | json 'j.decision + ": " + j.message'
encoded=$(echo "$answer" | json j.encodedMessage)
as_session us sts decode-authorization-message --encoded-message "$encoded" --query DecodedMessage --output text \
  | json '({ allowed: j.allowed, action: j.context.action, principal: j.context.principal.arn })'
echo "sts scenario passed"
