#!/usr/bin/env bash
# The README's AWS CLI walk-through against a running Gatehouse: create a user and a policy,
# attach it, create keys, call with them, and get AccessDenied where the policy does not allow.
# Needs: GATEHOUSE_URL and the administrator's AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
set -euo pipefail
export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1 AWS_MAX_ATTEMPTS=1 AWS_PAGER=""
iam() { aws --endpoint-url "$GATEHOUSE_URL" iam "$@"; }

iam create-user --user-name cli-user --output json > /dev/null
policy_arn=$(iam create-policy --policy-name cli-list-users \
  --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ListUsers","iam:GetUser"],"Resource":"*"}]}' \
  --query Policy.Arn --output text)
iam attach-user-policy --user-name cli-user --policy-arn "$policy_arn"
read -r key_id secret < <(iam create-access-key --user-name cli-user --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text)
echo "created $key_id"

# As the new user: allowed by the policy.
AWS_ACCESS_KEY_ID=$key_id AWS_SECRET_ACCESS_KEY=$secret iam list-users --query 'Users[].UserName' --output text
# As the new user: not allowed, so AccessDenied (exit 255 on CLI v1, 254 on v2).
set +e
denied=$(AWS_ACCESS_KEY_ID=$key_id AWS_SECRET_ACCESS_KEY=$secret iam create-user --user-name not-allowed 2>&1)
status=$?
set -e
echo "$denied"
if [ "$status" -eq 0 ]; then echo "expected AccessDenied" >&2; exit 1; fi
case "$denied" in *"(AccessDenied)"*"is not authorized to perform: iam:CreateUser"*) ;; *) echo "unexpected error" >&2; exit 1 ;; esac
echo "scenario passed"
